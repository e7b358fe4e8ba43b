// device.h - where tensor memory lives: the CPU, or (in a `make CUDA=1` build) the GPU.
//
// A Tensor is a pointer and a shape; this header says how to get, fill, copy and free such
// pointers in device memory (cudaMalloc: plain device memory, never managed memory), and
// whether a pointer is one. The CUDA kernels themselves (namespace dgm::gpu, the same names as
// the CPU kernels) are in src/backend/cuda.cu; docs/architecture.md ("CUDA backend") says who
// dispatches to them.
//
// In a CPU build (no -DDGM_CUDA) nothing here refers to CUDA: kCudaBuild is false, on_device()
// is false, cuda_available() is false, and the memory functions are never reached (their callers
// ask for them only for memory of a Device::CUDA arena, store or buffer, which a CPU build cannot
// make): src/backend/device.cpp defines them there as stops with a message, so the callers need
// no #ifdef. The header uses no exceptions, RTTI or threads (the core's rule).
#pragma once
#include <cstddef>

namespace dgm {

enum class Device { CPU, CUDA };

#ifdef DGM_CUDA
constexpr bool kCudaBuild = true;
#else
constexpr bool kCudaBuild = false;
#endif

// "cpu" | "cuda"
const char* device_name(Device d);
// Parses "cpu" / "cuda"; false for anything else.
bool parse_device(const char* name, Device* out);

#ifdef DGM_CUDA
// True if a CUDA device can be used. When none can, false and *why (if given) says what the
// CUDA runtime answered ("no CUDA device: ...").
bool cuda_available(const char** why = nullptr);
// True if p points into memory from device_alloc (asks the CUDA runtime; false for host memory,
// and false without asking anything while no device memory has been allocated).
bool on_device(const void* p);
#else
inline bool cuda_available(const char** why = nullptr) {
  if (why) *why = "dgm was built without CUDA: rebuild with make CUDA=1";
  return false;
}
inline bool on_device(const void*) { return false; }
#endif

// Device memory, n floats (DGM_CHECK on failure; in a CPU build each stops: "built without CUDA").
float* device_alloc(std::size_t n);
void device_free(float* p);
void device_zero(float* p, std::size_t n);
void device_fill(float* p, std::size_t n, float value);
void device_upload(float* dst, const float* src, std::size_t n);    // host -> device
void device_download(float* dst, const float* src, std::size_t n);  // device -> host
void device_copy(float* dst, const float* src, std::size_t n);      // any -> any (UVA), memmove-safe
void device_sync();  // waits for every kernel launched so far

// n floats of device memory, zeroed, freed with the object. Move-only. Empty in a CPU build.
class DeviceBuffer {
 public:
  DeviceBuffer() = default;
  explicit DeviceBuffer(std::size_t n);
  ~DeviceBuffer() { release(); }
  DeviceBuffer(DeviceBuffer&& o) noexcept : p_(o.p_), n_(o.n_) { o.p_ = nullptr, o.n_ = 0; }
  DeviceBuffer& operator=(DeviceBuffer&& o) noexcept {
    if (this != &o) {
      release();
      p_ = o.p_, n_ = o.n_;
      o.p_ = nullptr, o.n_ = 0;
    }
    return *this;
  }
  DeviceBuffer(const DeviceBuffer&) = delete;
  DeviceBuffer& operator=(const DeviceBuffer&) = delete;
  float* data() const { return p_; }
  std::size_t size() const { return n_; }

 private:
  void release() {
    if (p_) device_free(p_);
    p_ = nullptr, n_ = 0;
  }
  float* p_ = nullptr;
  std::size_t n_ = 0;
};

}  // namespace dgm
