// gpu.h - the CUDA kernels (src/backend/cuda.cu), declared for its kernel table (cuda_kernels(),
// dgm/backend/kernels.h) and for test/test_cuda.cpp. Private to src/; included only under #ifdef DGM_CUDA.
//
// Every function has the name and argument order of the CPU kernel it replaces (outputs first,
// then inputs, then sizes; gradients accumulate with +=), and takes device pointers. All are
// launched on the default stream, so they run in call order; none synchronises with the host
// except those that return a value. Reductions run in a fixed order (never atomics), so a
// result does not change from run to run; where the CPU sums sequentially (bias gradient,
// broadcast gradients, per-row loss sums) one GPU thread sums the same terms in the same order.
#pragma once
#include <cstddef>
#include <cstdint>

#include "dgm/backend/pcg.h"

namespace dgm {
namespace gpu {

// ---- linear algebra (ops_linalg.cpp) ----
// C = op(A) op(B) (+ bias row) or C += op(A) op(B); see include/dgm/backend/gemm.h. bias may be null.
void gemm(bool trans_a, bool trans_b, int M, int N, int K, const float* A, int lda, const float* B, int ldb,
          float* C, int ldc, bool accumulate, const float* bias = nullptr);
// db (n) += sum over the rows of dy (rows, n), rows in increasing order.
void bias_grad(float* db, const float* dy, std::size_t rows, std::size_t n);

// ---- arithmetic with broadcast (ops_arith.cpp); op: 0 add 1 sub 2 mul 3 div; k: 0 same 1 row 2 col 3 scalar ----
void arith_forward(int op, int k, float* y, const float* a, const float* b, std::size_t rows, std::size_t cols);
// da (rows, cols) and db (b's shape) may be null (no gradient wanted).
void arith_backward(int op, int k, float* da, float* db, const float* dy, const float* a, const float* b,
                    std::size_t rows, std::size_t cols);
void affine_forward(float* y, const float* x, std::size_t n, float s, float c);  // y = s x + c
void affine_backward(float* dx, const float* dy, std::size_t n, float s);        // dx += s dy

// ---- element-wise (ops_pointwise.cpp): forward(y, x, n, arg), backward(dx, dy, x, y, n, arg) ----
#define DGM_GPU_UNARY(name)                                                   \
  void name##_forward(float* y, const float* x, std::size_t n, float arg);    \
  void name##_backward(float* dx, const float* dy, const float* x, const float* y, std::size_t n, float arg);
DGM_GPU_UNARY(exp)
DGM_GPU_UNARY(log)
DGM_GPU_UNARY(sqrt)
DGM_GPU_UNARY(square)
DGM_GPU_UNARY(relu)
DGM_GPU_UNARY(leaky_relu)
DGM_GPU_UNARY(sigmoid)
DGM_GPU_UNARY(tanh)
DGM_GPU_UNARY(softplus)
DGM_GPU_UNARY(log_sigmoid)
#undef DGM_GPU_UNARY

// ---- reductions (ops_reduce.cpp): y[g] = w sum_c x[g, c] (double, in order); dx[g, c] += w dy[g] ----
void reduce_forward(float* y, const float* x, std::size_t groups, std::size_t len, float w);
void reduce_backward(float* dx, const float* dy, std::size_t groups, std::size_t len, float w);

// ---- shape (ops_shape.cpp): a (rows, w) block between row strides src_ld and dst_ld ----
void copy_cols(float* dst, std::size_t dst_ld, const float* src, std::size_t src_ld, std::size_t rows, std::size_t w);
void add_cols(float* dst, std::size_t dst_ld, const float* src, std::size_t src_ld, std::size_t rows, std::size_t w);

// ---- losses (ops_loss.cpp), each (rows, cols) -> (rows, 1); `terms` is (rows, cols) scratch ----
// x == nullptr: every target is `target`.
void bce_forward(float* y, float* sig, float* terms, const float* l, const float* x, float target, std::size_t rows,
                 std::size_t cols);
// dl += dy_r (sig - x);  dx -= dy_r l  (either may be null)
void bce_backward(float* dl, float* dx, const float* sig, const float* l, const float* x, float target,
                  const float* dy, std::size_t rows, std::size_t cols);
void gaussian_nll_forward(float* y, float* terms, const float* x, const float* mu, const float* v, std::size_t rows,
                          std::size_t cols);
void gaussian_nll_backward(float* dx, float* dmu, float* dv, const float* dy, const float* x, const float* mu,
                           const float* v, std::size_t rows, std::size_t cols);
void kl_forward(float* y, float* terms, const float* mu, const float* v, std::size_t rows, std::size_t cols);
void kl_backward(float* dmu, float* dv, const float* dy, const float* mu, const float* v, std::size_t rows,
                 std::size_t cols);
void softmax_ce_forward(float* y, float* lse, const float* l, const float* t, std::size_t rows, std::size_t cols);
void softmax_ce_backward(float* dl, float* dt, const float* dy, const float* lse, const float* l, const float* t,
                         std::size_t rows, std::size_t cols);

// ---- optimizers (optim.cpp): one thread per parameter; g zeroed after use when zero_g ----
void sgd_step(float* w, float* g, float* v, std::size_t n, float lr, float mu, bool zero_g);
void adagrad_step(float* w, float* g, float* s, std::size_t n, float lr, float eps, bool zero_g);
void rmsprop_step(float* w, float* g, float* s, std::size_t n, float lr, float alpha, float eps, bool zero_g);
void adam_step(float* w, float* g, float* m, float* v, std::size_t n, float b1, float b2, float a, float ic2,
               float eps, bool zero_g);

// ---- small helpers ----
void add_at(float* p, float v);                               // p[0] += v (a gradient seed)
void clamp(float* w, std::size_t n, float lo, float hi);      // w = min(hi, max(lo, w))
// sum_i x_i^2 in double, in a fixed order (fixed partition, fixed tree): the gradient norm's square.
double sum_squares(const float* x, std::size_t n);

// ---- random fills (rng.cpp): the same numbers as the CPU's Rng from the same state ----
// y[j] = element j of Rng::fill_uniform / fill_normal started at s (src/backend/kernels_hd.h).
void fill_uniform(float* y, std::size_t n, const RngState& s, float lo, float hi);
void fill_normal(float* y, std::size_t n, const RngState& s, float mean, float stddev);

}  // namespace gpu
}  // namespace dgm
