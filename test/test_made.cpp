// test_made.cpp - MADE (src/models/made.cpp): the autoregressive property (flip input j: only the
// logits of pixels after j move), masks as eq. 12-13 say, the likelihood exact (p(x) sums to 1
// over all 2^D binary images), samples drawn pixel by pixel with the model's own probabilities,
// test_nll = -mean log p(x), and the NLL falls when trained.
#include <doctest/doctest.h>

#include "built_model.h"

#include <cmath>
#include <vector>

#include "dgm/run/config.h"
#include "dgm/models/made.h"
#include "dgm/core/ops.h"

using namespace dgm;

namespace {

struct Fixture {
  Config c = config_defaults("made", "");
  DataInfo d;
  std::unique_ptr<Model> m;
  Made* made = nullptr;
  Arena arena;
  Tape t{arena};
  Fixture(int dim, std::vector<int> hidden, std::uint64_t seed = 1) {
    c.hidden = hidden;
    c.seed = seed;
    REQUIRE(validate(c).ok);
    d.dim = dim;
    m = built_model("made", c, d, seed);
    made = as_made(m.get());
    REQUIRE(made != nullptr);
    // Larger biases and weights than the initialisation, so every conditional is far from 1/2
    // and a dependence, where there is one, shows.
    for (Part* p : m->parts())
      for (std::size_t i = 0; i < p->params.size(); ++i) p->params.data()[i] *= 3.f;
  }
  std::vector<float> logits(const std::vector<float>& x, int rows) {
    t.reset();
    Tensor xt = t.alloc(make_shape(rows, d.dim));
    std::copy(x.begin(), x.end(), xt.data);
    const Tensor l = t.value(made->logits(t, t.constant(xt)));
    return std::vector<float>(l.data, l.data + l.size());
  }
  std::vector<double> log_px(const std::vector<float>& x, int rows) {
    t.reset();
    Tensor xt = t.alloc(make_shape(rows, d.dim));
    std::copy(x.begin(), x.end(), xt.data);
    std::vector<double> lp(static_cast<std::size_t>(rows));
    made->log_px(t, xt, lp.data());
    return lp;
  }
};

}  // namespace

TEST_CASE("made: output d depends only on inputs before d (flip x_j, only l_d with d > j moves)") {
  const int D = 10;
  for (auto hidden : {std::vector<int>{16}, std::vector<int>{16, 12}}) {
    Fixture f(D, hidden);
    Rng rng(7);
    std::vector<float> x(D);
    for (float& v : x) v = rng.uniform() < 0.5f ? 1.f : 0.f;
    const std::vector<float> l0 = f.logits(x, 1);
    int moved = 0;
    for (int j = 0; j < D; ++j) {
      std::vector<float> xj = x;
      xj[j] = 1.f - xj[j];
      const std::vector<float> l = f.logits(xj, 1);
      for (int d = 0; d <= j; ++d) CHECK_MESSAGE(l[d] == l0[d], "flipping x_" << j << " moved l_" << d);
      for (int d = j + 1; d < D; ++d) moved += l[d] != l0[d];
    }
    // The property is not met by cutting everything: most later logits do move.
    CHECK(moved > D * (D - 1) / 4);
  }
}

TEST_CASE("made: degrees as eq. 11 (inputs 1..D, hidden in [min of the layer below, D-1])") {
  const int D = 9;
  Fixture f(D, {20, 15});
  const auto& deg = f.made->degrees();
  REQUIRE(deg.size() == 3);
  for (int d = 0; d < D; ++d) CHECK(deg[0][static_cast<std::size_t>(d)] == d + 1);
  for (std::size_t l = 1; l < deg.size(); ++l) {
    int lo = D;
    for (int v : deg[l - 1]) lo = std::min(lo, v);
    for (int v : deg[l]) {
      CHECK(v >= lo);
      CHECK(v <= D - 1);
    }
  }
}

TEST_CASE("made: the likelihood is exact: p(x) sums to 1 over all 2^D binary images") {
  const int D = 10, n = 1 << D;
  Fixture f(D, {24, 24});
  std::vector<float> x(static_cast<std::size_t>(n) * D);
  for (int i = 0; i < n; ++i)
    for (int d = 0; d < D; ++d) x[static_cast<std::size_t>(i) * D + d] = static_cast<float>((i >> d) & 1);
  const std::vector<double> lp = f.log_px(x, n);
  double total = 0.0;
  for (double v : lp) total += std::exp(v);
  CHECK(std::fabs(total - 1.0) < 1e-4);
}

