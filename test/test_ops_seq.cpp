// test_ops_seq.cpp - the CharRNN's ops (src/ops_seq.cpp) against double-precision references,
// forward values and central-difference gradients (gradcheck.h); the fused LSTM cell also
// against the same cell composed of the elementary ops.
#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "dgm/core/ops.h"
#include "dgm/core/ops_seq.h"
#include "gradcheck.h"

using namespace dgm;
using gradcheck::Case;
using gradcheck::Input;
using gradcheck::Vec;

namespace {
double sig(double x) { return 1.0 / (1.0 + std::exp(-x)); }
}  // namespace

TEST_CASE("ops_seq: embedding rows by id, a row used twice gets both gradients") {
  static const int ids[5] = {2, 0, 2, 3, 1};
  gradcheck::run({"embedding", {Input{4, 3}}, [](Tape& t, auto& v) { return embedding(t, v[0], ids, 5); },
                  [](const std::vector<Vec>& in) {
                    Vec y;
                    for (int r = 0; r < 5; ++r)
                      for (int e = 0; e < 3; ++e) y.push_back(in[0][static_cast<std::size_t>(ids[r] * 3 + e)]);
                    return y;
                  }});
}

TEST_CASE("ops_seq: slice_rows, a view whose gradient goes back into its rows") {
  gradcheck::run({"slice_rows", {Input{5, 3}}, [](Tape& t, auto& v) { return slice_rows(t, v[0], 1, 4); },
                  [](const std::vector<Vec>& in) { return Vec(in[0].begin() + 3, in[0].begin() + 12); }});
  // Two overlapping slices of one tensor: both gradients arrive.
  gradcheck::run({"slice_rows twice", {Input{4, 2}},
                  [](Tape& t, auto& v) { return add(t, slice_rows(t, v[0], 0, 2), slice_rows(t, v[0], 1, 3)); },
                  [](const std::vector<Vec>& in) {
                    Vec y(4);
                    for (int k = 0; k < 4; ++k) y[static_cast<std::size_t>(k)] = in[0][static_cast<std::size_t>(k)] + in[0][static_cast<std::size_t>(k + 2)];
                    return y;
                  }});
}

TEST_CASE("ops_seq: softmax cross-entropy against integer targets, mean over rows") {
  static const int y[4] = {4, 0, 2, 4};
  gradcheck::run({"softmax_cross_entropy_ids", {Input{4, 5, -3.0, 3.0}},
                  [](Tape& t, auto& v) { return softmax_cross_entropy_ids(t, v[0], y); },
                  [](const std::vector<Vec>& in) {
                    double total = 0;
                    for (int r = 0; r < 4; ++r) {
                      double s = 0;
                      for (int j = 0; j < 5; ++j) s += std::exp(in[0][static_cast<std::size_t>(r * 5 + j)]);
                      total += std::log(s) - in[0][static_cast<std::size_t>(r * 5 + y[r])];
                    }
                    return Vec{total / 4};
                  }});
  // Stable for huge logits: lse(1000, 0) = 1000 + log(1 + e^-1000), so the loss is 0 and 1000.
  Arena a;
  Tape t(a);
  Tensor l = t.alloc(make_shape(2, 2));
  l.data[0] = 1000.f, l.data[1] = 0.f, l.data[2] = 1000.f, l.data[3] = 0.f;
  const int tg[2] = {0, 1};
  const float v = t.value(softmax_cross_entropy_ids(t, t.constant(l), tg)).data[0];
  CHECK(v == doctest::Approx(500.0));
  const int bad[2] = {0, 2};
  CHECK_THROWS_WITH(softmax_cross_entropy_ids(t, t.constant(l), bad),
                    doctest::Contains("id 2 at row 1 is outside [0, 2)"));
  CHECK_THROWS_WITH(embedding(t, t.constant(l), bad, 2), doctest::Contains("embedding: id 2 at row 1"));
}

// The double reference of one LSTM cell: gates a (B, 4H) in the order i, f, g, o, c_prev (B, H)
// -> [h | c] (B, 2H).
Vec lstm_cell_ref(const Vec& a, const Vec& cp, int B, int H) {
  Vec y(static_cast<std::size_t>(B * 2 * H));
  for (int b = 0; b < B; ++b)
    for (int j = 0; j < H; ++j) {
      auto A = [&](int gate) { return a[static_cast<std::size_t>(b * 4 * H + gate * H + j)]; };
      const double i = sig(A(0)), f = sig(A(1)), g = std::tanh(A(2)), o = sig(A(3));
      const double c = f * cp[static_cast<std::size_t>(b * H + j)] + i * g;
      y[static_cast<std::size_t>(b * 2 * H + j)] = o * std::tanh(c);
      y[static_cast<std::size_t>(b * 2 * H + H + j)] = c;
    }
  return y;
}

TEST_CASE("ops_seq: lstm_cell, gradients by central differences") {
  gradcheck::run({"lstm_cell", {Input{3, 8}, Input{3, 2}}, [](Tape& t, auto& v) { return lstm_cell(t, v[0], v[1]); },
                  [](const std::vector<Vec>& in) { return lstm_cell_ref(in[0], in[1], 3, 2); }});
}

TEST_CASE("ops_seq: the fused lstm_cell equals the cell composed of sigmoid, tanh, mul, add") {
  const int B = 3, H = 4;
  Arena arena;
  Tape t(arena);
  Rng rng(7);
  Tensor av = t.alloc(make_shape(B, 4 * H)), cv = t.alloc(make_shape(B, H)), wv = t.alloc(make_shape(B, 2 * H));
  rng.fill_uniform(av, -2.f, 2.f);
  rng.fill_uniform(cv, -2.f, 2.f);
  rng.fill_uniform(wv, -1.f, 1.f);
  Var a = t.leaf(av), c = t.leaf(cv), w = t.constant(wv);
  // composed
  Var i = sigmoid(t, slice_cols(t, a, 0, H)), f = sigmoid(t, slice_cols(t, a, H, 2 * H));
  Var g = dgm::tanh(t, slice_cols(t, a, 2 * H, 3 * H)), o = sigmoid(t, slice_cols(t, a, 3 * H, 4 * H));
  Var c2 = add(t, mul(t, f, c), mul(t, i, g));
  Var composed = concat_cols(t, mul(t, o, dgm::tanh(t, c2)), c2);
  Var fused = lstm_cell(t, a, c);
  for (std::size_t k = 0; k < static_cast<std::size_t>(B * 2 * H); ++k)
    CHECK(t.value(fused).data[k] == doctest::Approx(t.value(composed).data[k]).epsilon(1e-6));
  t.backward(sum(t, mul(t, composed, w)));
  std::vector<float> ga(t.grad(a).data, t.grad(a).data + av.size()), gc(t.grad(c).data, t.grad(c).data + cv.size());
  t.backward(sum(t, mul(t, fused, w)));  // the leaves' gradients are zeroed again first
  for (std::size_t k = 0; k < ga.size(); ++k) CHECK(t.grad(a).data[k] == doctest::Approx(ga[k]).epsilon(1e-5));
  for (std::size_t k = 0; k < gc.size(); ++k) CHECK(t.grad(c).data[k] == doctest::Approx(gc[k]).epsilon(1e-5));
  CHECK_THROWS_WITH(lstm_cell(t, c, c), doctest::Contains("lstm_cell: gates (3, 4) must be (B, 4H)"));
}
