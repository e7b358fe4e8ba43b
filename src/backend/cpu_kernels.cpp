// cpu_kernels.cpp - the CPU's fast kernels, entries of the CPU kernel table (dgm/backend/kernels.h).
// Each computes what the reference of the same name in its op file computes (src/core/ops_*.cpp,
// dgm::ref); test/test_kernels.cpp checks them against it.
//
// Speed: every element-wise kernel is one of two block loops (map_x, grad_from: below) that GCC
// vectorizes at -O2, and exp, tanh, sigmoid and softplus use the inline versions of
// dgm/backend/vecmath.h instead of library calls (within 3 ulp of them; test/test_vecmath.cpp).
// The element-wise kernels run over fixed chunks of kChunk elements in parallel, the per-row
// kernels over fixed blocks of rows: the partition does not depend on the thread count, and a
// sum inside a row keeps its order, so neither does any result.
#include <cmath>
#include <cstring>

#include "dgm/backend/gemm.h"
#include "dgm/backend/kernels.h"
#include "dgm/backend/parallel.h"
#include "dgm/backend/vecmath.h"
#include "kernels_hd.h"

namespace dgm {
namespace cpu {
namespace {

// Elements per parallel task: large enough that a task outweighs waking a thread (~ microseconds),
// small enough that a (128, 400) activation gives every thread work.
constexpr std::size_t kChunk = 8192;
// Rows per parallel task of a per-row kernel: about kChunk elements.
inline std::size_t rows_per_task(std::size_t cols) { return cols >= kChunk ? 1 : kChunk / cols; }

// A blocked element-wise kernel run over fixed chunks in parallel.
template <UnaryForward kernel>
void chunked_forward(float* y, const float* x, std::size_t n, float arg) {
  auto run = [&](std::size_t b, std::size_t e) { kernel(y + b, x + b, e - b, arg); };
  parallel_chunks(n, kChunk, run);
}
template <UnaryBackward kernel>
void chunked_backward(float* dx, const float* dy, const float* x, const float* y, std::size_t n, float arg) {
  auto run = [&](std::size_t b, std::size_t e) { kernel(dx + b, dy + b, x + b, y + b, e - b, arg); };
  parallel_chunks(n, kChunk, run);
}

// ---- element-wise (ops_pointwise.cpp has each formula and its derivative) ----
// Two loops serve every function: y = f(x), and dx += h(dy, v) with v the input x or the output
// y (whichever the derivative reads). Each walks blocks of kBlock elements with a constant trip
// count, then the remainder with the same f or h. The arrays are the loop function's own
// __restrict parameters and f, h take and return values (lambdas always inlined:
// DGM_INLINE_LAMBDA): GCC vectorizes that at -O2 (the selects on AVX2 only with
// -fno-trapping-math; see the Makefile). A lambda capturing the arrays, as vecmath.h's
// for_blocks takes, loses __restrict, and GCC 12 at -O2 (its very-cheap cost model: no run-time
// alias checks) then keeps the loop scalar: that was every kernel here but tanh, softplus and
// log_sigmoid, and on AVX2 those too (4-10x slower, e.g. softplus 12.5 against 2.0 ns per
// element on a Zen 3, one thread).
template <class F>
DGM_INLINE void map_x(float* DGM_RESTRICT y, const float* DGM_RESTRICT x, std::size_t n, F f) {
  std::size_t i = 0;
  for (; i + kBlock <= n; i += kBlock)
    for (std::size_t k = 0; k < kBlock; ++k) y[i + k] = f(x[i + k]);
  for (; i < n; ++i) y[i] = f(x[i]);
}
// dx += h(dy, v), v the input x or the output y (the one the derivative reads)
template <class H>
DGM_INLINE void grad_from(float* DGM_RESTRICT dx, const float* DGM_RESTRICT dy, const float* DGM_RESTRICT v,
                          std::size_t n, H h) {
  std::size_t i = 0;
  for (; i + kBlock <= n; i += kBlock)
    for (std::size_t k = 0; k < kBlock; ++k) dx[i + k] += h(dy[i + k], v[i + k]);
  for (; i < n; ++i) dx[i] += h(dy[i], v[i]);
}

void exp_f(float* y, const float* x, std::size_t n, float) {
  map_x(y, x, n, [](float v) DGM_INLINE_LAMBDA { return fast_exp(v); });
}
void exp_b(float* dx, const float* dy, const float*, const float* y, std::size_t n, float) {
  grad_from(dx, dy, y, n, [](float d, float e) DGM_INLINE_LAMBDA { return d * e; });
}
void log_f(float* y, const float* x, std::size_t n, float) {
  map_x(y, x, n, [](float v) DGM_INLINE_LAMBDA { return std::log(v); });
}
void log_b(float* dx, const float* dy, const float* x, const float*, std::size_t n, float) {
  grad_from(dx, dy, x, n, [](float d, float v) DGM_INLINE_LAMBDA { return d / v; });
}
void sqrt_f(float* y, const float* x, std::size_t n, float) {
  map_x(y, x, n, [](float v) DGM_INLINE_LAMBDA { return std::sqrt(v); });
}
void sqrt_b(float* dx, const float* dy, const float*, const float* y, std::size_t n, float) {
  grad_from(dx, dy, y, n, [](float d, float r) DGM_INLINE_LAMBDA { return d * 0.5f / r; });
}
void square_f(float* y, const float* x, std::size_t n, float) {
  map_x(y, x, n, [](float v) DGM_INLINE_LAMBDA { return v * v; });
}
void square_b(float* dx, const float* dy, const float* x, const float*, std::size_t n, float) {
  grad_from(dx, dy, x, n, [](float d, float v) DGM_INLINE_LAMBDA { return d * 2.f * v; });
}
void relu_f(float* y, const float* x, std::size_t n, float) {
  map_x(y, x, n, [](float v) DGM_INLINE_LAMBDA { return v > 0.f ? v : 0.f; });
}
void relu_b(float* dx, const float* dy, const float* x, const float*, std::size_t n, float) {
  grad_from(dx, dy, x, n, [](float d, float v) DGM_INLINE_LAMBDA { return v > 0.f ? d : 0.f; });
}
void leaky_relu_f(float* y, const float* x, std::size_t n, float a) {
  map_x(y, x, n, [a](float v) DGM_INLINE_LAMBDA { return v > 0.f ? v : a * v; });
}
void leaky_relu_b(float* dx, const float* dy, const float* x, const float*, std::size_t n, float a) {
  grad_from(dx, dy, x, n, [a](float d, float v) DGM_INLINE_LAMBDA { return v > 0.f ? d : a * d; });
}
void sigmoid_f(float* y, const float* x, std::size_t n, float) {
  map_x(y, x, n, [](float v) DGM_INLINE_LAMBDA { return fast_sigmoid(v); });
}
void sigmoid_b(float* dx, const float* dy, const float*, const float* y, std::size_t n, float) {
  grad_from(dx, dy, y, n, [](float d, float s) DGM_INLINE_LAMBDA { return d * s * (1.f - s); });
}
void tanh_f(float* y, const float* x, std::size_t n, float) {
  map_x(y, x, n, [](float v) DGM_INLINE_LAMBDA { return fast_tanh(v); });
}
void tanh_b(float* dx, const float* dy, const float*, const float* y, std::size_t n, float) {
  grad_from(dx, dy, y, n, [](float d, float t) DGM_INLINE_LAMBDA { return d * (1.f - t * t); });
}
void softplus_f(float* y, const float* x, std::size_t n, float) {
  map_x(y, x, n, [](float v) DGM_INLINE_LAMBDA { return fast_softplus(v); });
}
void softplus_b(float* dx, const float* dy, const float* x, const float*, std::size_t n, float) {
  grad_from(dx, dy, x, n, [](float d, float v) DGM_INLINE_LAMBDA { return d * fast_sigmoid(v); });
}
void log_sigmoid_f(float* y, const float* x, std::size_t n, float) {
  map_x(y, x, n, [](float v) DGM_INLINE_LAMBDA { return -fast_softplus(-v); });
}
void log_sigmoid_b(float* dx, const float* dy, const float* x, const float*, std::size_t n, float) {
  grad_from(dx, dy, x, n, [](float d, float v) DGM_INLINE_LAMBDA { return d * fast_sigmoid(-v); });
}

// ---- Bernoulli NLL rows (ops_loss.cpp: bce_forward, bce_backward) ----
// One row of the forward: returns sum_j softplus(l_j) - x_j l_j (a double sum in order
// j = 0, 1, ...) and writes sig_j = sigmoid(l_j), both from hd::bce_term (kernels_hd.h, shared
// with the CUDA kernel). x == nullptr means every x_j is `target`.
double bce_row_forward(float* DGM_RESTRICT sig, const float* DGM_RESTRICT l, const float* DGM_RESTRICT x,
                       float target, std::size_t cols) {
  double s = 0.0;
  std::size_t c = 0;
  for (; c + kBlock <= cols; c += kBlock) {  // blocks of kBlock: the terms vectorize
    float xb[kBlock], tb[kBlock];
    if (x) {
      for (std::size_t k = 0; k < kBlock; ++k) xb[k] = x[c + k];
    } else {
      for (std::size_t k = 0; k < kBlock; ++k) xb[k] = target;
    }
    for (std::size_t k = 0; k < kBlock; ++k) tb[k] = hd::bce_term(l[c + k], xb[k], sig + c + k);
    for (std::size_t k = 0; k < kBlock; ++k) s += tb[k];
  }
  for (; c < cols; ++c) s += hd::bce_term(l[c], x ? x[c] : target, sig + c);
  return s;
}
// One row of the backward: dl_j += dy (sigmoid(l_j) - x_j)  (x == nullptr: x_j = target)
DGM_NOINLINE void bce_row_backward(float* DGM_RESTRICT dl, const float* DGM_RESTRICT sig,
                                   const float* DGM_RESTRICT x, float target, float dy, std::size_t cols) {
  if (x) {
    for_blocks(cols, [&](std::size_t j) { dl[j] += dy * (sig[j] - x[j]); });
  } else {
    for_blocks(cols, [&](std::size_t j) { dl[j] += dy * (sig[j] - target); });
  }
}
// dx_j -= dy l_j
DGM_NOINLINE void bce_row_backward_x(float* DGM_RESTRICT dx, const float* DGM_RESTRICT l, float dy,
                                     std::size_t cols) {
  for_blocks(cols, [&](std::size_t j) { dx[j] -= dy * l[j]; });
}

// db (n) += dy row r (n), for every row of dy (rows, n), rows in increasing order (the same sum
// order for any thread count); vectorized over the columns.
DGM_NOINLINE void bias_grad_rows(float* DGM_RESTRICT db, const float* DGM_RESTRICT dy, std::size_t rows,
                                 std::size_t n) {
  for (std::size_t r = 0; r < rows; ++r) {
    const float* DGM_RESTRICT row = dy + r * n;
    for_blocks(n, [&](std::size_t j) { db[j] += row[j]; });
  }
}

}  // namespace

// ---- linear algebra ----
void gemm(bool trans_a, bool trans_b, int M, int N, int K, const float* A, int lda, const float* B, int ldb,
          float* C, int ldc, bool accumulate, const float* bias) {
  if (bias && !accumulate) {  // C starts as the bias in every row, then gemm adds op(A) op(B)
    for (int r = 0; r < M; ++r)
      std::memcpy(C + static_cast<std::size_t>(r) * ldc, bias, static_cast<std::size_t>(N) * sizeof(float));
    accumulate = true;
  }
  dgm::gemm(trans_a, trans_b, M, N, K, A, lda, B, ldb, C, ldc, accumulate);
}
void bias_grad(float* db, const float* dy, std::size_t rows, std::size_t n) { bias_grad_rows(db, dy, rows, n); }

// ---- element-wise ----
#define DGM_CPU_UNARY(name)                                                                                    \
  void name##_forward(float* y, const float* x, std::size_t n, float arg) {                                    \
    chunked_forward<name##_f>(y, x, n, arg);                                                                   \
  }                                                                                                            \
  void name##_backward(float* dx, const float* dy, const float* x, const float* y, std::size_t n, float arg) { \
    chunked_backward<name##_b>(dx, dy, x, y, n, arg);                                                          \
  }
