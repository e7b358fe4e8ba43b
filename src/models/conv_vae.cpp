// conv_vae.cpp - the convolutional encoder and decoder of the VAE and the AAE (shapes in
// include/dgm/models/conv_vae.h).
#include "dgm/models/conv_vae.h"

#include "dgm/core/check.h"
#include "dgm/core/ops.h"
#include "dgm/core/ops_conv.h"

namespace dgm {

ConvEncoder make_conv_encoder(ParamStore& p, int H, int W, int out) {
  DGM_CHECK(H % 4 == 0 && W % 4 == 0 && H > 0 && W > 0, "make_conv_encoder: image %dx%d needs sides divisible by 4", H, W);
  ConvEncoder e;
  e.H = H, e.W = W;
  e.conv1 = make_conv(p, "enc.conv1", 1, 32, false, true);
  e.conv2 = make_conv(p, "enc.conv2", 32, 64, false, true);
  e.fc = make_linear(p, "enc.fc", 64 * (H / 4) * (W / 4), out);
  return e;
}

ConvDecoder make_conv_decoder(ParamStore& p, int latent, int H, int W, int channels) {
  DGM_CHECK(H % 4 == 0 && W % 4 == 0 && H > 0 && W > 0, "make_conv_decoder: image %dx%d needs sides divisible by 4", H, W);
  ConvDecoder d;
  d.H = H, d.W = W;
  d.fc = make_linear(p, "dec.fc", latent, 64 * (H / 4) * (W / 4));
  d.up1 = make_conv(p, "dec.up1", 64, 32, true, true);
  d.up2 = make_conv(p, "dec.up2", 32, channels, true, true);
  return d;
}

void init_conv_encoder(ParamStore& p, const ConvEncoder& e, Rng& rng) {
  init_conv(p, e.conv1, rng);
  init_conv(p, e.conv2, rng);
  init_linear(p, e.fc, rng);
}

void init_conv_decoder(ParamStore& p, const ConvDecoder& d, Rng& rng) {
  init_linear(p, d.fc, rng);
  init_conv(p, d.up1, rng);
  init_conv(p, d.up2, rng);
}

void init_conv_coder(ParamStore& p, const ConvEncoder& e, const ConvDecoder& d, Rng& rng) {
  init_conv_encoder(p, e, rng);
  init_conv_decoder(p, d, rng);
}

Var forward(Tape& t, const ParamStore& p, const ConvEncoder& e, Var x) {
  Var h = to_images(t, x, 1, e.H, e.W);          // (B, 1, H, W)
  h = relu(t, forward(t, p, e.conv1, h));        // (B, 32, H/2, W/2)
  h = relu(t, forward(t, p, e.conv2, h));        // (B, 64, H/4, W/4)
  return forward(t, p, e.fc, to_vectors(t, h));  // (B, 2J)
}

Var forward(Tape& t, const ParamStore& p, const ConvDecoder& d, Var z) {
  Var h = relu(t, forward(t, p, d.fc, z));       // (B, 64 H/4 W/4)
  h = to_images(t, h, 64, d.H / 4, d.W / 4);     // (B, 64, H/4, W/4)
  h = relu(t, forward(t, p, d.up1, h));          // (B, 32, H/2, W/2)
  return to_vectors(t, forward(t, p, d.up2, h)); // (B, channels H W)
}

}  // namespace dgm
