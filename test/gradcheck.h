// gradcheck.h - central-difference gradient checks in double precision.
//
// For an op y = f(x_1, ..., x_k) we need two things from a test:
//   build(tape, leaves)  puts the op on the tape (our float implementation);
//   ref(inputs)          computes the same y in double, written independently in the test.
// The checker draws random inputs away from kinks, takes L = sum_i w_i y_i with fixed random
// weights w, runs our backward, and compares each dL/dx with the central difference
//   (Lref(x + h e) - Lref(x - h e)) / 2h,  h = 1e-5, in double.
// Truncation error is O(h^2) ~ 1e-10 and the double rounding error ~ 1e-16 / h ~ 1e-11, so the
// tolerance is set by our float arithmetic: |analytic - numeric| <= 2e-3 * (|numeric| + scale)
// where scale is the typical gradient size; and forward values agree to 1e-5 relative.
#pragma once
#include <doctest/doctest.h>

#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include "dgm/core/arena.h"
#include "dgm/core/ops.h"
#include "dgm/core/rng.h"

namespace gradcheck {

using dgm::Tape;
using dgm::Tensor;
using dgm::Var;
using Vec = std::vector<double>;

struct Input {
  int rows, cols;
  double lo = -2.0, hi = 2.0;  // sampling range
  double avoid = 0.0;          // |x - kink| must exceed this...
  double kink = 0.0;           // ...away from this point (e.g. 0 for relu)
};

struct Case {
  const char* name;
  std::vector<Input> inputs;
  std::function<Var(Tape&, const std::vector<Var>&)> build;
  std::function<Vec(const std::vector<Vec>&)> ref;  // y in double, flattened row-major
};

inline void run(const Case& c, std::uint64_t seed = 1) {
  INFO("op: " << std::string(c.name));
  dgm::Rng rng(seed);
  dgm::Arena arena;
  Tape t(arena);
  std::vector<Vec> xs;
  std::vector<Var> leaves;
  for (const Input& in : c.inputs) {
    Tensor x = t.alloc(dgm::make_shape(in.rows, in.cols));
    Vec xd(x.size());
    for (std::size_t i = 0; i < x.size(); ++i) {
      float v;
      do v = static_cast<float>(in.lo + (in.hi - in.lo) * rng.uniform_double());
      while (std::fabs(v - in.kink) <= in.avoid);
      x.data[i] = v;
      xd[i] = v;
    }
    xs.push_back(xd);
    leaves.push_back(t.leaf(x));
  }
  Var y = c.build(t, leaves);
  const Tensor yv = t.value(y);
  const Vec yref = c.ref(xs);
  REQUIRE(yref.size() == yv.size());
  // Forward agrees with the double reference.
  for (std::size_t i = 0; i < yref.size(); ++i)
    CHECK(std::fabs(yv.data[i] - yref[i]) <= 1e-5 * (std::fabs(yref[i]) + 1.0));
  // L = sum_i w_i y_i with w ~ U(-1, 1), a constant on the tape.
  Tensor w = t.alloc(yv);
  Vec wd(w.size());
  for (std::size_t i = 0; i < w.size(); ++i) wd[i] = w.data[i] = rng.uniform(-1.f, 1.f);
  Var L = dgm::sum(t, dgm::mul(t, y, t.constant(w)));
  t.backward(L);
  auto Lref = [&](const std::vector<Vec>& in) {
    Vec v = c.ref(in);
    double s = 0;
    for (std::size_t i = 0; i < v.size(); ++i) s += wd[i] * v[i];
    return s;
  };
  const double h = 1e-5;
  for (std::size_t k = 0; k < xs.size(); ++k) {
    const Tensor g = t.grad(leaves[k]);
    Vec numeric(xs[k].size());
    double scale = 0;
    for (std::size_t i = 0; i < xs[k].size(); ++i) {
      std::vector<Vec> xp = xs, xm = xs;
      xp[k][i] += h;
      xm[k][i] -= h;
      numeric[i] = (Lref(xp) - Lref(xm)) / (2 * h);
      scale += std::fabs(numeric[i]);
    }
    scale /= static_cast<double>(numeric.size());
    for (std::size_t i = 0; i < numeric.size(); ++i) {
      INFO("input " << k << " element " << i << ": analytic " << g.data[i] << " numeric " << numeric[i]);
      CHECK(std::fabs(g.data[i] - numeric[i]) <= 2e-3 * (std::fabs(numeric[i]) + scale) + 1e-6);
    }
  }
}

}  // namespace gradcheck
