// test_rbm.cpp - the RBM (include/dgm/models/rbm.h): conditionals against the energy, the
// trainer deterministic for a seed and independent of the thread count, CD learning raising the
// exact log-likelihood of a small RBM, AIS against enumeration (the `dgm theory` RBM checks run in
// test_theory_report.cpp).
#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "dgm/models/dbm.h"
#include "dgm/models/dbm_ais.h"
#include "dgm/models/dbn.h"
#include "dgm/models/rbm.h"
#include "dgm/models/rbm_ais.h"
#include "dgm/backend/parallel.h"
#include "dgm/theory/rbm.h"

using namespace dgm;

namespace {
Rbm random_rbm(int nv, int nh, std::uint64_t seed, float std = 0.8f) {
  Rng rng(seed, 1);
  Rbm m;
  rbm_init(&m, nv, nh, rng, std);
  for (float& x : m.b) x = 0.3f * rng.normal();
  for (float& x : m.c) x = 0.3f * rng.normal();
  return m;
}
}  // namespace

TEST_CASE("rbm: p(h|v) and p(v|h) are the ratios of exp(-E) with one unit flipped") {
  const Rbm m = random_rbm(6, 5, 1);
  std::vector<float> v = {1, 0, 1, 1, 0, 0}, h = {0, 1, 1, 0, 1}, ph(5), pv(6);
  rbm_hidden_probs(m, v.data(), 1, ph.data());
  rbm_visible_probs(m, h.data(), 1, pv.data());
  for (int j = 0; j < 5; ++j) {
    std::vector<float> h1 = h, h0 = h;
    h1[j] = 1, h0[j] = 0;
    const double p = 1 / (1 + std::exp(rbm_energy(m, v.data(), h1.data()) - rbm_energy(m, v.data(), h0.data())));
    CHECK(ph[j] == doctest::Approx(p).epsilon(1e-5));
  }
  for (int i = 0; i < 6; ++i) {
    std::vector<float> v1 = v, v0 = v;
    v1[i] = 1, v0[i] = 0;
    const double p = 1 / (1 + std::exp(rbm_energy(m, v1.data(), h.data()) - rbm_energy(m, v0.data(), h.data())));
    CHECK(pv[i] == doctest::Approx(p).epsilon(1e-5));
  }
}

TEST_CASE("rbm: bernoulli_sample gives the bits of the loop out[i] = rng.uniform() < p[i], on 1 and 2 threads, in place too") {
  for (int threads = 1; threads <= 2; ++threads) {
    set_num_threads(threads);
    for (std::size_t n : {0u, 1u, 15u, 16u, 17u, 8191u, 8192u, 8193u, 50000u, 78400u}) {
      Rng gen(3, 7);
      std::vector<float> p(n), want(n), got(n);
      for (float& x : p) x = gen.uniform();
      Rng a(11, 5), b(11, 5);
      a.uniform();  // start off a round count
      b.uniform();
      for (std::size_t i = 0; i < n; ++i) want[i] = a.uniform() < p[i] ? 1.f : 0.f;
      bernoulli_sample(p.data(), n, b, got.data());
      INFO("threads " << threads << " n " << n);
      CHECK(got == want);
      CHECK(a.next_u32() == b.next_u32());  // the state left past the n draws
      Rng c(11, 5);
      c.uniform();
      bernoulli_sample(p.data(), n, c, p.data());  // in place
      CHECK(p == want);
    }
  }
  set_num_threads(2);
}

TEST_CASE("rbm: PCD training is the same for a seed on 1 and 2 threads") {
  auto run = [](int threads) {
    set_num_threads(threads);
    Rbm m;
    Rng rng(9, 2);
    rbm_init(&m, 40, 30, rng);
    CdOptions o;
    o.batch = 64;
    RbmTrainer tr;
    tr.init(m, o, rng);
    std::vector<float> v(std::size_t(o.batch) * 40);
    for (int s = 0; s < 20; ++s) {
      for (float& x : v) x = rng.uniform() < 0.3f ? 1.f : 0.f;
      tr.step(&m, v.data(), rng);
    }
    return m.W;
  };
  const std::vector<float> a = run(1), b = run(2);
  set_num_threads(2);
  CHECK(a == b);
  CHECK(run(2) == b);
}