TEST_CASE("made: samples drawn pixel by pixel follow p(x) (one hidden layer: the incremental path; two: D passes)") {
  const int D = 3, n = 20000;
  for (auto hidden : {std::vector<int>{8}, std::vector<int>{8, 8}}) {
  CAPTURE(hidden.size());
  Fixture f(D, hidden);
  std::vector<float> all(8 * D);
  for (int i = 0; i < 8; ++i)
    for (int d = 0; d < D; ++d) all[static_cast<std::size_t>(i) * D + d] = static_cast<float>((i >> d) & 1);
  const std::vector<double> lp = f.log_px(all, 8);
  Rng rng(3);
  f.t.reset();
  Tensor z = f.t.alloc(make_shape(n, D)), out = f.t.alloc(make_shape(n, D));
  f.m->sample_latent(rng, z);
  f.m->generate(f.t, z, Tensor{}, out);
  std::vector<int> count(8, 0);
  for (int r = 0; r < n; ++r) {
    int i = 0;
    for (int d = 0; d < D; ++d) {
      const float v = out.data[r * D + d];
      REQUIRE((v == 0.f || v == 1.f));
      i |= static_cast<int>(v) << d;
    }
    ++count[static_cast<std::size_t>(i)];
  }
  for (int i = 0; i < 8; ++i) {
    const double p = std::exp(lp[static_cast<std::size_t>(i)]), se = std::sqrt(p * (1 - p) / n);
    INFO("image " << i << ": p " << p << ", frequency " << count[static_cast<std::size_t>(i)] / double(n));
    CHECK(std::fabs(count[static_cast<std::size_t>(i)] / double(n) - p) <= 4 * se + 1e-4);
  }
  }
}

TEST_CASE("made: test_nll is -mean log p(x); training lowers the NLL") {
  const int D = 16, B = 32;
  Fixture f(D, {32});
  Rng rng(5);
  std::vector<float> x(static_cast<std::size_t>(B) * D);
  for (int r = 0; r < B; ++r)  // two prototypes, each pixel flipped with probability 0.1
    for (int d = 0; d < D; ++d) {
      const float proto = (r % 2) ? static_cast<float>(d % 2) : static_cast<float>(d < D / 2);
      x[static_cast<std::size_t>(r) * D + d] = rng.uniform() < 0.1f ? 1.f - proto : proto;
    }
  const std::vector<double> lp = f.log_px(x, B);
  double nll = 0.0;
  for (double v : lp) nll -= v / B;
  f.t.reset();
  Batch b;
  b.x = f.t.alloc(make_shape(B, D));
  std::copy(x.begin(), x.end(), b.x.data);
  StepLog ev;
  f.m->evaluate(f.t, b, rng, ev);
  REQUIRE(ev.n == 1);
  CHECK(std::string(ev.name[0]) == "test_nll");
  CHECK(std::fabs(ev.value[0] - nll) < 1e-9 * std::fabs(nll));
  double first = 0, last = 0;
  for (int s = 0; s < 200; ++s) {
    f.t.reset();
    b.x = f.t.alloc(make_shape(B, D));
    std::copy(x.begin(), x.end(), b.x.data);
    StepLog log;
    f.m->train_step(f.t, b, rng, log);
    REQUIRE(std::string(log.name[0]) == "nll");
    if (s == 0) {
      first = log.value[0];
      CHECK(std::fabs(first - nll) < 1e-4 * nll);  // the logged loss is the same exact NLL
    }
    last = log.value[0];
  }
  CHECK(last < 0.7 * first);  // from 10.5 nats to about 6.9 (the data's entropy is about 5.9)
}

TEST_CASE("made: refused on synthetic data and on a CUDA device") {
  Config c = config_defaults("made", "ring");
  CHECK(validate(c).message.find("made models binary images") != std::string::npos);
  Config b = config_defaults("vae", "ring");
  b.binarize = true;
  CHECK(validate(b).message.find("--binarize") != std::string::npos);
  Config g = config_defaults("made", "");
  g.device = "cuda";
  DataInfo d;
  d.dim = 4;
  Status st;
  auto m = make_model("made", &st);
  Rng rng(1);
  CHECK(m->build(model_options(g), d, rng).message.find("CPU only") != std::string::npos);
}
