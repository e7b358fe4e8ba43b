// test_nn.cpp - Linear/MLP: initialisation bounds, and a whole-network gradient check of a
// 3-layer MLP against an independent double-precision forward pass.
#include <doctest/doctest.h>

#include <cmath>
#include <string>
#include <vector>

#include "dgm/core/nn.h"
#include "dgm/core/ops.h"

using namespace dgm;

TEST_CASE("nn: parameters live in one buffer, in declaration order; init within +-1/sqrt(in)") {
  ParamStore p;
  MLP m = make_mlp(p, "enc", {6, 5, 3}, Act::Tanh, Act::None);
  p.finalize();
  Rng rng(3);
  init_mlp(p, m, rng);
  CHECK(p.count() == 4);
  CHECK(p.name(0) == "enc.0.weight");
  CHECK(p.name(3) == "enc.1.bias");
  // PyTorch's nn.Linear shapes: weight (out, in), bias (out).
  CHECK(p.value(0).ndim == 2);
  CHECK(p.value(0).dim[0] == 5);
  CHECK(p.value(0).dim[1] == 6);
  CHECK(p.value(1).ndim == 1);
  CHECK(p.value(1).dim[0] == 5);
  // The parameter count is exact; the buffer pads each tensor to 16 floats.
  CHECK(p.count_values() == 6 * 5 + 5 + 5 * 3 + 3);
  CHECK(p.size() == 32 + 16 + 16 + 16);
  CHECK(p.offset(2) == 48);
  CHECK(p.value(0).data == p.data());
  CHECK(p.value(1).data > p.value(0).data);
  CHECK(p.grad(2).data - p.grads() == p.value(2).data - p.data());  // parallel buffers
  for (int h = 0; h < p.count(); ++h) {
    const float bound = 1.f / std::sqrt(h < 2 ? 6.f : 5.f);
    Tensor v = p.value(h);
    for (std::size_t i = 0; i < v.size(); ++i) CHECK(std::fabs(v.data[i]) <= bound);
  }
  CHECK_THROWS_WITH(p.add("late", make_shape(1)), doctest::Contains("already finalized"));
}

namespace {

// Double-precision reference: the same MLP written out by hand.
double act_d(double x, Act a) {
  switch (a) {
    case Act::ReLU: return x > 0 ? x : 0;
    case Act::LeakyReLU: return x > 0 ? x : 0.2 * x;
    case Act::Tanh: return std::tanh(x);
    case Act::Sigmoid: return 1 / (1 + std::exp(-x));
    default: return x;
  }
}

// Loss: mean over rows of the Bernoulli NLL of targets x under logits MLP(x).
double ref_loss(const std::vector<double>& params, const ParamStore& p, const MLP& m,
                const std::vector<double>& x, const std::vector<double>& target, int B) {
  std::vector<double> h = x;
  int in = m.layers[0].in;
  for (std::size_t li = 0; li < m.layers.size(); ++li) {
    const Linear& l = m.layers[li];
    const std::size_t wo = static_cast<std::size_t>(p.value(l.W).data - p.data());
    const std::size_t bo = static_cast<std::size_t>(p.value(l.b).data - p.data());
    std::vector<double> y(static_cast<std::size_t>(B * l.out));
    for (int r = 0; r < B; ++r)
      for (int o = 0; o < l.out; ++o) {
        double s = params[bo + o];
        for (int i = 0; i < in; ++i) s += h[r * in + i] * params[wo + o * in + i];
        y[r * l.out + o] = act_d(s, li + 1 < m.layers.size() ? m.hidden : m.output);
      }
    h = y;
    in = l.out;
  }
  double loss = 0;
  for (std::size_t i = 0; i < h.size(); ++i) {
    double pr = 1 / (1 + std::exp(-h[i]));
    loss -= target[i] * std::log(pr) + (1 - target[i]) * std::log(1 - pr);
  }
  return loss / B;
}

}  // namespace

TEST_CASE("nn: whole-network gradient check of a 3-layer MLP (every parameter and the input)") {
  for (Act act : {Act::Tanh, Act::Sigmoid, Act::LeakyReLU}) {
    INFO("activation " << std::string(act_name(act)));
    ParamStore p;
    MLP m = make_mlp(p, "net", {4, 6, 5, 3}, act, Act::None);
    p.finalize();
    Rng rng(11);
    init_mlp(p, m, rng);
    const int B = 3;
    Arena arena;
    Tape t(arena);
    Tensor x = t.alloc(make_shape(B, 4)), y = t.alloc(make_shape(B, 3));
    rng.fill_normal(x);
    rng.fill_uniform(y, 0.f, 1.f);
    Var xv = t.leaf(x);
    Var loss = mean(t, bce_with_logits(t, forward(t, p, m, xv), t.constant(y)));
    t.backward(loss);

    std::vector<double> params(p.data(), p.data() + p.size());
    std::vector<double> xd(x.data, x.data + x.size()), yd(y.data, y.data + y.size());
    CHECK(t.value(loss).data[0] == doctest::Approx(ref_loss(params, p, m, xd, yd, B)).epsilon(1e-5));
    const double h = 1e-6;
    double max_err = 0;
    for (std::size_t i = 0; i < p.size(); ++i) {
      std::vector<double> pp = params, pm = params;
      pp[i] += h;
      pm[i] -= h;
      const double num = (ref_loss(pp, p, m, xd, yd, B) - ref_loss(pm, p, m, xd, yd, B)) / (2 * h);
      max_err = std::fmax(max_err, std::fabs(num - p.grads()[i]));
      CHECK(std::fabs(num - p.grads()[i]) <= 1e-4 * std::fabs(num) + 2e-6);
    }
    for (std::size_t i = 0; i < x.size(); ++i) {
      std::vector<double> xp = xd, xm = xd;
      xp[i] += h;
      xm[i] -= h;
      const double num = (ref_loss(params, p, m, xp, yd, B) - ref_loss(params, p, m, xm, yd, B)) / (2 * h);
      CHECK(std::fabs(num - t.grad(xv).data[i]) <= 1e-4 * std::fabs(num) + 2e-6);
    }
    CHECK(max_err < 1e-5);
  }
}

TEST_CASE("nn: a trainable=false store passes gradients through but keeps none") {
  ParamStore G, D;
  MLP g = make_mlp(G, "G", {2, 3}, Act::None, Act::None);
  MLP d = make_mlp(D, "D", {3, 1}, Act::None, Act::None);
  G.finalize();
  D.finalize();
  Rng rng(5);
  init_mlp(G, g, rng);
  init_mlp(D, d, rng);
  Arena arena;
  Tape t(arena);
  Tensor z = t.alloc(make_shape(4, 2));
  rng.fill_normal(z);
  D.set_trainable(false);
  Var loss = mean(t, bce_with_logits(t, forward(t, D, d, forward(t, G, g, t.constant(z))), 1.f));
  t.backward(loss);
  double gsum = 0, dsum = 0;
  for (std::size_t i = 0; i < G.size(); ++i) gsum += std::fabs(G.grads()[i]);
  for (std::size_t i = 0; i < D.size(); ++i) dsum += std::fabs(D.grads()[i]);
  CHECK(gsum > 0);
  CHECK(dsum == 0);
}
