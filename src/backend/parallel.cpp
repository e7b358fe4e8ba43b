// parallel.cpp - TEMPORARY serial version, replaced by the thread pool.
#include "dgm/parallel.h"

namespace dgm {
static int g_threads = 1;
int num_threads() { return g_threads; }
void set_num_threads(int n) { g_threads = n < 1 ? 1 : n; }
void parallel_for(int n_tasks, void (*fn)(void* ctx, int task), void* ctx) {
  for (int i = 0; i < n_tasks; ++i) fn(ctx, i);
}
}  // namespace dgm
