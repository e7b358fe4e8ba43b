// test_ops_seq.cpp - the CharRNN's ops (src/core/ops_seq.cpp) against double-precision
// references, forward values and central-difference gradients (gradcheck.h); the fused LSTM cell
// also against the same cell composed of the elementary ops, and the LSTM layer against the cell
// stepped T times.
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

namespace {
// The double reference of lstm_layer: p (T*B, 4H), w_hh (4H, H), s0 (B, 2H) = [h_0 | c_0] ->
// [h_1; ..; h_T; c_T] ((T + 1) * B, H), each step a_t = p_t + h_{t-1} W_hh^T, then the cell.
Vec lstm_layer_ref(const Vec& p, const Vec& w, const Vec& s0, int T, int B, int H) {
  Vec h(static_cast<std::size_t>(B * H)), c(static_cast<std::size_t>(B * H));
  for (int b = 0; b < B; ++b)
    for (int j = 0; j < H; ++j) {
      h[static_cast<std::size_t>(b * H + j)] = s0[static_cast<std::size_t>(b * 2 * H + j)];
      c[static_cast<std::size_t>(b * H + j)] = s0[static_cast<std::size_t>(b * 2 * H + H + j)];
    }
  Vec y;
  for (int t = 0; t < T; ++t) {
    Vec a(static_cast<std::size_t>(B * 4 * H));
    for (int b = 0; b < B; ++b)
      for (int r = 0; r < 4 * H; ++r) {
        double s = p[static_cast<std::size_t>((t * B + b) * 4 * H + r)];
        for (int k = 0; k < H; ++k) s += h[static_cast<std::size_t>(b * H + k)] * w[static_cast<std::size_t>(r * H + k)];
        a[static_cast<std::size_t>(b * 4 * H + r)] = s;
      }
    const Vec hc = lstm_cell_ref(a, c, B, H);
    for (int b = 0; b < B; ++b)
      for (int j = 0; j < H; ++j) {
        h[static_cast<std::size_t>(b * H + j)] = hc[static_cast<std::size_t>(b * 2 * H + j)];
        c[static_cast<std::size_t>(b * H + j)] = hc[static_cast<std::size_t>(b * 2 * H + H + j)];
      }
    y.insert(y.end(), h.begin(), h.end());
  }
  y.insert(y.end(), c.begin(), c.end());
  return y;
}
}  // namespace

TEST_CASE("ops_seq: lstm_layer over 3 steps, gradients of p, W_hh and the initial state by central differences") {
  constexpr int T = 3, B = 2, H = 3;
  gradcheck::run({"lstm_layer", {Input{T * B, 4 * H}, Input{4 * H, H}, Input{B, 2 * H}},
                  [](Tape& t, auto& v) { return lstm_layer(t, v[0], v[1], v[2]); },
                  [](const std::vector<Vec>& in) { return lstm_layer_ref(in[0], in[1], in[2], T, B, H); }});
}

TEST_CASE("ops_seq: lstm_layer equals lstm_cell stepped T times (values and every gradient)") {
  constexpr int T = 5, B = 3, H = 4;
  Arena arena;
  Tape t(arena);
  Rng rng(11);
  Tensor pv = t.alloc(make_shape(T * B, 4 * H)), wv = t.alloc(make_shape(4 * H, H)), sv = t.alloc(make_shape(B, 2 * H));
  Tensor ov = t.alloc(make_shape((T + 1) * B, H));
  for (Tensor x : {pv, wv, sv}) rng.fill_uniform(x, -1.f, 1.f);
  rng.fill_uniform(ov, -1.f, 1.f);
  Var p = t.leaf(pv), w = t.leaf(wv), s0 = t.leaf(sv), o = t.constant(ov);
  // stepped: h, c from s0, then a_t = p_t + h W_hh^T and the cell, T times
  Var h = slice_cols(t, s0, 0, H), c = slice_cols(t, s0, H, 2 * H);
  Var loss_stepped, hs[T];
  for (int s = 0; s < T; ++s) {
    Var hc = lstm_cell(t, add(t, slice_rows(t, p, s * B, (s + 1) * B), matmul(t, h, w, false, true)), c);
    h = hs[s] = slice_cols(t, hc, 0, H);
    c = slice_cols(t, hc, H, 2 * H);
    Var term = sum(t, mul(t, h, slice_rows(t, o, s * B, (s + 1) * B)));
    loss_stepped = s ? add(t, loss_stepped, term) : term;
  }
  loss_stepped = add(t, loss_stepped, sum(t, mul(t, c, slice_rows(t, o, T * B, (T + 1) * B))));
  Var y = lstm_layer(t, p, w, s0);
  const Tensor yv = t.value(y);
  REQUIRE(yv.rows() == (T + 1) * B);
  for (int s = 0; s < T; ++s)  // row block s holds h_{s+1}
    for (int k = 0; k < B * H; ++k) CHECK(yv.data[s * B * H + k] == doctest::Approx(t.value(hs[s]).data[k]).epsilon(1e-6));
  for (int k = 0; k < B * H; ++k) CHECK(yv.data[T * B * H + k] == doctest::Approx(t.value(c).data[k]).epsilon(1e-6));
  t.backward(loss_stepped);
  std::vector<std::vector<float>> g;
  for (Var v : {p, w, s0}) g.emplace_back(t.grad(v).data, t.grad(v).data + t.value(v).size());
  t.backward(sum(t, mul(t, y, o)));  // the leaves' gradients are zeroed again first
  int i = 0;
  for (Var v : {p, w, s0}) {
    for (std::size_t k = 0; k < g[static_cast<std::size_t>(i)].size(); ++k)
      CHECK(t.grad(v).data[k] == doctest::Approx(g[static_cast<std::size_t>(i)][k]).epsilon(1e-5));
    ++i;
  }
  CHECK_THROWS_WITH(lstm_layer(t, w, w, s0), doctest::Contains("lstm_layer: p (16, 4) must be (T*B, 4H)"));
}
