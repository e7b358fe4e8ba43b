// parallel.h - a fixed pool of worker threads and a parallel_for over a fixed partition.
//
// Work is always split into tasks by the caller in a way that does not depend on the number of
// threads, and every task writes its own outputs, so results are bitwise identical for any thread
// count. The thread count comes from set_num_threads(), else the DGM_THREADS environment
// variable, else the number of hardware threads. Built with -DDGM_NO_THREADS, everything runs on
// the calling thread (for targets without threads).
#pragma once

namespace dgm {

int num_threads();
void set_num_threads(int n);  // n >= 1

// Runs fn(ctx, task) for every task in [0, n_tasks) and returns when all are done.
// Allocates nothing per call once the pool has started.
void parallel_for(int n_tasks, void (*fn)(void* ctx, int task), void* ctx);

template <class F>
void parallel_for(int n_tasks, F& f) {
  parallel_for(n_tasks, [](void* c, int i) { (*static_cast<F*>(c))(i); }, &f);
}

}  // namespace dgm