TEST_CASE("rbm: CD-1 and PCD raise the exact log-likelihood of the training vectors") {
  for (int persistent = 0; persistent < 2; ++persistent) {
    Rbm m = random_rbm(8, 6, 3, 0.01f);
    Rng rng(4, 4);
    // data: two prototypes with 10% bit noise
    const int n = 200;
    std::vector<float> data(std::size_t(n) * 8);
    std::vector<int> states;
    for (int r = 0; r < n; ++r) {
      int s = 0;
      for (int i = 0; i < 8; ++i) {
        float bit = ((r % 2 == 0) == (i < 4)) ? 1.f : 0.f;
        if (rng.uniform() < 0.1f) bit = 1 - bit;
        data[std::size_t(r) * 8 + i] = bit;
        s |= int(bit) << i;
      }
      states.push_back(s);
    }
    auto loglik = [&](const Rbm& x) {
      const RbmExact e = rbm_enumerate(x);
      double s = 0;
      for (int st : states) s += std::log(e.p_v[std::size_t(st)]);
      return s / n;
    };
    const double before = loglik(m);
    CdOptions o;
    o.batch = 20, o.lr = 0.1f, o.persistent = persistent != 0;
    RbmTrainer tr;
    tr.init(m, o, rng);
    for (int epoch = 0; epoch < 30; ++epoch)
      for (int b = 0; b < n / o.batch; ++b) tr.step(&m, data.data() + std::size_t(b) * o.batch * 8, rng);
    const double after = loglik(m);
    INFO("persistent " << persistent << ": " << before << " -> " << after);
    CHECK(after > before + 1.0);  // 8 bits: uniform is -5.55 nats; two noisy prototypes near -3.6
  }
}

TEST_CASE("rbm: AIS log Z and the test log-likelihood against enumeration") {
  const Rbm m = random_rbm(9, 7, 5);
  const RbmExact e = rbm_enumerate(m);
  AisOptions o;
  o.runs = 100, o.betas = 500;
  const AisResult a = rbm_ais(m, {}, o);
  CHECK(std::fabs(a.log_z - e.log_z) <= 3 * a.log_z_se + 1e-9);
  CHECK(a.log_z_se < 0.05);
  // rbm_test_log_likelihood on an ImageSet of four binary images
  ImageSet set;
  set.n = 4, set.rows = 3, set.cols = 3;
  for (int r = 0; r < 4; ++r)
    for (int i = 0; i < 9; ++i) set.pixels.push_back(((r * 37 + i * 5) % 3 == 0) ? 255 : 0);
  const LikelihoodEstimate le = rbm_test_log_likelihood(m, set, nullptr, o);
  double exact = 0;
  for (int r = 0; r < 4; ++r) {
    int s = 0;
    for (int i = 0; i < 9; ++i) s |= int(set.pixels[std::size_t(r) * 9 + i] != 0) << i;
    exact += std::log(e.p_v[std::size_t(s)]) / 4;
  }
  CHECK(std::fabs(le.nats - exact) <= 3 * le.ais_se + 1e-6);
  CHECK(le.images == 4);
}

TEST_CASE("rbm: pseudo-likelihood of a binary vector against its definition") {
  const Rbm m = random_rbm(5, 4, 6);
  std::vector<float> v = {1, 0, 0, 1, 1}, scratch;
  Rng a(1, 1), b(1, 1);
  const double pl = rbm_pseudo_likelihood(m, v.data(), 1, a, &scratch);
  const std::uint32_t i = b.below(5);
  std::vector<float> f = v;
  f[i] = 1 - f[i];
  const double want = 5 * std::log(1 / (1 + std::exp(rbm_free_energy(m, v.data()) - rbm_free_energy(m, f.data()))));
  CHECK(pl == doctest::Approx(want).epsilon(1e-5));
}

TEST_CASE("rbm: binarize() of the shipped subset has the 1-pixel counts docs/reference/rbm_sklearn.py reproduces") {
  // The peer script re-implements binarize() (PCG32 jumped ahead in numpy); these counts are what
  // both give, so the peer trains on the same binary images.
  ImageData d;
  if (!has_fashion_files(kSubsetDataDir)) return;  // run from the repository root
  REQUIRE(load_image_data(kSubsetDataDir, &d).ok);
  binarize(&d);
  long train = 0, test = 0;
  for (std::uint8_t p : d.train.pixels) train += p == 255;
  for (std::uint8_t p : d.test.pixels) test += p == 255;
  CHECK(train == 2245124);
  CHECK(test == 449798);
}

