// test_ops.cpp - every op against an independent double-precision reference, forward values and
// central-difference gradients (see gradcheck.h), plus shape errors.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <initializer_list>
#include <stdexcept>
#include <vector>

#include "dgm/core/ops.h"
#include "dgm/backend/parallel.h"
#include "dgm/core/rng.h"
#include "gradcheck.h"

using namespace dgm;
using gradcheck::Case;
using gradcheck::Input;
using gradcheck::Vec;

namespace {

// Element-wise reference: y_i = f(x_i).
std::function<Vec(const std::vector<Vec>&)> pointwise(double (*f)(double)) {
  return [f](const std::vector<Vec>& in) {
    Vec y(in[0].size());
    for (std::size_t i = 0; i < y.size(); ++i) y[i] = f(in[0][i]);
    return y;
  };
}

double sigmoid_d(double x) { return 1.0 / (1.0 + std::exp(-x)); }
double softplus_d(double x) { return std::log1p(std::exp(x)); }

// Reference broadcast: element (r, c) of a (R, C) uses b at the matching index.
double bval(const Vec& b, int R, int C, int r, int c) {
  if (b.size() == static_cast<std::size_t>(R * C)) return b[static_cast<std::size_t>(r * C + c)];
  if (b.size() == 1) return b[0];
  if (b.size() == static_cast<std::size_t>(C) && R != C) return b[static_cast<std::size_t>(c)];
  return b[static_cast<std::size_t>(r)];
}

std::function<Vec(const std::vector<Vec>&)> binary_ref(int R, int C, double (*f)(double, double)) {
  return [=](const std::vector<Vec>& in) {
    Vec y(static_cast<std::size_t>(R * C));
    for (int r = 0; r < R; ++r)
      for (int c = 0; c < C; ++c) y[static_cast<std::size_t>(r * C + c)] = f(in[0][static_cast<std::size_t>(r * C + c)], bval(in[1], R, C, r, c));
    return y;
  };
}

}  // namespace

TEST_CASE("ops: pointwise functions, gradients by central differences") {
  const Input any{3, 5}, pos{3, 5, 0.2, 3.0}, off0{3, 5, -2.0, 2.0, 0.05, 0.0};
  gradcheck::run({"exp", {any}, [](Tape& t, auto& v) { return dgm::exp(t, v[0]); }, pointwise([](double x) { return std::exp(x); })});
  gradcheck::run({"log", {pos}, [](Tape& t, auto& v) { return dgm::log(t, v[0]); }, pointwise([](double x) { return std::log(x); })});
  gradcheck::run({"sqrt", {pos}, [](Tape& t, auto& v) { return dgm::sqrt(t, v[0]); }, pointwise([](double x) { return std::sqrt(x); })});
  gradcheck::run({"square", {any}, [](Tape& t, auto& v) { return square(t, v[0]); }, pointwise([](double x) { return x * x; })});
  gradcheck::run({"relu", {off0}, [](Tape& t, auto& v) { return relu(t, v[0]); }, pointwise([](double x) { return x > 0 ? x : 0; })});
  gradcheck::run({"leaky_relu", {off0}, [](Tape& t, auto& v) { return leaky_relu(t, v[0], 0.1f); },
                  pointwise([](double x) { return x > 0 ? x : 0.1 * x; })});
  gradcheck::run({"sigmoid", {any}, [](Tape& t, auto& v) { return sigmoid(t, v[0]); }, pointwise(sigmoid_d)});
  gradcheck::run({"tanh", {any}, [](Tape& t, auto& v) { return dgm::tanh(t, v[0]); }, pointwise([](double x) { return std::tanh(x); })});
  gradcheck::run({"softplus", {any}, [](Tape& t, auto& v) { return softplus(t, v[0]); }, pointwise(softplus_d)});
  gradcheck::run({"log_sigmoid", {any}, [](Tape& t, auto& v) { return log_sigmoid(t, v[0]); },
                  pointwise([](double x) { return std::log(sigmoid_d(x)); })});
  gradcheck::run({"scale", {any}, [](Tape& t, auto& v) { return scale(t, v[0], -1.5f); }, pointwise([](double x) { return -1.5 * x; })});
  gradcheck::run({"add_scalar", {any}, [](Tape& t, auto& v) { return add_scalar(t, v[0], 0.25f); }, pointwise([](double x) { return x + 0.25; })});
}

