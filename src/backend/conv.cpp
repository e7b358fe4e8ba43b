// conv.cpp - the convolution kernels of include/dgm/backend/conv.h lowered to the blocked GEMM.
//
// im2col lays the receptive fields out as the columns of a matrix, so the convolution becomes one
// matrix product over the whole batch (Dumoulin & Visin 2016 ch. 2 view it the same way, as a
// product with a sparse matrix):
//   col (C kh kw, N Ho Wo):  col[(c, a, b), (n, i, j)] = x[n, c, i stride - pad + a, j stride - pad + b]
//                            (0 in the padding)
//   forward          Y (O, N Ho Wo) = w (O, C kh kw) col               then y[n, o, i, j] += Y[o, (n, i, j)]
//   backward_data    dcol = w^T (C kh kw, O) dY (O, N Ho Wo)           then col2im: dx += the columns
//                    added back into the pixels they were read from
//   backward_weight  dw (O, C kh kw) += dY (O, N Ho Wo) col^T
// where dY[o, (n, i, j)] = dy[n, o, i, j] (the batch moved next to the pixels, so that one product
// covers all N examples). The workspace holds col and Y / dY: (C kh kw + O) N Ho Wo floats.
//
// Determinism: gemm partitions C the same way for any thread count; im2col runs one task per row
// of col, col2im one per channel and block of images of dx, each writing only its own floats in a fixed
// order. So the results are bitwise the same for any thread count.
#include <algorithm>
#include <cstring>

#include "dgm/backend/conv.h"
#include "dgm/backend/gemm.h"
#include "dgm/backend/parallel.h"
#include "dgm/backend/tally.h"

