// gemm_vs_openblas.cpp - `make bench`: dgm::gemm beside OpenBLAS's cblas_sgemm, shape by shape,
// interleaved in one process (dgm, OpenBLAS, dgm, OpenBLAS, ... the best batch of each kept), with
// 1 and 2 threads. OpenBLAS (Debian's libopenblas) is linked into this benchmark only, never into
// the library or the `dgm` command. Each figure is GFLOP/s (2*M*N*K per call); ratio = dgm/OpenBLAS
// (above 1: dgm faster). The 1-thread columns are timed in the calling thread's CPU time (both
// libraries then run on the calling thread alone), so a loaded machine disturbs them less; the
// 2-thread columns in wall time.
// The second table is the ceiling issue 13 measures the VAE epoch against: the step's own 11
// products (784-H-20, mu | logvar one 40-wide layer, batch B) run back to back by each library,
// times the steps of one epoch of 60,000 images: the epoch's time if everything but the GEMM
// were free. `bench/peers.sh` prints dgm's epoch beside it.
#include <cblas.h>
#ifndef OPENBLAS_VERSION  // another library's cblas.h (the Makefile links -lopenblas all the same)
#define OPENBLAS_VERSION " OpenBLAS (version unknown) "
#endif

#include <algorithm>
#include <chrono>
#include <ctime>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "dgm/backend/gemm.h"
#include "dgm/backend/parallel.h"
#include "dgm/core/rng.h"

extern "C" void openblas_set_num_threads(int);

namespace {

struct Shape {
  const char* label;
  bool ta, tb;
  int M, N, K;
};

// The VAE step (784-400-20, batch 128), 1024^3, and the GAN grid's skinny products (batch 512,
// 2-wide data, 1-wide critic output).
const Shape kShapes[] = {
    {"vae x W^T", false, true, 128, 400, 784},
    {"vae dy W", false, false, 128, 784, 400},
    {"vae dy^T x", true, false, 400, 784, 128},
    {"vae h W^T", false, true, 128, 784, 400},
    {"square", false, false, 1024, 1024, 1024},
    {"gan G out y=hW^T", false, true, 512, 2, 128},
    {"gan G out dx=dyW", false, false, 512, 128, 2},
    {"gan G out dW", true, false, 2, 128, 512},
    {"gan D in y=xW^T", false, true, 512, 128, 2},
    {"gan D in dx", false, false, 512, 2, 128},
    {"gan D in dW", true, false, 128, 2, 512},
    {"gan D out y", false, true, 512, 1, 128},
    {"gan D out dW", true, false, 1, 128, 512},
    {"gan hidden y=hW^T", false, true, 512, 128, 128},
};

std::string cpu_model() {
  std::ifstream f("/proc/cpuinfo");
  std::string line;
  while (std::getline(f, line))
    if (line.compare(0, 10, "model name") == 0) return line.substr(line.find(':') + 2);
  return "unknown";
}

void run_dgm(const Shape& s, const float* A, const float* B, float* C) {
  dgm::gemm(s.ta, s.tb, s.M, s.N, s.K, A, s.ta ? s.M : s.K, B, s.tb ? s.K : s.N, C, s.N, false);
}
void run_blas(const Shape& s, const float* A, const float* B, float* C) {
  cblas_sgemm(CblasRowMajor, s.ta ? CblasTrans : CblasNoTrans, s.tb ? CblasTrans : CblasNoTrans,
              s.M, s.N, s.K, 1.0f, A, s.ta ? s.M : s.K, B, s.tb ? s.K : s.N, 0.0f, C, s.N);
}

double thread_cpu_s() {
  timespec t;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + 1e-9 * static_cast<double>(t.tv_nsec);
}
double wall_s() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// GFLOP/s of one batch: calls repeated until >= min_s on the given clock.
double batch(void (*f)(const Shape&, const float*, const float*, float*), const Shape& s,
             const float* A, const float* B, float* C, double min_s, double (*clock)()) {
  int calls = 0;
  double el = 0;
  const double t0 = clock();
  do {
    f(s, A, B, C);
    ++calls;
    el = clock() - t0;
  } while (el < min_s);
  return 2.0 * s.M * s.N * s.K * calls / el * 1e-9;
}

// The VAE step's products in the order the tape runs them: forward x W1^T, h W2^T, z W3^T,
// h3 W4^T; backward dW4 = dy^T h3, dh3 = dy W4, dW3, dz, dW2, dh, dW1 (no dx for the data).
std::vector<Shape> vae_step(int H, int B) {
  const int D = 784, J = 20;
  return {{"", false, true, B, H, D},      {"", false, true, B, 2 * J, H}, {"", false, true, B, H, J},
          {"", false, true, B, D, H},      {"", true, false, D, H, B},     {"", false, false, B, H, D},
          {"", true, false, H, J, B},      {"", false, false, B, J, H},    {"", true, false, 2 * J, H, B},
          {"", false, false, B, H, 2 * J}, {"", true, false, H, D, B}};
}

// Seconds of one pass over the step's products (the best of `reps` batches of >= 20 ms).
double step_seconds(void (*f)(const Shape&, const float*, const float*, float*), const std::vector<Shape>& step,
                    const float* A, const float* B, float* C, int reps, double (*clock)()) {
  double best = 1e30;
  for (int r = 0; r < reps; ++r) {
    int calls = 0;
    const double t0 = clock();
    double el = 0;
    do {
      for (const Shape& s : step) f(s, A, B, C);
      ++calls;
      el = clock() - t0;
    } while (el < 0.02);
    if (el / calls < best) best = el / calls;
  }
  return best;
}

void ceiling_table(int reps) {
  std::printf("\nthe VAE step's 11 products back to back, as seconds per epoch (60,000 images; 1 thread:\n"
              "thread CPU time, 2 threads: wall time; the ceiling for the epoch is the faster library's)\n");
  std::printf("%-18s %5s %5s | %8s %8s | %8s %8s\n", "vae 784-H-20", "H", "B", "dgm:1", "blas:1", "dgm:2", "blas:2");
  const int configs[][2] = {{400, 128}, {2048, 128}, {400, 512}};
  for (const auto& hb : configs) {
    const std::vector<Shape> step = vae_step(hb[0], hb[1]);
    std::size_t most = 0;
    for (const Shape& s : step)
      most = std::max(most, std::max(static_cast<std::size_t>(s.M) * s.K, std::max(static_cast<std::size_t>(s.K) * s.N,
                                                                                     static_cast<std::size_t>(s.M) * s.N)));
    std::vector<float> A(most), B(most), C(most);
    dgm::Rng rng(2);
    for (float& v : A) v = rng.normal();
    for (float& v : B) v = rng.normal();
    const double steps = (60000 + hb[1] - 1) / hb[1];
    std::printf("%-18s %5d %5d", "epoch, GEMM only", hb[0], hb[1]);
    for (int t = 1; t <= 2; ++t) {
      dgm::set_num_threads(t);
      openblas_set_num_threads(t);
      double (*clock)() = t == 1 ? thread_cpu_s : wall_s;
      double d = 1e30, b = 1e30;
      for (int r = 0; r < reps; ++r) {  // interleaved: dgm, OpenBLAS, dgm, ...
        d = std::min(d, step_seconds(run_dgm, step, A.data(), B.data(), C.data(), 1, clock));
        b = std::min(b, step_seconds(run_blas, step, A.data(), B.data(), C.data(), 1, clock));
      }
      std::printf(" | %8.3f %8.3f", d * steps, b * steps);
    }
    std::printf("\n");
    std::fflush(stdout);
  }
}

}  // namespace