TEST_CASE("ops: softplus and log_sigmoid are stable for large |x|") {
  Arena arena;
  Tape t(arena);
  Tensor x = t.alloc(make_shape(1, 4));
  const float xs[4] = {-100.f, -30.f, 30.f, 100.f};
  for (int i = 0; i < 4; ++i) x.data[i] = xs[i];
  Tensor sp = t.value(softplus(t, t.constant(x)));
  Tensor ls = t.value(log_sigmoid(t, t.constant(x)));
  for (int i = 0; i < 4; ++i) {
    CHECK(std::isfinite(sp.data[i]));
    CHECK(std::isfinite(ls.data[i]));
  }
  CHECK(sp.data[3] == doctest::Approx(100.0));
  CHECK(ls.data[0] == doctest::Approx(-100.0));
  CHECK(sp.data[0] == doctest::Approx(std::exp(-100.0)).epsilon(1e-3));
}

TEST_CASE("ops: add sub mul div with every broadcast") {
  const int R = 3, C = 4;
  using F = double (*)(double, double);
  struct Op { const char* name; Var (*fn)(Tape&, Var, Var); F f; };
  const Op ops[4] = {{"add", add, [](double a, double b) { return a + b; }},
                     {"sub", sub, [](double a, double b) { return a - b; }},
                     {"mul", mul, [](double a, double b) { return a * b; }},
                     {"div", div, [](double a, double b) { return a / b; }}};
  const Input bshapes[4] = {{R, C, 0.5, 2.0}, {1, C, 0.5, 2.0}, {R, 1, 0.5, 2.0}, {1, 1, 0.5, 2.0}};
  for (const Op& op : ops)
    for (const Input& b : bshapes) {
      INFO(op.name << " b (" << b.rows << ", " << b.cols << ")");
      auto fn = op.fn;
      gradcheck::run({op.name, {Input{R, C}, b}, [fn](Tape& t, auto& v) { return fn(t, v[0], v[1]); },
                      binary_ref(R, C, op.f)});
    }
}

TEST_CASE("ops: reductions") {
  gradcheck::run({"sum", {Input{3, 4}}, [](Tape& t, auto& v) { return sum(t, v[0]); },
                  [](auto& in) { double s = 0; for (double x : in[0]) s += x; return Vec{s}; }});
  gradcheck::run({"mean", {Input{3, 4}}, [](Tape& t, auto& v) { return mean(t, v[0]); },
                  [](auto& in) { double s = 0; for (double x : in[0]) s += x; return Vec{s / 12}; }});
  auto rows = [](bool avg) {
    return [avg](const std::vector<Vec>& in) {
      Vec y(3, 0.0);
      for (int r = 0; r < 3; ++r)
        for (int c = 0; c < 4; ++c) y[r] += in[0][r * 4 + c] / (avg ? 4.0 : 1.0);
      return y;
    };
  };
  gradcheck::run({"row_sum", {Input{3, 4}}, [](Tape& t, auto& v) { return row_sum(t, v[0]); }, rows(false)});
  gradcheck::run({"row_mean", {Input{3, 4}}, [](Tape& t, auto& v) { return row_mean(t, v[0]); }, rows(true)});
}

