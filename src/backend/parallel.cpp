// parallel.cpp - the worker pool behind parallel_for (see include/dgm/parallel.h).
//
// One job at a time. The caller publishes (fn, ctx, n_tasks), bumps a generation counter and
// wakes the workers; everybody, caller included, claims task indices from one atomic counter
// until they run out. Each worker then checks in; the caller returns once every worker has
// checked in, so no worker can still be reading the job when the next one is published.
// Waiting is a short spin (cheap when calls come back to back) followed by a condition variable.
#include "dgm/parallel.h"

#include <cstdlib>

#include "dgm/check.h"

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

}  // namespace

#if defined(DGM_NO_THREADS)

int num_threads() { return 1; }

void set_num_threads(int n) {
  DGM_CHECK(n >= 1, "set_num_threads: n must be >= 1, got %d", n);
  g_requested = n;
}

void parallel_for(int n_tasks, void (*fn)(void* ctx, int task), void* ctx) {
  for (int i = 0; i < n_tasks; ++i) fn(ctx, i);
}

#else  // threads

namespace {

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
  // the thread count changes, not per call; workers that find no task left just check in.
  void run(int n_workers, int n_tasks, void (*fn)(void*, int), void* ctx) {
    if (static_cast<int>(workers_.size()) != n_workers) restart(n_workers);
    fn_ = fn;
    ctx_ = ctx;
    n_tasks_ = n_tasks;
    next_.store(0, std::memory_order_relaxed);
    pending_.store(n_workers, std::memory_order_relaxed);
    {
      std::lock_guard<std::mutex> lock(mutex_);
      generation_.fetch_add(1, std::memory_order_release);
    }
    wake_.notify_all();
    work();
    // Wait until every worker has checked in.
    if (!spin_until([this] { return pending_.load(std::memory_order_acquire) == 0; })) {
      std::unique_lock<std::mutex> lock(mutex_);
      done_.wait(lock, [this] { return pending_.load(std::memory_order_acquire) == 0; });
    }
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
    }
  }

  // `seen` is the generation before the worker's first job: a thread may start running only
  // after that job has been published, and must still take part in it.
  void worker_loop(unsigned long seen) {
    for (;;) {
      auto fresh = [&] { return generation_.load(std::memory_order_acquire) != seen; };
      if (!spin_until(fresh)) {
        std::unique_lock<std::mutex> lock(mutex_);
        wake_.wait(lock, fresh);
      }
      seen = generation_.load(std::memory_order_acquire);
      if (quit_) return;
      work();
      if (pending_.fetch_sub(1, std::memory_order_acq_rel) == 1) {
        std::lock_guard<std::mutex> lock(mutex_);  // pairs with the caller's wait
        done_.notify_one();
      }
    }
  }

  void stop() {
    if (workers_.empty()) return;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      quit_ = true;
      generation_.fetch_add(1, std::memory_order_release);
    }
    wake_.notify_all();
    for (std::thread& t : workers_) t.join();
    workers_.clear();
    quit_ = false;
  }

  void restart(int n_workers) {
    stop();
    workers_.reserve(static_cast<std::size_t>(n_workers));
    const unsigned long g = generation_.load(std::memory_order_relaxed);
    for (int i = 0; i < n_workers; ++i) workers_.emplace_back([this, g] { worker_loop(g); });
  }

  std::vector<std::thread> workers_;
  std::mutex mutex_;
  std::condition_variable wake_, done_;
  std::atomic<unsigned long> generation_{0};
  std::atomic<int> next_{0};
  std::atomic<int> pending_{0};
  bool quit_ = false;  // written under mutex_ before a generation bump, read after it
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
