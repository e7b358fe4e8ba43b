// cuda.cu - the CUDA backend: device memory (include/dgm/backend/device.h) and the GPU kernels
// (src/backend/gpu.h), with the names of the CPU kernels they replace, and the CUDA kernel table
// (those of the convolutional ops are in cuda_conv.cu). Built only by `make CUDA=1` (nvcc);
// docs/architecture.md, "CUDA backend", says how the ops reach them.
//
// Each elementwise or per-row kernel is written like its CPU loop: `for_each(n, body)`
// (cuda_launch.h) runs body(i) for i in [0, n) on the GPU (one thread per index, grid-stride),
// with the body a __device__ lambda that reads like the CPU's for_blocks body. The math is the CPU's: the
// functions of dgm/backend/vecmath.h (fast_exp, fast_tanh, ...) are compiled for the GPU as they are.
// Differences from the CPU bits come only from (a) fused multiply-adds, which nvcc forms by
// default (the CPU build may or may not form the same ones), (b) the CUDA library's expf/logf
// (within 2 ulp) where the CPU calls std::exp/std::log, and (c) GEMM's summation order.
// Reductions: where the CPU sums sequentially (bias gradient, broadcast gradients, per-row
// losses, reduce) one GPU thread sums the same terms in the same order, in the same precision;
// the gradient norm uses a fixed partition and a fixed tree. Nothing depends on atomics or on
// scheduling, so a run repeats bit for bit on the same GPU.
//
// NOTE: written and compiled without a GPU at hand; see docs/architecture.md for what was and
// was not run.
#include <cuda_runtime.h>

#include <cmath>
#include <cstdint>
#include <cstdio>

#include "cuda_launch.h"
#include "gpu.h"
#include "dgm/backend/kernels.h"
#include "kernels_hd.h"
#include "dgm/core/check.h"
#include "dgm/backend/device.h"
#include "dgm/backend/vecmath.h"

