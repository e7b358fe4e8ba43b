// ops_ref.h - the reference kernels: each op's forward and backward as the plain loops of its
// formula, defined in the op's file (src/core/ops_*.cpp) beside the op, in namespace dgm::ref.
// Every one has the signature of its entry in the kernel table (dgm/backend/kernels.h): some are
// the CPU table's entry themselves (arith, reduce, shape, the Gaussian and KL losses, softmax
// cross-entropy, the per-channel bias, batch normalization), the others are what
// test/test_kernels.cpp checks the fast CPU kernels against.
#pragma once
#include <cmath>
#include <cstddef>

#include "dgm/backend/kernels.h"

namespace dgm {

namespace ref {

// sigmoid(x) and softplus(x) = log(1 + e^x) by the C library, stable for either sign of x.
inline float sigmoid_of(float x) { return x >= 0.f ? 1.f / (1.f + std::exp(-x)) : std::exp(x) / (1.f + std::exp(x)); }
inline float softplus_of(float x) { return std::fmax(x, 0.f) + std::log1p(std::exp(-std::fabs(x))); }

// ops_linalg.cpp (the product itself: gemm_naive, dgm/backend/gemm.h)
void bias_grad(float* db, const float* dy, std::size_t rows, std::size_t n);

// ops_arith.cpp
void arith_forward(int op, int k, float* y, const float* a, const float* b, std::size_t rows, std::size_t cols);
void arith_backward(int op, int k, float* da, float* db, const float* dy, const float* a, const float* b,
                    std::size_t rows, std::size_t cols);
void affine_forward(float* y, const float* x, std::size_t n, float s, float c);
void affine_backward(float* dx, const float* dy, std::size_t n, float s);

// ops_pointwise.cpp
DGM_UNARY_KERNELS(DGM_DECLARE_UNARY)  // exp_forward, exp_backward, ... (dgm/backend/kernels.h)

// ops_reduce.cpp
void reduce_forward(float* y, const float* x, std::size_t groups, std::size_t len, float w);
void reduce_backward(float* dx, const float* dy, std::size_t groups, std::size_t len, float w);

// ops_shape.cpp
void copy_cols(float* dst, std::size_t dst_ld, const float* src, std::size_t src_ld, std::size_t rows, std::size_t w);
void add_cols(float* dst, std::size_t dst_ld, const float* src, std::size_t src_ld, std::size_t rows, std::size_t w);

// ops_loss.cpp (the `terms` scratch is unused here: always null on the CPU)
void bce_forward(float* y, float* sig, float* terms, const float* l, const float* x, float target, std::size_t rows,
                 std::size_t cols);
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

// ops_conv.cpp: the per-channel bias and batch normalization (the convolutions themselves:
// conv2d_*_ref, dgm/backend/conv.h)
void channel_bias_forward(float* y, const float* b, int N, int C, int HW);
void channel_bias_backward(float* db, const float* dy, int N, int C, int HW);
void batch_norm_forward(float* y, float* xhat, float* inv_std, float* running_mean, float* running_var,
                        const float* x, const float* gamma, const float* beta, int N, int C, int HW, bool training,
                        float momentum, float eps);
void batch_norm_backward(float* dx, float* dgamma, float* dbeta, const float* dy, const float* xhat,
                         const float* inv_std, const float* gamma, int N, int C, int HW, bool training);

// optim.cpp: the optimizer updates (each formula in dgm/backend/kernels.h)
void sgd_step(float* w, float* g, float* v, std::size_t n, float lr, float mu, bool zero_g);
void adagrad_step(float* w, float* g, float* G, std::size_t n, float lr, float eps, bool zero_g);
void rmsprop_step(float* w, float* g, float* r, std::size_t n, float lr, float alpha, float eps, bool zero_g);
void adam_step(float* w, float* g, float* m, float* v, std::size_t n, const AdamStep& a, bool zero_g);

// params.cpp: sum_i x_i^2 in double, in index order; w = min(hi, max(lo, w))
double sum_squares(const float* x, std::size_t n);
void clamp(float* w, std::size_t n, float lo, float hi);

}  // namespace ref
}  // namespace dgm
