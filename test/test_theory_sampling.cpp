// test_theory_sampling.cpp - the library functions of the sampling checks ([MIPT]) on
// hand-computed values, and the same comparisons failing on wrong samplers / formulas (the checks
// themselves run in test_theory_report.cpp).
#include <doctest/doctest.h>

#include <cmath>

#include "dgm/core/rng.h"
#include "dgm/theory/report.h"
#include "dgm/theory/sampling.h"

using namespace dgm;

TEST_CASE("sampling: the normal quantile inverts the normal CDF") {
  CHECK(normal_inverse_cdf(0.5) == 0.0);
  CHECK(normal_inverse_cdf(0.975) == doctest::Approx(1.959963984540054).epsilon(1e-14));
  CHECK(normal_inverse_cdf(0.025) == doctest::Approx(-1.959963984540054).epsilon(1e-14));
  CHECK(normal_inverse_cdf(0.8413447460685429) == doctest::Approx(1.0).epsilon(1e-13));  // Phi(1)
  CHECK(normal_inverse_cdf(1e-10) == doctest::Approx(-6.361340902404056).epsilon(1e-12));  // both tails
  // Phi(Phi^-1(p)) = p on a grid through the centre and both tails.
  double worst = 0;
  for (double p : {1e-300, 1e-12, 1e-5, 0.001, 0.02, 0.02425, 0.1, 0.3, 0.5, 0.7, 0.9, 0.97575, 0.99, 0.999999}) {
    const double x = normal_inverse_cdf(p);
    worst = std::fmax(worst, std::fabs(normal_cdf(x) - p) / std::fmin(p, 1 - p));
    if (p >= 1e-3) CHECK(normal_inverse_cdf(1 - p) == doctest::Approx(-x).epsilon(1e-10));  // symmetry
  }
  CHECK(worst < 1e-12);
  CHECK(std::isinf(normal_inverse_cdf(0)));
  CHECK(normal_inverse_cdf(0) < 0);
  CHECK(normal_inverse_cdf(1) > 0);
  CHECK(std::isnan(normal_inverse_cdf(std::nan(""))));
}

TEST_CASE("sampling: normal density and CDF at hand values") {
  CHECK(normal_log_pdf(0, 0, 1) == doctest::Approx(-0.5 * std::log(2 * kPi)).epsilon(1e-15));
  // log N(3; 1, 4) = -1/2 (log(8 pi) + 4/4)
  CHECK(normal_log_pdf(3, 1, 4) == doctest::Approx(-0.5 * (std::log(8 * kPi) + 1)).epsilon(1e-15));
  CHECK(normal_cdf(0) == 0.5);
  CHECK(normal_cdf(1.959963984540054) == doctest::Approx(0.975).epsilon(1e-12));
  CHECK(normal_cdf(5, 3, 2) == doctest::Approx(normal_cdf(1)).epsilon(1e-15));
}

TEST_CASE("sampling: sample mean, variance, standard error") {
  std::vector<double> x = {1, 2, 3, 4};
  CHECK(sample_mean(x) == 2.5);
  CHECK(sample_variance(x) == doctest::Approx(5.0 / 3.0).epsilon(1e-15));  // (2.25+0.25+0.25+2.25)/3
  CHECK(standard_error(x) == doctest::Approx(std::sqrt(5.0 / 12.0)).epsilon(1e-15));
  CHECK_THROWS(sample_variance({1.0}));
}

