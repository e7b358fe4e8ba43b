// test_sample_birthday.cpp - the birthday-paradox test of [HSE] (Arora & Zhang) on a generator's
// samples (src/run/sample_quality.cpp): the threshold calibrated on real features makes the
// chosen fraction q of real batches hold a near-duplicate; a generator collapsed onto K points
// is read as a support of about K; a fully collapsed one (one output for every z) as 1.
#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "dgm/models/adversarial.h"
#include "dgm/run/config.h"
#include "dgm/run/sample_quality.h"

using namespace dgm;

namespace {

std::vector<float> gaussian_rows(int n, int F, Rng& rng) {
  std::vector<float> x(static_cast<std::size_t>(n) * F);
  Tensor t = make_shape(n, F);
  t.data = x.data();
  rng.fill_normal(t);
  return x;
}

}  // namespace

TEST_CASE("birthday on samples: q of the real batches collide at the threshold; K collapsed points read as about K") {
  const int F = 8, s = 100, batches = 20, n = s * batches;
  Rng rng(11);
  const std::vector<float> real = gaussian_rows(n, F, rng), other = gaussian_rows(n, F, rng);
  // A collapsed generator: each sample one of K = 40 points, plus noise far below the threshold.
  const int K = 40;
  const std::vector<float> centres = gaussian_rows(K, F, rng);
  std::vector<float> collapsed(static_cast<std::size_t>(n) * F);
  for (int i = 0; i < n; ++i) {
    const int k = static_cast<int>(rng.below(K));
    for (int j = 0; j < F; ++j)
      collapsed[static_cast<std::size_t>(i) * F + j] = centres[static_cast<std::size_t>(k) * F + j] + 1e-4f * rng.normal();
  }
  for (double q : {0.1, 0.5}) {
    const SampleBirthday same = birthday_against_real(other.data(), real.data(), F, s, batches, q);
    CHECK(same.real.batches_with_duplicate == static_cast<int>(std::ceil(q * batches)));
    CHECK(same.threshold > 0);
    // Fresh draws of the same law collide about as often (20 batches: a binomial spread).
    CHECK(same.model.duplicate_prob <= q + 0.35);
    const SampleBirthday col = birthday_against_real(collapsed.data(), real.data(), F, s, batches, q);
    CHECK(col.threshold == same.threshold);  // calibrated on the real features only
    CHECK(col.model.batches_with_duplicate == batches);
    // Uniform on K points: E[pairs] = batches C(s, 2) / K, so K_pairs estimates K (within 2x).
    CHECK(col.model.support_pairs > K / 2.0);
    CHECK(col.model.support_pairs < K * 2.0);
  }
}

TEST_CASE("birthday on samples: real data with exact duplicates still counts them (threshold above 0 in float)") {
  const int F = 4, s = 10, batches = 5;
  Rng rng(2);
  std::vector<float> real = gaussian_rows(s * batches, F, rng);
  for (int b = 0; b < batches; ++b)  // row 1 of each batch repeats row 0
    for (int j = 0; j < F; ++j) real[static_cast<std::size_t>((b * s + 1) * F + j)] = real[static_cast<std::size_t>(b * s * F + j)];
  const SampleBirthday r = birthday_against_real(real.data(), real.data(), F, s, batches, 0.5);
  CHECK(r.threshold > 0);
  CHECK(r.threshold * r.threshold > 0);
  CHECK(r.real.batches_with_duplicate == batches);
  CHECK(r.real.pairs == batches);  // only the planted pairs
}

TEST_CASE("birthday on samples: a generator with one output for every z has support 1") {
  Config c = config_defaults("gan", "");
  c.hidden = {6};
  c.latent = 3;
  DataInfo d;
  d.dim = 16, d.rows = 4, d.cols = 4, d.classes = 10;
  Status st;
  std::unique_ptr<Model> m = make_model("gan", &st);
  REQUIRE(st.ok);
  Rng rng(5);
  REQUIRE(m->build(model_options(c), d, rng).ok);
  ParamStore& g = static_cast<AdversarialModel*>(m.get())->gen().params;
  for (std::size_t i = 0; i < g.size(); ++i) g.data()[i] = 0.f;  // G(z) = tanh(0) for every z
  ImageSet set;
  set.n = 200, set.rows = 4, set.cols = 4;
  for (int i = 0; i < set.n * set.dim(); ++i) set.pixels.push_back(static_cast<std::uint8_t>(rng.below(256)));
  for (int i = 0; i < set.n; ++i) set.labels.push_back(static_cast<std::uint8_t>(i % 10));
  Classifier judge;
  ClassifierOptions o;
  o.hidden = {8, 8};
  judge.build(d.dim, d.classes, o, rng);
  const SampleBirthday b = sample_birthday(*m, judge, set, 20, 10, 0.2, rng);
  CHECK(b.s == 20);
  CHECK(b.batches == 10);
  CHECK(b.real.batches_with_duplicate == 2);
  CHECK(b.model.batches_with_duplicate == 10);
  CHECK(b.model.pairs == 10 * 190);  // every pair of every batch
  CHECK(b.model.support_pairs == doctest::Approx(1.0));
}