TEST_CASE("ops: matmul with every transpose, and linear") {
  const int M = 3, K = 4, N = 5;
  for (int ta = 0; ta < 2; ++ta)
    for (int tb = 0; tb < 2; ++tb) {
      INFO("trans_a " << ta << " trans_b " << tb);
      Input A = ta ? Input{K, M} : Input{M, K};
      Input B = tb ? Input{N, K} : Input{K, N};
      gradcheck::run({"matmul", {A, B}, [=](Tape& t, auto& v) { return matmul(t, v[0], v[1], ta, tb); },
                      [=](const std::vector<Vec>& in) {
                        Vec y(M * N, 0.0);
                        for (int i = 0; i < M; ++i)
                          for (int j = 0; j < N; ++j)
                            for (int k = 0; k < K; ++k)
                              y[i * N + j] += (ta ? in[0][k * M + i] : in[0][i * K + k]) *
                                              (tb ? in[1][j * K + k] : in[1][k * N + j]);
                        return y;
                      }});
    }
  // y = x W^T + b, x: (B, in) = (4, 3), W: (out, in) = (2, 3), b: (1, 2)
  gradcheck::run({"linear", {Input{4, 3}, Input{2, 3}, Input{1, 2}},
                  [](Tape& t, auto& v) { return linear(t, v[0], v[1], v[2]); },
                  [](const std::vector<Vec>& in) {
                    Vec y(8);
                    for (int r = 0; r < 4; ++r)
                      for (int o = 0; o < 2; ++o) {
                        double s = in[2][o];
                        for (int i = 0; i < 3; ++i) s += in[0][r * 3 + i] * in[1][o * 3 + i];
                        y[r * 2 + o] = s;
                      }
                    return y;
                  }});
}

TEST_CASE("ops: concat, slice, stop_gradient") {
  gradcheck::run({"concat_cols", {Input{3, 2}, Input{3, 4}}, [](Tape& t, auto& v) { return concat_cols(t, v[0], v[1]); },
                  [](const std::vector<Vec>& in) {
                    Vec y;
                    for (int r = 0; r < 3; ++r) {
                      for (int c = 0; c < 2; ++c) y.push_back(in[0][r * 2 + c]);
                      for (int c = 0; c < 4; ++c) y.push_back(in[1][r * 4 + c]);
                    }
                    return y;
                  }});
  gradcheck::run({"slice_cols", {Input{3, 5}}, [](Tape& t, auto& v) { return slice_cols(t, v[0], 1, 4); },
                  [](const std::vector<Vec>& in) {
                    Vec y;
                    for (int r = 0; r < 3; ++r)
                      for (int c = 1; c < 4; ++c) y.push_back(in[0][r * 5 + c]);
                    return y;
                  }});
  // y = a * stop_gradient(a): value a^2, but the gradient only flows through the first factor.
  Arena arena;
  Tape t(arena);
  Tensor x = t.alloc(make_shape(1, 1));
  x.data[0] = 3.f;
  Var a = t.leaf(x);
  Var y = sum(t, mul(t, a, stop_gradient(t, a)));
  t.backward(y);
  CHECK(t.value(y).data[0] == 9.f);
  CHECK(t.grad(a).data[0] == 3.f);  // not 6
}

