// test_arena.cpp - the arena: alignment, growth then a single block, fixed buffers, and the
// steady-state guarantee: after step 1 a training step allocates nothing from the heap.
#include <doctest/doctest.h>

#include <cstdint>
#include <cstdlib>
#include <new>

#include "ae_noise_step.h"
#include "alloc_counter.h"
#include "dgm/core/nn.h"
#include "dgm/core/ops.h"
#include "dgm/core/optim.h"

std::atomic<std::size_t> g_heap_allocations{0};

// Count every heap allocation made through operator new in this process.
void* operator new(std::size_t n) {
  g_heap_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }

using namespace dgm;

TEST_CASE("arena: 64-byte aligned blocks; grows, then merges into one block at reset") {
  Arena a;
  float* p = a.alloc(3);
  float* q = a.alloc(5);
  CHECK(reinterpret_cast<std::uintptr_t>(p) % 64 == 0);
  CHECK(reinterpret_cast<std::uintptr_t>(q) % 64 == 0);
  for (int i = 0; i < 10; ++i) a.alloc(1000 * (i + 1));
  const std::size_t hw = a.high_water();
  a.reset();
  CHECK(a.used() == 0);
  CHECK(a.capacity() >= hw);
  const std::size_t heap = a.heap_blocks_allocated();
  for (int i = 0; i < 10; ++i) a.alloc(1000 * (i + 1));
  a.alloc(3);
  a.alloc(5);
  a.reset();
  CHECK(a.heap_blocks_allocated() == heap);  // the same sequence fits: no new block
}

TEST_CASE("arena: a fixed caller buffer never allocates and reports overflow clearly") {
  alignas(64) static float buf[1024];
  Arena a(buf, 1024);
  CHECK(a.alloc(1000) == buf);
  CHECK_THROWS_WITH(a.alloc(100), doctest::Contains("fixed arena of 1024 floats is full"));
  CHECK(a.heap_blocks_allocated() == 0);
}

TEST_CASE("arena + tape: high-water mark and heap allocation count constant from step 2 on") {
  ParamStore p;
  MLP m = make_mlp(p, "net", {20, 32, 32, 20}, Act::ReLU, Act::None);
  p.finalize();
  Rng rng(1);
  init_mlp(p, m, rng);
  Optimizer opt(OptimConfig{}, p.size());
  Arena arena;
  Tape t(arena);
  std::size_t hw[5], new_calls[5], blocks[5];
  for (int step = 0; step < 5; ++step) {
    const std::size_t before = g_heap_allocations.load();
    ae_noise_step(t, p, m, opt, rng, 16, 20);
    hw[step] = arena.high_water();
    new_calls[step] = g_heap_allocations.load() - before;
    blocks[step] = arena.heap_blocks_allocated();
  }
  for (int step = 2; step < 5; ++step) {
    CHECK(hw[step] == hw[1]);
    CHECK(new_calls[step] == 0);        // no operator new during the step
    CHECK(blocks[step] == blocks[1]);   // the arena took no new block from the heap
  }
  MESSAGE("steps 1..5: arena high-water " << hw[0] << " " << hw[1] << " " << hw[2] << " " << hw[3] << " "
          << hw[4] << " floats; operator new calls " << new_calls[0] << " " << new_calls[1] << " "
          << new_calls[2] << " " << new_calls[3] << " " << new_calls[4]);
}
