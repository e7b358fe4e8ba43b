// dcgan.cpp - the DCGAN generator and discriminator (see include/dgm/models/dcgan.h for the
// shapes and the sources of each choice).
#include "dgm/models/dcgan.h"

#include <cmath>
#include <cstring>

#include "dgm/core/check.h"
#include "dgm/core/ops.h"
#include "dgm/core/ops_conv.h"

namespace dgm {
namespace {

BatchNormLayer make_bn(ParamStore& p, const std::string& name, int C) {
  BatchNormLayer l;
  l.C = C;
  l.gamma = p.add(name + ".weight", make_shape(C));
  l.beta = p.add(name + ".bias", make_shape(C));
  l.mean = p.add(name + ".running_mean", make_shape(C));
  l.var = p.add(name + ".running_var", make_shape(C));
  return l;
}

Var forward(Tape& t, const ParamStore& p, const BatchNormLayer& l, Var x, bool training) {
  return batch_norm(t, x, p.var(t, l.gamma), p.var(t, l.beta), p.value(l.mean), p.value(l.var), training);
}

bool ends_with(const std::string& s, const char* suffix) {
  const std::size_t n = std::strlen(suffix);
  return s.size() >= n && s.compare(s.size() - n, n, suffix) == 0;
}

}  // namespace

ConvLayer make_conv(ParamStore& p, const std::string& name, int in, int out, bool transposed, bool bias) {
  ConvLayer l;
  l.in = in, l.out = out, l.transposed = transposed;
  l.W = p.add(name + ".weight", transposed ? make_shape(in, out, l.k, l.k) : make_shape(out, in, l.k, l.k));
  if (bias) l.b = p.add(name + ".bias", make_shape(out));
  return l;
}

Var forward(Tape& t, const ParamStore& p, const ConvLayer& l, Var x) {
  Var b = l.b >= 0 ? p.var(t, l.b) : Var{};
  return l.transposed ? conv_transpose2d(t, x, p.var(t, l.W), b, l.stride, l.pad)
                      : conv2d(t, x, p.var(t, l.W), b, l.stride, l.pad);
}

void init_conv(ParamStore& p, const ConvLayer& l, Rng& rng) {
  const int fan_in = (l.transposed ? l.out : l.in) * l.k * l.k;
  const float bound = 1.f / std::sqrt(static_cast<float>(fan_in));
  rng.fill_uniform(p.value(l.W), -bound, bound);
  if (l.b >= 0) rng.fill_uniform(p.value(l.b), -bound, bound);
}

DcganG make_dcgan_g(ParamStore& p, const std::string& name, int in, int H, int W) {
  DGM_CHECK(H % 4 == 0 && W % 4 == 0 && H > 0 && W > 0, "make_dcgan_g: image %dx%d must have sides divisible by 4", H, W);
  DcganG g;
  g.H = H, g.W = W;
  g.fc = make_linear(p, name + ".fc", in, 128 * (H / 4) * (W / 4));  // (B, in) -> (B, 128 H/4 W/4)
  g.bn0 = make_bn(p, name + ".bn0", 128);
  g.up1 = make_conv(p, name + ".up1", 128, 64, true, /*bias=*/false);  // BN follows: a bias would cancel
  g.bn1 = make_bn(p, name + ".bn1", 64);
  g.up2 = make_conv(p, name + ".up2", 64, 1, true, /*bias=*/true);
  return g;
}

DcganD make_dcgan_d(ParamStore& p, const std::string& name, int H, int W, int labels) {
  DGM_CHECK(H % 4 == 0 && W % 4 == 0 && H > 0 && W > 0, "make_dcgan_d: image %dx%d must have sides divisible by 4", H, W);
  DcganD d;
  d.H = H, d.W = W;
  d.conv1 = make_conv(p, name + ".conv1", 1, 64, false, true);
  d.conv2 = make_conv(p, name + ".conv2", 64, 128, false, true);
  d.fc = make_linear(p, name + ".fc", d.features() + labels, 1);
  return d;
}

// Radford et al. 2016, section 4: "All weights were initialized from a zero-centered Normal
// distribution with standard deviation 0.02"; BN gamma ~ N(1, 0.02), beta 0 (pytorch/examples
// dcgan, weights_init); biases 0; running mean 0, running variance 1 (torch's initial state).
void init_dcgan(ParamStore& p, Rng& rng) {
  for (int h = 0; h < p.count(); ++h) {
    const std::string& n = p.name(h);
    Tensor v = p.value(h);
    const bool bn = n.find(".bn") != std::string::npos;
    if (ends_with(n, ".running_var")) fill(v, 1.f);
    else if (ends_with(n, ".running_mean")) fill(v, 0.f);
    else if (ends_with(n, ".weight")) rng.fill_normal(v, bn ? 1.f : 0.f, 0.02f);
    else fill(v, 0.f);  // biases, BN beta
  }
}

Var forward(Tape& t, const ParamStore& p, const DcganG& g, Var z, bool training) {
  const int H4 = g.H / 4, W4 = g.W / 4;
  Var h = to_images(t, forward(t, p, g.fc, z), 128, H4, W4);  // (B, 128, H/4, W/4)
  h = relu(t, forward(t, p, g.bn0, h, training));
  h = forward(t, p, g.up1, h);                                // (B, 64, H/2, W/2)
  h = relu(t, forward(t, p, g.bn1, h, training));
  h = forward(t, p, g.up2, h);                                // (B, 1, H, W)
  return tanh(t, to_vectors(t, h));                           // (B, H W) in [-1, 1]
}

Var forward(Tape& t, const ParamStore& p, const DcganD& d, Var x, Var y_in) {
  Var h = to_images(t, x, 1, d.H, d.W);                        // (B, 1, H, W)
  h = leaky_relu(t, forward(t, p, d.conv1, h), 0.2f);          // (B, 64, H/2, W/2)
  h = leaky_relu(t, forward(t, p, d.conv2, h), 0.2f);          // (B, 128, H/4, W/4)
  h = to_vectors(t, h);                                         // (B, 128 H/4 W/4)
  if (y_in.valid()) h = concat_cols(t, h, y_in);               // cGAN: (B, 128 H/4 W/4 + labels)
  return forward(t, p, d.fc, h);                               // (B, 1)
}

}  // namespace dgm