TEST_CASE("ops: losses per row") {
  // Bernoulli NLL from logits: targets in [0, 1].
  gradcheck::run({"bce_with_logits", {Input{3, 4, -4, 4}, Input{3, 4, 0, 1}},
                  [](Tape& t, auto& v) { return bce_with_logits(t, v[0], v[1]); },
                  [](const std::vector<Vec>& in) {
                    Vec y(3, 0.0);
                    for (int r = 0; r < 3; ++r)
                      for (int c = 0; c < 4; ++c) {
                        double l = in[0][r * 4 + c], x = in[1][r * 4 + c], p = sigmoid_d(l);
                        y[r] -= x * std::log(p) + (1 - x) * std::log(1 - p);
                      }
                    return y;
                  }});
  gradcheck::run({"bce_with_logits(const)", {Input{4, 1, -4, 4}},
                  [](Tape& t, auto& v) { return bce_with_logits(t, v[0], 1.0f); },
                  [](const std::vector<Vec>& in) {
                    Vec y(4);
                    for (int r = 0; r < 4; ++r) y[r] = -std::log(sigmoid_d(in[0][r]));
                    return y;
                  }});
  gradcheck::run({"gaussian_nll", {Input{2, 3}, Input{2, 3}, Input{2, 3, -1, 1}},
                  [](Tape& t, auto& v) { return gaussian_nll(t, v[0], v[1], v[2]); },
                  [](const std::vector<Vec>& in) {
                    Vec y(2, 0.0);
                    for (int r = 0; r < 2; ++r)
                      for (int c = 0; c < 3; ++c) {
                        double x = in[0][r * 3 + c], mu = in[1][r * 3 + c], var = std::exp(in[2][r * 3 + c]);
                        // -log N(x; mu, var)
                        y[r] -= -0.5 * std::log(2 * M_PI * var) - (x - mu) * (x - mu) / (2 * var);
                      }
                    return y;
                  }});
  gradcheck::run({"kl_normal_std", {Input{2, 3}, Input{2, 3, -1, 1}},
                  [](Tape& t, auto& v) { return kl_normal_std(t, v[0], v[1]); },
                  [](const std::vector<Vec>& in) {
                    // KL(N(mu, s^2) || N(0, 1)) = log(1/s) + (s^2 + mu^2)/2 - 1/2, per dimension
                    Vec y(2, 0.0);
                    for (int r = 0; r < 2; ++r)
                      for (int c = 0; c < 3; ++c) {
                        double mu = in[0][r * 3 + c], s = std::exp(0.5 * in[1][r * 3 + c]);
                        y[r] += -std::log(s) + (s * s + mu * mu) / 2 - 0.5;
                      }
                    return y;
                  }});
  gradcheck::run({"softmax_cross_entropy", {Input{3, 4, -3, 3}, Input{3, 4, 0, 1}},
                  [](Tape& t, auto& v) { return softmax_cross_entropy(t, v[0], v[1]); },
                  [](const std::vector<Vec>& in) {
                    Vec y(3, 0.0);
                    for (int r = 0; r < 3; ++r) {
                      double z = 0;
                      for (int c = 0; c < 4; ++c) z += std::exp(in[0][r * 4 + c]);
                      for (int c = 0; c < 4; ++c) y[r] -= in[1][r * 4 + c] * std::log(std::exp(in[0][r * 4 + c]) / z);
                    }
                    return y;
                  }});
}

TEST_CASE("ops: bce_with_logits is finite for extreme logits") {
  Arena arena;
  Tape t(arena);
  Tensor l = t.alloc(make_shape(2, 1));
  l.data[0] = 200.f;
  l.data[1] = -200.f;
  Var y = bce_with_logits(t, t.leaf(l), 0.0f);
  CHECK(t.value(y).data[0] == doctest::Approx(200.0));
  CHECK(t.value(y).data[1] == doctest::Approx(0.0));
}

TEST_CASE("ops: shape mismatches stop with a message naming the op and both shapes") {
  Arena arena;
  Tape t(arena);
  Var a = t.constant(t.alloc(make_shape(2, 3)));
  Var b = t.constant(t.alloc(make_shape(4, 5)));
  CHECK_THROWS_WITH(matmul(t, a, b), doctest::Contains("matmul: inner dimensions differ: a (2, 3), b (4, 5)"));
  CHECK_THROWS_WITH(add(t, a, b), doctest::Contains("add: cannot broadcast b (4, 5) to a (2, 3)"));
  CHECK_THROWS_WITH(concat_cols(t, a, b), doctest::Contains("concat_cols"));
  CHECK_THROWS_WITH(slice_cols(t, a, 2, 7), doctest::Contains("slice_cols: columns [2, 7) out of range for (2, 3)"));
  CHECK_THROWS_WITH(linear(t, a, b, Var{}), doctest::Contains("linear: x (2, 3) needs W with 3 columns, W is (4, 5)"));
  CHECK_THROWS_WITH(kl_normal_std(t, a, b), doctest::Contains("kl_normal_std: shapes differ: (2, 3) vs (4, 5)"));
  CHECK_THROWS_WITH(t.backward(a), doctest::Contains("backward: loss must be a scalar, got (2, 3)"));
}
