// tape.cpp - the tape and the reverse walk (see include/dgm/core/tape.h).
#include "dgm/core/tape.h"

#include <cstring>

#include "dgm/core/check.h"

namespace dgm {

// The tape's kernel table, chosen once: the one of its arena's device (kernels_for). A CUDA arena
// exists only in a CUDA build, where cuda.cu provides its table.
Tape::Tape(Arena& arena) : arena_(&arena), kernels_(&kernels_for(arena.device())) {
  nodes_.reserve(256);
}

void Tape::no_kernel(const char* op) const {
  DGM_CHECK(false, "%s: no %s kernel yet; run this model with --device cpu", op, kernels_->device);
}

Var Tape::constant(Tensor value) {
  Node n;
  n.value = value;
  nodes_.push_back(n);
  return Var{size() - 1};
}

Var Tape::leaf(Tensor value) {
  Node n;
  n.value = value;
  n.needs_grad = true;
  nodes_.push_back(n);
  return Var{size() - 1};
}

Var Tape::param(Tensor value, Tensor grad) {
  DGM_CHECK(grad.size() == value.size(), "param: value %s and grad %s differ in size",
            shape_str(value).text, shape_str(grad).text);
  Node n;
  n.value = value;
  n.grad = grad;
  n.needs_grad = true;
  n.external_grad = true;
  nodes_.push_back(n);
  return Var{size() - 1};
}

Var Tape::push(Tensor value, BackwardFn backward, Var a, Var b, Var c) {
  Node n;
  n.value = value;
  n.backward = backward;
  const Var ins[3] = {a, b, c};
  for (int k = 0; k < 3; ++k) {
    DGM_CHECK(ins[k].id < size(), "tape: input %d refers to node %d of a tape with %d nodes", k,
              ins[k].id, size());
    n.in[k] = ins[k].id;
    if (ins[k].valid() && nodes_[static_cast<std::size_t>(ins[k].id)].needs_grad) n.needs_grad = true;
  }
  nodes_.push_back(n);
  return Var{size() - 1};
}

Tensor Tape::alloc(Tensor shape) { return arena_->tensor(shape); }

Tensor Tape::host_alloc(Tensor shape) { return on_device() ? host_.tensor(shape) : arena_->tensor(shape); }

Tensor Tape::upload(Tensor host) {
  if (!on_device()) return host;
  Tensor d = arena_->tensor(host);
  copy(d, host);  // host -> device (tensor.cpp dispatches on where the pointers live)
  return d;
}

Tensor Tape::host_copy(Tensor x) {
  if (!on_device()) return x;
  Tensor h = host_.tensor(x);
  copy(h, x);  // device -> host
  return h;
}

Tensor Tape::output_for(Tensor host) { return on_device() ? arena_->tensor(host) : host; }

const Tensor& Tape::value(Var v) const {
  DGM_CHECK(v.valid() && v.id < size(), "tape: no node %d (tape has %d)", v.id, size());
  return node(v.id).value;
}

Tensor& Tape::grad(Var v) {
  DGM_CHECK(v.valid() && v.id < size(), "tape: no node %d (tape has %d)", v.id, size());
  Node& n = node(v.id);
  DGM_CHECK(n.grad.data != nullptr, "tape: node %d %s has no gradient (constant, or backward not run)",
            v.id, shape_str(n.value).text);
  return n.grad;
}

void Tape::backward(Var loss) {
  DGM_CHECK(loss.valid() && loss.id < size(), "backward: no node %d", loss.id);
  DGM_CHECK(node(loss.id).value.size() == 1, "backward: loss must be a scalar, got %s",
            shape_str(node(loss.id).value).text);
  // 1. Mark the nodes the loss depends on: walking backwards, a node is on the path if a node
  //    on the path uses it (and it needs a gradient at all).
  for (int id = 0; id <= loss.id; ++id) node(id).on_path = false;
  node(loss.id).on_path = node(loss.id).needs_grad;
  for (int id = loss.id; id >= 0; --id) {
    const Node& n = node(id);
    if (!n.on_path) continue;
    for (int in : n.in)
      if (in >= 0 && node(in).needs_grad) node(in).on_path = true;
  }
  if (!node(loss.id).on_path) return;  // nothing trainable feeds the loss
  // 2. A zeroed gradient for every intermediate node on the path; parameters keep accumulating
  //    into their own (ParamStore) buffer. One block for all of them, zeroed at once (one memset;
  //    on the device one launch instead of one per node), cut in 64-byte-aligned slices.
  auto padded = [](std::size_t n) { return (n + 15) / 16 * 16; };
  std::size_t total = 0;
  for (int id = 0; id <= loss.id; ++id)
    if (node(id).on_path && !node(id).external_grad) total += padded(node(id).value.size());
  float* p = arena_->alloc_zero(total);
  for (int id = 0; id <= loss.id; ++id) {
    Node& n = node(id);
    if (!n.on_path || n.external_grad) continue;
    n.grad = n.value;
    n.grad.data = p;
    p += padded(n.value.size());
  }
  // d loss / d loss = 1
  kernels_->add_at(node(loss.id).grad.data, 1.0f);
  // 3. Creation order is a topological order: walk it backwards in a plain loop.
  for (int id = loss.id; id >= 0; --id) {
    Node& n = node(id);
    if (n.on_path && n.backward) n.backward(*this, id);
  }
}

void Tape::reset() {
  nodes_.clear();  // keeps capacity: no heap allocation next step
  arena_->reset();
  host_.reset();
}

}  // namespace dgm
