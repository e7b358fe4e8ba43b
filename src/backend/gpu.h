// gpu.h - the CUDA kernels (src/backend/cuda.cu) that code outside it calls by name: the GEMM (for
// test/test_cuda.cpp and `dgm bench`) and the sum of squares (which test/mock_cuda.sh emulates).
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

namespace dgm {
namespace gpu {

// ---- linear algebra (ops_linalg.cpp) ----
// C = op(A) op(B) (+ bias row) or C += op(A) op(B); see include/dgm/backend/gemm.h. bias may be null.
void gemm(bool trans_a, bool trans_b, int M, int N, int K, const float* A, int lda, const float* B, int ldb,
          float* C, int ldc, bool accumulate, const float* bias = nullptr);

// sum_i x_i^2 in double, in a fixed order (fixed partition, fixed tree): the gradient norm's square.
double sum_squares(const float* x, std::size_t n);

}  // namespace gpu
}  // namespace dgm