TEST_CASE("sampling: KS statistic and p-value by hand") {
  // x = (0.1, 0.5, 0.9) against U(0,1): gaps 1/3 - 0.1, 0.5 - 1/3, 0.9 - 2/3 ... max = 0.9 - 2/3.
  double d = ks_statistic({0.9, 0.1, 0.5}, [](double t) { return t; });
  CHECK(d == doctest::Approx(0.9 - 2.0 / 3.0).epsilon(1e-12));
  // Kolmogorov's distribution: P(sqrt(n) D > 1.3581) = 0.05 and P(> 1.6276) = 0.01 as n -> inf.
  const int n = 1000000;
  CHECK(ks_pvalue(1.3581 / std::sqrt(n), n) == doctest::Approx(0.05).epsilon(0.01));
  CHECK(ks_pvalue(1.6276 / std::sqrt(n), n) == doctest::Approx(0.01).epsilon(0.01));
  CHECK(ks_pvalue(0.0, 10) == 1.0);
  CHECK(ks_pvalue(1.0, 100) < 1e-30);
}

TEST_CASE("sampling: exponential inverse CDF by hand, round trip") {
  // F(t) = 1 - e^{-lambda t}: F^-1(1 - e^{-1}) = 1/lambda
  CHECK(exponential_inverse_cdf(1 - std::exp(-1.0), 2.0) == doctest::Approx(0.5).epsilon(1e-14));
  CHECK(exponential_inverse_cdf(0.0, 3.0) == 0.0);
  for (double u : {0.01, 0.3, 0.77, 0.999})
    CHECK(exponential_cdf(exponential_inverse_cdf(u, 1.7), 1.7) == doctest::Approx(u).epsilon(1e-12));
}

TEST_CASE("sampling: a wrong inverse CDF fails the same KS comparison") {
  // -lambda log(1 - u) is Exp(1/lambda), not Exp(lambda).
  Rng rng(13);
  const double lambda = 2.0;
  std::vector<double> z =
      inverse_transform_sample(rng, 20000, [&](double u) { return -lambda * std::log(1 - u); });
  double p = ks_pvalue(ks_statistic(z, [&](double t) { return exponential_cdf(t, lambda); }), 20000);
  CHECK(p < 0.01);
}

TEST_CASE("sampling: Laplace density and sampler") {
  CHECK(laplace_pdf(0, 1) == 0.5);
  CHECK(laplace_pdf(-2, 2) == doctest::Approx(std::exp(-1.0) / 4).epsilon(1e-15));
  Rng rng(3);
  std::vector<double> z(20000);
  for (double& v : z) v = laplace_sample(rng, 1.0);
  // Laplace(0, 1) CDF: 1/2 e^t for t < 0, 1 - 1/2 e^{-t} otherwise.
  double p = ks_pvalue(ks_statistic(z, [](double t) { return t < 0 ? 0.5 * std::exp(t) : 1 - 0.5 * std::exp(-t); }),
                       20000);
  CHECK(p > 0.01);
}

TEST_CASE("sampling: rejection with too small a k (k q < p somewhere) draws the wrong density") {
  RejectionSampler s;
  s.p = [](double z) { return std::exp(normal_log_pdf(z, 0, 1)); };
  s.q = [](double z) { return laplace_pdf(z, 1.0); };
  s.sample_q = [](Rng& g) { return laplace_sample(g, 1.0); };
  s.k = 0.5;  // the envelope k q(z) >= p(z) fails near 0
  Rng rng(17);
  long long tries = 0;
  std::vector<double> z = rejection_sample(rng, s, 20000, &tries);
  double p = ks_pvalue(ks_statistic(z, [](double t) { return normal_cdf(t); }), 20000);
  CHECK(p < 0.01);
}

TEST_CASE("sampling: quantiles and the bootstrap interval by hand") {
  std::vector<double> s = {1, 2, 3, 4};
  CHECK(quantile_sorted(s, 0.0) == 1);
  CHECK(quantile_sorted(s, 1.0) == 4);
  CHECK(quantile_sorted(s, 0.5) == 2.5);
  CHECK(quantile_sorted(s, 1.0 / 3.0) == doctest::Approx(2.0).epsilon(1e-14));
  Rng rng(1);
  Interval ci = bootstrap_mean_ci(rng, {7, 7, 7}, 100, 0.95);  // constant data: a point interval
  CHECK(ci.lo == 7);
  CHECK(ci.hi == 7);
}

