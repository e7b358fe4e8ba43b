// gpu.h - the CUDA kernels (src/backend/cuda.cu) that code outside it calls by name: the GEMM (for
// test/test_cuda.cpp and `dgm bench`), the sum of squares (which test/mock_cuda.sh emulates) and the
// random fills (rng.cpp). Every other kernel is reached only through cuda.cu's kernel table
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
#include <cstdint>

#include "dgm/backend/pcg.h"

namespace dgm {
namespace gpu {

// ---- linear algebra (ops_linalg.cpp) ----
// C = op(A) op(B) (+ bias row) or C += op(A) op(B); see include/dgm/backend/gemm.h. bias may be null.
void gemm(bool trans_a, bool trans_b, int M, int N, int K, const float* A, int lda, const float* B, int ldb,
          float* C, int ldc, bool accumulate, const float* bias = nullptr);

// sum_i x_i^2 in double, in a fixed order (fixed partition, fixed tree): the gradient norm's square.
double sum_squares(const float* x, std::size_t n);

// ---- random fills (rng.cpp): the same numbers as the CPU's Rng from the same state ----
// y[j] = element j of Rng::fill_uniform / fill_normal started at s (src/backend/kernels_hd.h).
void fill_uniform(float* y, std::size_t n, const RngState& s, float lo, float hi);
void fill_normal(float* y, std::size_t n, const RngState& s, float mean, float stddev);

}  // namespace gpu
}  // namespace dgm
