// params.h - all parameters of a model in ONE contiguous buffer.
//
// A model first declares its tensors (add), then finalize() makes one allocation for the values
// and one of the same size for the gradients. Optimizer state (momentum, Adam's m and v) is a
// parallel buffer of the same size, so every optimizer is one flat loop over size() floats.
// Layout: tensors are laid out in the order they were added, each row-major; docs/architecture.md
// and the C-array exporter rely on this order.
//
// Device: set_device(Device::CUDA) before finalize() puts the values and gradients in device
// memory (CUDA builds); value(), grad(), data() and grads() then point there, and a tape on a
// device arena uses them directly. The store keeps a host copy of the values for checkpoints
// and reports: to_host() refreshes it, host_value() reads it, to_device() sends it back.
#pragma once
#include <cstddef>
#include <string>
#include <vector>

#include "dgm/backend/device.h"
#include "dgm/core/tape.h"
#include "dgm/core/tensor.h"

namespace dgm {

class ParamStore {
 public:
  // Declares a tensor; returns its handle. Only before finalize().
  int add(const std::string& name, Tensor shape);
  // One allocation for values, one for gradients, both zeroed.
  void finalize();

  Tensor value(int h) const;
  Tensor grad(int h) const;
  const std::string& name(int h) const { return entries_[static_cast<std::size_t>(h)].name; }
  int count() const { return static_cast<int>(entries_.size()); }
  int find(const std::string& name) const;  // -1 if absent

  float* data() { return base(); }
  const float* data() const { return base(); }
  float* grads() { return grad_base(); }
  const float* grads() const { return grad_base(); }
  std::size_t size() const { return values_.size(); }  // floats in the buffer, padding included
  // Where tensor h starts in the buffer (and in a parallel optimizer buffer).
  std::size_t offset(int h) const;
  // The number of parameters: the tensors' sizes summed, without the padding.
  std::size_t count_values() const;
  bool finalized() const { return finalized_; }

  void zero_grad();

  // Where the values and gradients live; set before finalize().
  void set_device(Device d);
  Device device() const { return device_; }
  // The host copy of the values (the values themselves on the CPU): to_host() downloads them
  // into it, to_device() uploads it; both do nothing for a CPU store.
  Tensor host_value(int h) const;
  float* host_data() { return values_.data(); }
  void to_host();
  void to_device();

  // Whole-buffer operations, on the store's device:
  // sqrt(sum_i g_i^2) over the gradient buffer, summed in double (CPU: in index order; GPU: a
  // fixed partition and tree, so equal within double rounding). The GANs log it as grad_d and
  // grad_g (mode-collapse diagnostics, design.md item 6).
  double grad_norm() const;
  // w_i = min(hi, max(lo, w_i)) for every value (the WGAN's weight clipping).
  void clamp(float lo, float hi);
  // Values copied from a store of the same size (the AAE's mirror of its encoder).
  void copy_values_from(const ParamStore& src);

  // Puts tensor h on the tape: as a parameter (gradients accumulate into grad(h)) when the store
  // is trainable, as a constant otherwise (e.g. the discriminator during the generator's step:
  // gradients still flow *through* it to the generator, but its own weights get none).
  Var var(Tape& t, int h) const;
  void set_trainable(bool on) { trainable_ = on; }
  bool trainable() const { return trainable_; }

 private:
  struct Entry {
    std::string name;
    Tensor shape;
    std::size_t offset;
  };
  std::vector<Entry> entries_;
  float* base() const { return device_ == Device::CUDA ? dvalues_.data() : const_cast<float*>(values_.data()); }
  float* grad_base() const { return device_ == Device::CUDA ? dgrads_.data() : const_cast<float*>(grads_.data()); }
  // Tensor h's shape over its place in buf (base() or grad_base()); who: the caller, for the check.
  Tensor view(int h, float* buf, const char* who) const;
  std::vector<float> values_, grads_;  // on the device: values_ is the host copy, grads_ unused
  DeviceBuffer dvalues_, dgrads_;      // Device::CUDA only
  Device device_ = Device::CPU;
  std::size_t total_ = 0;
  bool finalized_ = false;
  bool trainable_ = true;
};

}  // namespace dgm
