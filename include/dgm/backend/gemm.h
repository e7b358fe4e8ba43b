// gemm.h - matrix multiply, the hot path of every model.
//
//   C (M, N) = op(A) (M, K) * op(B) (K, N)          if accumulate is false
//   C (M, N) += op(A) (M, K) * op(B) (K, N)         if accumulate is true
// op(A) = A with A stored (M, K) row stride lda, or, if trans_a, A^T with A stored (K, M).
// op(B) = B with B stored (K, N) row stride ldb, or, if trans_b, B^T with B stored (N, K).
// All matrices row-major.
//
// gemm_naive is the reference: a plain triple loop, summing over k in increasing order.
// gemm is cache-blocked (packed panels, register-tiled micro-kernel) and multithreaded over a
// fixed partition of C, so its result does not depend on the thread count. The two agree within
// float rounding (different summation order), which test_gemm.cpp checks.
//
// With accumulate false, C is overwritten (its old contents, even NaN, are never read).
// gemm keeps its packing buffers between calls (grown only when a larger problem comes), so it
// allocates nothing in steady state; for the same reason it must be called from one thread at a
// time (it uses the parallel_for pool itself).
#pragma once
#include <cstddef>

namespace dgm {

void gemm_naive(bool trans_a, bool trans_b, int M, int N, int K, const float* A, int lda,
                const float* B, int ldb, float* C, int ldc, bool accumulate);

void gemm(bool trans_a, bool trans_b, int M, int N, int K, const float* A, int lda,
          const float* B, int ldb, float* C, int ldc, bool accumulate);

// Floats held by gemm's packing buffers now (for memory reports; stops growing once the largest
// shape has been seen).
std::size_t gemm_workspace_floats();

// The micro-kernels (src/backend/gemm_kernels.cpp) this CPU and build can run, widest first:
// "avx512", "avx2" (x86-64 builds, chosen at run time whatever -march says), "portable" (always).
// gemm uses the first unless told otherwise. Kernels whose gemm_kernel_fused is true sum with
// fused multiply-adds and give bitwise the same results.
const char* gemm_kernel_name(int i);      // the i-th, or nullptr past the last
const char* gemm_kernel_in_use();
bool gemm_select_kernel(const char* name);  // false (nothing changed) if there is no such kernel
bool gemm_kernel_fused(const char* name);

}  // namespace dgm
