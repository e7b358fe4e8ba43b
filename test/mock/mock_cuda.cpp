// mock_cuda.cpp - the mock device memory of mock_cuda.h and the device.h functions on it, plus
// the two kernels of cuda.cu that use shared memory (gemm, sum_squares), emulated block by block
// in the same order of operations. See test/mock_cuda.sh.
#include "mock_cuda.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <vector>

#include "backend/gpu.h"
#include "backend/kernels_hd.h"
#include "emulate_gemm.h"
#include "dgm/core/check.h"
#include "dgm/backend/device.h"

namespace dgm {
namespace mock {
namespace {
struct Region {
  char* p;
  std::size_t bytes;
};
std::vector<Region> g_regions;
int g_open = 0;
std::size_t round_pages(std::size_t b) {
  const std::size_t pg = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
  return (b + pg - 1) / pg * pg;
}
void protect_all(int prot) {
  for (const Region& r : g_regions)
    if (mprotect(r.p, r.bytes, prot) != 0) std::abort();
}
}  // namespace

void* alloc(std::size_t bytes) {
  const std::size_t b = round_pages(bytes ? bytes : 1);
  void* p = mmap(nullptr, b, g_open ? PROT_READ | PROT_WRITE : PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) std::abort();
  g_regions.push_back(Region{static_cast<char*>(p), b});
  return p;
}
void release(void* p) {
  for (std::size_t i = 0; i < g_regions.size(); ++i)
    if (g_regions[i].p == p) {
      munmap(g_regions[i].p, g_regions[i].bytes);
      g_regions.erase(g_regions.begin() + static_cast<long>(i));
      return;
    }
  std::fprintf(stderr, "mock cudaFree: %p is not device memory\n", p);
  std::abort();
}
void open() {
  if (g_open++ == 0) protect_all(PROT_READ | PROT_WRITE);
}
void close() {
  if (--g_open == 0) protect_all(PROT_NONE);
}
}  // namespace mock

void check_cuda(cudaError_t e, const char* what) { DGM_CHECK(e == cudaSuccess, "mock CUDA: %s failed", what); }

// ---- device.h ----
bool cuda_available(const char** why) {
  if (why) *why = "";
  return true;
}
bool on_device(const void* p) {
  const char* c = static_cast<const char*>(p);
  for (const auto& r : mock::g_regions)
    if (c >= r.p && c < r.p + r.bytes) return true;
  return false;
}
float* device_alloc(std::size_t n) { return static_cast<float*>(mock::alloc(n * sizeof(float))); }
void device_free(float* p) {
  if (p) mock::release(p);
}
void device_zero(float* p, std::size_t n) {
  mock::Scope s;
  std::memset(p, 0, n * sizeof(float));
}
void device_fill(float* p, std::size_t n, float v) {
  mock::Scope s;
  for (std::size_t i = 0; i < n; ++i) p[i] = v;
}
void device_upload(float* d, const float* s, std::size_t n) {
  DGM_CHECK(on_device(d) && !on_device(s), "mock upload: wrong direction");
  cudaMemcpy(d, s, n * sizeof(float), cudaMemcpyHostToDevice);
}
void device_download(float* d, const float* s, std::size_t n) {
  DGM_CHECK(!on_device(d) && on_device(s), "mock download: wrong direction");
  cudaMemcpy(d, s, n * sizeof(float), cudaMemcpyDeviceToHost);
}
void device_copy(float* d, const float* s, std::size_t n) { cudaMemcpy(d, s, n * sizeof(float), cudaMemcpyDefault); }
void device_sync() {}

namespace gpu {

// gemm_kernel of cuda.cu: blocks (x, y, z) one after another; within a block the phases of all
// 256 threads in turn (what __syncthreads() orders on the GPU).
void mock_gemm_launch(unsigned gx, unsigned gy, unsigned gz, const hd::GemmArgs& g0, float* ws) {
  DGM_CHECK(on_device(g0.A) && on_device(g0.B) && on_device(g0.C), "gpu::gemm: an operand is not device memory");
  mock::Scope sc;
  for (unsigned bz = 0; bz < gz; ++bz)
    for (unsigned by = 0; by < gy; ++by)
      for (unsigned bx = 0; bx < gx; ++bx) {
        const hd::GemmArgs g = gz > 1 ? hd::gemm_split(g0, static_cast<int>(bz), static_cast<int>(gz), ws) : g0;
        hd::emulate_gemm_block(g, static_cast<int>(by) * hd::kTileM, static_cast<int>(bx) * hd::kTileN);
      }
}

// sum_squares of cuda.cu: the same partition and tree, block by block.
double sum_squares(const float* x, std::size_t n) {
  DGM_CHECK(on_device(x), "gpu::sum_squares: not device memory");
  if (n == 0) return 0.0;
  constexpr int kSumBlocks = 1024;
  const std::size_t nb = (n + kThreads - 1) / kThreads;
  const int nblocks = static_cast<int>(nb < static_cast<std::size_t>(kSumBlocks) ? nb : kSumBlocks);
  mock::Scope sc;
  double total = 0.0;
  std::vector<double> s(kThreads);
  for (int b = 0; b < nblocks; ++b) {
    const std::size_t stride = static_cast<std::size_t>(nblocks) * kThreads;
    for (int t = 0; t < kThreads; ++t) {
      double acc = 0.0;
      for (std::size_t i = static_cast<std::size_t>(b) * kThreads + t; i < n; i += stride)
        acc += static_cast<double>(x[i]) * x[i];
      s[static_cast<std::size_t>(t)] = acc;
    }
    for (int h = kThreads / 2; h > 0; h /= 2)
      for (int t = 0; t < h; ++t) s[static_cast<std::size_t>(t)] += s[static_cast<std::size_t>(t + h)];
    total += s[0];
  }
  return total;
}

}  // namespace gpu
}  // namespace dgm
