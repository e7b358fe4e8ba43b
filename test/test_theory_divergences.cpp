// test_theory_divergences.cpp - the library functions of dgm/theory/divergences.h behind the
// checks `entropy`, `gibbs`, `kl`, `js`, on values computed by hand (the checks themselves run in
// test_theory_report.cpp).
#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "dgm/core/rng.h"
#include "dgm/theory/divergences.h"
#include "dgm/theory/report.h"

using namespace dgm;

TEST_CASE("divergences: entropy by hand") {
  CHECK(xlogx(0.0) == 0.0);
  CHECK(xlogx(1.0) == 0.0);
  CHECK(entropy({1.0, 0.0, 0.0}) == 0.0);
  CHECK(entropy({0.5, 0.5}) == doctest::Approx(std::log(2.0)).epsilon(1e-15));
  // (1/2, 1/4, 1/4): 1/2 log 2 + 2 * 1/4 log 4 = 3/2 log 2
  CHECK(entropy({0.5, 0.25, 0.25}) == doctest::Approx(1.5 * std::log(2.0)).epsilon(1e-15));
  CHECK(one_hot(4, 2) == std::vector<double>{0, 0, 1, 0});
}

TEST_CASE("divergences: Gibbs sums, KL and JS by hand") {
  std::vector<double> p = {0.5, 0.5}, q = {0.25, 0.75};
  // sum p log q = 1/2 log(1/4) + 1/2 log(3/4)
  CHECK(sum_p_log_q(p, q) == doctest::Approx(0.5 * std::log(0.25) + 0.5 * std::log(0.75)));
  CHECK(std::isinf(sum_p_log_q({0.5, 0.5}, {1.0, 0.0})));
  CHECK(sum_p_log_q({1.0, 0.0}, {0.5, 0.5}) == doctest::Approx(std::log(0.5)));  // 0 log q = 0
  // KL(p||q) = 1/2 log 2 + 1/2 log(2/3)
  CHECK(kl(p, q) == doctest::Approx(0.5 * std::log(2.0) + 0.5 * std::log(2.0 / 3.0)));
  CHECK(std::isinf(kl({0.5, 0.5}, {1.0, 0.0})));
  CHECK(kl({1.0, 0.0}, {0.5, 0.5}) == doctest::Approx(std::log(2.0)));
  // JS of (1,0) and (0,1): M = (1/2,1/2), each KL = log 2, D_JS = log 2.
  CHECK(js({1.0, 0.0}, {0.0, 1.0}) == doctest::Approx(std::log(2.0)));
  // JS of (1,0) and (1/2,1/2): M = (3/4,1/4); KL(P||M) = log(4/3),
  // KL(Q||M) = 1/2 log(2/3) + 1/2 log 2; D_JS = half their sum.
  double expect = 0.5 * std::log(4.0 / 3.0) + 0.5 * (0.5 * std::log(2.0 / 3.0) + 0.5 * std::log(2.0));
  CHECK(js({1.0, 0.0}, {0.5, 0.5}) == doctest::Approx(expect).epsilon(1e-14));
  CHECK(js_from_entropies({1.0, 0.0}, {0.5, 0.5}) == doctest::Approx(expect).epsilon(1e-14));
  CHECK(js_distance(p, p) == 0.0);
  CHECK(mixture_half(p, q) == std::vector<double>{0.375, 0.625});
}

TEST_CASE("divergences: random_distribution is a distribution, with zeros when asked") {
  Rng rng(11);
  int zeros = 0;
  for (int t = 0; t < 200; ++t) {
    std::vector<double> p = random_distribution(rng, 6, 0.5);
    CHECK(is_distribution(p));
    for (double v : p) zeros += v == 0.0;
  }
  CHECK(zeros > 300);  // about half of 1200 entries
  CHECK_FALSE(is_distribution({0.5, 0.6}));
  CHECK_FALSE(is_distribution({1.5, -0.5}));
}

TEST_CASE("divergences: the checks can fail (a wrong formula is caught)") {
  // A "KL" without the log ratio's sign care, sum p log(q/p), is <= 0 and would fail `kl`'s
  // first comparison; here the same comparison as in the check, made silently.
  Report r(nullptr);
  std::vector<double> p = {0.1, 0.2, 0.7}, q = {0.3, 0.3, 0.4};
  double wrong = -kl(p, q);
  r.at_most("-KL >= 0", -wrong, 0.0);
  CHECK_FALSE(r.passed());
  // The triangle test of `js` rejects D_JS itself on (1,0), (1/2,1/2), (0,1).
  std::vector<double> x = {1, 0}, y = {0.5, 0.5}, z = {0, 1};
  CHECK(js(x, z) > js(x, y) + js(y, z));
  CHECK(js_distance(x, z) <= js_distance(x, y) + js_distance(y, z));
}
