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
#include <cstddef>

namespace dgm {

int num_threads();
void set_num_threads(int n);  // n >= 1; restarts the pool at the next parallel_for if n changed

// Runs fn(ctx, task) for every task in [0, n_tasks) exactly once and returns when all are done.
// Tasks are claimed dynamically, in increasing order, by the caller and the workers.
// Allocates nothing per call once the pool has started.
void parallel_for(int n_tasks, void (*fn)(void* ctx, int task), void* ctx);

// Which thread is running the current task: 0 for the thread that called parallel_for (and
// outside parallel_for), 1 .. num_threads()-1 for the workers. Lets a task use per-thread
// scratch memory (gemm's packing buffers) that stays in that core's cache.
int worker_index();

template <class F>
void parallel_for(int n_tasks, F& f) {
  parallel_for(n_tasks, [](void* c, int i) { (*static_cast<F*>(c))(i); }, &f);
}

// f(begin, end) for the consecutive ranges of `chunk` elements (the last one shorter) that cover
// [0, n), in parallel when there are two or more. The cut depends on n and chunk only, so an
// elementwise loop split this way gives the same bits for any thread count. Inside a task (a
// nested call) the ranges run one after another on the calling thread.
template <class F>
void parallel_chunks(std::size_t n, std::size_t chunk, F& f) {
  if (chunk == 0) chunk = n > 0 ? n : 1;
  const std::size_t tasks = (n + chunk - 1) / chunk;
  if (tasks <= 1 || num_threads() == 1 || worker_index() != 0) {
    for (std::size_t b = 0; b < n; b += chunk) f(b, n - b < chunk ? n : b + chunk);
    return;
  }
  auto task = [&](int t) {
    const std::size_t b = static_cast<std::size_t>(t) * chunk;
    f(b, n - b < chunk ? n : b + chunk);
  };
  parallel_for(static_cast<int>(tasks), task);
}

}  // namespace dgm
