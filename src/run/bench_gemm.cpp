// bench_gemm.cpp - the GEMM speed table of `dgm bench` (see include/dgm/run/bench.h).
//
// Rows are the products of one training step of an MLP VAE on 28x28 images, batch 128, first
// layer W: (400, 784) stored (out, in) as in nn.h, with the transposes those calls use:
//   forward   y  = x W^T   x (128, 784), W (400, 784)      M=128 N=400 K=784  trans_b
//   backward  dx = dy W    dy (128, 400), W (400, 784)     M=128 N=784 K=400
//   backward  dW = dy^T x  dy (128, 400), x (128, 784)     M=400 N=784 K=128  trans_a
//   decoder   y  = h W^T   h (128, 400), W (784, 400)      M=128 N=784 K=400  trans_b
// and a square 1024^3 for comparison with published numbers.
#include <chrono>
#include <cstdio>
#include <vector>

#include "dgm/run/bench.h"
#include "dgm/backend/gemm.h"
#include "dgm/backend/parallel.h"
#include "dgm/core/rng.h"
#ifdef DGM_CUDA
#include "../backend/gpu.h"
#include "dgm/backend/device.h"
#endif

namespace dgm {
namespace {

struct Shape {
  const char* label;
  bool ta, tb;
  int M, N, K;
};

using GemmFn = void (*)(bool, bool, int, int, int, const float*, int, const float*, int, float*,
                        int, bool);

// Best GFLOP/s over `reps` timed batches; a batch repeats the call until it has run >= min_s.
// sync (GPU): waits for the launched calls, before reading the clock.
double time_gemm(GemmFn f, const Shape& s, const float* A, const float* B, float* C, int reps,
                 double min_s, void (*sync)() = nullptr) {
  const int lda = s.ta ? s.M : s.K, ldb = s.tb ? s.K : s.N;
  const double flops = 2.0 * s.M * s.N * s.K;
  f(s.ta, s.tb, s.M, s.N, s.K, A, lda, B, ldb, C, s.N, false);  // warm-up (pool, buffers)
  if (sync) sync();
  double best = 0.0;
  for (int r = 0; r < reps; ++r) {
    int calls = 0;
    const auto t0 = std::chrono::steady_clock::now();
    double elapsed = 0.0;
    do {
      f(s.ta, s.tb, s.M, s.N, s.K, A, lda, B, ldb, C, s.N, false);
      ++calls;
      if (sync && calls % 16 == 0) sync();
      if (sync && calls % 16 != 0) continue;  // GPU: read the clock after every 16 calls, synchronised
      elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    } while (elapsed < min_s);
    const double gflops = flops * calls / elapsed * 1e-9;
    if (gflops > best) best = gflops;
  }
  return best;
}

const Shape kShapes[] = {
      {"x W^T  (128x784)(400x784)^T", false, true, 128, 400, 784},
      {"dy W   (128x400)(400x784)", false, false, 128, 784, 400},
      {"dy^T x (128x400)^T(128x784)", true, false, 400, 784, 128},
      {"h W^T  (128x400)(784x400)^T", false, true, 128, 784, 400},
      {"A B    (1024x1024)(1024x1024)", false, false, 1024, 1024, 1024},
};

}  // namespace

void bench_gemm(std::FILE* out) {
  const Shape* shapes = kShapes;
  const int saved_threads = num_threads();
  std::fprintf(out, "gemm GFLOP/s (2*M*N*K per call, best of 20 batches of >= 10 ms), micro-kernel %s\n",
               gemm_kernel_in_use());
  std::fprintf(out, "%-31s %5s %5s %5s %8s %10s %10s\n", "product", "M", "N", "K", "naive",
               "blocked:1", "blocked:2");
  Rng rng(1);
  for (int i = 0; i < 5; ++i) {
    const Shape& s = shapes[i];
    std::vector<float> A(static_cast<std::size_t>(s.M) * s.K), B(static_cast<std::size_t>(s.K) * s.N),
        C(static_cast<std::size_t>(s.M) * s.N);
    for (float& v : A) v = rng.normal();
    for (float& v : B) v = rng.normal();
    const bool big = static_cast<double>(s.M) * s.N * s.K > 1e8;
    set_num_threads(1);
    const double naive = time_gemm(gemm_naive, s, A.data(), B.data(), C.data(), big ? 1 : 5,
                                   big ? 0.0 : 0.01);
    const double b1 = time_gemm(gemm, s, A.data(), B.data(), C.data(), 20, 0.01);
    set_num_threads(2);
    const double b2 = time_gemm(gemm, s, A.data(), B.data(), C.data(), 20, 0.01);
    std::fprintf(out, "%-31s %5d %5d %5d %8.1f %10.1f %10.1f\n", s.label, s.M, s.N, s.K, naive,
                 b1, b2);
    std::fflush(out);
  }
  set_num_threads(saved_threads);
}

#ifdef DGM_CUDA
// The same shapes through gpu::gemm (src/backend/cuda.cu), operands in device memory.
void bench_gemm_cuda(std::FILE* out) {
  std::fprintf(out, "gemm GFLOP/s on the GPU (gpu::gemm, 64x64 tiles, fp32; best of 20 batches of >= 10 ms)\n");
  std::fprintf(out, "%-31s %5s %5s %5s %10s\n", "product", "M", "N", "K", "gpu");
  Rng rng(1);
  const GemmFn f = [](bool ta, bool tb, int M, int N, int K, const float* A, int lda, const float* B, int ldb,
                      float* C, int ldc, bool acc) { gpu::gemm(ta, tb, M, N, K, A, lda, B, ldb, C, ldc, acc); };
  for (const Shape& s : kShapes) {
    std::vector<float> A(static_cast<std::size_t>(s.M) * s.K), B(static_cast<std::size_t>(s.K) * s.N);
    for (float& v : A) v = rng.normal();
    for (float& v : B) v = rng.normal();
    DeviceBuffer dA(A.size()), dB(B.size()), dC(static_cast<std::size_t>(s.M) * s.N);
    device_upload(dA.data(), A.data(), A.size());
    device_upload(dB.data(), B.data(), B.size());
    const double g = time_gemm(f, s, dA.data(), dB.data(), dC.data(), 20, 0.01, device_sync);
    std::fprintf(out, "%-31s %5d %5d %5d %10.1f\n", s.label, s.M, s.N, s.K, g);
    std::fflush(out);
  }
}
#endif

}  // namespace dgm
