// emulate_gemm.h - one block of cuda.cu's gemm_kernel run on the CPU: the block's 256 threads one
// after another within each phase (load / accumulate / store), which is the order __syncthreads()
// guarantees on the GPU. Used by test/test_cuda_math.cpp (the kernel's arithmetic, no device) and
// test/mock/mock_cuda.cpp (the mock GPU's launches).
#pragma once
#include <algorithm>
#include <cstddef>
#include <vector>
#include "../../src/backend/kernels_hd.h"

namespace dgm::hd {

// Block (row0, col0) of C = op(A) op(B) (+ bias), as gemm_kernel computes it.
inline void emulate_gemm_block(const GemmArgs& g, int row0, int col0) {
  GemmShared sh;
  std::vector<float> acc(static_cast<std::size_t>(kGemmThreads) * 16, 0.f);
  auto acc_of = [&](int t) { return reinterpret_cast<float(*)[4]>(&acc[static_cast<std::size_t>(t) * 16]); };
  for (int k0 = 0; k0 < g.K; k0 += kTileK) {
    for (int t = 0; t < kGemmThreads; ++t) gemm_load(sh, g, t, row0, col0, k0);
    for (int t = 0; t < kGemmThreads; ++t) gemm_accumulate(sh, t, acc_of(t));
  }
  for (int t = 0; t < kGemmThreads; ++t) gemm_store(g, t, row0, col0, acc_of(t));
}

}  // namespace dgm::hd