DGM_UNARY_KERNELS(DGM_CPU_UNARY)
#undef DGM_CPU_UNARY

// ---- Bernoulli NLL: fixed blocks of rows in parallel ----
void bce_forward(float* y, float* sig, float*, const float* l, const float* x, float target, std::size_t rows,
                 std::size_t cols) {
  auto run = [&](std::size_t r0, std::size_t r1) {
    for (std::size_t r = r0; r < r1; ++r)
      y[r] = static_cast<float>(bce_row_forward(sig + r * cols, l + r * cols, x ? x + r * cols : nullptr, target, cols));
  };
  parallel_chunks(rows, rows_per_task(cols), run);
}
void bce_backward(float* dl, float* dx, const float* sig, const float* l, const float* x, float target,
                  const float* dy, std::size_t rows, std::size_t cols) {
  auto run = [&](std::size_t r0, std::size_t r1) {
    for (std::size_t r = r0; r < r1; ++r) {
      const std::size_t o = r * cols;
      if (dl) bce_row_backward(dl + o, sig + o, x ? x + o : nullptr, target, dy[r], cols);
      if (dx) bce_row_backward_x(dx + o, l + o, dy[r], cols);
    }
  };
  parallel_chunks(rows, rows_per_task(cols), run);
}

void add_at(float* p, float v) { p[0] += v; }

