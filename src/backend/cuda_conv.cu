// cuda_conv.cu - the GPU kernels of the convolutional ops (src/core/ops_conv.cpp), with the names
// and arguments of the CPU kernels; the CUDA table at the end of cuda.cu points at them:
//   the convolution (dgm/backend/conv.h) lowered to gpu::gemm as src/backend/conv.cpp lowers it
//     to the CPU's gemm: im2col, one product over the batch, col2im, in the same workspace of
//     conv_workspace_floats(s) floats (col (C kh kw, N Ho Wo), then Y (O, N Ho Wo));
//   the per-channel bias of conv2d / conv_transpose2d and its gradient;
//   batch normalization, forward (training statistics or running ones) and backward.
// Determinism: no atomics. col2im is a gather: one thread per pixel of dx adds the columns that
// read that pixel, in the CPU's (a, b) order, so its sums are the CPU's. Every sum over a
// channel (bias gradient, batch mean and variance, dgamma, dbeta) is one thread per channel
// summing the CPU's terms in its (n, k) order in double; the element-wise parts then run one
// thread per element from those per-channel numbers (kept in double, as the CPU keeps them).
// So results do not depend on the launch configuration, and agree with the CPU within float
// rounding (nvcc's fused multiply-adds; the gemm's order: test/test_cuda.cpp states each bound).
//
// NOTE: like cuda.cu, written and compiled without a GPU at hand (docs/architecture.md).
#include <cuda_runtime.h>

#include <cmath>
#include <cstddef>

#include "cuda_launch.h"
#include "gpu.h"
#include "dgm/backend/conv.h"

