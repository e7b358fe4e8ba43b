// arena.h - bump allocator for per-step temporaries (activations, gradients, scratch).
//
// alloc() hands out 64-byte-aligned float blocks; reset() frees them all at once. Nothing is freed
// one at a time, so a training step allocates nothing from the heap in steady state:
// - a growable arena (the default) may take more memory from the heap during the first step(s);
//   at the next reset() it merges what it used into one block of the high-water size, so from the
//   second step on the same memory is reused and the heap is not touched;
// - a fixed arena works in a caller-owned buffer (e.g. a static alignas(64) array on a
//   microcontroller) and never touches the heap; running out is a DGM_CHECK failure that says
//   how many floats were needed;
// - a device arena (Device::CUDA, CUDA builds only) does the same with device memory
//   (cudaMalloc): the tensors it hands out live on the GPU, and a Tape on it runs its ops there.
#pragma once
#include <cstddef>

#include "dgm/backend/device.h"
#include "dgm/core/tensor.h"

namespace dgm {

class Arena {
 public:
  // Growable arena; initial_floats may be 0 (it grows on first use). Device::CUDA: in device
  // memory (a DGM_CHECK failure in a CPU build or without a GPU).
  explicit Arena(std::size_t initial_floats = 0, Device device = Device::CPU);
  // Fixed arena in caller memory; never allocates.
  Arena(float* buffer, std::size_t capacity_floats);
  ~Arena();
  Arena(const Arena&) = delete;
  Arena& operator=(const Arena&) = delete;

  float* alloc(std::size_t n_floats);  // uninitialised
  float* alloc_zero(std::size_t n_floats);
  Tensor tensor(Tensor shape);  // shape from make_shape(), data from alloc()
  Tensor tensor_zero(Tensor shape);
  void reset();  // frees everything; merges blocks into one (see above)

  std::size_t used() const;        // floats handed out since the last reset
  std::size_t high_water() const;  // most floats ever in use at once
  std::size_t capacity() const;    // floats reserved now
  std::size_t heap_blocks_allocated() const;  // count of heap allocations ever made
  Device device() const { return device_; }

 private:
  struct Block {
    float* data;
    std::size_t cap;
    std::size_t used;
  };
  static constexpr int kMaxBlocks = 32;
  Block blocks_[kMaxBlocks];
  int nblocks_ = 0;
  bool owns_ = true;
  Device device_ = Device::CPU;
  std::size_t used_ = 0, high_ = 0, heap_allocs_ = 0;
  std::size_t total_cap() const;
  void add_block(std::size_t n);
  void free_block(float* p);
};

}  // namespace dgm
