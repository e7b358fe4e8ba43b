// test_optim.cpp - three steps of each optimizer against values worked out in the test.
#include <doctest/doctest.h>

#include <cmath>
#include <initializer_list>
#include <string>
#include <vector>

#include "dgm/core/optim.h"
#include "dgm/backend/parallel.h"
#include "dgm/core/rng.h"

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

TEST_CASE("optim: Adam over a large buffer (vector blocks, parallel chunks) against the double formula") {
  // 100003 parameters: many chunks of 16384, blocks of 16 and a remainder. 1 and 2 threads
  // must agree bit for bit (elementwise work); both must match the update in double.
  const std::size_t n = 100003;
  std::vector<float> g1(n), g2(n), w0(n);
  Rng rng(9);
  for (std::size_t i = 0; i < n; ++i) {
    w0[i] = rng.uniform(-1.f, 1.f);
    g1[i] = rng.uniform(-1.f, 1.f) * (i % 7 == 0 ? 1e-6f : 1.f);  // some tiny gradients too
    g2[i] = rng.uniform(-1.f, 1.f);
  }
  const int saved = num_threads();
  std::vector<float> out[2];
  for (int threads : {1, 2}) {
    set_num_threads(threads);
    Optimizer opt(OptimConfig{}, n);
    std::vector<float> w = w0;
    opt.step(w.data(), g1.data(), n);
    opt.step(w.data(), g2.data(), n);
    out[threads - 1] = w;
  }
  set_num_threads(saved);
  CHECK(out[0] == out[1]);
  std::size_t bad = 0;
  for (std::size_t i = 0; i < n; ++i) {
    double m = 0, v = 0, w = w0[i];
    const double gs[2] = {g1[i], g2[i]};
    for (int t = 1; t <= 2; ++t) {
      m = 0.9 * m + 0.1 * gs[t - 1];
      v = 0.999 * v + 0.001 * gs[t - 1] * gs[t - 1];
      w -= 1e-3 * (m / (1 - std::pow(0.9, t))) / (std::sqrt(v / (1 - std::pow(0.999, t))) + 1e-8);
    }
    // float rounding of w (|w| <= 1: 6e-8) and of the step (1e-3 * a few ulp): 2e-7 absolute
    if (std::fabs(out[0][i] - w) > 2e-7) ++bad;
  }
  CHECK(bad == 0);
  // The readable update (m_hat, v_hat, one parameter at a time) gives the fast path's bits.
  {
    std::vector<float> w = w0, m(n, 0.f), v(n, 0.f);
    OptimConfig c;
    adam_reference(w.data(), m.data(), v.data(), g1.data(), n, c, 1);
    adam_reference(w.data(), m.data(), v.data(), g2.data(), n, c, 2);
    CHECK(w == out[0]);
  }
}

TEST_CASE("optim: step_and_zero_grad = step, then zero_grad, for every optimizer") {
  for (OptimKind k : {OptimKind::SGD, OptimKind::Adagrad, OptimKind::RMSProp, OptimKind::Adam}) {
    INFO(std::string(optim_kind_name(k)));
    ParamStore a, b;
    a.add("w", make_shape(37, 1001));  // 37037 values: several chunks, blocks and a remainder
    b.add("w", make_shape(37, 1001));
    a.finalize();
    b.finalize();
    Rng rng(4);
    for (std::size_t i = 0; i < a.size(); ++i) a.data()[i] = b.data()[i] = rng.uniform(-1.f, 1.f);
    OptimConfig c;
    c.kind = k;
    Optimizer oa(c, a.size()), ob(c, b.size());
    for (int step = 0; step < 3; ++step) {
      for (std::size_t i = 0; i < a.size(); ++i) a.grads()[i] = b.grads()[i] = rng.uniform(-1.f, 1.f);
      oa.step(a);
      a.zero_grad();
      ob.step_and_zero_grad(b);
    }
    CHECK(std::vector<float>(a.data(), a.data() + a.size()) == std::vector<float>(b.data(), b.data() + b.size()));
    bool zero = true;
    for (std::size_t i = 0; i < b.size(); ++i) zero = zero && b.grads()[i] == 0.f;
    CHECK(zero);
  }
}
