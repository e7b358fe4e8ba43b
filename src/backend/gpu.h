// gpu.h - the CUDA kernels that code outside their file calls by name: the GEMM of
// src/backend/cuda.cu (for test/test_cuda.cpp, `dgm bench` and cuda_conv.cu), the sum of squares
// (which test/mock_cuda.sh emulates), and the kernels of src/backend/cuda_conv.cu (the
// convolution, the per-channel bias, batch normalization), which cuda.cu's table points at.
// Every other kernel, the random fills included, is reached only through cuda.cu's kernel table
// (cuda_kernels(); dgm/backend/kernels.h gives each entry's formula and signature). Private to
// src/; included only in a CUDA build (#ifdef DGM_CUDA).
//
// Every kernel has the name and argument order of the CPU kernel it replaces (outputs first,
// then inputs, then sizes; gradients accumulate with +=), and takes device pointers. All are
// launched on the default stream, so they run in call order; none synchronises with the host
// except those that return a value. Reductions run in a fixed order (never atomics), so a
// result does not change from run to run; where the CPU sums sequentially (bias gradient,
// broadcast gradients, per-row loss sums) one GPU thread sums the same terms in the same order.
#pragma once
#include <cstddef>

#include "dgm/backend/conv.h"

namespace dgm {
namespace gpu {

// ---- linear algebra (ops_linalg.cpp) ----
// C = op(A) op(B) (+ bias row) or C += op(A) op(B); see include/dgm/backend/gemm.h. bias may be null.
void gemm(bool trans_a, bool trans_b, int M, int N, int K, const float* A, int lda, const float* B, int ldb,
          float* C, int ldc, bool accumulate, const float* bias = nullptr);

// sum_i x_i^2 in double, in a fixed order (fixed partition, fixed tree): the gradient norm's square.
double sum_squares(const float* x, std::size_t n);

// ---- convolutional ops (ops_conv.cpp; src/backend/cuda_conv.cu), the CPU kernels' signatures ----
// the convolution of dgm/backend/conv.h, each += into its output; work: conv_workspace_floats(s)
void conv2d_forward(float* y, const float* x, const float* w, const ConvShape& s, float* work);
void conv2d_backward_data(float* dx, const float* dy, const float* w, const ConvShape& s, float* work);
void conv2d_backward_weight(float* dw, const float* dy, const float* x, const ConvShape& s, float* work,
                            bool patches_ready);
// y (N, C, HW) += b[c];  db[c] += sum_{n,k} dy[n,c,k]
void channel_bias_forward(float* y, const float* b, int N, int C, int HW);
void channel_bias_backward(float* db, const float* dy, int N, int C, int HW);
// batch normalization (the formulas of dgm/backend/kernels.h's entries)
void batch_norm_forward(float* y, float* xhat, float* inv_std, float* running_mean, float* running_var,
                        const float* x, const float* gamma, const float* beta, int N, int C, int HW, bool training,
                        float momentum, float eps);
void batch_norm_backward(float* dx, float* dgamma, float* dbeta, const float* dy, const float* xhat,
                         const float* inv_std, const float* gamma, int N, int C, int HW, bool training);

}  // namespace gpu
}  // namespace dgm
