// device.cpp - the host side of include/dgm/backend/device.h: device names, and DeviceBuffer. The
// device memory functions themselves are in src/backend/cuda.cu (CUDA builds only).
#include "dgm/backend/device.h"

#include <cstring>

#include "dgm/backend/kernels.h"
#include "dgm/core/check.h"

namespace dgm {

const char* device_name(Device d) { return d == Device::CUDA ? "cuda" : "cpu"; }

bool parse_device(const char* name, Device* out) {
  if (!std::strcmp(name, "cpu")) *out = Device::CPU;
  else if (!std::strcmp(name, "cuda")) *out = Device::CUDA;
  else return false;
  return true;
}

DeviceBuffer::DeviceBuffer(std::size_t n) {
  if (!kCudaBuild) {  // nothing to allocate in a CPU build: only the empty buffer exists
    DGM_CHECK(n == 0, "DeviceBuffer(%zu): dgm was built without CUDA: rebuild with make CUDA=1", n);
    return;
  }
  p_ = device_alloc(n);  // n == 0 too: a device pointer all the same (the optimizers' unused state)
  n_ = n;
  device_zero(p_, n);
}

#ifndef DGM_CUDA
// A CPU build: no table and no device memory (src/backend/cuda.cu has them in a CUDA build).
// Nothing can reach these: no arena, parameter store or buffer of a CPU build is on the device.
const Kernels* cuda_kernels() { return nullptr; }
namespace {
void no_cuda(const char* what) { DGM_CHECK(false, "%s: dgm was built without CUDA: rebuild with make CUDA=1", what); }
}  // namespace
float* device_alloc(std::size_t) {
  no_cuda("device_alloc");
  return nullptr;
}
void device_free(float*) { no_cuda("device_free"); }
void device_zero(float*, std::size_t) { no_cuda("device_zero"); }
void device_fill(float*, std::size_t, float) { no_cuda("device_fill"); }
void device_upload(float*, const float*, std::size_t) { no_cuda("device_upload"); }
void device_download(float*, const float*, std::size_t) { no_cuda("device_download"); }
void device_copy(float*, const float*, std::size_t) { no_cuda("device_copy"); }
void device_sync() { no_cuda("device_sync"); }
#endif

}  // namespace dgm
