// parallel.cpp - the worker pool behind parallel_for (see include/dgm/backend/parallel.h).
//
// One job at a time. The caller publishes (fn, ctx, n_tasks), opens the job, bumps a generation
// counter and wakes the workers; everybody, caller included, claims task indices from one
// atomic counter until they run out. The caller waits until every task has finished, closes the
// job and waits for the workers inside it to leave. A worker that wakes up late (its core was
// busy with another program) finds the job closed and goes back to waiting, so the caller never
// waits for a worker that has no work. Waiting is a short spin (cheap when calls come back to
// back) followed by a condition variable.
#include "dgm/backend/parallel.h"

#include <cstdlib>

#include "dgm/core/check.h"

#if !defined(DGM_NO_THREADS)
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>
#endif

namespace dgm {
namespace {

int g_requested = 0;  // set_num_threads(); 0 = not set

}  // namespace

#if defined(DGM_NO_THREADS)

int num_threads() { return 1; }

int worker_index() { return 0; }

void set_num_threads(int n) {
  DGM_CHECK(n >= 1, "set_num_threads: n must be >= 1, got %d", n);
  g_requested = n;
}

void parallel_for(int n_tasks, void (*fn)(void* ctx, int task), void* ctx) {
  for (int i = 0; i < n_tasks; ++i) fn(ctx, i);
}

#else  // threads

namespace {

// DGM_THREADS, read once; 0 when unset or not a number in [1, 1024].
int env_threads() {
  static const int n = [] {
    const char* s = std::getenv("DGM_THREADS");
    if (!s || !*s) return 0;
    char* end = nullptr;
    long v = std::strtol(s, &end, 10);
    if (*end != '\0' || v < 1 || v > 1024) return 0;  // ignore garbage, use the default
    return static_cast<int>(v);
  }();
  return n;
}

thread_local int t_worker_index = 0;  // see worker_index()

// How long an idle thread spins before it sleeps on the condition variable.
constexpr auto kSpin = std::chrono::microseconds(200);

inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  asm volatile("yield");
#endif
}

class Pool {
 public:
  ~Pool() { stop(); }

  // Runs the job with n_workers worker threads (plus the caller). The pool is resized only when
  // the thread count changes, not per call.
  void run(int n_workers, int n_tasks, void (*fn)(void*, int), void* ctx) {
    if (static_cast<int>(workers_.size()) != n_workers) restart(n_workers);
    fn_ = fn;
    ctx_ = ctx;
    n_tasks_ = n_tasks;
    next_.store(0, std::memory_order_relaxed);
    finished_.store(0, std::memory_order_relaxed);
    open_.store(true);
    {
      std::lock_guard<std::mutex> lock(mutex_);
      generation_.fetch_add(1, std::memory_order_release);
    }
    wake_.notify_all();
    work();
    // Wait for the tasks that workers are still running (not for workers that never woke up).
    auto all_done = [this] { return finished_.load(std::memory_order_acquire) == n_tasks_; };
    if (!spin_until(all_done)) {
      std::unique_lock<std::mutex> lock(mutex_);
      done_.wait(lock, all_done);
    }
    // Close the job: a worker that joins from now on sees it closed and leaves fn_/ctx_ alone.
    // Those that joined before (active_, seq_cst on both sides) are leaving work() right now.
    open_.store(false);
    while (active_.load() != 0) std::this_thread::yield();
  }

 private:
  template <class Pred>
  static bool spin_until(Pred pred) {
    const auto t0 = std::chrono::steady_clock::now();
    for (unsigned i = 1;; ++i) {
      if (pred()) return true;
      cpu_relax();
      if (i % 64 == 0) {
        if (std::chrono::steady_clock::now() - t0 > kSpin) return false;
        std::this_thread::yield();  // lets an oversubscribed core run someone useful
      }
    }
  }

  void work() {
    for (;;) {
      const int t = next_.fetch_add(1, std::memory_order_relaxed);
      if (t >= n_tasks_) return;
      fn_(ctx_, t);
      if (finished_.fetch_add(1, std::memory_order_acq_rel) + 1 == n_tasks_) {
        std::lock_guard<std::mutex> lock(mutex_);  // pairs with the caller's wait
        done_.notify_one();
      }
    }
  }

  // `seen` is the generation before the worker's first job: a thread may start running only
  // after that job has been published, and must still take part in it.
  void worker_loop(int index, unsigned long seen) {
    t_worker_index = index;
    for (;;) {
      auto fresh = [&] { return generation_.load(std::memory_order_acquire) != seen; };
      if (!spin_until(fresh)) {
        std::unique_lock<std::mutex> lock(mutex_);
        wake_.wait(lock, fresh);
      }
      seen = generation_.load(std::memory_order_acquire);
      if (quit_.load()) return;
      active_.fetch_add(1);
      if (open_.load()) work();  // else the caller already finished the job without us
      active_.fetch_sub(1);
    }
  }

  void stop() {
    if (workers_.empty()) return;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      quit_.store(true);
      generation_.fetch_add(1, std::memory_order_release);
    }
    wake_.notify_all();
    for (std::thread& t : workers_) t.join();
    workers_.clear();
    quit_.store(false);
  }

  void restart(int n_workers) {
    stop();
    workers_.reserve(static_cast<std::size_t>(n_workers));
    const unsigned long g = generation_.load(std::memory_order_relaxed);
    for (int i = 0; i < n_workers; ++i) workers_.emplace_back([this, i, g] { worker_loop(i + 1, g); });
  }

  std::vector<std::thread> workers_;
  std::mutex mutex_;
  std::condition_variable wake_, done_;
  std::atomic<unsigned long> generation_{0};
  std::atomic<int> next_{0};
  std::atomic<int> finished_{0};  // tasks of the current job completed
  std::atomic<int> active_{0};    // workers inside the current job
  std::atomic<bool> open_{false}; // the current job still has tasks to hand out or finish
  std::atomic<bool> quit_{false};
  void (*fn_)(void*, int) = nullptr;
  void* ctx_ = nullptr;
  int n_tasks_ = 0;
};

Pool& pool() {
  static Pool p;
  return p;
}

}  // namespace

int num_threads() {
  if (g_requested > 0) return g_requested;
  if (env_threads() > 0) return env_threads();
  const unsigned hw = std::thread::hardware_concurrency();
  return hw > 0 ? static_cast<int>(hw) : 1;
}

void set_num_threads(int n) {
  DGM_CHECK(n >= 1, "set_num_threads: n must be >= 1, got %d", n);
  g_requested = n;
}

int worker_index() { return t_worker_index; }

void parallel_for(int n_tasks, void (*fn)(void* ctx, int task), void* ctx) {
  if (n_tasks <= 0) return;
  const int threads = num_threads();
  if (threads <= 1 || n_tasks == 1) {
    for (int i = 0; i < n_tasks; ++i) fn(ctx, i);
    return;
  }
  pool().run(threads - 1, n_tasks, fn, ctx);
}

#endif  // DGM_NO_THREADS

}  // namespace dgm
