// bench.h - speed benchmarks printed by `dgm bench` (`make bench`), so that a slowdown of the hot
// path is seen as a number rather than felt as a slower training run.
#pragma once
#include <cstdio>

namespace dgm {

// Prints a table of GEMM speeds in GFLOP/s (2*M*N*K flops per call, best of several timed
// repetitions): the reference gemm_naive on 1 thread, the blocked gemm on 1 and on 2 threads,
// for the shapes a VAE on 28x28 images (784 -> 400 -> ...) uses with batch 128, and for 1024^3.
// Restores the thread count it found.
void bench_gemm(std::FILE* out);
// The same shapes through the GPU's gemm (CUDA builds only; `dgm bench gemm --device cuda`).
void bench_gemm_cuda(std::FILE* out);

}  // namespace dgm
