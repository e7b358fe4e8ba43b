// test_vecmath.cpp - the vectorizable exp/log/tanh/sigmoid/softplus/sincos of dgm/backend/vecmath.h against
// the C library in double precision (the reference), in units in the last place of the float result.
#include <doctest/doctest.h>

#include <cfloat>
#include <cmath>
#include <cstdint>
#include <initializer_list>

#include "dgm/backend/vecmath.h"

using namespace dgm;

namespace {

// |got - ref| in units of the float spacing at ref (2^(e-24) for ref in [2^(e-1), 2^e); the
// smallest subnormal below FLT_MIN). Both infinite with the same sign, or both NaN: 0.
double ulps(float got, double ref) {
  if (std::isnan(ref)) return std::isnan(got) ? 0.0 : 1e30;
  if (std::fabs(ref) > FLT_MAX) ref = std::copysign(HUGE_VAL, ref);  // rounds to inf as a float
  if (std::isinf(ref)) return static_cast<double>(got) == ref ? 0.0 : 1e30;
  if (!std::isfinite(got)) return 1e30;
  const double a = std::fabs(ref);
  int e = 0;
  std::frexp(a, &e);
  const double unit = a < FLT_MIN ? std::ldexp(1.0, -149) : std::ldexp(1.0, e - 24);
  return std::fabs(static_cast<double>(got) - ref) / unit;
}

struct Worst {
  double ulp = 0;
  float at = 0;
  void add(double u, float x) {
    if (u > ulp) {
      ulp = u;
      at = x;
    }
  }
};

}  // namespace

TEST_CASE("vecmath: exp, log, tanh, sigmoid, softplus within a few ulp of the C library") {
  // Every 2039th float bit pattern of both signs (about 2 million values, all binades), NaN
  // patterns skipped. The bounds are the worst errors measured over every 7th pattern, rounded up
  // at -O2 (exp 0.93, log 1.96, tanh 2.37, sigmoid 2.78, softplus 3.23 ulp); the library's own tanhf is
  // within 2.2 ulp of the double result, so these are comparable. GCC contracts a * b + c into
  // fused multiply-adds where it sees fit (its default for C++), which moves the last bit between
  // builds: exp measured 1.11 ulp at -O1 (make sanitize), hence 1.5 there.
  Worst ex, lg, th, sg, sp;
  for (std::uint32_t b = 0; b < 0x7f800000u; b += 2039) {
    for (int sign = 0; sign < 2; ++sign) {
      const float x = sign ? -bits_float(b) : bits_float(b);
      const double xd = x;
      ex.add(ulps(fast_exp(x), std::exp(xd)), x);
      th.add(ulps(fast_tanh(x), std::tanh(xd)), x);
      sg.add(ulps(fast_sigmoid(x), 1.0 / (1.0 + std::exp(-xd))), x);
      sp.add(ulps(fast_softplus(x), xd > 0 ? xd + std::log1p(std::exp(-xd)) : std::log1p(std::exp(xd))), x);
      if (x >= 0x1p-24f && x <= 2.f) lg.add(ulps(fast_log(x), std::log(xd)), x);  // the range callers use
    }
  }
  MESSAGE("max ulp: exp " << ex.ulp << " at " << ex.at << ", log " << lg.ulp << " at " << lg.at << ", tanh "
          << th.ulp << " at " << th.at << ", sigmoid " << sg.ulp << " at " << sg.at << ", softplus " << sp.ulp
          << " at " << sp.at);
  CHECK(ex.ulp <= 1.5);
  CHECK(lg.ulp <= 2.0);
  CHECK(th.ulp <= 3.0);
  CHECK(sg.ulp <= 3.0);
  CHECK(sp.ulp <= 4.0);
}

TEST_CASE("vecmath: log1p on [0, 1] keeps relative accuracy for tiny x") {
  for (float x : {0.f, 1e-30f, 1e-10f, 3e-8f, 1e-4f, 0.1f, 0.5f, 1.f}) {
    INFO(x);
    CHECK(ulps(fast_log1p01(x), std::log1p(static_cast<double>(x))) <= 2.0);
  }
}

TEST_CASE("vecmath: sin and cos of 2 pi u for u in [0, 1)") {
  // Absolute error in units of 2^-24 (sin and cos pass through zero, where ulps mean nothing).
  double worst = 0;
  for (std::uint32_t k = 0; k < (1u << 24); k += 7) {
    const float u = static_cast<float>(k) * (1.0f / 16777216.0f);  // as Rng::uniform makes them
    float s, c;
    fast_sincos_2pi(u, &s, &c);
    const double a = 6.283185307179586 * static_cast<double>(u);
    worst = std::fmax(worst, std::fabs(s - std::sin(a)) * 16777216.0);
    worst = std::fmax(worst, std::fabs(c - std::cos(a)) * 16777216.0);
  }
  MESSAGE("sincos max error " << worst << " x 2^-24");
  CHECK(worst <= 2.0);  // measured 1.43
}

TEST_CASE("vecmath: special values") {
  CHECK(std::isnan(fast_exp(NAN)));
  CHECK(fast_exp(INFINITY) == INFINITY);
  CHECK(fast_exp(-INFINITY) == 0.f);
  CHECK(fast_exp(89.f) == INFINITY);
  CHECK(fast_exp(0.f) == 1.f);
  CHECK(fast_exp(-200.f) == 0.f);
  CHECK(fast_log(1.f) == 0.f);
  CHECK(fast_tanh(INFINITY) == 1.f);
  CHECK(fast_tanh(-INFINITY) == -1.f);
  CHECK(std::isnan(fast_tanh(NAN)));
  CHECK(fast_tanh(0.f) == 0.f);
  CHECK(fast_sigmoid(INFINITY) == 1.f);
  CHECK(fast_sigmoid(-INFINITY) == 0.f);
  CHECK(fast_softplus(-INFINITY) == 0.f);
  CHECK(fast_softplus(1e30f) == 1e30f);
}

TEST_CASE("vecmath: sqrt_block gives the same bits as std::sqrt") {
  float q[kBlock], r[kBlock];
  for (std::size_t k = 0; k < kBlock; ++k) q[k] = r[k] = 0.37f * static_cast<float>(k * k) + 1e-30f;
  sqrt_block(q);
  for (std::size_t k = 0; k < kBlock; ++k) CHECK(q[k] == std::sqrt(r[k]));
}
