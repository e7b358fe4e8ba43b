// params.h - all parameters of a model in ONE contiguous buffer.
//
// A model first declares its tensors (add), then finalize() makes one allocation for the values
// and one of the same size for the gradients. Optimizer state (momentum, Adam's m and v) is a
// parallel buffer of the same size, so every optimizer is one flat loop over size() floats.
// Layout: tensors are laid out in the order they were added, each row-major; docs/architecture.md
// and the C-array exporter rely on this order.
#pragma once
#include <cstddef>
#include <string>
#include <vector>

#include "dgm/tape.h"
#include "dgm/tensor.h"

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

  float* data() { return values_.data(); }
  const float* data() const { return values_.data(); }
  float* grads() { return grads_.data(); }
  const float* grads() const { return grads_.data(); }
  std::size_t size() const { return values_.size(); }
  bool finalized() const { return finalized_; }

  void zero_grad();

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
  std::vector<float> values_, grads_;
  std::size_t total_ = 0;
  bool finalized_ = false;
  bool trainable_ = true;
};

}  // namespace dgm