namespace dgm {
namespace {

bool g_any_device_memory = false;  // set by the first device_alloc (on_device's fast path)

}  // namespace

// ================================ device memory (device.h) ================================

bool cuda_available(const char** why) {
  static int state = -1;  // -1 unknown, 0 no, 1 yes
  static char msg[256];
  if (state < 0) {
    int n = 0;
    const cudaError_t e = cudaGetDeviceCount(&n);
    if (e != cudaSuccess || n == 0) {
      std::snprintf(msg, sizeof msg, "no CUDA device: %s",
                    e != cudaSuccess ? cudaGetErrorString(e) : "the CUDA runtime reports 0 devices");
      cudaGetLastError();  // clear it
      state = 0;
    } else {
      state = 1;
    }
  }
  if (why) *why = state ? "" : msg;
  return state == 1;
}

bool on_device(const void* p) {
  if (!g_any_device_memory || p == nullptr) return false;
  cudaPointerAttributes a;
  if (cudaPointerGetAttributes(&a, p) != cudaSuccess) {
    cudaGetLastError();
    return false;
  }
  return a.type == cudaMemoryTypeDevice;
}

float* device_alloc(std::size_t n) {
  const char* why = nullptr;
  DGM_CHECK(cuda_available(&why), "device_alloc: %s", why);
  void* p = nullptr;
  const cudaError_t e = cudaMalloc(&p, (n ? n : 1) * sizeof(float));
  DGM_CHECK(e == cudaSuccess, "device_alloc: cudaMalloc of %zu floats failed: %s", n, cudaGetErrorString(e));
  g_any_device_memory = true;
  return static_cast<float*>(p);
}

void device_free(float* p) {
  if (!p) return;
  const cudaError_t e = cudaFree(p);
  // At process exit the runtime may be torn down before a static owner frees its memory: the
  // memory goes with the process, so that is not an error.
  if (e != cudaErrorCudartUnloading) check_cuda(e, "cudaFree");
}

void device_zero(float* p, std::size_t n) {
  if (n) check_cuda(cudaMemset(p, 0, n * sizeof(float)), "cudaMemset");
}

void device_fill(float* p, std::size_t n, float value) {
  for_each(n, [=] __device__(std::size_t i) { p[i] = value; }, "device_fill");
}

void device_upload(float* dst, const float* src, std::size_t n) {
  if (n) check_cuda(cudaMemcpy(dst, src, n * sizeof(float), cudaMemcpyHostToDevice), "upload (cudaMemcpy)");
}

void device_download(float* dst, const float* src, std::size_t n) {
  if (n) check_cuda(cudaMemcpy(dst, src, n * sizeof(float), cudaMemcpyDeviceToHost), "download (cudaMemcpy)");
}

void device_copy(float* dst, const float* src, std::size_t n) {
  if (n && dst != src) check_cuda(cudaMemcpy(dst, src, n * sizeof(float), cudaMemcpyDefault), "cudaMemcpy");
}

void device_sync() { check_cuda(cudaDeviceSynchronize(), "cudaDeviceSynchronize"); }

namespace gpu {

// ===================================== linear algebra =====================================

// blockIdx.z is the K split (gridDim.z = 1: no split, g itself).
__global__ void __launch_bounds__(hd::kGemmThreads) gemm_kernel(hd::GemmArgs g0, float* ws) {
  const hd::GemmArgs g = gridDim.z > 1 ? hd::gemm_split(g0, static_cast<int>(blockIdx.z), static_cast<int>(gridDim.z), ws) : g0;
  __shared__ hd::GemmShared sh;
  const int tid = static_cast<int>(threadIdx.x);
  const int row0 = static_cast<int>(blockIdx.y) * hd::kTileM, col0 = static_cast<int>(blockIdx.x) * hd::kTileN;
  float acc[4][4] = {};
  for (int k0 = 0; k0 < g.K; k0 += hd::kTileK) {
    hd::gemm_load(sh, g, tid, row0, col0, k0);
    __syncthreads();
    hd::gemm_accumulate(sh, tid, acc);
    __syncthreads();
  }
  hd::gemm_store(g, tid, row0, col0, acc);
}

namespace {
// How many K splits: enough tiles for about two per SM of an H100 (132 SMs), each split at least
// 64 deep, at most 16. Depends on the shape only.
int gemm_splits(int tiles, int K) {
  constexpr int kTargetTiles = 264;
  if (tiles >= kTargetTiles / 2 || K < 128) return 1;
  int s = (kTargetTiles + tiles - 1) / tiles;
  if (s > K / 64) s = K / 64;
  return s < 1 ? 1 : (s > 16 ? 16 : s);
}
// The split products' workspace: grown when a larger one is needed, then kept (no allocation
// per step once the largest product has been seen).
float* gemm_workspace(std::size_t n) {
  static float* ws = nullptr;
  static std::size_t cap = 0;
  if (n > cap) {
    if (ws) check_cuda(cudaFree(ws), "cudaFree (gemm workspace)");
    check_cuda(cudaMalloc(&ws, n * sizeof(float)), "cudaMalloc (gemm workspace)");
    cap = n;
  }
  return ws;
}
}  // namespace

void gemm(bool trans_a, bool trans_b, int M, int N, int K, const float* A, int lda, const float* B, int ldb,
          float* C, int ldc, bool accumulate, const float* bias) {
  if (M <= 0 || N <= 0) return;
  const hd::GemmArgs g{trans_a, trans_b, M, N, K, A, lda, B, ldb, C, ldc, accumulate, bias};
  const unsigned gx = static_cast<unsigned>((N + hd::kTileN - 1) / hd::kTileN);
  const unsigned gy = static_cast<unsigned>((M + hd::kTileM - 1) / hd::kTileM);
  const int S = gemm_splits(static_cast<int>(gx * gy), K);
  if (S == 1) {
    gemm_kernel<<<dim3(gx, gy, 1), hd::kGemmThreads>>>(g, nullptr);
    check_launch("gpu::gemm");
    return;
  }
  float* ws = gemm_workspace(static_cast<std::size_t>(S) * M * N);
  gemm_kernel<<<dim3(gx, gy, static_cast<unsigned>(S)), hd::kGemmThreads>>>(g, ws);
  check_launch("gpu::gemm (split K)");
  for_each(static_cast<std::size_t>(M) * N, [=] __device__(std::size_t i) {
    hd::gemm_split_reduce(g, S, ws, static_cast<long>(i));
  }, "gpu::gemm (split K, sum)");
}

// db[j] += dy[0, j] + dy[1, j] + ... in row order, one thread per column (the CPU's order).
void bias_grad(float* db, const float* dy, std::size_t rows, std::size_t n) {
  for_each(n, [=] __device__(std::size_t j) {
    float acc = db[j];
    for (std::size_t r = 0; r < rows; ++r) acc += dy[r * n + j];
    db[j] = acc;
  }, "gpu::bias_grad");
}

// ======================================= arithmetic =======================================

namespace {
__device__ inline std::size_t bidx(int k, std::size_t r, std::size_t c, std::size_t cols) {
  return k == 0 ? r * cols + c : (k == 1 ? c : (k == 2 ? r : 0));
}
// The local derivative terms of ops_arith.cpp: d loss / d a and d loss / d b for element i.
__device__ inline float arith_da(int op, float dy, float bv) {
  return op == 0 || op == 1 ? dy : (op == 2 ? dy * bv : dy / bv);
}
__device__ inline float arith_db(int op, float dy, float av, float bv) {
  return op == 0 ? dy : (op == 1 ? -dy : (op == 2 ? dy * av : -dy * av / (bv * bv)));
}
}  // namespace

void arith_forward(int op, int k, float* y, const float* a, const float* b, std::size_t rows, std::size_t cols) {
  for_each(rows * cols, [=] __device__(std::size_t i) {
    const float bv = b[bidx(k, i / cols, i % cols, cols)];
    y[i] = op == 0 ? a[i] + bv : (op == 1 ? a[i] - bv : (op == 2 ? a[i] * bv : a[i] / bv));
  }, "gpu::arith_forward");
}

void arith_backward(int op, int k, float* da, float* db, const float* dy, const float* a, const float* b,
                    std::size_t rows, std::size_t cols) {
  const std::size_t n = rows * cols;
  if (da)
    for_each(n, [=] __device__(std::size_t i) {
      da[i] += arith_da(op, dy[i], b[bidx(k, i / cols, i % cols, cols)]);
    }, "gpu::arith_backward (a)");
  if (!db) return;
  if (k == 0) {  // same shape: elementwise
    for_each(n, [=] __device__(std::size_t i) { db[i] += arith_db(op, dy[i], a[i], b[i]); }, "gpu::arith_backward (b)");
  } else if (k == 1) {  // one row: column c sums over the rows, in row order
    for_each(cols, [=] __device__(std::size_t c) {
      float acc = db[c];
      for (std::size_t r = 0; r < rows; ++r) acc += arith_db(op, dy[r * cols + c], a[r * cols + c], b[c]);
      db[c] = acc;
    }, "gpu::arith_backward (row)");
  } else if (k == 2) {  // one column: row r sums over its columns, in order
    for_each(rows, [=] __device__(std::size_t r) {
      float acc = db[r];
      for (std::size_t c = 0; c < cols; ++c) acc += arith_db(op, dy[r * cols + c], a[r * cols + c], b[r]);
      db[r] = acc;
    }, "gpu::arith_backward (col)");
  } else {  // one element: every term, in index order, one thread
    for_each(1, [=] __device__(std::size_t) {
      float acc = db[0];
      for (std::size_t i = 0; i < n; ++i) acc += arith_db(op, dy[i], a[i], b[0]);
      db[0] = acc;
    }, "gpu::arith_backward (scalar)");
  }
}

void affine_forward(float* y, const float* x, std::size_t n, float s, float c) {
  for_each(n, [=] __device__(std::size_t i) { y[i] = s * x[i] + c; }, "gpu::affine_forward");
}
void affine_backward(float* dx, const float* dy, std::size_t n, float s) {
  for_each(n, [=] __device__(std::size_t i) { dx[i] += s * dy[i]; }, "gpu::affine_backward");
}

// ====================================== element-wise ======================================
// Each pair: the formula of ops_pointwise.cpp, the local derivative beside it.

void exp_forward(float* y, const float* x, std::size_t n, float) {
  for_each(n, [=] __device__(std::size_t i) { y[i] = fast_exp(x[i]); }, "gpu::exp_forward");
}
void exp_backward(float* dx, const float* dy, const float*, const float* y, std::size_t n, float) {
  for_each(n, [=] __device__(std::size_t i) { dx[i] += dy[i] * y[i]; }, "gpu::exp_backward");  // dy/dx = y
}
void log_forward(float* y, const float* x, std::size_t n, float) {
  for_each(n, [=] __device__(std::size_t i) { y[i] = logf(x[i]); }, "gpu::log_forward");
}
void log_backward(float* dx, const float* dy, const float* x, const float*, std::size_t n, float) {
  for_each(n, [=] __device__(std::size_t i) { dx[i] += dy[i] / x[i]; }, "gpu::log_backward");  // 1/x
}
void sqrt_forward(float* y, const float* x, std::size_t n, float) {
  for_each(n, [=] __device__(std::size_t i) { y[i] = sqrtf(x[i]); }, "gpu::sqrt_forward");
}
void sqrt_backward(float* dx, const float* dy, const float*, const float* y, std::size_t n, float) {
  for_each(n, [=] __device__(std::size_t i) { dx[i] += dy[i] * 0.5f / y[i]; }, "gpu::sqrt_backward");  // 1/(2y)
}
void square_forward(float* y, const float* x, std::size_t n, float) {
  for_each(n, [=] __device__(std::size_t i) { y[i] = x[i] * x[i]; }, "gpu::square_forward");
}
void square_backward(float* dx, const float* dy, const float* x, const float*, std::size_t n, float) {
  for_each(n, [=] __device__(std::size_t i) { dx[i] += dy[i] * 2.f * x[i]; }, "gpu::square_backward");  // 2x
}
void relu_forward(float* y, const float* x, std::size_t n, float) {
  for_each(n, [=] __device__(std::size_t i) { y[i] = x[i] > 0.f ? x[i] : 0.f; }, "gpu::relu_forward");
}
void relu_backward(float* dx, const float* dy, const float* x, const float*, std::size_t n, float) {
  for_each(n, [=] __device__(std::size_t i) { dx[i] += x[i] > 0.f ? dy[i] : 0.f; }, "gpu::relu_backward");
}
void leaky_relu_forward(float* y, const float* x, std::size_t n, float a) {
  for_each(n, [=] __device__(std::size_t i) { y[i] = x[i] > 0.f ? x[i] : a * x[i]; }, "gpu::leaky_relu_forward");
}
void leaky_relu_backward(float* dx, const float* dy, const float* x, const float*, std::size_t n, float a) {
  for_each(n, [=] __device__(std::size_t i) { dx[i] += x[i] > 0.f ? dy[i] : a * dy[i]; }, "gpu::leaky_relu_backward");
}
void sigmoid_forward(float* y, const float* x, std::size_t n, float) {
  for_each(n, [=] __device__(std::size_t i) { y[i] = fast_sigmoid(x[i]); }, "gpu::sigmoid_forward");
}
void sigmoid_backward(float* dx, const float* dy, const float*, const float* y, std::size_t n, float) {
  for_each(n, [=] __device__(std::size_t i) { dx[i] += dy[i] * y[i] * (1.f - y[i]); }, "gpu::sigmoid_backward");
}
void tanh_forward(float* y, const float* x, std::size_t n, float) {
  for_each(n, [=] __device__(std::size_t i) { y[i] = fast_tanh(x[i]); }, "gpu::tanh_forward");
}
void tanh_backward(float* dx, const float* dy, const float*, const float* y, std::size_t n, float) {
  for_each(n, [=] __device__(std::size_t i) { dx[i] += dy[i] * (1.f - y[i] * y[i]); }, "gpu::tanh_backward");
}
void softplus_forward(float* y, const float* x, std::size_t n, float) {
  for_each(n, [=] __device__(std::size_t i) { y[i] = fast_softplus(x[i]); }, "gpu::softplus_forward");
}
void softplus_backward(float* dx, const float* dy, const float* x, const float*, std::size_t n, float) {
  for_each(n, [=] __device__(std::size_t i) { dx[i] += dy[i] * fast_sigmoid(x[i]); }, "gpu::softplus_backward");
}
void log_sigmoid_forward(float* y, const float* x, std::size_t n, float) {
  for_each(n, [=] __device__(std::size_t i) { y[i] = -fast_softplus(-x[i]); }, "gpu::log_sigmoid_forward");
}
void log_sigmoid_backward(float* dx, const float* dy, const float* x, const float*, std::size_t n, float) {
  for_each(n, [=] __device__(std::size_t i) { dx[i] += dy[i] * fast_sigmoid(-x[i]); }, "gpu::log_sigmoid_backward");
}

// ======================================= reductions =======================================

void reduce_forward(float* y, const float* x, std::size_t groups, std::size_t len, float w) {
  for_each(groups, [=] __device__(std::size_t g) {
    double s = 0.0;
    for (std::size_t c = 0; c < len; ++c) s += x[g * len + c];
    y[g] = static_cast<float>(s * w);
  }, "gpu::reduce_forward");
}
void reduce_backward(float* dx, const float* dy, std::size_t groups, std::size_t len, float w) {
  for_each(groups * len, [=] __device__(std::size_t i) { dx[i] += w * dy[i / len]; }, "gpu::reduce_backward");
}

// ========================================= shape ==========================================

void copy_cols(float* dst, std::size_t dst_ld, const float* src, std::size_t src_ld, std::size_t rows, std::size_t w) {
  for_each(rows * w, [=] __device__(std::size_t i) {
    const std::size_t r = i / w, c = i % w;
    dst[r * dst_ld + c] = src[r * src_ld + c];
  }, "gpu::copy_cols");
}
void add_cols(float* dst, std::size_t dst_ld, const float* src, std::size_t src_ld, std::size_t rows, std::size_t w) {
  for_each(rows * w, [=] __device__(std::size_t i) {
    const std::size_t r = i / w, c = i % w;
    dst[r * dst_ld + c] += src[r * src_ld + c];
  }, "gpu::add_cols");
}

// ========================================= losses =========================================
// Forward: the per-element terms in parallel into `terms`, then one thread per row sums its
// terms in double in column order (the CPU's sum).

namespace {
void row_sums(float* y, const float* terms, std::size_t rows, std::size_t cols, double w, const char* what) {
  for_each(rows, [=] __device__(std::size_t r) {
    double s = 0.0;
    for (std::size_t c = 0; c < cols; ++c) s += terms[r * cols + c];
    y[r] = static_cast<float>(w * s);
  }, what);
}
constexpr float kLog2Pi = 1.8378770664093453f;
}  // namespace

void bce_forward(float* y, float* sig, float* terms, const float* l, const float* x, float target, std::size_t rows,
                 std::size_t cols) {
  if (cols <= 32) {  // narrow rows (a discriminator's (B, 1) logits): one thread per row, one launch
    for_each(rows, [=] __device__(std::size_t r) {
      double s = 0.0;
      for (std::size_t c = 0; c < cols; ++c) {
        const std::size_t i = r * cols + c;
        s += hd::bce_term(l[i], x ? x[i] : target, sig + i);
      }
      y[r] = static_cast<float>(s);
    }, "gpu::bce_forward");
    return;
  }
  for_each(rows * cols, [=] __device__(std::size_t i) {
    terms[i] = hd::bce_term(l[i], x ? x[i] : target, sig + i);
  }, "gpu::bce_forward");
  row_sums(y, terms, rows, cols, 1.0, "gpu::bce_forward (rows)");
}

void bce_backward(float* dl, float* dx, const float* sig, const float* l, const float* x, float target,
                  const float* dy, std::size_t rows, std::size_t cols) {
  (void)rows;
  if (dl)
    for_each(rows * cols, [=] __device__(std::size_t i) {
      dl[i] += dy[i / cols] * (sig[i] - (x ? x[i] : target));  // dy/dl = sigmoid(l) - x
    }, "gpu::bce_backward (logits)");
  if (dx)
    for_each(rows * cols, [=] __device__(std::size_t i) { dx[i] -= dy[i / cols] * l[i]; }, "gpu::bce_backward (x)");
}

void gaussian_nll_forward(float* y, float* terms, const float* x, const float* mu, const float* v, std::size_t rows,
                          std::size_t cols) {
  for_each(rows * cols, [=] __device__(std::size_t i) {
    const float d = x[i] - mu[i];
    terms[i] = 0.5f * (kLog2Pi + v[i] + d * d * expf(-v[i]));
  }, "gpu::gaussian_nll_forward");
  row_sums(y, terms, rows, cols, 1.0, "gpu::gaussian_nll_forward (rows)");
}

void gaussian_nll_backward(float* dx, float* dmu, float* dv, const float* dy, const float* x, const float* mu,
                           const float* v, std::size_t rows, std::size_t cols) {
  for_each(rows * cols, [=] __device__(std::size_t i) {
    const float g = dy[i / cols];
    const float d = x[i] - mu[i];
    const float inv_var = expf(-v[i]);
    if (dx) dx[i] += g * d * inv_var;
    if (dmu) dmu[i] -= g * d * inv_var;
    if (dv) dv[i] += g * 0.5f * (1.f - d * d * inv_var);
  }, "gpu::gaussian_nll_backward");
}

void kl_forward(float* y, float* terms, const float* mu, const float* v, std::size_t rows, std::size_t cols) {
  for_each(rows * cols, [=] __device__(std::size_t i) {
    terms[i] = 1.f + v[i] - mu[i] * mu[i] - expf(v[i]);
  }, "gpu::kl_forward");
  row_sums(y, terms, rows, cols, -0.5, "gpu::kl_forward (rows)");
}

void kl_backward(float* dmu, float* dv, const float* dy, const float* mu, const float* v, std::size_t rows,
                 std::size_t cols) {
  for_each(rows * cols, [=] __device__(std::size_t i) {
    const float g = dy[i / cols];
    if (dmu) dmu[i] += g * mu[i];
    if (dv) dv[i] += g * 0.5f * (expf(v[i]) - 1.f);
  }, "gpu::kl_backward");
}

void softmax_ce_forward(float* y, float* lse, const float* l, const float* t, std::size_t rows, std::size_t cols) {
  for_each(rows, [=] __device__(std::size_t r) {
    const float* lr = l + r * cols;
    const float* tr = t + r * cols;
    float m = lr[0];
    for (std::size_t c = 1; c < cols; ++c) m = fmaxf(m, lr[c]);
    double se = 0.0;
    for (std::size_t c = 0; c < cols; ++c) se += expf(lr[c] - m);
    const float lse_r = m + static_cast<float>(log(se));
    double s = 0.0;
    for (std::size_t c = 0; c < cols; ++c) s += tr[c] * (lse_r - lr[c]);
    lse[r] = lse_r;
    y[r] = static_cast<float>(s);
  }, "gpu::softmax_ce_forward");
}

void softmax_ce_backward(float* dl, float* dt, const float* dy, const float* lse, const float* l, const float* t,
                         std::size_t rows, std::size_t cols) {
  for_each(rows, [=] __device__(std::size_t r) {
    const float g = dy[r], lr = lse[r];
    float ysum = 0.f;
    for (std::size_t c = 0; c < cols; ++c) ysum += t[r * cols + c];
    for (std::size_t c = 0; c < cols; ++c) {
      const std::size_t i = r * cols + c;
      if (dl) dl[i] += g * (expf(l[i] - lr) * ysum - t[i]);
      if (dt) dt[i] += g * (lr - l[i]);
    }
  }, "gpu::softmax_ce_backward");
}

// ======================================= optimizers =======================================
// The formulas of src/core/optim.cpp, one parameter per thread; the per-step constants come from
// the host, computed there exactly as for the CPU loop.

void sgd_step(float* w, float* g, float* v, std::size_t n, float lr, float mu, bool zero_g) {
  for_each(n, [=] __device__(std::size_t i) {
    v[i] = mu * v[i] + g[i];
    w[i] -= lr * v[i];
    if (zero_g) g[i] = 0.f;
  }, "gpu::sgd_step");
}
void adagrad_step(float* w, float* g, float* s, std::size_t n, float lr, float eps, bool zero_g) {
  for_each(n, [=] __device__(std::size_t i) {
    s[i] += g[i] * g[i];
    w[i] -= lr * g[i] / (sqrtf(s[i]) + eps);
    if (zero_g) g[i] = 0.f;
  }, "gpu::adagrad_step");
}
void rmsprop_step(float* w, float* g, float* s, std::size_t n, float lr, float alpha, float eps, bool zero_g) {
  for_each(n, [=] __device__(std::size_t i) {
    s[i] = alpha * s[i] + (1.f - alpha) * g[i] * g[i];
    w[i] -= lr * g[i] / (sqrtf(s[i]) + eps);
    if (zero_g) g[i] = 0.f;
  }, "gpu::rmsprop_step");
}
void adam_step(float* w, float* g, float* m, float* v, std::size_t n, const AdamStep& a, bool zero_g) {
  const float b1 = a.b1, b2 = a.b2, eps = a.eps, lr_t = a.lr_t, inv_c2 = a.inv_c2;
  for_each(n, [=] __device__(std::size_t i) {
    const float gi = g[i];
    m[i] = b1 * m[i] + (1.f - b1) * gi;
    v[i] = b2 * v[i] + (1.f - b2) * gi * gi;
    w[i] -= lr_t * m[i] / (sqrtf(v[i] * inv_c2) + eps);  // lr m_hat / (sqrt(v_hat) + eps)
    if (zero_g) g[i] = 0.f;
  }, "gpu::adam_step");
}

// ===================================== small helpers ======================================

void add_at(float* p, float v) {
  for_each(1, [=] __device__(std::size_t) { p[0] += v; }, "gpu::add_at");
}
void clamp(float* w, std::size_t n, float lo, float hi) {
  for_each(n, [=] __device__(std::size_t i) { w[i] = fminf(hi, fmaxf(lo, w[i])); }, "gpu::clamp");
}

// sum_i x_i^2: block b of kBlocks (a fixed number for a given n) takes i = b T + t + j kBlocks T,
// each thread sums its terms in order, the block adds its threads' sums by a fixed binary tree,
// and one thread adds the block sums in block order. Deterministic; not the CPU's sequential
// order, so it agrees with the CPU within double rounding (relative 1e-15).
namespace {
constexpr int kSumBlocks = 1024;
__global__ void sum_squares_blocks(const float* x, std::size_t n, int nblocks, double* partial) {
  __shared__ double s[kThreads];
  double acc = 0.0;
  const std::size_t stride = static_cast<std::size_t>(nblocks) * kThreads;
  for (std::size_t i = static_cast<std::size_t>(blockIdx.x) * kThreads + threadIdx.x; i < n; i += stride)
    acc += static_cast<double>(x[i]) * x[i];
  s[threadIdx.x] = acc;
  __syncthreads();
  for (int h = kThreads / 2; h > 0; h /= 2) {
    if (static_cast<int>(threadIdx.x) < h) s[threadIdx.x] += s[threadIdx.x + h];
    __syncthreads();
  }
  if (threadIdx.x == 0) partial[blockIdx.x] = s[0];
}
__global__ void sum_in_order(const double* partial, int nblocks, double* out) {
  double acc = 0.0;
  for (int b = 0; b < nblocks; ++b) acc += partial[b];
  *out = acc;
}
}  // namespace

double sum_squares(const float* x, std::size_t n) {
  static double* scratch = nullptr;  // kSumBlocks partial sums and the result, allocated once
  if (!scratch) check_cuda(cudaMalloc(&scratch, (kSumBlocks + 1) * sizeof(double)), "cudaMalloc (sum_squares)");
  if (n == 0) return 0.0;
  std::size_t nb = (n + kThreads - 1) / kThreads;
  const int nblocks = static_cast<int>(nb < static_cast<std::size_t>(kSumBlocks) ? nb : kSumBlocks);
  sum_squares_blocks<<<nblocks, kThreads>>>(x, n, nblocks, scratch);
  check_launch("gpu::sum_squares");
  sum_in_order<<<1, 1>>>(scratch, nblocks, scratch + kSumBlocks);
  check_launch("gpu::sum_squares (blocks)");
  double r = 0.0;
  check_cuda(cudaMemcpy(&r, scratch + kSumBlocks, sizeof r, cudaMemcpyDeviceToHost), "download (sum_squares)");
  return r;
}

// ===================================== random fills ======================================
// Thread j computes element j from the fill's starting state by jumping ahead
// (src/backend/kernels_hd.h); then *s is advanced past the fill, as the CPU loop leaves it.

void fill_uniform(float* y, std::size_t n, RngState* s, float lo, float hi) {
  const std::uint64_t state = s->state, inc = s->inc;
  for_each(n, [=] __device__(std::size_t j) { y[j] = hd::fill_uniform_at(state, inc, j, lo, hi); },
           "gpu::fill_uniform");
  s->state = hd::pcg_advance(state, inc, n);
}

void fill_normal(float* y, std::size_t n, RngState* s, float mean, float stddev) {
  if (n == 0) return;
  const RngState st = *s;
  *s = hd::state_after_fill_normal(st, n);
  const std::size_t o = st.has_spare ? 1 : 0;
  if (o) for_each(1, [=] __device__(std::size_t) { y[0] = hd::fill_normal_at(st, 0, mean, stddev); }, "gpu::fill_normal (spare)");
  const std::size_t pairs = (n - o + 1) / 2;
  // one thread per Box-Muller pair k: elements o + 2k and o + 2k + 1 (the second if inside)
  for_each(pairs, [=] __device__(std::size_t k) {
    float first, second;
    hd::normal_pair_at(st.state, st.inc, k, &first, &second);
    y[o + 2 * k] = mean + stddev * first;
    if (o + 2 * k + 1 < n) y[o + 2 * k + 1] = mean + stddev * second;
  }, "gpu::fill_normal");
}

}  // namespace gpu

// ===================================== the CUDA kernel table ======================================
// Every op with a GPU kernel (dgm/backend/kernels.h); the convolution and batch normalization are
// in cuda_conv.cu. The ops written as host loops have none (host_loops false): on a device tape
// they stop with one message.
const Kernels* cuda_kernels() {
  static const Kernels table = [] {
    Kernels k;
    k.device = "cuda";
    k.loss_terms = true;
    k.gemm = gpu::gemm;
    k.bias_grad = gpu::bias_grad;
    k.arith_forward = gpu::arith_forward;
    k.arith_backward = gpu::arith_backward;
    k.affine_forward = gpu::affine_forward;
    k.affine_backward = gpu::affine_backward;
#define DGM_GPU_ENTRY(name) k.name = {gpu::name##_forward, gpu::name##_backward};
    DGM_UNARY_KERNELS(DGM_GPU_ENTRY)
#undef DGM_GPU_ENTRY
    k.reduce_forward = gpu::reduce_forward;
    k.reduce_backward = gpu::reduce_backward;
    k.copy_cols = gpu::copy_cols;
    k.add_cols = gpu::add_cols;
    k.bce_forward = gpu::bce_forward;
    k.bce_backward = gpu::bce_backward;
    k.gaussian_nll_forward = gpu::gaussian_nll_forward;
    k.gaussian_nll_backward = gpu::gaussian_nll_backward;
    k.kl_forward = gpu::kl_forward;
    k.kl_backward = gpu::kl_backward;
    k.softmax_ce_forward = gpu::softmax_ce_forward;
    k.softmax_ce_backward = gpu::softmax_ce_backward;
    k.conv2d_forward = gpu::conv2d_forward;
    k.conv2d_backward_data = gpu::conv2d_backward_data;
    k.conv2d_backward_weight = gpu::conv2d_backward_weight;
    k.channel_bias_forward = gpu::channel_bias_forward;
    k.channel_bias_backward = gpu::channel_bias_backward;
    k.batch_norm_forward = gpu::batch_norm_forward;
    k.batch_norm_backward = gpu::batch_norm_backward;
    k.add_at = gpu::add_at;
    k.sgd_step = gpu::sgd_step;
    k.adagrad_step = gpu::adagrad_step;
    k.rmsprop_step = gpu::rmsprop_step;
    k.adam_step = gpu::adam_step;
    k.sum_squares = gpu::sum_squares;
    k.clamp = gpu::clamp;
    k.fill_uniform = gpu::fill_uniform;
    k.fill_normal = gpu::fill_normal;
    return k;
  }();
  return &table;
}

}  // namespace dgm