TEST_CASE("dbn: rbm_transposed swaps the roles, and a one-layer sample is the RBM's p(v|h)") {
  const Rbm m = random_rbm(5, 3, 8);
  const Rbm t = rbm_transposed(m);
  std::vector<float> v = {1, 0, 1, 1, 0}, h = {0, 1, 1};
  CHECK(rbm_energy(m, v.data(), h.data()) == doctest::Approx(rbm_energy(t, h.data(), v.data())));
  Dbn d;
  d.layers = {m};
  Rng a(3, 3);
  std::vector<float> s;
  dbn_sample(d, 4, 10, a, &s);
  CHECK(s.size() == 4 * 5);
  for (float x : s) CHECK((x > 0 && x < 1));
}

namespace {

// n 8-pixel rows of two patterns (pixels 0-3 on, or 4-7 on) with 10% of the bits flipped, and
// the exact mean log p of them under a DBM small enough to enumerate.
struct TwoPatterns {
  std::vector<float> data;
  std::vector<int> states;
  double mean_log_p(const Dbm& x) const {
    double lz = 0, s = 0;
    std::vector<double> lp;
    dbm_enumerate(x, &lz, &lp);
    for (int st : states) s += lp[std::size_t(st)];
    return s / double(states.size());
  }
};
TwoPatterns two_patterns(Rng& rng, int n) {
  TwoPatterns t;
  t.data.resize(std::size_t(n) * 8);
  for (int r = 0; r < n; ++r) {
    int s = 0;
    for (int i = 0; i < 8; ++i) {
      float bit = ((r % 2 == 0) == (i < 4)) ? 1.f : 0.f;
      if (rng.uniform() < 0.1f) bit = 1 - bit;
      t.data[std::size_t(r) * 8 + i] = bit;
      s |= int(bit) << i;
    }
    t.states.push_back(s);
  }
  return t;
}

}  // namespace

TEST_CASE("dbm: DbmTrainer (mean-field + persistent chains) raises the exact log-likelihood of a small DBM") {
  Dbm m;
  Rng rng(12, 1);
  dbm_init(&m, 8, 5, 3, rng);
  const int n = 200;
  const TwoPatterns tp = two_patterns(rng, n);
  const std::vector<float>& data = tp.data;
  auto loglik = [&](const Dbm& x) { return tp.mean_log_p(x); };
  const double before = loglik(m);
  DbmTrainer tr;
  tr.init(m, 20, 10, 0.1f, rng);
  for (int epoch = 0; epoch < 30; ++epoch)
    for (int b = 0; b < n / 20; ++b) tr.step(&m, data.data() + std::size_t(b) * 20 * 8, rng);
  const double after = loglik(m);
  INFO(before << " -> " << after);
  CHECK(after > before + 1.0);
}

TEST_CASE("rbm: the weight scales of the DBM's pre-training RBMs: p(h|v) = sigmoid(c + s v W), p(v|h) = sigmoid(b + s h W')") {
  const Rbm m = random_rbm(5, 3, 9);
  std::vector<float> v = {1, 0, 1, 1, 0}, h = {0, 1, 1}, ph(3), pv(5);
  rbm_hidden_probs(m, v.data(), 1, ph.data(), 2.f);
  rbm_visible_probs(m, h.data(), 1, pv.data(), 2.f);
  for (int j = 0; j < 3; ++j) {
    double a = m.c[std::size_t(j)];
    for (int i = 0; i < 5; ++i) a += 2.0 * v[std::size_t(i)] * m.W[std::size_t(i) * 3 + j];
    CHECK(ph[std::size_t(j)] == doctest::Approx(1 / (1 + std::exp(-a))).epsilon(1e-6));
  }
  for (int i = 0; i < 5; ++i) {
    double a = m.b[std::size_t(i)];
    for (int j = 0; j < 3; ++j) a += 2.0 * h[std::size_t(j)] * m.W[std::size_t(i) * 3 + j];
    CHECK(pv[std::size_t(i)] == doctest::Approx(1 / (1 + std::exp(-a))).epsilon(1e-6));
  }
}

