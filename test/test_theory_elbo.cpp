// test_theory_elbo.cpp - the library functions of the ELBO checks ([Utkin], [Vesel], [MSU]) on
// hand-computed values, and the same comparisons failing on wrong formulas (the checks themselves
// run in test_theory_report.cpp).
#include <doctest/doctest.h>

#include <cmath>

#include "dgm/core/rng.h"
#include "dgm/theory/elbo.h"
#include "dgm/theory/report.h"
#include "dgm/theory/sampling.h"

using namespace dgm;

// A 1-D model: z ~ N(0, 1), x | z ~ N(w z + b, s2). p(x) = N(b, w^2 + s2); the posterior has
// precision 1 + w^2/s2 and mean w (x - b) / (s2 (1 + w^2/s2)).
static LinearGaussian one_d(double w, double b, double s2) {
  LinearGaussian m;
  m.J = m.D = 1;
  m.W = {w};
  m.b = {b};
  m.s2 = s2;
  return m;
}

TEST_CASE("elbo: Cholesky and solve on a 2 x 2 matrix by hand") {
  std::vector<double> A = {4, 2, 2, 3};  // L = [[2, 0], [1, sqrt 2]]
  REQUIRE(cholesky_factor(A, 2));
  CHECK(A[0] == 2);
  CHECK(A[2] == 1);
  CHECK(A[3] == doctest::Approx(std::sqrt(2.0)).epsilon(1e-15));
  double r[2] = {8, 7};  // [[4,2],[2,3]] v = (8, 7) -> v = (1.25, 1.5)
  cholesky_solve(A, 2, r);
  CHECK(r[0] == doctest::Approx(1.25).epsilon(1e-14));
  CHECK(r[1] == doctest::Approx(1.5).epsilon(1e-14));
  std::vector<double> bad = {1, 2, 2, 1};
  CHECK_FALSE(cholesky_factor(bad, 2));
}

TEST_CASE("elbo: closed-form KL regulariser by hand") {
  CHECK(kl_diag_normal_std({{1.0}, {0.0}}) == 0.5);  // mu^2 / 2
  // mu = 0, sigma^2 = 2: -1/2 (1 + log 2 - 2) = (1 - log 2) / 2
  CHECK(kl_diag_normal_std({{0.0}, {std::log(2.0)}}) == doctest::Approx((1 - std::log(2.0)) / 2).epsilon(1e-15));
  // additive over coordinates
  CHECK(kl_diag_normal_std({{1.0, 0.0}, {0.0, std::log(2.0)}}) ==
        doctest::Approx(0.5 + (1 - std::log(2.0)) / 2).epsilon(1e-15));
}

TEST_CASE("elbo: a wrong KL formula (sigma instead of sigma^2) fails the Monte Carlo comparison") {
  DiagGaussian q{{0.5, -1.0, 0.2, 1.5}, {-1.0, 0.3, -2.0, 0.5}};
  double wrong = 0;
  for (int j = 0; j < 4; ++j) wrong += -0.5 * (1 + q.logvar[j] - q.mu[j] * q.mu[j] - std::exp(0.5 * q.logvar[j]));
  Rng rng(37);
  McEstimate mc = kl_diag_normal_std_mc(rng, q, 200000);
  CHECK(std::fabs(mc.mean - kl_diag_normal_std(q)) <= 4 * mc.se);
  CHECK(std::fabs(mc.mean - wrong) > 4 * mc.se);
}

TEST_CASE("elbo: 1-D evidence and posterior by hand") {
  LinearGaussian m = one_d(2.0, 1.0, 1.0);
  std::vector<double> x = {3.0};
  CHECK(lg_log_evidence(m, x) == doctest::Approx(normal_log_pdf(3, 1, 5)).epsilon(1e-14));
  FullGaussian p = lg_posterior(m, x);
  CHECK(p.precision[0] == 5);
  CHECK(p.cov[0] == doctest::Approx(0.2).epsilon(1e-15));
  CHECK(p.mean[0] == doctest::Approx(0.8).epsilon(1e-15));  // 2 * 2 / 5
  // q = the exact posterior: ELBO = log p(x), KL = 0, and L^A has zero variance.
  DiagGaussian q{{0.8}, {std::log(0.2)}};
  CHECK(kl_diag_to_full(q, p) == doctest::Approx(0.0).epsilon(1e-14));
  CHECK(elbo_closed_form(m, x, q) == doctest::Approx(lg_log_evidence(m, x)).epsilon(1e-14));
  CHECK(elbo_estimator_A_variance(m, x, q) == doctest::Approx(0.0).epsilon(1e-14));
  Rng rng(1);
  CHECK(elbo_estimator_A(rng, m, x, q, 1) == doctest::Approx(lg_log_evidence(m, x)).epsilon(1e-12));
}