namespace dgm {
namespace gpu {

// ======================================= convolution ======================================

namespace {

// col (K, P) from x (N, C, H, W), K = C kh kw, P = N Ho Wo, one thread per element:
// col[(c, a, b), (n, i, j)] = x[n, c, i stride - pad + a, j stride - pad + b], 0 in the padding.
void im2col(float* col, const float* x, const ConvShape& shape) {
  const ConvShape s = shape;
  const std::size_t P = static_cast<std::size_t>(s.N) * s.Ho * s.Wo, K = static_cast<std::size_t>(s.C) * s.kh * s.kw;
  for_each(K * P, [=] __device__(std::size_t e) {
    const std::size_t r = e / P, q = e % P;  // r = (c, a, b), q = (n, i, j)
    const int b = static_cast<int>(r % s.kw), a = static_cast<int>(r / s.kw % s.kh);
    const int c = static_cast<int>(r / s.kw / s.kh);
    const int j = static_cast<int>(q % s.Wo), i = static_cast<int>(q / s.Wo % s.Ho);
    const int n = static_cast<int>(q / s.Wo / s.Ho);
    const int ih = i * s.stride - s.pad + a, iw = j * s.stride - s.pad + b;
    const bool inside = ih >= 0 && ih < s.H && iw >= 0 && iw < s.W;
    col[e] = inside ? x[((static_cast<std::size_t>(n) * s.C + c) * s.H + ih) * s.W + iw] : 0.f;
  }, "gpu::conv2d (im2col)");
}

// dx (N, C, H, W) += col (K, P) put back into the pixels it was read from (the adjoint of im2col),
// as a gather: the thread of pixel (n, c, ih, iw) adds col[(c, a, b), (n, i, j)] for every (a, b),
// in order, with ih = i stride - pad + a and iw = j stride - pad + b for whole i, j inside the output.
void col2im(float* dx, const float* col, const ConvShape& shape) {
  const ConvShape s = shape;
  const std::size_t P = static_cast<std::size_t>(s.N) * s.Ho * s.Wo;
  for_each(static_cast<std::size_t>(s.N) * s.C * s.H * s.W, [=] __device__(std::size_t e) {
    const int iw = static_cast<int>(e % s.W), ih = static_cast<int>(e / s.W % s.H);
    const int c = static_cast<int>(e / s.W / s.H % s.C), n = static_cast<int>(e / s.W / s.H / s.C);
    float acc = dx[e];
    for (int a = 0; a < s.kh; ++a) {
      const int ti = ih + s.pad - a;  // = i stride
      if (ti < 0 || ti % s.stride != 0 || ti / s.stride >= s.Ho) continue;
      const int i = ti / s.stride;
      for (int b = 0; b < s.kw; ++b) {
        const int tj = iw + s.pad - b;  // = j stride
        if (tj < 0 || tj % s.stride != 0 || tj / s.stride >= s.Wo) continue;
        const int j = tj / s.stride;
        const std::size_t row = (static_cast<std::size_t>(c) * s.kh + a) * s.kw + b;
        acc += col[row * P + (static_cast<std::size_t>(n) * s.Ho + i) * s.Wo + j];
      }
    }
    dx[e] = acc;
  }, "gpu::conv2d (col2im)");
}

// Y (O, N Ho Wo) = y (N, O, Ho Wo) with the batch moved next to the pixels; y += Y moved back.
void to_channel_major(float* Y, const float* y, const ConvShape& s) {
  const std::size_t HW = static_cast<std::size_t>(s.Ho) * s.Wo, P = s.N * HW, O = static_cast<std::size_t>(s.O);
  for_each(O * P, [=] __device__(std::size_t e) {
    const std::size_t o = e / P, n = e % P / HW, k = e % HW;
    Y[e] = y[(n * O + o) * HW + k];
  }, "gpu::conv2d (channel major)");
}
void add_batch_major(float* y, const float* Y, const ConvShape& s) {
  const std::size_t HW = static_cast<std::size_t>(s.Ho) * s.Wo, P = s.N * HW, O = static_cast<std::size_t>(s.O);
  for_each(O * P, [=] __device__(std::size_t e) {
    const std::size_t n = e / (O * HW), o = e / HW % O, k = e % HW;
    y[e] += Y[o * P + n * HW + k];
  }, "gpu::conv2d (batch major)");
}

// The workspace (conv_workspace_floats(s) floats) cut as src/backend/conv.cpp cuts it.
struct ConvWork {
  int K, P;
  float* col;  // (K, P), K = C kh kw, P = N Ho Wo
  float* Y;    // (O, P)
  ConvWork(const ConvShape& s, float* work)
      : K(s.C * s.kh * s.kw), P(s.N * s.Ho * s.Wo), col(work), Y(work + static_cast<std::size_t>(K) * P) {}
};

}  // namespace

// y (N, O, Ho, Wo) += conv(x (N, C, H, W), w (O, C, kh, kw))
void conv2d_forward(float* y, const float* x, const float* w, const ConvShape& s, float* work) {
  const ConvWork c(s, work);
  im2col(c.col, x, s);
  gemm(false, false, s.O, c.P, c.K, w, c.K, c.col, c.P, c.Y, c.P, false);  // Y = w col
  add_batch_major(y, c.Y, s);
}

// dx (N, C, H, W) += the adjoint of conv(., w) applied to dy (N, O, Ho, Wo)
void conv2d_backward_data(float* dx, const float* dy, const float* w, const ConvShape& s, float* work) {
  const ConvWork c(s, work);  // col holds dcol, Y holds dY
  to_channel_major(c.Y, dy, s);
  gemm(true, false, c.K, c.P, s.O, w, c.K, c.Y, c.P, c.col, c.P, false);  // dcol = w^T dY
  col2im(dx, c.col, s);
}

// dw (O, C, kh, kw) += dY (O, N Ho Wo) col^T
void conv2d_backward_weight(float* dw, const float* dy, const float* x, const ConvShape& s, float* work,
                            bool patches_ready) {
  const ConvWork c(s, work);  // Y holds dY
  if (!patches_ready) im2col(c.col, x, s);  // else conv2d_forward(., x, ., s, work) left them there
  to_channel_major(c.Y, dy, s);
  gemm(false, true, s.O, c.K, c.P, c.Y, c.P, c.col, c.P, dw, c.K, true);  // dw += dY col^T
}

// ==================================== per-channel bias ====================================

// y (N, C, HW) += b (C) broadcast over n and the pixels
void channel_bias_forward(float* y, const float* b, int N, int C, int HW) {
  const std::size_t HWs = static_cast<std::size_t>(HW), Cs = static_cast<std::size_t>(C);
  for_each(static_cast<std::size_t>(N) * Cs * HWs, [=] __device__(std::size_t e) { y[e] += b[e / HWs % Cs]; },
           "gpu::channel_bias_forward");
}

// db[c] (C) += sum_{n,k} dy[n,c,k], dy (N, C, HW): one thread per channel, in (n, k) order, in double
void channel_bias_backward(float* db, const float* dy, int N, int C, int HW) {
  for_each(static_cast<std::size_t>(C), [=] __device__(std::size_t c) {
    double acc = 0.0;
    for (int n = 0; n < N; ++n)
      for (int k = 0; k < HW; ++k) acc += dy[(static_cast<std::size_t>(n) * C + c) * HW + k];
    db[c] += static_cast<float>(acc);
  }, "gpu::channel_bias_backward");
}

// ================================== batch normalization ===================================

namespace {
// n doubles of device scratch for the per-channel numbers: grown when more are needed, then kept
// (no allocation per step once the widest layer has been seen).
double* channel_scratch(std::size_t n) {
  static double* p = nullptr;
  static std::size_t cap = 0;
  if (n > cap) {
    if (p) check_cuda(cudaFree(p), "cudaFree (batch norm scratch)");
    check_cuda(cudaMalloc(&p, n * sizeof(double)), "cudaMalloc (batch norm scratch)");
    cap = n;
  }
  return p;
}
}  // namespace

// x, y, xhat (N, C, HW); gamma, beta, running_mean, running_var, inv_std (C). The formulas of
// ref::batch_norm_forward (Ioffe & Szegedy 2015, Algorithm 1): first one thread per channel for
// mu_c and 1 / sqrt(var_c + eps) (and the running statistics' update), then one per element.
void batch_norm_forward(float* y, float* xhat, float* inv_std, float* running_mean, float* running_var,
                        const float* x, const float* gamma, const float* beta, int N, int C, int HW, bool training,
                        float momentum, float eps) {
  double* st = channel_scratch(2 * static_cast<std::size_t>(C));  // st[c] = mu_c, st[C + c] = inv_std_c
  const double M = static_cast<double>(N) * HW;
  for_each(static_cast<std::size_t>(C), [=] __device__(std::size_t c) {
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
      running_mean[c] = static_cast<float>((1.0 - momentum) * running_mean[c] + momentum * mu);
      running_var[c] = static_cast<float>((1.0 - momentum) * running_var[c] + momentum * var * M / (M - 1));
    } else {
      mu = running_mean[c];
      var = running_var[c];
    }
    const double is = 1.0 / sqrt(var + eps);
    st[c] = mu;
    st[C + c] = is;
    inv_std[c] = static_cast<float>(is);
  }, "gpu::batch_norm_forward (statistics)");
  const std::size_t HWs = static_cast<std::size_t>(HW), Cs = static_cast<std::size_t>(C);
  for_each(static_cast<std::size_t>(N) * Cs * HWs, [=] __device__(std::size_t e) {
    const std::size_t c = e / HWs % Cs;
    xhat[e] = static_cast<float>((x[e] - st[c]) * st[Cs + c]);  // x^ = (x - mu) / sqrt(var + eps)
    y[e] = gamma[c] * xhat[e] + beta[c];                         // y = gamma x^ + beta
  }, "gpu::batch_norm_forward");
}

// dy, xhat, dx (N, C, HW); inv_std, gamma, dgamma, dbeta (C); each gradient may be null. The
// formulas of ref::batch_norm_backward: one thread per channel for sum dy and sum dy xhat (and
// dbeta, dgamma), then one per element of dx.
void batch_norm_backward(float* dx, float* dgamma, float* dbeta, const float* dy, const float* xhat,
                         const float* inv_std, const float* gamma, int N, int C, int HW, bool training) {
  double* st = channel_scratch(2 * static_cast<std::size_t>(C));  // st[c] = sum dy, st[C + c] = sum dy xhat
  for_each(static_cast<std::size_t>(C), [=] __device__(std::size_t c) {
    double sum_dy = 0.0, sum_dy_xhat = 0.0;
    for (int i = 0; i < N; ++i)
      for (int k = 0; k < HW; ++k) {
        const std::size_t e = (static_cast<std::size_t>(i) * C + c) * HW + k;
        sum_dy += dy[e];
        sum_dy_xhat += static_cast<double>(dy[e]) * xhat[e];
      }
    if (dbeta) dbeta[c] += static_cast<float>(sum_dy);
    if (dgamma) dgamma[c] += static_cast<float>(sum_dy_xhat);
    st[c] = sum_dy;
    st[C + c] = sum_dy_xhat;
  }, "gpu::batch_norm_backward (sums)");
  if (!dx) return;
  const double M = static_cast<double>(N) * HW;
  const std::size_t HWs = static_cast<std::size_t>(HW), Cs = static_cast<std::size_t>(C);
  for_each(static_cast<std::size_t>(N) * Cs * HWs, [=] __device__(std::size_t e) {
    const std::size_t c = e / HWs % Cs;
    const double g = static_cast<double>(gamma[c]) * inv_std[c];
    dx[e] += static_cast<float>(training ? g / M * (M * dy[e] - st[c] - xhat[e] * st[Cs + c]) : g * dy[e]);
  }, "gpu::batch_norm_backward");
}

}  // namespace gpu
}  // namespace dgm