TEST_CASE("sampling: a 50% interval reported as 95% fails the coverage comparison") {
  Rng rng(19);
  const int M = 300;
  int covered = 0;
  for (int m = 0; m < M; ++m) {
    std::vector<double> x =
        inverse_transform_sample(rng, 100, [](double u) { return exponential_inverse_cdf(u, 1.0); });
    covered += bootstrap_mean_ci(rng, x, 300, 0.5).contains(1.0);
  }
  double coverage = static_cast<double>(covered) / M;
  CHECK(std::fabs(coverage - 0.95) > 4 * std::sqrt(0.95 * 0.05 / M) + 0.015);
}

TEST_CASE("sampling: log_mix and the Theis bound") {
  CHECK(log_mix(0.5, std::log(2.0), std::log(4.0)) == doctest::Approx(std::log(3.0)).epsilon(1e-15));
  CHECK(log_mix(0.01, -1000, -2000) == doctest::Approx(std::log(0.01) - 1000).epsilon(1e-15));  // no underflow
  double x[3] = {1, 2, 2};  // ||x||^2 = 9
  CHECK(isotropic_normal_log_pdf(x, 3, 1.0) == doctest::Approx(-1.5 * std::log(2 * kPi) - 4.5).epsilon(1e-15));
  // With mixture weight 0.001 the bound log p_data - log 100 fails where the noise is negligible.
  double ld = isotropic_normal_log_pdf(x, 3, 1.0), ln = isotropic_normal_log_pdf(x, 3, 1e-4);
  CHECK(log_mix(0.01, ld, ln) >= ld - std::log(100.0));
  CHECK(log_mix(0.001, ld, ln) < ld - std::log(100.0));
}

TEST_CASE("sampling: evidence of the conjugate Gaussian model by hand (n = 2)") {
  ConjugateGaussian m{0.0, 1.0, 1.0};
  std::vector<double> x = {1, 3};
  // Chain: log N(1; 0, 2) + log N(3; 0.5, 1.5)  (after x_1: t = 1/2, m_1 = 1/2).
  double chain = normal_log_pdf(1, 0, 2) + normal_log_pdf(3, 0.5, 1.5);
  // Marginal: N(0, [[2,1],[1,2]]): det 3, x^T S^-1 x = (2 - 6 + 18)/3 = 14/3.
  double marg = -std::log(2 * kPi) - 0.5 * std::log(3.0) - 7.0 / 3.0;
  CHECK(chain == doctest::Approx(marg).epsilon(1e-14));
  CHECK(log_evidence_chain(m, x) == doctest::Approx(chain).epsilon(1e-14));
  CHECK(log_evidence_marginal(m, x) == doctest::Approx(marg).epsilon(1e-14));
  CHECK(predictive_log_pdf(m, x.data(), 1, 3) == doctest::Approx(normal_log_pdf(3, 0.5, 1.5)).epsilon(1e-14));
  // LOO: each point predicted from the other one: N(x_i; x_j / 2, 1.5), averaged.
  double loo = 0.5 * (normal_log_pdf(1, 1.5, 1.5) + normal_log_pdf(3, 0.5, 1.5));
  CHECK(leave_one_out_score(m, x) == doctest::Approx(loo).epsilon(1e-14));
}

TEST_CASE("sampling: a plug-in 'evidence' (final posterior for every term) fails the comparison") {
  Rng rng(29);
  std::vector<double> x(30);
  for (double& v : x) v = 1.5 + rng.normal_double();
  ConjugateGaussian m{0.0, 4.0, 1.0};
  double plug_in = 0;
  for (double v : x) plug_in += predictive_log_pdf(m, x.data(), 30, v);  // uses all data, itself included
  CHECK(std::fabs(plug_in - log_evidence_marginal(m, x)) > 1.0);
}