TEST_CASE("elbo: exact variance of L^B by hand in 1-D") {
  // L^B = const - (w sigma eps)^2 / (2 s2) + r0 w sigma eps / s2, r0 = x - b - w mu:
  // Var = 2 (w^2 sigma^2 / (2 s2))^2 + (r0 w sigma / s2)^2
  LinearGaussian m = one_d(2.0, 1.0, 0.5);
  std::vector<double> x = {3.0};
  DiagGaussian q{{0.3}, {std::log(0.49)}};
  double w = 2, s = 0.7, s2 = 0.5, r0 = 3 - 1 - 2 * 0.3;
  double want = 2 * std::pow(w * w * s * s / (2 * s2), 2) + std::pow(r0 * w * s / s2, 2);
  CHECK(elbo_estimator_B_variance(m, x, q) == doctest::Approx(want).epsilon(1e-13));
}

TEST_CASE("elbo: a KL with the wrong sign breaks log p(x) = L + KL") {
  LinearGaussian m;
  m.J = 2;
  m.D = 3;
  m.W = {1, 0.5, -0.3, 2, 0.7, 0.1};
  m.b = {0.1, -0.2, 0.3};
  m.s2 = 0.5;
  std::vector<double> x = {1.0, 2.0, -1.0};
  DiagGaussian q{{0.2, -0.1}, {-0.5, 0.2}};
  FullGaussian p = lg_posterior(m, x);
  double L = elbo_closed_form(m, x, q);
  CHECK(std::fabs(lg_log_evidence(m, x) - (L + kl_diag_to_full(q, p))) <= 1e-10);
  double wrong = L + 2 * kl_diag_normal_std(q);  // E log p(x|z) + KL(q||p(z)) instead of - KL
  CHECK(std::fabs(lg_log_evidence(m, x) - (wrong + kl_diag_to_full(q, p))) > 1e-3);
  CHECK(L <= lg_log_evidence(m, x));
}

TEST_CASE("elbo: an estimator that forgets -KL(q||p(z)) is biased and fails the 4 s.e. comparison") {
  LinearGaussian m = one_d(2.0, 1.0, 0.5);
  std::vector<double> x = {3.0};
  DiagGaussian q{{1.3}, {std::log(0.05)}};
  double L = elbo_closed_form(m, x, q);
  Rng rng(41);
  std::vector<double> good(20000), bad(20000);
  for (double& v : good) v = elbo_estimator_B(rng, m, x, q, 1);
  for (double& v : bad) v = elbo_estimator_B(rng, m, x, q, 1) + kl_diag_normal_std(q);  // drops -KL
  McEstimate eg = mc_estimate(good), eb = mc_estimate(bad);
  CHECK(std::fabs(eg.mean - L) <= 4 * eg.se);
  CHECK(std::fabs(eb.mean - L) > 4 * eb.se);
  // L samples divide the variance by L.
  std::vector<double> ten(4000);
  for (double& v : ten) v = elbo_estimator_B(rng, m, x, q, 10);
  CHECK(sample_variance(ten) == doctest::Approx(elbo_estimator_B_variance(m, x, q) / 10).epsilon(0.1));
}

TEST_CASE("elbo: mc_estimate and variance_standard_error by hand") {
  McEstimate e = mc_estimate({1, 2, 3, 4});
  CHECK(e.mean == 2.5);
  CHECK(e.var == doctest::Approx(5.0 / 3.0).epsilon(1e-15));
  CHECK(e.se == doctest::Approx(std::sqrt(5.0 / 12.0)).epsilon(1e-15));
  // m2 = 1.25, m4 = (5.0625 + 0.0625 + 0.0625 + 5.0625) / 4 = 2.5625: sqrt((2.5625 - 1.5625) / 4)
  CHECK(variance_standard_error({1, 2, 3, 4}) == doctest::Approx(0.5).epsilon(1e-15));
}

TEST_CASE("elbo: reparametrize and a pathwise sigma-gradient without eps is biased") {
  DiagGaussian q{{1.0, -2.0}, {0.0, std::log(4.0)}};
  double eps[2] = {0.5, -1.0}, z[2];
  reparametrize(q, eps, z);
  CHECK(z[0] == 1.5);
  CHECK(z[1] == doctest::Approx(-4.0).epsilon(1e-15));
  // f(z) = (z - 1)^2, z ~ N(0.3, 0.5^2): dE/dsigma = 2 sigma = 1. Using f'(z) (dz/dsigma = 1
  // instead of eps) gives E f'(z) = 2 (mu - 1) = -1.4: it fails the same comparison.
  Rng rng(43);
  std::vector<double> gm, gs;
  reparam_gradient_samples(rng, {0.3}, {0.5}, [](const double* zz, double* g) { g[0] = 2 * (zz[0] - 1); }, 50000,
                           &gm, &gs);
  McEstimate right = column_estimate(gs, 1, 0), wrong = column_estimate(gm, 1, 0);
  CHECK(std::fabs(right.mean - 1.0) <= 4 * right.se);
  CHECK(std::fabs(wrong.mean - 1.0) > 4 * wrong.se);
}

TEST_CASE("elbo: ring map by hand") {
  double z[2] = {3, 4}, g[2];  // ||z|| = 5: g = z/10 + z/5 = (0.9, 1.2), ||g|| = 1.5 = 1 + 5/10
  ring_map(z, g, 2);
  CHECK(g[0] == doctest::Approx(0.9).epsilon(1e-15));
  CHECK(g[1] == doctest::Approx(1.2).epsilon(1e-15));
}
