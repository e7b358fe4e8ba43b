// test_determinism.cpp - same seed, same bits: training twice, and with other thread counts,
// gives bitwise identical weights.
#include <doctest/doctest.h>

#include <cstring>
#include <vector>

#include "ae_noise_step.h"
#include "dgm/core/nn.h"
#include "dgm/core/ops.h"
#include "dgm/core/optim.h"
#include "dgm/backend/parallel.h"

using namespace dgm;

namespace {

// 30 Adam steps of a 64-256-256-64 MLP autoencoder on random data; returns the final weights.
// The sizes are large enough that gemm splits the work over threads.
std::vector<float> train(std::uint64_t seed, int threads) {
  set_num_threads(threads);
  ParamStore p;
  MLP m = make_mlp(p, "ae", {64, 256, 256, 64}, Act::Tanh, Act::None);
  p.finalize();
  Rng rng(seed);
  init_mlp(p, m, rng);
  Optimizer opt(OptimConfig{}, p.size());
  Arena arena;
  Tape t(arena);
  for (int step = 0; step < 30; ++step) ae_noise_step(t, p, m, opt, rng, 96, 64);
  return std::vector<float>(p.data(), p.data() + p.size());
}

}  // namespace

TEST_CASE("determinism: same seed gives bitwise identical weights for 1, 2 and 3 threads") {
  const int saved = num_threads();
  std::vector<float> a = train(7, 1), b = train(7, 1), c = train(7, 2), d = train(7, 3);
  set_num_threads(saved);
  REQUIRE(a.size() == b.size());
  CHECK(std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0);
  CHECK(std::memcmp(a.data(), c.data(), a.size() * sizeof(float)) == 0);
  CHECK(std::memcmp(a.data(), d.data(), a.size() * sizeof(float)) == 0);
  std::vector<float> e = train(8, 1);  // and a different seed gives different weights
  CHECK(std::memcmp(a.data(), e.data(), a.size() * sizeof(float)) != 0);
}
