// alloc_counter.h - counts calls to the global operator new in this test binary
// (test_arena.cpp replaces operator new/delete and increments the counter).
#pragma once
#include <atomic>
#include <cstddef>

extern std::atomic<std::size_t> g_heap_allocations;
