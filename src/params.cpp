// params.cpp - one contiguous buffer for all parameters (see include/dgm/params.h).
#include "dgm/params.h"

#include <algorithm>

#include "dgm/check.h"

namespace dgm {

int ParamStore::add(const std::string& name, Tensor shape) {
  DGM_CHECK(!finalized_, "ParamStore::add(%s): store already finalized", name.c_str());
  DGM_CHECK(find(name) < 0, "ParamStore::add: duplicate name %s", name.c_str());
  shape.data = nullptr;
  entries_.push_back(Entry{name, shape, total_});
  // Keep every tensor 16-float (64-byte) aligned within the buffer, for vector loads.
  total_ += (shape.size() + 15) / 16 * 16;
  return count() - 1;
}

void ParamStore::finalize() {
  DGM_CHECK(!finalized_, "ParamStore::finalize: called twice");
  values_.assign(total_, 0.f);
  grads_.assign(total_, 0.f);
  finalized_ = true;
}

Tensor ParamStore::value(int h) const {
  DGM_CHECK(finalized_ && h >= 0 && h < count(), "ParamStore::value: bad handle %d (%d tensors, %s)",
            h, count(), finalized_ ? "finalized" : "not finalized");
  const Entry& e = entries_[static_cast<std::size_t>(h)];
  Tensor t = e.shape;
  t.data = const_cast<float*>(values_.data()) + e.offset;
  return t;
}

Tensor ParamStore::grad(int h) const {
  DGM_CHECK(finalized_ && h >= 0 && h < count(), "ParamStore::grad: bad handle %d (%d tensors, %s)",
            h, count(), finalized_ ? "finalized" : "not finalized");
  const Entry& e = entries_[static_cast<std::size_t>(h)];
  Tensor t = e.shape;
  t.data = const_cast<float*>(grads_.data()) + e.offset;
  return t;
}

int ParamStore::find(const std::string& name) const {
  for (int i = 0; i < count(); ++i)
    if (entries_[static_cast<std::size_t>(i)].name == name) return i;
  return -1;
}

void ParamStore::zero_grad() { std::fill(grads_.begin(), grads_.end(), 0.f); }

Var ParamStore::var(Tape& t, int h) const {
  return trainable_ ? t.param(value(h), grad(h)) : t.constant(value(h));
}

}  // namespace dgm
