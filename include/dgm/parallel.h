// parallel.h - a fixed pool of worker threads and a parallel_for over a fixed partition.
//
// Work is always split into tasks by the caller in a way that does not depend on the number of
// threads, and every task writes its own outputs, so results are bitwise identical for any thread
// count: which thread runs a task changes nothing but the time.
//
// The thread count comes from set_num_threads(), else the DGM_THREADS environment variable (read
// once, on first use), else the number of hardware threads. The calling thread takes part in the
// work, so n threads means the caller plus n-1 workers. Workers are started on the first
// parallel_for that needs them and then kept; between calls they spin briefly (so back-to-back
// calls, as in a training step, do not pay for a wake-up) and then sleep.
//
// Built with -DDGM_NO_THREADS, num_threads() is 1 and everything runs on the calling thread
// (for targets without threads); <thread> is not included.
//
// parallel_for is meant to be called from one thread at a time (the main thread), and not from
// inside a task (no nesting).
#pragma once

namespace dgm {

int num_threads();
void set_num_threads(int n);  // n >= 1; restarts the pool at the next parallel_for if n changed

// Runs fn(ctx, task) for every task in [0, n_tasks) exactly once and returns when all are done.
// Tasks are claimed dynamically, in increasing order, by the caller and the workers.
// Allocates nothing per call once the pool has started.
void parallel_for(int n_tasks, void (*fn)(void* ctx, int task), void* ctx);

template <class F>
void parallel_for(int n_tasks, F& f) {
  parallel_for(n_tasks, [](void* c, int i) { (*static_cast<F*>(c))(i); }, &f);
}

}  // namespace dgm