int main(int argc, char** argv) {
  int reps = 15;
  if (argc > 1) reps = std::atoi(argv[1]);
  std::printf("gemm GFLOP/s, dgm (micro-kernel %s) beside%s, interleaved batches (best of %d, >= 5 ms each;\n"
              "1 thread: thread CPU time, 2 threads: wall time)\n",
              dgm::gemm_kernel_in_use(), OPENBLAS_VERSION, reps);
  std::printf("cpu: %s\n", cpu_model().c_str());
  std::printf("%-18s %5s %5s %5s | %8s %8s %6s | %8s %8s %6s\n", "product", "M", "N", "K", "dgm:1",
              "blas:1", "ratio", "dgm:2", "blas:2", "ratio");
  dgm::Rng rng(1);
  for (const Shape& s : kShapes) {
    std::vector<float> A(static_cast<std::size_t>(s.M) * s.K), B(static_cast<std::size_t>(s.K) * s.N),
        C(static_cast<std::size_t>(s.M) * s.N);
    for (float& v : A) v = rng.normal();
    for (float& v : B) v = rng.normal();
    std::printf("%-18s %5d %5d %5d", s.label, s.M, s.N, s.K);
    for (int t = 1; t <= 2; ++t) {
      dgm::set_num_threads(t);
      openblas_set_num_threads(t);
      run_dgm(s, A.data(), B.data(), C.data());
      run_blas(s, A.data(), B.data(), C.data());
      double bd = 0, bb = 0;
      for (int r = 0; r < reps; ++r) {
        double (*clock)() = t == 1 ? thread_cpu_s : wall_s;
        const double d = batch(run_dgm, s, A.data(), B.data(), C.data(), 0.005, clock);
        const double b = batch(run_blas, s, A.data(), B.data(), C.data(), 0.005, clock);
        if (d > bd) bd = d;
        if (b > bb) bb = b;
      }
      std::printf(" | %8.1f %8.1f %6.2f", bd, bb, bd / bb);
    }
    std::printf("\n");
    std::fflush(stdout);
  }
  ceiling_table(reps < 7 ? reps : 7);
  return 0;
}
