// test_theory_gan_optimum.cpp - the library functions of dgm/theory/gan_optimum.h behind the
// checks `optimal-d`, `c-of-g`, `non-saturating`, `saturation`, `dataset-shift`, on values computed
// by hand, and proof that the trained checks' tolerances reject a wrong discriminator (the checks
// themselves run in test_theory_report.cpp).
#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "dgm/core/rng.h"
#include "dgm/theory/divergences.h"
#include "dgm/theory/gan_optimum.h"
#include "dgm/theory/report.h"

using namespace dgm;

TEST_CASE("gan optimum: D*, V and C(G) by hand") {
  // p_data = (1/2, 1/2, 0), p_g = (0, 1/2, 1/2): D* = (1, 1/2, 0).
  std::vector<double> pd = {0.5, 0.5, 0.0}, pg = {0.0, 0.5, 0.5};
  std::vector<double> ds = optimal_discriminator(pd, pg);
  CHECK(ds == std::vector<double>{1.0, 0.5, 0.0});
  // V(D*) = 1/2 log 1 + 1/2 log 1/2 + 1/2 log 1/2 + 1/2 log 1 = -log 2
  CHECK(gan_value(pd, pg, ds) == doctest::Approx(-std::log(2.0)));
  // D_JS = 1/2 log 2 (half the mass is disjoint), so C = 2 * 1/2 log 2 - log 4 = -log 2.
  CHECK(c_of_g_js(pd, pg) == doctest::Approx(-std::log(2.0)));
  CHECK(c_of_g_numeric(pd, pg) == doctest::Approx(-std::log(2.0)).epsilon(1e-12));
  CHECK(optimal_discriminator({0.0}, {0.0})[0] == 0.5);
  // argmax of 3 log s + 1 log(1 - s) is 3/4.
  CHECK(argmax_pointwise_value(3.0, 1.0) == doctest::Approx(0.75).epsilon(1e-7));
  CHECK(argmax_pointwise_value(0.0, 1.0) < 1e-20);
  CHECK(argmax_pointwise_value(1.0, 0.0) >= 1.0 - 1e-15);  // sigmoid(60) rounds to 1
  // V(D*) - V(D) at D = 1/2 everywhere on a two-point example, by the Bernoulli-KL identity.
  std::vector<double> a = {0.3, 0.2}, b = {0.1, 0.4}, half = {0.5, 0.5};
  double direct = gan_value(a, b, optimal_discriminator(a, b)) - gan_value(a, b, half);
  CHECK(value_gap_bernoulli(a, b, half) == doctest::Approx(direct).epsilon(1e-14));
  CHECK(direct > 0);
}

TEST_CASE("gan optimum: densities, grid masses, losses") {
  Density1D g = gaussian_1d(1.0, 2.0);
  // log N(1; 1, 4) = -log 2 - 1/2 log(2 pi)
  CHECK(log_density(g, 1.0) == doctest::Approx(-std::log(2.0) - 0.5 * std::log(2 * 3.14159265358979323846)));
  CHECK(score(g, 3.0) == doctest::Approx(-0.5));  // -(x - mu)/sigma^2
  Density1D m = blend(gaussian_1d(-1, 1), gaussian_1d(1, 1), 0.5);
  CHECK(m.w == std::vector<double>{0.5, 0.5});
  CHECK(score(m, 0.0) == doctest::Approx(0.0).epsilon(1e-15));  // symmetric
  std::vector<double> mass = grid_masses(g, Grid1D{-20, 22, 4201});
  CHECK(is_distribution(mass, 1e-12));
  // Sample mean and variance of N(1, 4) from 20000 draws: standard errors 0.014 and 0.04.
  Rng rng(3);
  double s = 0, s2 = 0;
  for (int i = 0; i < 20000; ++i) {
    double x = sample(g, rng);
    s += x;
    s2 += x * x;
  }
  double mean = s / 20000, var = s2 / 20000 - mean * mean;
  CHECK(std::fabs(mean - 1.0) < 0.06);
  CHECK(std::fabs(var - 4.0) < 0.16);
  // softplus and the two generator losses at a = 0: log 2 each way.
  CHECK(softplus(0.0) == doctest::Approx(std::log(2.0)));
  CHECK(saturating_loss(0.0) == doctest::Approx(-std::log(2.0)));
  CHECK(nonsaturating_loss(0.0) == doctest::Approx(std::log(2.0)));
  CHECK(softplus(800.0) == 800.0);      // no overflow
  CHECK(softplus(-800.0) == 0.0);
}

TEST_CASE("gan optimum: the trained checks' tolerances reject a wrong discriminator") {
  // optimal-d: D = 1/2 everywhere, and the D* of a wrong p_g = N(0, 1.3^2), both fail.
  TrainedCheckSetup s = optimal_d_setup();
  std::vector<double> half(s.xs.size(), 0.5), wrong(s.xs.size());
  for (std::size_t i = 0; i < s.xs.size(); ++i)
    wrong[i] = optimal_discriminator_at(s.p1, gaussian_1d(0.0, 1.3), s.xs[i]);
  CHECK(max_abs_gap(half, s.target, s.bulk) > kTrainedDStarTol);
  CHECK(max_abs_gap(wrong, s.target, s.bulk) > kTrainedDStarTol);
  CHECK(max_abs_gap(s.target, s.target, s.bulk) == 0.0);
  // dataset-shift: no correction (log w = 0), and the ratio for a wrong p_test = N(1, 0.85^2).
  TrainedCheckSetup d = dataset_shift_setup();
  std::vector<double> zero(d.xs.size(), 0.0), wrong_ratio(d.xs.size());
  for (std::size_t i = 0; i < d.xs.size(); ++i)
    wrong_ratio[i] = log_density(gaussian_1d(1.0, 0.85), d.xs[i]) - log_density(d.p0, d.xs[i]);
  CHECK(max_abs_gap(zero, d.target, d.bulk) > kShiftLogRatioTol);
  CHECK(max_abs_gap(wrong_ratio, d.target, d.bulk) > kShiftLogRatioTol);
  // A NaN output fails the comparison rather than being skipped.
  std::vector<double> nan = half;
  nan[200] = std::nan("");
  CHECK_FALSE(max_abs_gap(nan, s.target, s.bulk) <= kTrainedDStarTol);
}

TEST_CASE("gan optimum: trained D is within tolerance for other seeds too") {
  // The tolerances were set from seeds 1..8; two more seeds, to show the margin is not tuned to
  // the seed the check uses.
  TrainedCheckSetup s = optimal_d_setup();
  for (std::uint64_t seed : {21u, 22u}) {
    TrainDConfig cfg;
    cfg.seed = seed;
    std::vector<double> l = train_discriminator_logits(s.p1, s.p0, s.xs, cfg), D(l.size());
    for (std::size_t i = 0; i < l.size(); ++i) D[i] = 1.0 / (1.0 + std::exp(-l[i]));
    CHECK(max_abs_gap(D, s.target, s.bulk) <= kTrainedDStarTol);
  }
}