namespace dgm {
namespace {

std::size_t cols_of(const ConvShape& s) { return static_cast<std::size_t>(s.N) * s.Ho * s.Wo; }
std::size_t patch_of(const ConvShape& s) { return static_cast<std::size_t>(s.C) * s.kh * s.kw; }
// Pixels of dx per col2im task: enough that a task outweighs claiming it (tens of ns), few enough
// that a one-channel image (the generator's output) still gives every thread work.
constexpr int kPixelsPerTask = 8192;

// The output columns j whose input column iw = j stride - pad + b lies in [0, W), for kernel
// column b: j in [*j0, *j1). The others read the zero padding. (Found once per b, the loops below
// need no test per element: iw >= 0 <=> j stride >= pad - b; iw < W <=> j stride <= W - 1 + pad - b.)
void inside_columns(const ConvShape& s, int b, int* j0, int* j1) {
  const int lo = s.pad - b, hi = s.W - 1 + s.pad - b;
  const int first = lo <= 0 ? 0 : (lo + s.stride - 1) / s.stride;
  const int end = hi < 0 ? 0 : hi / s.stride + 1;
  *j0 = std::min(first, s.Wo);
  *j1 = std::max(*j0, std::min(end, s.Wo));
}

// col (C kh kw, N Ho Wo) from x (N, C, H, W): col[(c, a, b), (n, i, j)] = x[n, c, i stride - pad + a,
// j stride - pad + b], 0 outside the image. One task per row (c, a, b) of col: C kh kw tasks, so a
// one-channel image (the discriminator's input) still fills every thread.
void im2col(float* col, const float* x, const ConvShape& s) {
  const std::size_t P = cols_of(s);
  auto task = [&](int r) {
    const int c = r / (s.kh * s.kw), a = r / s.kw % s.kh, b = r % s.kw;
    float* row = col + static_cast<std::size_t>(r) * P;
    int j0, j1;
    inside_columns(s, b, &j0, &j1);
    const int shift = b - s.pad;  // iw = j stride + shift
    for (int n = 0; n < s.N; ++n) {
      const float* xc = x + (static_cast<std::size_t>(n) * s.C + c) * s.H * s.W;
      for (int i = 0; i < s.Ho; ++i) {
        const int ih = i * s.stride - s.pad + a;
        float* out = row + (static_cast<std::size_t>(n) * s.Ho + i) * s.Wo;
        if (ih < 0 || ih >= s.H) {
          std::memset(out, 0, static_cast<std::size_t>(s.Wo) * sizeof(float));
          continue;
        }
        const float* xr = xc + static_cast<std::size_t>(ih) * s.W + shift;
        for (int j = 0; j < j0; ++j) out[j] = 0.f;
        if (s.stride == 1)
          std::memcpy(out + j0, xr + j0, static_cast<std::size_t>(j1 - j0) * sizeof(float));
        else
          for (int j = j0; j < j1; ++j) out[j] = xr[j * s.stride];
        for (int j = j1; j < s.Wo; ++j) out[j] = 0.f;
      }
    }
  };
  parallel_for(static_cast<int>(patch_of(s)), task);
}

// dx (N, C, H, W) += col (C kh kw, N Ho Wo) scattered back into the pixels (the adjoint of im2col).
// One task per channel c and block of kPlanesPerTask images: it alone writes those planes, and
// within a plane the kernel taps (a, b) are added in row-major order (each tap reaches a pixel at
// most once), so the sums are the same for any thread count. A task walks the images of one
// channel in order, so it reads each of the kh kw rows of col it needs front to back (one
// stream per tap); with one task per plane in (n, c) order, neighbouring tasks read rows of col
// hundreds of KB apart, a few floats each.
void col2im(float* dx, const float* col, const ConvShape& s) {
  const std::size_t P = cols_of(s), HoWo = static_cast<std::size_t>(s.Ho) * s.Wo;
  const int per_task = std::max(1, kPixelsPerTask / std::max(1, s.H * s.W));  // images per task
  const int blocks = (s.N + per_task - 1) / per_task;
  auto task = [&](int t) {
    const int c = t / blocks, n0 = t % blocks * per_task, n1 = std::min(s.N, n0 + per_task);
    for (int n = n0; n < n1; ++n) {
      float* xc = dx + (static_cast<std::size_t>(n) * s.C + c) * s.H * s.W;
      for (int a = 0; a < s.kh; ++a)
        for (int b = 0; b < s.kw; ++b) {
          const float* in_n = col + ((static_cast<std::size_t>(c) * s.kh + a) * s.kw + b) * P + n * HoWo;
          int j0, j1;
          inside_columns(s, b, &j0, &j1);
          const int shift = b - s.pad;
          for (int i = 0; i < s.Ho; ++i) {
            const int ih = i * s.stride - s.pad + a;
            if (ih < 0 || ih >= s.H) continue;
            const float* in = in_n + static_cast<std::size_t>(i) * s.Wo;
            float* xr = xc + static_cast<std::size_t>(ih) * s.W + shift;
            for (int j = j0; j < j1; ++j) xr[j * s.stride] += in[j];  // the padding's columns get nothing
          }
        }
    }
  };
  parallel_for(s.C * blocks, task);
}

// Y (O, N Ho Wo) <-> y (N, O, Ho Wo): the batch axis moved next to the pixels and back; one task
// per channel o, which alone writes its planes.
void to_channel_major(float* Y, const float* y, const ConvShape& s) {
  const std::size_t HW = static_cast<std::size_t>(s.Ho) * s.Wo, P = cols_of(s);
  auto task = [&](int o) {
    for (int n = 0; n < s.N; ++n)
      std::memcpy(Y + o * P + n * HW, y + (static_cast<std::size_t>(n) * s.O + o) * HW, HW * sizeof(float));
  };
  parallel_for(s.O, task);
}
void add_batch_major(float* y, const float* Y, const ConvShape& s) {
  const std::size_t HW = static_cast<std::size_t>(s.Ho) * s.Wo, P = cols_of(s);
  auto task = [&](int o) {
    for (int n = 0; n < s.N; ++n) {
      float* dst = y + (static_cast<std::size_t>(n) * s.O + o) * HW;
      const float* src = Y + o * P + n * HW;
      for (std::size_t k = 0; k < HW; ++k) dst[k] += src[k];
    }
  };
  parallel_for(s.O, task);
}

}  // namespace

std::size_t conv_workspace_floats(const ConvShape& s) { return (patch_of(s) + static_cast<std::size_t>(s.O)) * cols_of(s); }

namespace {
// The workspace of conv_workspace_floats(s) floats, cut in two: the patches (K, P) and the
// channel-major image (O, P), K = C kh kw, P = N Ho Wo.
struct ConvWork {
  int K, P;
  float* col;  // (K, P)
  float* Y;    // (O, P)
  int O;
  ConvWork(const ConvShape& s, float* work)
      : K(static_cast<int>(patch_of(s))), P(static_cast<int>(cols_of(s))), col(work),
        Y(work + static_cast<std::size_t>(K) * P), O(s.O) {}
  double flops() const { return 2.0 * O * K * P; }  // the product's: every kernel here runs one
};
}  // namespace

void conv2d_forward(float* y, const float* x, const float* w, const ConvShape& s, float* work) {
  const ConvWork c(s, work);
  const TallyScope tally(TallyKind::kConv, c.flops());
  im2col(c.col, x, s);
  {
    const TallyScope product(TallyKind::kConvGemm, c.flops());
    gemm(false, false, s.O, c.P, c.K, w, c.K, c.col, c.P, c.Y, c.P, false);  // Y = w col
  }
  add_batch_major(y, c.Y, s);
}

void conv2d_backward_data(float* dx, const float* dy, const float* w, const ConvShape& s, float* work) {
  const ConvWork c(s, work);  // col holds dcol, Y holds dY
  const TallyScope tally(TallyKind::kConv, c.flops());
  to_channel_major(c.Y, dy, s);
  {
    const TallyScope product(TallyKind::kConvGemm, c.flops());
    gemm(true, false, c.K, c.P, s.O, w, c.K, c.Y, c.P, c.col, c.P, false);  // dcol = w^T dY
  }
  col2im(dx, c.col, s);
}

void conv2d_backward_weight(float* dw, const float* dy, const float* x, const ConvShape& s, float* work,
                            bool patches_ready) {
  const ConvWork c(s, work);  // Y holds dY
  const TallyScope tally(TallyKind::kConv, c.flops());
  if (!patches_ready) im2col(c.col, x, s);  // else conv2d_forward(., x, ., s, work) left them there
  to_channel_major(c.Y, dy, s);
  const TallyScope product(TallyKind::kConvGemm, c.flops());
  gemm(false, true, s.O, c.K, c.P, c.Y, c.P, c.col, c.P, dw, c.K, true);  // dw += dY col^T
}

}  // namespace dgm
