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
#ifdef DGM_CUDA
  p_ = device_alloc(n);
  n_ = n;
  device_zero(p_, n);
#else
  DGM_CHECK(n == 0, "DeviceBuffer(%zu): dgm was built without CUDA: rebuild with make CUDA=1", n);
#endif
}

#ifndef DGM_CUDA
const Kernels* cuda_kernels() { return nullptr; }  // the CUDA table is cuda.cu's (CUDA builds)
#endif

}  // namespace dgm
