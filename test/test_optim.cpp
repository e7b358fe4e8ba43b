// test_optim.cpp - three steps of each optimizer against values worked out in the test.
#include <doctest/doctest.h>

#include <cmath>
#include <string>

#include "dgm/optim.h"

using namespace dgm;

namespace {
// Gradients for the three steps, two parameters.
const float kG[3][2] = {{1.0f, -2.0f}, {0.5f, 4.0f}, {-1.0f, 1.0f}};

void run3(Optimizer& opt, float w[2], float out[3][2]) {
  for (int s = 0; s < 3; ++s) {
    opt.step(w, kG[s], 2);
    out[s][0] = w[0];
    out[s][1] = w[1];
  }
}
}  // namespace

TEST_CASE("optim: SGD with momentum, three steps by hand") {
  // lr 0.5, mu 0.5, w0 = (1, 1).  v1 = g1 = (1, -2), w1 = (0.5, 2)
  // v2 = 0.5 v1 + g2 = (1, 3), w2 = (0, 0.5);  v3 = 0.5 v2 + g3 = (-0.5, 2.5), w3 = (0.25, -0.75)
  OptimConfig c;
  c.kind = OptimKind::SGD;
  c.lr = 0.5f;
  c.momentum = 0.5f;
  Optimizer opt(c, 2);
  float w[2] = {1.f, 1.f}, out[3][2];
  run3(opt, w, out);
  const float expect[3][2] = {{0.5f, 2.f}, {0.f, 0.5f}, {0.25f, -0.75f}};
  for (int s = 0; s < 3; ++s)
    for (int i = 0; i < 2; ++i) CHECK(out[s][i] == expect[s][i]);  // exact in binary
}

TEST_CASE("optim: Adagrad, RMSProp and Adam, three steps against the formulas in double") {
  for (OptimKind k : {OptimKind::Adagrad, OptimKind::RMSProp, OptimKind::Adam}) {
    INFO(std::string(optim_kind_name(k)));
    OptimConfig c;
    c.kind = k;
    c.lr = 0.1f;
    Optimizer opt(c, 2);
    float w[2] = {1.f, -1.f}, out[3][2];
    run3(opt, w, out);
    // The same update written out per parameter in double.
    double wd[2] = {1.0, -1.0}, s[2] = {0, 0}, v[2] = {0, 0};
    for (int t = 1; t <= 3; ++t)
      for (int i = 0; i < 2; ++i) {
        const double g = kG[t - 1][i];
        if (k == OptimKind::Adagrad) {
          s[i] += g * g;
          wd[i] -= 0.1 * g / (std::sqrt(s[i]) + 1e-8);
        } else if (k == OptimKind::RMSProp) {
          s[i] = 0.99 * s[i] + 0.01 * g * g;
          wd[i] -= 0.1 * g / (std::sqrt(s[i]) + 1e-8);
        } else {
          s[i] = 0.9 * s[i] + 0.1 * g;
          v[i] = 0.999 * v[i] + 0.001 * g * g;
          const double mh = s[i] / (1 - std::pow(0.9, t)), vh = v[i] / (1 - std::pow(0.999, t));
          wd[i] -= 0.1 * mh / (std::sqrt(vh) + 1e-8);
        }
        CHECK(out[t - 1][i] == doctest::Approx(wd[i]).epsilon(1e-5));
      }
  }
  // A hand value: Adam's first step moves every weight by lr * sign(g) (m^/sqrt(v^) = g/|g|).
  OptimConfig c;
  Optimizer adam(c, 2);
  float w[2] = {0.f, 0.f};
  adam.step(w, kG[0], 2);
  CHECK(w[0] == doctest::Approx(-1e-3));
  CHECK(w[1] == doctest::Approx(1e-3));
}

TEST_CASE("optim: names parse; state size is checked") {
  OptimKind k;
  CHECK(parse_optim_kind("rmsprop", &k));
  CHECK(k == OptimKind::RMSProp);
  CHECK_FALSE(parse_optim_kind("adamw", &k));
  Optimizer o(OptimConfig{}, 3);
  float w[2] = {0, 0}, g[2] = {0, 0};
  CHECK_THROWS_WITH(o.step(w, g, 2), doctest::Contains("2 parameters, state sized for 3"));
}
