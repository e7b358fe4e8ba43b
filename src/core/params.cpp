// params.cpp - one contiguous buffer for all parameters (see include/dgm/core/params.h).
#include "dgm/core/params.h"

#include <algorithm>
#include <cstdint>
#include <cmath>
#include <cstring>

#include "dgm/core/check.h"
#include "dgm/core/checked.h"
#include "dgm/core/ops_ref.h"

namespace dgm {

int ParamStore::add(const std::string& name, Tensor shape) {
  DGM_CHECK(!finalized_, "ParamStore::add(%s): store already finalized", name.c_str());
  DGM_CHECK(find(name) < 0, "ParamStore::add: duplicate name %s", name.c_str());
  shape.data = nullptr;
  // The element count and the running total in checked arithmetic: sizes come from configs that
  // validate() and the memory plan (dgm/run/limits.h) have bounded, so an overflow here is a bug.
  std::uint64_t n = 1;
  for (int i = 0; i < shape.ndim; ++i)
    DGM_CHECK(shape.dim[i] >= 0 && checked_mul(n, static_cast<std::uint64_t>(shape.dim[i]), &n),
              "ParamStore::add(%s): shape %s overflows", name.c_str(), shape_str(shape).text);
  std::uint64_t total = 0;
  DGM_CHECK(checked_add(n, 15, &n) && checked_add(total_, n / 16 * 16, &total) && total <= SIZE_MAX / sizeof(float),
            "ParamStore::add(%s): %zu floats plus shape %s overflow", name.c_str(), total_, shape_str(shape).text);
  entries_.push_back(Entry{name, shape, total_});
  // Keep every tensor 16-float (64-byte) aligned within the buffer, for vector loads.
  total_ = static_cast<std::size_t>(total);
  return count() - 1;
}

void ParamStore::finalize() {
  DGM_CHECK(!finalized_, "ParamStore::finalize: called twice");
  values_.assign(total_, 0.f);
  if (device_ == Device::CUDA) {  // zeroed device buffers; values_ stays as the host copy
    dvalues_ = DeviceBuffer(total_);
    dgrads_ = DeviceBuffer(total_);
  } else {
    grads_.assign(total_, 0.f);
  }
  finalized_ = true;
}

void ParamStore::set_device(Device d) {
  DGM_CHECK(!finalized_, "ParamStore::set_device: only before finalize()");
  if (d == Device::CUDA) {
    const char* why = nullptr;
    DGM_CHECK(cuda_available(&why), "ParamStore on the CUDA device: %s", why);
  }
  device_ = d;
}

Tensor ParamStore::host_value(int h) const {
  Tensor t = value(h);
  t.data = const_cast<float*>(values_.data()) + entries_[static_cast<std::size_t>(h)].offset;
  return t;
}

void ParamStore::to_host() {
  if (device_ == Device::CUDA && finalized_) device_download(values_.data(), dvalues_.data(), total_);
}

void ParamStore::to_device() {
  if (device_ == Device::CUDA && finalized_) device_upload(dvalues_.data(), values_.data(), total_);
}

Tensor ParamStore::view(int h, float* buf, const char* who) const {
  DGM_CHECK(finalized_ && h >= 0 && h < count(), "ParamStore::%s: bad handle %d (%d tensors, %s)", who,
            h, count(), finalized_ ? "finalized" : "not finalized");
  const Entry& e = entries_[static_cast<std::size_t>(h)];
  Tensor t = e.shape;
  t.data = buf + e.offset;
  return t;
}

Tensor ParamStore::value(int h) const { return view(h, base(), "value"); }

Tensor ParamStore::grad(int h) const { return view(h, grad_base(), "grad"); }

std::size_t ParamStore::offset(int h) const {
  DGM_CHECK(h >= 0 && h < count(), "ParamStore::offset: bad handle %d (%d tensors)", h, count());
  return entries_[static_cast<std::size_t>(h)].offset;
}

std::size_t ParamStore::count_values() const {
  std::size_t n = 0;
  for (const Entry& e : entries_) n += e.shape.size();
  return n;
}

int ParamStore::find(const std::string& name) const {
  for (int i = 0; i < count(); ++i)
    if (entries_[static_cast<std::size_t>(i)].name == name) return i;
  return -1;
}

void ParamStore::zero_grad() {
  if (device_ == Device::CUDA) return device_zero(dgrads_.data(), total_);
  std::fill(grads_.begin(), grads_.end(), 0.f);
}

// |g| = sqrt(sum_i g_i^2), the sum the device's kernel (in double; on the CPU in index order).
double ParamStore::grad_norm() const { return std::sqrt(kernels_for(device_).sum_squares(grads(), total_)); }

void ParamStore::clamp(float lo, float hi) { kernels_for(device_).clamp(data(), total_, lo, hi); }

void ParamStore::copy_values_from(const ParamStore& src) {
  DGM_CHECK(src.size() == size() && src.device() == device_, "ParamStore::copy_values_from: %zu floats on %s from %zu on %s",
            size(), device_name(device_), src.size(), device_name(src.device()));
  if (device_ == Device::CUDA) return device_copy(data(), src.data(), size());
  std::memcpy(data(), src.data(), size() * sizeof(float));
}

namespace ref {
double sum_squares(const float* x, std::size_t n) {
  double s = 0.0;
  for (std::size_t i = 0; i < n; ++i) s += static_cast<double>(x[i]) * x[i];
  return s;
}
void clamp(float* w, std::size_t n, float lo, float hi) {
  for (std::size_t i = 0; i < n; ++i) w[i] = std::min(hi, std::max(lo, w[i]));
}
}  // namespace ref

Var ParamStore::var(Tape& t, int h) const {
  return trainable_ ? t.param(value(h), grad(h)) : t.constant(value(h));
}

}  // namespace dgm
