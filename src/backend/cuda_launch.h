// cuda_launch.h - what the CUDA files (src/backend/*.cu) share: the error checks and
// `for_each(n, body)`, which runs body(i) for every i in [0, n) on the GPU, one thread per index
// (grid-stride), with body a __device__ lambda that reads like the CPU loop. Private to
// src/backend/, compiled by nvcc only; test/mock_cuda.sh's test/mock/mock_cuda.h stands in for it
// (for_each as a serial loop) when the kernel bodies run on the CPU.
#pragma once
#include <cuda_runtime.h>

#include <cstddef>

#include "dgm/core/check.h"

namespace dgm {

constexpr int kThreads = 256;

inline void check_cuda(cudaError_t e, const char* what) {
  DGM_CHECK(e == cudaSuccess, "CUDA: %s failed: %s", what, cudaGetErrorString(e));
}
// A launch error (bad configuration, no device) is reported at once; errors inside a kernel
// surface at the next synchronising call (a download), with that call's name.
inline void check_launch(const char* what) { check_cuda(cudaGetLastError(), what); }

template <class F>
__global__ void for_each_kernel(std::size_t n, F f) {
  const std::size_t stride = static_cast<std::size_t>(gridDim.x) * blockDim.x;
  for (std::size_t i = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += stride) f(i);
}

// body(i) for every i in [0, n), one GPU thread each.
template <class F>
void for_each(std::size_t n, F body, const char* what) {
  if (n == 0) return;
  std::size_t blocks = (n + kThreads - 1) / kThreads;
  if (blocks > (1u << 20)) blocks = 1u << 20;  // the grid-stride loop covers the rest
  for_each_kernel<<<static_cast<unsigned>(blocks), kThreads>>>(n, body);
  check_launch(what);
}

}  // namespace dgm
