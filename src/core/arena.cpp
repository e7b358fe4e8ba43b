// arena.cpp - bump allocator for per-step temporaries (see include/dgm/core/arena.h).
#include "dgm/core/arena.h"

#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "dgm/core/check.h"

namespace dgm {
namespace {
constexpr std::size_t kAlignFloats = 16;  // 64 bytes: a cache line, and room for AVX-512 loads
std::size_t round_up(std::size_t n) {
  DGM_CHECK(n <= SIZE_MAX / sizeof(float) - kAlignFloats, "Arena: %zu floats overflow a size", n);
  return (n + kAlignFloats - 1) / kAlignFloats * kAlignFloats;
}
}  // namespace

Arena::Arena(std::size_t initial_floats, Device device) : device_(device) {
  if (device == Device::CUDA) {
    const char* why = nullptr;
    DGM_CHECK(cuda_available(&why), "Arena on the CUDA device: %s", why);
  }
  if (initial_floats > 0) add_block(initial_floats);
}

Arena::Arena(float* buffer, std::size_t capacity_floats) : owns_(false) {
  DGM_CHECK(buffer != nullptr, "Arena: null buffer");
  DGM_CHECK(reinterpret_cast<std::uintptr_t>(buffer) % 64 == 0,
            "Arena: caller buffer must be 64-byte aligned (use alignas(64))");
  blocks_[0] = Block{buffer, capacity_floats, 0};
  nblocks_ = 1;
}

Arena::~Arena() {
  if (owns_)
    for (int i = 0; i < nblocks_; ++i) free_block(blocks_[i].data);
}

void Arena::free_block(float* p) {
  if (device_ == Device::CUDA) return device_free(p);
  std::free(p);
}

void Arena::add_block(std::size_t n) {
  DGM_CHECK(nblocks_ < kMaxBlocks, "Arena: more than %d blocks", kMaxBlocks);
  n = round_up(n);
  void* p = device_ == Device::CUDA ? device_alloc(n) : std::aligned_alloc(64, n * sizeof(float));
  DGM_CHECK(p != nullptr, "Arena: out of memory allocating %zu floats", n);
  blocks_[nblocks_++] = Block{static_cast<float*>(p), n, 0};
  ++heap_allocs_;
}

float* Arena::alloc(std::size_t n) {
  n = round_up(n == 0 ? 1 : n);  // <= SIZE_MAX / 4, as is every block: b->used + n cannot wrap
  // Only the last block receives new allocations; earlier blocks are full.
  Block* b = nblocks_ ? &blocks_[nblocks_ - 1] : nullptr;
  if (!b || b->used + n > b->cap) {
    DGM_CHECK(owns_, "Arena: fixed arena of %zu floats is full: %zu in use, %zu more requested",
              total_cap(), used_, n);
    std::size_t grow = total_cap();  // at least double what we have
    add_block(n > grow ? n : grow);
    b = &blocks_[nblocks_ - 1];
  }
  float* p = b->data + b->used;
  b->used += n;
  used_ += n;
  if (used_ > high_) high_ = used_;
  return p;
}

float* Arena::alloc_zero(std::size_t n) {
  float* p = alloc(n);
  if (device_ == Device::CUDA) device_zero(p, n);
  else std::memset(p, 0, n * sizeof(float));
  return p;
}

Tensor Arena::tensor(Tensor shape) {
  shape.data = alloc(shape.size());
  return shape;
}

Tensor Arena::tensor_zero(Tensor shape) {
  shape.data = alloc_zero(shape.size());
  return shape;
}

void Arena::reset() {
  if (owns_ && nblocks_ > 1) {
    // Merge: one block big enough for the high-water mark, so the next step fits in one block.
    for (int i = 0; i < nblocks_; ++i) free_block(blocks_[i].data);
    nblocks_ = 0;
    add_block(high_);
  }
  for (int i = 0; i < nblocks_; ++i) blocks_[i].used = 0;
  used_ = 0;
}

std::size_t Arena::used() const { return used_; }
std::size_t Arena::high_water() const { return high_; }
std::size_t Arena::capacity() const { return total_cap(); }
std::size_t Arena::heap_blocks_allocated() const { return heap_allocs_; }

std::size_t Arena::total_cap() const {
  std::size_t c = 0;
  for (int i = 0; i < nblocks_; ++i) c += blocks_[i].cap;
  return c;
}

}  // namespace dgm
