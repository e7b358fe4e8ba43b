// gemm.cpp - TEMPORARY: naive only, replaced by the blocked implementation.
#include "dgm/gemm.h"

namespace dgm {

void gemm_naive(bool ta, bool tb, int M, int N, int K, const float* A, int lda, const float* B,
                int ldb, float* C, int ldc, bool accumulate) {
  for (int i = 0; i < M; ++i)
    for (int j = 0; j < N; ++j) {
      float s = 0.f;
      for (int k = 0; k < K; ++k) s += (ta ? A[k * lda + i] : A[i * lda + k]) * (tb ? B[j * ldb + k] : B[k * ldb + j]);
      C[i * ldc + j] = accumulate ? C[i * ldc + j] + s : s;
    }
}

void gemm(bool ta, bool tb, int M, int N, int K, const float* A, int lda, const float* B, int ldb,
          float* C, int ldc, bool accumulate) {
  gemm_naive(ta, tb, M, N, K, A, lda, B, ldb, C, ldc, accumulate);
}

}  // namespace dgm