TEST_CASE("dbm: pre-training (two modified RBMs, composed) gives a far better start than N(0, 0.01^2)") {
  // [SH09] sec. 3.1 on an 8-5-3 DBM small enough to enumerate: the bottom RBM with v counted
  // twice, the top one on its h1 samples with h2 counted twice, then dbm_compose.
  Rng rng(14, 1);
  const int n = 200;
  const TwoPatterns tp = two_patterns(rng, n);
  const std::vector<float>& data = tp.data;
  auto loglik = [&](const Dbm& x) { return tp.mean_log_p(x); };
  Dbm init;
  dbm_init(&init, 8, 5, 3, rng);
  Rbm bottom, top;
  rbm_init(&bottom, 8, 5, rng);
  rbm_init(&top, 5, 3, rng);
  CdOptions o;
  o.batch = 20, o.lr = 0.1f, o.up = 2.f;
  RbmTrainer tr;
  tr.init(bottom, o, rng);
  for (int epoch = 0; epoch < 30; ++epoch)
    for (int b = 0; b < n / 20; ++b) tr.step(&bottom, data.data() + std::size_t(b) * 20 * 8, rng);
  std::vector<float> h1(std::size_t(n) * 5);
  rbm_hidden_probs(bottom, data.data(), n, h1.data(), 2.f);
  bernoulli_sample(h1.data(), h1.size(), rng, h1.data());
  o.up = 1.f, o.down = 2.f;
  tr.init(top, o, rng);
  for (int epoch = 0; epoch < 30; ++epoch)
    for (int b = 0; b < n / 20; ++b) tr.step(&top, h1.data() + std::size_t(b) * 20 * 5, rng);
  const Dbm m = dbm_compose(bottom, top);
  CHECK(m.W1 == bottom.W);
  CHECK(m.W2 == top.W);
  CHECK(m.c1[2] == doctest::Approx(0.5 * (bottom.c[2] + top.b[2])));
  const double before = loglik(init), after = loglik(m);
  INFO(before << " -> " << after << " (uniform: " << -8 * std::log(2.0) << ")");
  CHECK(after > before + 1.0);
}

TEST_CASE("dbm: dbm_test_bound with exact-scale AIS is below the exact mean log p(v) of a tiny image set, up to 3 AIS se") {
  Rng rng(15, 1);
  Dbm m;
  dbm_init(&m, 9, 4, 3, rng, 1.f);  // 3x3 "images"
  ImageSet set;
  set.n = 50, set.rows = 3, set.cols = 3;
  set.pixels.resize(std::size_t(50) * 9);
  std::vector<int> states;
  for (int r = 0; r < 50; ++r) {
    int s = 0;
    for (int i = 0; i < 9; ++i) {
      const bool on = rng.uniform() < 0.5f;
      set.pixels[std::size_t(r) * 9 + i] = on ? 255 : 0;
      s |= int(on) << i;
    }
    states.push_back(s);
  }
  double lz = 0, exact = 0;
  std::vector<double> lp;
  dbm_enumerate(m, &lz, &lp);
  for (int st : states) exact += lp[std::size_t(st)] / 50;
  AisOptions o;
  o.runs = 100, o.betas = 1000, o.seed = 2;
  const LikelihoodEstimate e = dbm_test_bound(m, set, nullptr, o);
  INFO("bound " << e.nats << " exact " << exact << " log Z " << lz << " AIS " << e.log_z << " +- " << e.ais_se);
  CHECK(e.images == 50);
  CHECK(std::fabs(e.log_z - lz) <= 3 * e.ais_se);
  CHECK(e.nats <= exact + 3 * e.ais_se);
  CHECK(e.nats > exact - 5.0);  // a bound, but not a vacuous one
}

TEST_CASE("dbn: dbn_test_bound (batched through gemm) equals the mean of dbn_bound_term over the same draws") {
  Dbn d;
  d.layers = {random_rbm(9, 6, 21), random_rbm(6, 4, 22)};
  ImageSet set;
  set.n = 700, set.rows = 3, set.cols = 3;  // more than one batch of 500
  Rng px(23, 1);
  set.pixels.resize(std::size_t(set.n) * 9);
  for (auto& p : set.pixels) p = px.uniform() < 0.4f ? 255 : 0;
  AisOptions o;
  o.runs = 10, o.betas = 50, o.seed = 4;
  for (int S : {1, 3}) {
    const LikelihoodEstimate e = dbn_test_bound(d, set, o, S);
    // the one-image reference: Q(h1 | v) per image, S draws of h1 each in that order
    const double log_z1 = rbm_ais(d.layers[1], {}, o).log_z;
    Rng rng(o.seed, 11);
    std::vector<float> v(9), ph(6), h(6);
    double sum = 0;
    for (int n = 0; n < set.n; ++n) {
      for (int i = 0; i < 9; ++i) v[std::size_t(i)] = set.pixels[std::size_t(n) * 9 + i] / 255.f;
      rbm_hidden_probs(d.layers[0], v.data(), 1, ph.data());
      double t = 0;
      for (int k = 0; k < S; ++k) {
        bernoulli_sample(ph.data(), 6, rng, h.data());
        t += dbn_bound_term(d, v.data(), h.data(), log_z1) / S;
      }
      sum += t;
    }
    CHECK(e.images == set.n);
    CHECK(e.nats == doctest::Approx(sum / set.n).epsilon(1e-5));
  }
}
