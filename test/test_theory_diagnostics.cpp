// test_theory_diagnostics.cpp - the library functions of the diagnostics checks ([Utkin], [HSE],
// [MIPT]) on hand-computed values, and the same comparisons failing on wrong formulas (the checks
// themselves run in test_theory_report.cpp).
#include <doctest/doctest.h>

#include <cmath>

#include "dgm/core/rng.h"
#include "dgm/theory/diagnostics.h"
#include "dgm/theory/report.h"
#include "dgm/theory/sampling.h"

using namespace dgm;

TEST_CASE("diagnostics: tables of three points by hand") {
  std::vector<std::pair<int, int>> pts = {{0, 1}, {1, 1}, {1, 0}};
  Table j = joint_table(pts, 2, 2), c = conditional_table(pts, 2, 2), b = conditional_from_joint(j);
  CHECK(j.at(0, 0) == 0);
  CHECK(j.at(0, 1) == doctest::Approx(1.0 / 3).epsilon(1e-15));
  CHECK(j.at(1, 0) == doctest::Approx(1.0 / 3).epsilon(1e-15));
  CHECK(c.at(0, 1) == 1);
  CHECK(c.at(1, 0) == 0.5);
  for (int i = 0; i < 4; ++i) CHECK(b.p[i] == doctest::Approx(c.p[i]).epsilon(1e-15));
  CHECK_THROWS(joint_table({{2, 0}}, 2, 2));
}

TEST_CASE("diagnostics: normalising the slide's p(x,y) by columns (p(x|y)) fails the p(y|x) comparison") {
  Table j = joint_table({{0, 0}, {0, 0}, {1, 0}, {1, 1}}, 2, 2);
  const double slide_cond[4] = {1.0, 0.0, 0.5, 0.5};
  double worst = 0;
  for (int x = 0; x < 2; ++x)
    for (int y = 0; y < 2; ++y) {
      double py = j.at(0, y) + j.at(1, y);
      worst = std::fmax(worst, std::fabs(j.at(x, y) / py - slide_cond[x * 2 + y]));
    }
  CHECK(worst > 0.1);
}

TEST_CASE("diagnostics: Gaussian naive Bayes by hand") {
  LabeledSet s;
  s.n = 4;
  s.d = 1;
  s.classes = 2;
  s.x = {0, 2, 4, 6};
  s.y = {0, 0, 1, 1};
  GaussianNB nb = fit_gaussian_nb(s);
  CHECK(nb.mean[0] == 1);
  CHECK(nb.mean[1] == 5);
  CHECK(nb.var[0] == 1);  // ((0-1)^2 + (2-1)^2) / 2
  CHECK(nb.log_prior[1] == doctest::Approx(std::log(0.5)).epsilon(1e-15));
  float x = 1.0f;
  double lj[2];
  gnb_log_joint(nb, &x, lj);
  CHECK(lj[0] == doctest::Approx(std::log(0.5) + normal_log_pdf(1, 1, 1)).epsilon(1e-14));
  CHECK(lj[1] == doctest::Approx(std::log(0.5) + normal_log_pdf(1, 5, 1)).epsilon(1e-14));
  std::vector<int> pred = gnb_predict(nb, s);
  CHECK(accuracy(pred, s.y) == 1.0);
  CHECK(accuracy({0, 1, 1, 0}, {0, 1, 0, 0}) == 0.75);
}

TEST_CASE("diagnostics: logistic regression separates separable data") {
  Rng rng(5);
  LabeledSet s = two_gaussians(rng, 400, 2, 12.0);  // means +-(6/sqrt 2) per coordinate: overlap ~1e-9
  LogRegConfig cfg;
  cfg.epochs = 10;
  CHECK(accuracy(logistic_regression_fit_predict(s, s, cfg), s.y) == 1.0);
}

