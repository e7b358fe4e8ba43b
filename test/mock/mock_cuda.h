// mock_cuda.h - a CPU stand-in for the CUDA runtime and launches, so that the CUDA build's device
// paths run without a GPU (test/mock_cuda.sh). It is not a GPU emulator: kernels run serially.
// What it checks: (1) plumbing - "device memory" is host memory the host cannot touch
// (mprotect PROT_NONE) except inside a mock kernel or copy, so host code that reads or writes
// device memory without going through the backend crashes at once; (2) the per-element bodies
// of src/backend/cuda.cu, which are compiled from that file (mock_cuda.sh extracts its gpu::
// kernels; this header makes __device__ lambdas plain lambdas and for_each a serial loop).
#pragma once
#include <cstddef>
#include <cstring>

#define __device__
#define __host__
#define __global__
#define __launch_bounds__(x)

namespace dgm {

enum cudaError_t { cudaSuccess = 0, cudaErrorCudartUnloading = 4, cudaErrorMock = 999 };
enum cudaMemcpyKind { cudaMemcpyHostToDevice, cudaMemcpyDeviceToHost, cudaMemcpyDefault };
inline const char* cudaGetErrorString(cudaError_t e) { return e == cudaSuccess ? "no error" : "mock error"; }
inline cudaError_t cudaGetLastError() { return cudaSuccess; }

namespace mock {
void* alloc(std::size_t bytes);  // PROT_NONE pages, registered as device memory
void release(void* p);
void open();   // every device region readable and writable (nests)
void close();  // back to PROT_NONE when the outermost open closes
struct Scope {
  Scope() { open(); }
  ~Scope() { close(); }
  Scope(const Scope&) = delete;
  Scope& operator=(const Scope&) = delete;
};
}  // namespace mock

template <class T>
cudaError_t cudaMalloc(T** p, std::size_t bytes) {
  *p = static_cast<T*>(mock::alloc(bytes));
  return cudaSuccess;
}
inline cudaError_t cudaFree(void* p) {
  mock::release(p);
  return cudaSuccess;
}
inline cudaError_t cudaMemcpy(void* d, const void* s, std::size_t bytes, cudaMemcpyKind) {
  mock::Scope sc;
  std::memmove(d, s, bytes);
  return cudaSuccess;
}

void check_cuda(cudaError_t e, const char* what);
inline void check_launch(const char*) {}
constexpr int kThreads = 256;

// A launch: body(i) for i in [0, n), one after another, with device memory open.
template <class F>
void for_each(std::size_t n, F body, const char*) {
  mock::Scope sc;
  for (std::size_t i = 0; i < n; ++i) body(i);
}

}  // namespace dgm