// ---- the RBM's conditionals and Bernoulli draws (src/models/rbm.cpp has the formulas) ----
namespace {
// x = sigmoid(s x + bias): the block loop written out (map_x's form), as a lambda capturing the
// arrays would lose __restrict (see map_x).
void sigmoid_row(float* DGM_RESTRICT x, const float* DGM_RESTRICT bias, float s, std::size_t n) {
  std::size_t j = 0;
  for (; j + kBlock <= n; j += kBlock)
    for (std::size_t k = 0; k < kBlock; ++k) x[j + k] = fast_sigmoid(s * x[j + k] + bias[j + k]);
  for (; j < n; ++j) x[j] = fast_sigmoid(s * x[j] + bias[j]);
}

// PCG32 draws in kBlock interleaved lanes: lane l holds the state before draw i + l, and one
// pass of the block moves every lane kBlock draws on, s -> A s + C with A = a^kBlock and C the
// sum of kBlock steps' increments (hd::pcg_advance of 1 with no increment, and of 0). So the
// block's 64-bit multiply-adds and XSH-RR outputs run in vector registers, and u_i is the i-th
// draw after `state`, as the serial loop `rng.uniform()` makes it.
void bernoulli_range(float* out, const float* p, std::size_t n, std::uint64_t state, std::uint64_t inc) {
  const std::uint64_t A = hd::pcg_advance(1u, 0u, kBlock), C = hd::pcg_advance(0u, inc, kBlock);
  std::uint64_t st[kBlock];
  st[0] = state;
  for (std::size_t l = 1; l < kBlock; ++l) st[l] = st[l - 1] * hd::kPcgMult + inc;
  for (std::size_t i = 0; i < n; i += kBlock) {
    float pb[kBlock], ob[kBlock];
    const std::size_t m = n - i < kBlock ? n - i : kBlock;
    for (std::size_t l = 0; l < m; ++l) pb[l] = p[i + l];  // (out may be p: read first)
    for (std::size_t l = 0; l < kBlock; ++l) {
      const std::uint64_t old = st[l];
      st[l] = old * A + C;
      const std::int32_t bits = static_cast<std::int32_t>(hd::pcg_output(old) >> 8);  // Rng::uniform's 24 bits
      ob[l] = static_cast<float>(bits) * (1.0f / 16777216.0f) < pb[l] ? 1.f : 0.f;
    }
    for (std::size_t l = 0; l < m; ++l) out[i + l] = ob[l];
  }
}
}  // namespace