TEST_CASE("diagnostics: near-duplicate pairs by hand; no duplicates means infinite support") {
  std::vector<float> x = {0, 0, 0, 0, 1, 1, 0, 0.01f};  // rows (0,0) (0,0) (1,1) (0,0.01)
  CHECK(count_near_duplicate_pairs(x.data(), 0, 4, 2, 0.1f) == 3);
  CHECK(count_near_duplicate_pairs(x.data(), 0, 4, 2, 0.005f) == 1);
  BirthdayEstimate e = birthday_support_estimate(x.data(), 4, 2, 2, 0.1f);  // batches {0,1}, {2,3}
  CHECK(e.batches == 2);
  CHECK(e.pairs == 1);
  CHECK(e.duplicate_prob == 0.5);
  CHECK(e.support_pairs == 2.0);                                    // 2 batches * C(2,2) / 1
  CHECK(e.support_prob == doctest::Approx(1 / std::log(2.0)).epsilon(1e-14));  // 1 / -log(1/2)
  Rng rng(2);
  std::vector<float> cont(2000 * 8);
  for (float& v : cont) v = rng.normal();
  CHECK(std::isinf(birthday_support_estimate(cont.data(), 2000, 8, 100, 0.01f).support_pairs));
}

TEST_CASE("diagnostics: the pair estimator without the number of batches is off by far more than 2x") {
  const int K = 1000, s = 38, T = 200, d = 4;
  Rng rng(59);
  std::vector<float> stored(static_cast<std::size_t>(K) * d), x(static_cast<std::size_t>(T) * s * d);
  for (float& v : stored) v = rng.normal();
  for (int i = 0; i < T * s; ++i) {
    std::uint32_t k = rng.below(K);
    for (int j = 0; j < d; ++j) x[static_cast<std::size_t>(i) * d + j] = stored[k * d + j];
  }
  BirthdayEstimate e = birthday_support_estimate(x.data(), T * s, d, s, 1e-4f);
  CHECK(e.support_pairs >= K / 2.0);
  CHECK(e.support_pairs <= 2.0 * K);
  double wrong = 0.5 * s * (s - 1) / static_cast<double>(e.pairs);  // forgets the T batches
  CHECK(wrong < K / 2.0);
}

TEST_CASE("diagnostics: one Gaussian: score, optimal denoiser by hand; the identity AE fails") {
  GaussMix1D p{{1.0}, {2.0}, {0.5}};
  CHECK(p.score(3.0) == doctest::Approx(-2.0).epsilon(1e-14));  // (m - x) / v
  CHECK(p.log_pdf(2.0) == doctest::Approx(normal_log_pdf(2, 2, 0.5)).epsilon(1e-14));
  // r*(x) = (v x + sigma^2 m) / (v + sigma^2); at sigma^2 = 0.5, x = 4: (2 + 1) / 1 = 3
  CHECK(optimal_denoiser(p, std::sqrt(0.5), 4.0) == doctest::Approx(3.0).epsilon(1e-14));
  // (r* - x)/sigma^2 = (m - x)/(v + sigma^2) -> (m - x)/v: error (m - x) sigma^2 / (v (v + sigma^2))
  double s2 = 0.01, x = 3.0;
  double est = (optimal_denoiser(p, 0.1, x) - x) / s2;
  CHECK(est - p.score(x) == doctest::Approx((2 - x) * (1 / (0.5 + s2) - 1 / 0.5)).epsilon(1e-9));
  // An autoencoder that ignores the noise (r(x) = x) has (r - x)/sigma^2 = 0: error |score|.
  CHECK(std::fabs(0.0 - p.score(x)) > 1.0);
}

TEST_CASE("diagnostics: the learned RBF denoiser is close to the optimal one") {
  GaussMix1D p{{0.4, 0.6}, {-2.0, 1.5}, {0.25, 1.0}};
  Rng rng(61);
  RbfDenoiser dae = fit_rbf_denoiser(rng, p, 0.5, 50000, 30, -5.0, 5.0);
  for (double x : {-2.0, 0.0, 1.5})
    CHECK(std::fabs(dae(x) - optimal_denoiser(p, 0.5, x)) < 0.03);  // ~4 x sqrt(0.2 * 32 / 50000)
  CHECK(dae.residual_var > 0.1);
  CHECK(dae.residual_var < 0.25);  // below the noise variance sigma^2 = 0.25: denoising helps
}
