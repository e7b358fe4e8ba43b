// test_parallel.cpp - the worker pool runs every task exactly once, for any thread count, call
// after call.
#include <doctest/doctest.h>

#include <vector>

#include "dgm/backend/parallel.h"

using namespace dgm;

namespace {

struct Counter {
  std::vector<int> hits;  // one slot per task: each task writes only its own slot
  static void run(void* ctx, int task) { ++static_cast<Counter*>(ctx)->hits[static_cast<std::size_t>(task)]; }
};

}  // namespace

TEST_CASE("parallel_for: every task runs exactly once, for 1..4 threads, many calls in a row") {
  const int saved = num_threads();
  const int sizes[] = {0, 1, 2, 3, 7, 64, 1000};
  for (int threads = 1; threads <= 4; ++threads) {
    set_num_threads(threads);
    CHECK(num_threads() == threads);
    for (int n : sizes) {
      Counter c;
      c.hits.assign(static_cast<std::size_t>(n), 0);
      const int calls = 50;
      for (int r = 0; r < calls; ++r) parallel_for(n, Counter::run, &c);
      int wrong = 0;
      for (int h : c.hits) wrong += h != calls;
      CAPTURE(threads);
      CAPTURE(n);
      CHECK(wrong == 0);
    }
  }
  set_num_threads(saved);
}

TEST_CASE("parallel_for: the lambda overload and uneven task lengths") {
  const int saved = num_threads();
  set_num_threads(3);
  std::vector<double> out(37, 0.0);
  auto body = [&](int i) {
    double s = 0.0;  // task i does i*1000 steps: tasks finish in a different order than claimed
    for (int k = 0; k < i * 1000; ++k) s += 1.0 / (k + 1.0);
    out[static_cast<std::size_t>(i)] = s + 1.0;
  };
  parallel_for(static_cast<int>(out.size()), body);
  for (std::size_t i = 0; i < out.size(); ++i) {
    double s = 0.0;
    for (int k = 0; k < static_cast<int>(i) * 1000; ++k) s += 1.0 / (k + 1.0);
    CHECK(out[i] == s + 1.0);
  }
  set_num_threads(saved);
}

TEST_CASE("parallel_for: a thread count below 1 is a programmer error") {
  CHECK_THROWS(set_num_threads(0));
  CHECK(num_threads() >= 1);
}

TEST_CASE("parallel_for: worker_index is 0 on the caller and below num_threads() in tasks") {
  const int saved = num_threads();
  CHECK(worker_index() == 0);
  for (int threads = 1; threads <= 3; ++threads) {
    set_num_threads(threads);
    std::vector<int> who(200, -1);
    auto body = [&](int i) {
      volatile double s = 0.0;  // a little work, so that the workers get some of the tasks
      for (int k = 0; k < 2000; ++k) s = s + k;
      who[static_cast<std::size_t>(i)] = worker_index();
    };
    parallel_for(static_cast<int>(who.size()), body);
    int bad = 0;
    for (int w : who) bad += w < 0 || w >= threads;
    CAPTURE(threads);
    CHECK(bad == 0);
  }
  CHECK(worker_index() == 0);
  set_num_threads(saved);
}
