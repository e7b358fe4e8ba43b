// ops_conv.cpp - convolution, transposed convolution, batch normalization, image reshapes.
//
// The reference kernels first: the convolution as the direct loop of its formula, forward beside
// its two backward loops (Dumoulin & Visin 2016, "A guide to convolution arithmetic", ch. 2 and 4;
// [Vesel] 1.1 builds autoencoders from such layers). The tape ops after them run the GEMM
// versions of the same kernels (src/backend/conv.cpp, im2col / col2im), which test/test_conv.cpp
// checks against these loops; docs/math.md, "Convolution", maps each formula here.
#include <cmath>
#include <cstring>

#include "dgm/core/check.h"
#include "dgm/backend/conv.h"
#include "dgm/backend/parallel.h"
#include "dgm/core/ops_conv.h"
#include "dgm/core/ops_ref.h"

namespace dgm {

ConvShape conv_shape(int N, int C, int H, int W, int O, int kh, int kw, int stride, int pad) {
  ConvShape s;
  s.N = N, s.C = C, s.H = H, s.W = W, s.O = O, s.kh = kh, s.kw = kw, s.stride = stride, s.pad = pad;
  // Dumoulin & Visin 2016, relationship 6: o = floor((i + 2p - k) / s) + 1.
  const int hn = H + 2 * pad - kh, wn = W + 2 * pad - kw;
  s.Ho = hn < 0 || stride <= 0 ? 0 : hn / stride + 1;
  s.Wo = wn < 0 || stride <= 0 ? 0 : wn / stride + 1;
  return s;
}

namespace {
// Index helpers: element (n, c, h, w) of an (N, C, H, W) array.
inline std::size_t at(int n, int c, int h, int w, int C, int H, int W) {
  return ((static_cast<std::size_t>(n) * C + c) * H + h) * W + w;
}
}  // namespace

// y[n,o,i,j] += sum_{c,a,b} w[o,c,a,b] x[n, c, i s - p + a, j s - p + b]
void conv2d_forward_ref(float* y, const float* x, const float* w, const ConvShape& s) {
  for (int n = 0; n < s.N; ++n)
    for (int o = 0; o < s.O; ++o)
      for (int i = 0; i < s.Ho; ++i)
        for (int j = 0; j < s.Wo; ++j) {
          float acc = 0.f;
          for (int c = 0; c < s.C; ++c)
            for (int a = 0; a < s.kh; ++a)
              for (int b = 0; b < s.kw; ++b) {
                const int ih = i * s.stride - s.pad + a, iw = j * s.stride - s.pad + b;
                if (ih < 0 || ih >= s.H || iw < 0 || iw >= s.W) continue;  // zero padding
                acc += w[at(o, c, a, b, s.C, s.kh, s.kw)] * x[at(n, c, ih, iw, s.C, s.H, s.W)];
              }
          y[at(n, o, i, j, s.O, s.Ho, s.Wo)] += acc;
        }
}

// dy[n,o,i,j]/dx[n,c,ih,iw] = w[o,c,a,b] where ih = i s - p + a, iw = j s - p + b:
// every output element hands its gradient back to the inputs it read.
void conv2d_backward_data_ref(float* dx, const float* dy, const float* w, const ConvShape& s) {
  for (int n = 0; n < s.N; ++n)
    for (int o = 0; o < s.O; ++o)
      for (int i = 0; i < s.Ho; ++i)
        for (int j = 0; j < s.Wo; ++j) {
          const float g = dy[at(n, o, i, j, s.O, s.Ho, s.Wo)];
          for (int c = 0; c < s.C; ++c)
            for (int a = 0; a < s.kh; ++a)
              for (int b = 0; b < s.kw; ++b) {
                const int ih = i * s.stride - s.pad + a, iw = j * s.stride - s.pad + b;
                if (ih < 0 || ih >= s.H || iw < 0 || iw >= s.W) continue;
                dx[at(n, c, ih, iw, s.C, s.H, s.W)] += w[at(o, c, a, b, s.C, s.kh, s.kw)] * g;
              }
        }
}

// dy[n,o,i,j]/dw[o,c,a,b] = x[n, c, i s - p + a, j s - p + b]: summed over n, i, j.
void conv2d_backward_weight_ref(float* dw, const float* dy, const float* x, const ConvShape& s) {
  for (int o = 0; o < s.O; ++o)
    for (int c = 0; c < s.C; ++c)
      for (int a = 0; a < s.kh; ++a)
        for (int b = 0; b < s.kw; ++b) {
          float acc = 0.f;
          for (int n = 0; n < s.N; ++n)
            for (int i = 0; i < s.Ho; ++i)
              for (int j = 0; j < s.Wo; ++j) {
                const int ih = i * s.stride - s.pad + a, iw = j * s.stride - s.pad + b;
                if (ih < 0 || ih >= s.H || iw < 0 || iw >= s.W) continue;
                acc += dy[at(n, o, i, j, s.O, s.Ho, s.Wo)] * x[at(n, c, ih, iw, s.C, s.H, s.W)];
              }
          dw[at(o, c, a, b, s.C, s.kh, s.kw)] += acc;
        }
}

// The per-channel bias of both convolutions, y (N, O, HW), b (O): y[n,o,:,:] += b[o];
// dy/db[o] = 1 at every (n, i, j): db[o] += sum_{n,i,j} dy[n,o,i,j].
void ref::channel_bias_forward(float* y, const float* b, int N, int O, int HW) {
  for (int n = 0; n < N; ++n)
    for (int o = 0; o < O; ++o)
      for (int k = 0; k < HW; ++k) y[(static_cast<std::size_t>(n) * O + o) * HW + k] += b[o];
}
void ref::channel_bias_backward(float* db, const float* dy, int N, int O, int HW) {
  auto channel = [&](int o) {
    double acc = 0.0;  // in (n, k) order whatever the thread count
    for (int n = 0; n < N; ++n)
      for (int k = 0; k < HW; ++k) acc += dy[(static_cast<std::size_t>(n) * O + o) * HW + k];
    db[o] += static_cast<float>(acc);
  };
  parallel_for(O, channel);  // one task per channel
}

namespace {

// The shape of a conv node: the image side (x) and the output side (y) of the *convolution*.
// For conv2d that is (input, output); for conv_transpose2d (output, input): its y is the image.
ConvShape node_shape(const Tensor& image, const Tensor& w, const Tensor& out, int stride, int pad) {
  ConvShape s = conv_shape(image.dim[0], image.dim[1], image.dim[2], image.dim[3], w.dim[0], w.dim[2], w.dim[3],
                           stride, pad);
  s.O = w.dim[0];
  s.Ho = out.dim[2];
  s.Wo = out.dim[3];
  return s;
}

void check_4d(const Tensor& x, const Tensor& w, const char* op) {
  DGM_CHECK(x.ndim == 4 && w.ndim == 4, "%s: x %s and W %s must be 4-D (N, C, H, W) and (., ., kh, kw)", op,
            shape_str(x).text, shape_str(w).text);
}

// conv2d: y = conv(x, W) + b.
//   dx += backward_data(dy, W);  dW += backward_weight(dy, x);  db[o] += sum_{n,i,j} dy[n,o,i,j].
void conv2d_backward(Tape& t, int id) {
  Node& n = t.node(id);
  Node& X = t.node(n.in[0]);
  Node& Wn = t.node(n.in[1]);
  const ConvShape s = node_shape(X.value, Wn.value, n.value, n.i[0], n.i[1]);
  float* work = n.saved.data;  // the forward's workspace: it still holds the patches of x
  const Kernels& k = t.kernels();
  if (Wn.needs_grad) k.conv2d_backward_weight(Wn.grad.data, n.grad.data, X.value.data, s, work, true);
  if (X.needs_grad) k.conv2d_backward_data(X.grad.data, n.grad.data, Wn.value.data, s, work);  // after: overwrites them
  if (n.in[2] >= 0 && t.node(n.in[2]).needs_grad)
    k.channel_bias_backward(t.node(n.in[2]).grad.data, n.grad.data, s.N, s.O, s.Ho * s.Wo);
}

// conv_transpose2d: y = conv^T(x, W) + b, the adjoint of the convolution whose image is y and
// whose output is x. So (dx, dW) are that convolution's (forward, backward_weight) run on dy:
//   dx += conv(dy, W);  dW += backward_weight(x as "dy", dy as "x");  db[o] += sum dy[n,o,i,j].
void conv_transpose2d_backward(Tape& t, int id) {
  Node& n = t.node(id);
  Node& X = t.node(n.in[0]);
  Node& Wn = t.node(n.in[1]);
  const ConvShape s = node_shape(n.value, Wn.value, X.value, n.i[0], n.i[1]);
  float* work = n.saved.data;  // the forward's workspace, free again
  const Kernels& k = t.kernels();
  // dx first: conv2d_forward on dy leaves the patches of dy in work, which dW's product reuses.
  if (X.needs_grad) k.conv2d_forward(X.grad.data, n.grad.data, Wn.value.data, s, work);
  if (Wn.needs_grad) k.conv2d_backward_weight(Wn.grad.data, X.value.data, n.grad.data, s, work, X.needs_grad);
  if (n.in[2] >= 0 && t.node(n.in[2]).needs_grad)
    k.channel_bias_backward(t.node(n.in[2]).grad.data, n.grad.data, s.N, s.C, s.H * s.W);
}

// A convolution's scratch (conv_workspace_floats(s) floats) from the tape's arena. The op keeps
// it in its node: the backward runs in it, so a conv costs one workspace per step, not two.
Tensor workspace(Tape& t, const ConvShape& s) {
  Tensor w = make_shape(static_cast<int>(conv_workspace_floats(s)));
  w.data = t.arena().alloc(w.size());
  return w;
}

void check_bias(const Tape& t, Var b, int channels, const char* op) {
  if (!b.valid()) return;
  t.need(t.kernels().channel_bias_forward, op);
  DGM_CHECK(static_cast<int>(t.value(b).size()) == channels, "%s: bias %s should have %d elements", op,
            shape_str(t.value(b)).text, channels);
}

}  // namespace

Var conv2d(Tape& t, Var x, Var W, Var b, int stride, int pad) {
  const auto forward = t.need(t.kernels().conv2d_forward, "conv2d");
  const Tensor X = t.value(x), Wv = t.value(W);
  check_4d(X, Wv, "conv2d");
  DGM_CHECK(Wv.dim[1] == X.dim[1], "conv2d: x %s has %d channels, W %s expects %d", shape_str(X).text, X.dim[1],
            shape_str(Wv).text, Wv.dim[1]);
  DGM_CHECK(stride >= 1 && pad >= 0, "conv2d: stride %d must be >= 1 and pad %d >= 0", stride, pad);
  const ConvShape s = conv_shape(X.dim[0], X.dim[1], X.dim[2], X.dim[3], Wv.dim[0], Wv.dim[2], Wv.dim[3], stride, pad);
  DGM_CHECK(s.Ho > 0 && s.Wo > 0, "conv2d: kernel %s does not fit x %s with pad %d", shape_str(Wv).text,
            shape_str(X).text, pad);
  check_bias(t, b, s.O, "conv2d");
  Tensor y = t.arena().tensor_zero(make_shape(s.N, s.O, s.Ho, s.Wo));
  Tensor work = workspace(t, s);
  forward(y.data, X.data, Wv.data, s, work.data);
  if (b.valid()) t.kernels().channel_bias_forward(y.data, t.value(b).data, s.N, s.O, s.Ho * s.Wo);
  Var out = t.push(y, conv2d_backward, x, W, b);
  t.node(out).saved = work;  // the patches of x, for dW
  t.node(out).i[0] = stride;
  t.node(out).i[1] = pad;
  return out;
}

Var conv_transpose2d(Tape& t, Var x, Var W, Var b, int stride, int pad) {
  const auto forward = t.need(t.kernels().conv2d_backward_data, "conv_transpose2d");
  const Tensor X = t.value(x), Wv = t.value(W);
  check_4d(X, Wv, "conv_transpose2d");
  DGM_CHECK(Wv.dim[0] == X.dim[1], "conv_transpose2d: x %s has %d channels, W %s (in, out, kh, kw) expects %d",
            shape_str(X).text, X.dim[1], shape_str(Wv).text, Wv.dim[0]);
  DGM_CHECK(stride >= 1 && pad >= 0, "conv_transpose2d: stride %d must be >= 1 and pad %d >= 0", stride, pad);
  // Dumoulin & Visin 2016, relationship 14 (no output padding): o' = s (i' - 1) + k - 2p.
  const int Ho = stride * (X.dim[2] - 1) + Wv.dim[2] - 2 * pad, Wo = stride * (X.dim[3] - 1) + Wv.dim[3] - 2 * pad;
  DGM_CHECK(Ho > 0 && Wo > 0, "conv_transpose2d: x %s, W %s, stride %d, pad %d give no output", shape_str(X).text,
            shape_str(Wv).text, stride, pad);
  check_bias(t, b, Wv.dim[1], "conv_transpose2d");
  Tensor y = t.arena().tensor_zero(make_shape(X.dim[0], Wv.dim[1], Ho, Wo));
  // The convolution this op is the adjoint of: image y (N, out, Ho, Wo), output x (N, in, H, W),
  // weight (in, out, kh, kw) = its (O, C, kh, kw). Its backward_data maps x to y.
  const ConvShape s = node_shape(y, Wv, X, stride, pad);
  DGM_CHECK(conv_shape(s.N, s.C, s.H, s.W, s.O, s.kh, s.kw, stride, pad).Ho == s.Ho,
            "conv_transpose2d: x %s and W %s with stride %d, pad %d are not the output of a convolution",
            shape_str(X).text, shape_str(Wv).text, stride, pad);
  Tensor work = workspace(t, s);
  forward(y.data, X.data, Wv.data, s, work.data);
  if (b.valid()) t.kernels().channel_bias_forward(y.data, t.value(b).data, s.N, s.C, Ho * Wo);
  Var out = t.push(y, conv_transpose2d_backward, x, W, b);
  t.node(out).saved = work;  // reused by the backward
  t.node(out).i[0] = stride;
  t.node(out).i[1] = pad;
  return out;
}

// ---- batch normalization (Ioffe & Szegedy 2015, Algorithm 1 and section 3) ----
// The reference kernels (the CPU table's entries), x, y, xhat (N, C, HW); gamma, beta, the
// running statistics and inv_std (C).

// Training: the mini-batch statistics of each channel; evaluation: the running ones.
void ref::batch_norm_forward(float* y, float* xhat, float* inv_std, float* running_mean, float* running_var,
                             const float* x, const float* g, const float* b, int N, int C, int HW, bool training,
                             float momentum, float eps) {
  const double M = static_cast<double>(N) * HW;
  auto channel = [&](int c) {  // channel c's statistics and outputs: its own floats only
    double mu, var;
    if (training) {  // mini-batch mean and biased variance, summed in (n, k) order, in double
      double s = 0.0, s2 = 0.0;
      for (int i = 0; i < N; ++i)
        for (int k = 0; k < HW; ++k) s += x[(static_cast<std::size_t>(i) * C + c) * HW + k];
      mu = s / M;
      for (int i = 0; i < N; ++i)
        for (int k = 0; k < HW; ++k) {
          const double d = x[(static_cast<std::size_t>(i) * C + c) * HW + k] - mu;
          s2 += d * d;
        }
      var = s2 / M;
      // Ioffe & Szegedy 2015, Algorithm 2 step 10 (unbiased variance), with torch's moving average.
      running_mean[c] = static_cast<float>((1.0 - momentum) * running_mean[c] + momentum * mu);
      running_var[c] = static_cast<float>((1.0 - momentum) * running_var[c] + momentum * var * M / (M - 1));
    } else {
      mu = running_mean[c];
      var = running_var[c];
    }
    const double is = 1.0 / std::sqrt(var + eps);
    inv_std[c] = static_cast<float>(is);
    for (int i = 0; i < N; ++i)
      for (int k = 0; k < HW; ++k) {
        const std::size_t e = (static_cast<std::size_t>(i) * C + c) * HW + k;
        xhat[e] = static_cast<float>((x[e] - mu) * is);  // x^ = (x - mu) / sqrt(var + eps)
        y[e] = g[c] * xhat[e] + b[c];                    // y = gamma x^ + beta
      }
  };
  parallel_for(C, channel);  // the channels are independent: one task each, any thread count
}

// y = gamma xhat + beta:   dbeta_c += sum dy;   dgamma_c += sum dy xhat;
// training (mu, var depend on x; Ioffe & Szegedy 2015, section 3, the chain rule through them):
//   dx = gamma_c inv_std_c / M (M dy - sum dy - xhat sum(dy xhat)),  sums over the M = N H W
//   elements of channel c;
// evaluation (running statistics are constants):  dx = gamma_c inv_std_c dy.
void ref::batch_norm_backward(float* dx, float* dgamma, float* dbeta, const float* dy, const float* xhat,
                              const float* inv_std, const float* gamma, int N, int C, int HW, bool training) {
  const double M = static_cast<double>(N) * HW;
  auto channel = [&](int c) {
    double sum_dy = 0.0, sum_dy_xhat = 0.0;
    for (int i = 0; i < N; ++i)
      for (int k = 0; k < HW; ++k) {
        const std::size_t e = (static_cast<std::size_t>(i) * C + c) * HW + k;
        sum_dy += dy[e];
        sum_dy_xhat += static_cast<double>(dy[e]) * xhat[e];
      }
    if (dbeta) dbeta[c] += static_cast<float>(sum_dy);
    if (dgamma) dgamma[c] += static_cast<float>(sum_dy_xhat);
    if (!dx) return;
    const double g = static_cast<double>(gamma[c]) * inv_std[c];
    for (int i = 0; i < N; ++i)
      for (int k = 0; k < HW; ++k) {
        const std::size_t e = (static_cast<std::size_t>(i) * C + c) * HW + k;
        dx[e] += static_cast<float>(training ? g / M * (M * dy[e] - sum_dy - xhat[e] * sum_dy_xhat) : g * dy[e]);
      }
  };
  parallel_for(C, channel);  // one task per channel, as the forward
}

namespace {

// Channel count, and elements per channel per example, of x (N, C, H, W) or (N, C).
void bn_dims(const Tensor& x, int* N, int* C, int* HW) {
  *N = x.dim[0];
  *C = x.dim[1];
  *HW = x.ndim == 4 ? x.dim[2] * x.dim[3] : 1;
}

// saved = [xhat (N, C, H, W) | inv_std (C)], inv_std_c = 1 / sqrt(var_c + eps); the formulas
// are ref::batch_norm_backward's, above.
void batch_norm_backward(Tape& t, int id) {
  Node& n = t.node(id);
  Node& X = t.node(n.in[0]);
  Node& G = t.node(n.in[1]);
  Node& Bt = t.node(n.in[2]);
  int N, C, HW;
  bn_dims(n.value, &N, &C, &HW);
  const float* xhat = n.saved.data;                      // (N, C, HW)
  const float* inv_std = n.saved.data + n.value.size();  // (C)
  t.kernels().batch_norm_backward(X.needs_grad ? X.grad.data : nullptr, G.needs_grad ? G.grad.data : nullptr,
                                  Bt.needs_grad ? Bt.grad.data : nullptr, n.grad.data, xhat, inv_std,
                                  G.value.data, N, C, HW, n.i[0] != 0);
}

}  // namespace

Var batch_norm(Tape& t, Var x, Var gamma, Var beta, Tensor running_mean, Tensor running_var, bool training,
               float momentum, float eps) {
  const auto forward = t.need(t.kernels().batch_norm_forward, "batch_norm");
  const Tensor X = t.value(x);
  DGM_CHECK(X.ndim == 2 || X.ndim == 4, "batch_norm: x %s must be (N, C) or (N, C, H, W)", shape_str(X).text);
  int N, C, HW;
  bn_dims(X, &N, &C, &HW);
  DGM_CHECK(static_cast<int>(t.value(gamma).size()) == C && static_cast<int>(t.value(beta).size()) == C &&
                static_cast<int>(running_mean.size()) == C && static_cast<int>(running_var.size()) == C,
            "batch_norm: x %s has %d channels; gamma %s, beta %s, running statistics %s %s must have as many",
            shape_str(X).text, C, shape_str(t.value(gamma)).text, shape_str(t.value(beta)).text,
            shape_str(running_mean).text, shape_str(running_var).text);
  const double M = static_cast<double>(N) * HW;
  DGM_CHECK(!training || M > 1, "batch_norm: x %s: training statistics need more than one element per channel",
            shape_str(X).text);
  Tensor y = t.alloc(X);
  Tensor saved = t.alloc(make_shape(static_cast<int>(X.size()) + C));
  float* xhat = saved.data;                 // (N, C, HW)
  float* inv_std = saved.data + X.size();  // (C)
  forward(y.data, xhat, inv_std, running_mean.data, running_var.data, X.data, t.value(gamma).data,
          t.value(beta).data, N, C, HW, training, momentum, eps);
  Var out = t.push(y, batch_norm_backward, x, gamma, beta);
  t.node(out).saved = saved;
  t.node(out).i[0] = training;
  return out;
}

// ---- reshapes: a view of the same floats (N rows of C H W floats are the (N, C, H, W) image in
// NCHW order), so the forward moves nothing; dy/dx is the identity, element by element:
// dx += dy, as one row of m floats (the table's add_cols) ----
namespace {
void view_backward(Tape& t, int id) {
  Node& n = t.node(id);
  Node& X = t.node(n.in[0]);
  if (!X.needs_grad) return;
  const std::size_t m = n.value.size();
  t.kernels().add_cols(X.grad.data, m, n.grad.data, m, 1, m);  // dx (m) += dy (m)
}
}  // namespace

Var to_images(Tape& t, Var x, int C, int H, int W) {
  Tensor X = t.value(x);
  const int N = X.ndim == 0 ? 1 : X.dim[0];
  DGM_CHECK(C > 0 && H > 0 && W > 0 && X.size() == static_cast<std::size_t>(N) * C * H * W,
            "to_images: x %s does not hold (%d, %d, %d, %d) images", shape_str(X).text, N, C, H, W);
  Tensor v = make_shape(N, C, H, W);
  v.data = X.data;
  return t.push(v, view_backward, x);
}

Var to_vectors(Tape& t, Var x) {
  Tensor X = t.value(x);
  DGM_CHECK(X.ndim >= 1, "to_vectors: x %s has no batch dimension", shape_str(X).text);
  Tensor v = make_shape(X.dim[0], static_cast<int>(X.size() / static_cast<std::size_t>(X.dim[0])));
  v.data = X.data;
  return t.push(v, view_backward, x);
}

}  // namespace dgm