void sigmoid_rows(float* x, const float* bias, float s, std::size_t rows, std::size_t cols) {
  auto run = [&](std::size_t r0, std::size_t r1) {
    for (std::size_t r = r0; r < r1; ++r) sigmoid_row(x + r * cols, bias, s, cols);
  };
  parallel_chunks(rows, rows_per_task(cols), run);
}

// Fixed chunks of kChunk draws in parallel, chunk c from the state c kChunk draws ahead.
void bernoulli(float* out, const float* p, std::size_t n, RngState* s) {
  const std::uint64_t s0 = s->state, inc = s->inc;
  auto run = [&](std::size_t b, std::size_t e) { bernoulli_range(out + b, p + b, e - b, hd::pcg_advance(s0, inc, b), inc); };
  parallel_chunks(n, kChunk, run);
  s->state = hd::pcg_advance(s0, inc, n);
}

// ---- Adam (optim.cpp's ref::adam_step has the update one parameter at a time): blocks of kBlock
// parameters, the square roots by sqrt_block (exact, as std::sqrt), the remainder one at a time;
// the same bits as the reference. Fixed chunks of kAdamChunk parameters in parallel. ----
namespace {
constexpr std::size_t kAdamChunk = 16384;
void adam_range(float* DGM_RESTRICT w, float* DGM_RESTRICT g, float* DGM_RESTRICT m, float* DGM_RESTRICT v,
                std::size_t n, const AdamStep& a, bool zero_g) {
  const float b1 = a.b1, b2 = a.b2, eps = a.eps, lr_t = a.lr_t, inv_c2 = a.inv_c2;
  std::size_t i = 0;
  for (; i + kBlock <= n; i += kBlock) {
    float sqrt_v_hat[kBlock];
    for (std::size_t k = 0; k < kBlock; ++k) {
      const std::size_t j = i + k;
      m[j] = b1 * m[j] + (1.f - b1) * g[j];
      v[j] = b2 * v[j] + (1.f - b2) * g[j] * g[j];
      sqrt_v_hat[k] = v[j] * inv_c2;  // v_hat; its square root next
    }
    sqrt_block(sqrt_v_hat);
    for (std::size_t k = 0; k < kBlock; ++k) w[i + k] -= lr_t * m[i + k] / (sqrt_v_hat[k] + eps);
    if (zero_g)
      for (std::size_t k = 0; k < kBlock; ++k) g[i + k] = 0.f;
  }
  for (; i < n; ++i) {  // the same update, one parameter at a time
    m[i] = b1 * m[i] + (1.f - b1) * g[i];
    v[i] = b2 * v[i] + (1.f - b2) * g[i] * g[i];
    w[i] -= lr_t * m[i] / (std::sqrt(v[i] * inv_c2) + eps);
    if (zero_g) g[i] = 0.f;
  }
}
}  // namespace

void adam_step(float* w, float* g, float* m, float* v, std::size_t n, const AdamStep& a, bool zero_g) {
  auto run = [&](std::size_t lo, std::size_t hi) { adam_range(w + lo, g + lo, m + lo, v + lo, hi - lo, a, zero_g); };
  parallel_chunks(n, kAdamChunk, run);
}

}  // namespace cpu
}  // namespace dgm
