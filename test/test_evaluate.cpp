// test_evaluate.cpp - evaluate_model reports its progress (what `dgm eval` draws on a terminal)
// without changing a figure, and names the units of the VAE's bounds.
#include <doctest/doctest.h>

#include <string>
#include <utility>
#include <vector>

#include "small_run.h"
#include "dgm/run/checkpoint.h"
#include "dgm/run/evaluate.h"
#include "dgm/io/fileio.h"
#include "dgm/run/train.h"

using namespace dgm;

TEST_CASE("evaluate: progress goes from 0 to every test image, and the figures do not depend on it") {
  Config c = test_run::small_run("vae", "", {16}, 2, 500, "build/test-runs/eval-progress");
  c.epochs = 1;
  c.iw = 2;
  TrainReport r = test_run::train_ok(c);
  CHECK(r.test.n == 0);  // quiet: no test-set pass
  auto [cc, m, ts] = test_run::reopen(join_path(c.out, "model.safetensors"));
  RunData d;
  Status s = load_run_data(cc, &d);
  REQUIRE_MESSAGE(s.ok, s.message);

  StepLog plain, watched;
  evaluate_model(*m, d, 1, &plain);
  std::vector<std::pair<int, int>> calls;
  evaluate_model(*m, d, 1, &watched, [&](int done, int total) { calls.emplace_back(done, total); });
  const int n = d.images.test.n;
  REQUIRE(calls.size() == static_cast<std::size_t>(1 + (n + 499) / 500));  // 0, then after each batch of 500
  CHECK(calls.front() == std::make_pair(0, n));
  CHECK(calls.back() == std::make_pair(n, n));
  for (std::size_t i = 1; i < calls.size(); ++i) CHECK(calls[i].first > calls[i - 1].first);
  REQUIRE(plain.n == watched.n);
  for (int i = 0; i < plain.n; ++i) {
    CHECK(std::string(plain.name[i]) == watched.name[i]);
    CHECK(plain.value[i] == watched.value[i]);  // exact: the same computation
  }
  CHECK(metric_unit("test_loss", d) == "nats per image");
  CHECK(metric_unit("test_iwae", d) == "nats per image");
  CHECK(metric_unit("mmd_codes_prior", d) == "");
}
