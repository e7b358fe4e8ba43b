// tape.h - reverse-mode automatic differentiation on a tape.
//
// Every op appends one Node to the tape: its value, the ids of its inputs and a pointer to its
// backward function. Nodes are appended in creation order, which is already a topological order:
// backward() walks the tape from the last node to the first in a plain loop (no recursion, so
// deep graphs cannot overflow the stack) and each node adds (+=) its contribution to the
// gradients of its inputs. A node used twice (b = a + a) therefore receives both contributions.
//
// Memory: values and gradients of intermediate nodes live in the tape's Arena; parameters keep
// their value and gradient in a ParamStore and backward() accumulates into that gradient buffer.
// reset() forgets the nodes and resets the arena; the node vector keeps its capacity, so a
// training step allocates nothing from the heap after the first one.
//
// Device: a tape takes its kernel table (dgm/backend/kernels.h) from its arena's device when it
// is made: the CPU table, or the CUDA table for an Arena(0, Device::CUDA) (CUDA builds), so every
// op runs where its memory is; the ops call `kernels()` and never ask the device. Host code that builds or reads tensor
// data goes through host_alloc / upload / host_copy, which are free on a CPU tape.
#pragma once
#include <vector>

#include "dgm/backend/kernels.h"
#include "dgm/core/arena.h"
#include "dgm/core/tensor.h"

namespace dgm {

// The CPU kernel table (src/core/kernel_table.cpp): the fast kernels of src/backend/ where there
// are some, the op files' reference loops (dgm/core/ops_ref.h) elsewhere.
const Kernels& cpu_kernels();

// A handle to a node on a tape (an index). Cheap to copy.
struct Var {
  int id = -1;
  bool valid() const { return id >= 0; }
};

class Tape;
// Adds d loss / d inputs of node `id` into the inputs' gradients, given the node's own gradient.
using BackwardFn = void (*)(Tape& tape, int id);

struct Node {
  Tensor value;                 // forward result
  Tensor grad;                  // d loss / d value; set up by backward() (or a ParamStore buffer)
  BackwardFn backward = nullptr;  // nullptr for leaves
  int in[3] = {-1, -1, -1};     // input node ids (-1: unused)
  float f[2] = {0.f, 0.f};      // scalar arguments of the op (scale factor, slope, target, ...)
  int i[2] = {0, 0};            // integer arguments (slice offsets, transpose flags, ...)
  Tensor saved;                 // an intermediate the backward needs (e.g. sigmoid of the input)
  bool needs_grad = false;      // true if any path leads from a trainable leaf to this node
  bool external_grad = false;   // grad points into a ParamStore buffer (not owned by the tape)
  bool on_path = false;         // set by backward(): the loss depends on this node
};

class Tape {
 public:
  explicit Tape(Arena& arena);

  // Leaves.
  Var constant(Tensor value);          // data, labels, noise: no gradient flows into it
  Var leaf(Tensor value);              // an input whose gradient we want (grad readable after backward)
  Var param(Tensor value, Tensor grad);  // a weight: backward() adds into `grad` (+=)

  // Used by ops: appends a node whose inputs are a, b, c (any may be invalid) and returns it.
  // The node needs a gradient if any input does.
  Var push(Tensor value, BackwardFn backward, Var a, Var b = Var{}, Var c = Var{});

  // Allocates an uninitialised tensor of the given shape from the tape's arena.
  Tensor alloc(Tensor shape);

  const Tensor& value(Var v) const;
  Tensor& grad(Var v);  // valid after backward() for nodes with needs_grad
  Node& node(int id) { return nodes_[static_cast<std::size_t>(id)]; }
  const Node& node(int id) const { return nodes_[static_cast<std::size_t>(id)]; }
  Node& node(Var v) { return node(v.id); }
  int size() const { return static_cast<int>(nodes_.size()); }
  Arena& arena() { return *arena_; }

  // The kernel table of the tape's device, chosen once in the constructor.
  const Kernels& kernels() const { return *kernels_; }
  // `entry` of the table, checked: an op whose device has no kernel (a null entry, or false for
  // host_loops) stops here with one message naming the op and the device.
  template <class Entry>
  Entry need(Entry entry, const char* op) const {
    if (!entry) no_kernel(op);
    return entry;
  }
  // True when the tape's arena is device memory (the host boundary below uses it).
  bool on_device() const { return kCudaBuild && arena_->device() == Device::CUDA; }
  // The host boundary (docs/architecture.md, "CUDA backend"); each is free on a CPU tape:
  //   host_alloc(shape) a tensor the host can write (a batch being built): from the arena on a
  //                     CPU tape, from the tape's host scratch on a device tape;
  //   upload(x)         a host tensor in the tape's memory: x itself on a CPU tape, else a
  //                     device copy from the arena;
  //   host_copy(x)      a tensor of the tape's memory readable by the host: x itself on a CPU
  //                     tape, else a copy in host scratch (this waits for the GPU);
  //   output_for(h)     where an op may write a result that ends in the host tensor h: h itself
  //                     on a CPU tape, else a tensor of its shape from the arena; then
  //                     copy(h, it) (free on a CPU tape: the same floats).
  // Host scratch is a growable host Arena reset with the tape, so it stops allocating once it
  // has reached its high-water mark.
  Tensor host_alloc(Tensor shape);
  Tensor upload(Tensor host);
  Tensor host_copy(Tensor x);
  Tensor output_for(Tensor host);

  // loss must hold one element. Marks the nodes the loss depends on, zeroes their gradients
  // (intermediate nodes only), seeds d loss / d loss = 1, then calls each marked node's backward
  // from the last node to the first. Nodes the loss does not depend on are left alone, so one
  // tape can hold several sub-steps (a GAN's D step, then its G step), each with its own
  // backward, without running the other sub-steps' backward passes.
  void backward(Var loss);

  // Forgets all nodes and resets the arena (all values and intermediate gradients are freed).
  void reset();

 private:
  void no_kernel(const char* op) const;
  Arena* arena_;
  const Kernels* kernels_;
  Arena host_;  // host scratch of a device tape (never used by a CPU tape)
  std::vector<Node> nodes_;
};

}  // namespace dgm
