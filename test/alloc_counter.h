// alloc_counter.h - counts calls to the global operator new in this test binary
// (test_arena.cpp replaces operator new/delete and increments the counter).
#pragma once
#include <atomic>
#include <cstddef>

extern std::atomic<std::size_t> g_heap_allocations;

#include <doctest/doctest.h>

#include "dgm/core/arena.h"

// Runs step() n times and checks the steady state: from the third call on, no operator new and
// the arena's high-water mark no longer moves (the first steps may size the arena and vectors).
template <class Step>
void check_no_allocation_per_step(Step step, const dgm::Arena& arena, int n = 5) {
  std::size_t hw[8], calls[8];
  REQUIRE(n <= 8);
  for (int s = 0; s < n; ++s) {
    const std::size_t before = g_heap_allocations.load();
    step();
    calls[s] = g_heap_allocations.load() - before;
    hw[s] = arena.high_water();
  }
  for (int s = 2; s < n; ++s) {
    CHECK(hw[s] == hw[1]);
    CHECK(calls[s] == 0);
  }
}
