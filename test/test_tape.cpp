// test_tape.cpp - the reverse walk: reuse accumulates, constants get nothing, deep graphs work.
#include <doctest/doctest.h>

#include <cmath>

#include "dgm/core/ops.h"

using namespace dgm;

static Tensor scalar(Tape& t, float v) {
  Tensor x = t.alloc(make_shape(1));
  x.data[0] = v;
  return x;
}

TEST_CASE("tape: b = a + a; c = b * b accumulates both uses") {
  // c = (2a)^2 = 4a^2, dc/da = 8a = 24 at a = 3.
  Arena arena;
  Tape t(arena);
  Var a = t.leaf(scalar(t, 3.f));
  Var b = add(t, a, a);
  Var c = mul(t, b, b);
  t.backward(c);
  CHECK(t.value(c).data[0] == 36.f);
  CHECK(t.grad(b).data[0] == 12.f);  // dc/db = 2b
  CHECK(t.grad(a).data[0] == 24.f);
}

TEST_CASE("tape: deeper reuse: a feeds three paths of different depth") {
  // d = a*b + exp(a) + b,  b = a*a  ->  d = a^3 + e^a + a^2,  dd/da = 3a^2 + e^a + 2a
  Arena arena;
  Tape t(arena);
  const float a0 = 0.7f;
  Var a = t.leaf(scalar(t, a0));
  Var b = mul(t, a, a);
  Var d = add(t, add(t, mul(t, a, b), dgm::exp(t, a)), b);
  t.backward(d);
  const double expect = 3.0 * a0 * a0 + std::exp(static_cast<double>(a0)) + 2.0 * a0;
  CHECK(t.grad(a).data[0] == doctest::Approx(expect).epsilon(1e-6));
}

TEST_CASE("tape: constants get no gradient; parameters accumulate across backward calls") {
  Arena arena;
  Tape t(arena);
  float w = 2.f, gw = 0.f;
  Tensor W = make_shape(1), G = make_shape(1);
  W.data = &w;
  G.data = &gw;
  for (int step = 0; step < 2; ++step) {
    t.reset();
    Var x = t.constant(scalar(t, 5.f));
    Var p = t.param(W, G);
    Var y = mul(t, p, x);
    t.backward(y);
    CHECK_FALSE(t.node(x).needs_grad);
    CHECK_THROWS(t.grad(x));
  }
  CHECK(gw == 10.f);  // 5 + 5: parameter gradients add up until zeroed
}

TEST_CASE("tape: a 10,000-node chain does not recurse") {
  Arena arena;
  Tape t(arena);
  Var a = t.leaf(scalar(t, 1.f));
  Var x = a;
  for (int i = 0; i < 10000; ++i) x = add_scalar(t, x, 1e-4f);
  t.backward(x);
  CHECK(t.grad(a).data[0] == 1.f);
  CHECK(t.size() == 10001);
}

TEST_CASE("tape: backward walks only the nodes the loss depends on (sub-steps on one tape)") {
  // Two independent graphs on one tape: l1 = (w1 x)^2, then l2 = (w2 x)^2. backward(l2) must
  // not touch w1's gradient or the nodes of l1's graph.
  Arena arena;
  Tape t(arena);
  float w1 = 2.f, g1 = 0.f, w2 = 3.f, g2 = 0.f;
  Tensor W1 = make_shape(1), G1 = make_shape(1), W2 = make_shape(1), G2 = make_shape(1);
  W1.data = &w1, G1.data = &g1, W2.data = &w2, G2.data = &g2;
  Var x = t.constant(scalar(t, 5.f));
  Var l1 = square(t, mul(t, t.param(W1, G1), x));
  t.backward(l1);
  CHECK(g1 == 100.f);  // d (w x)^2 / dw = 2 w x^2 = 100
  Var l2 = square(t, mul(t, t.param(W2, G2), x));
  t.backward(l2);
  CHECK(g2 == 150.f);  // 2 * 3 * 25
  CHECK(g1 == 100.f);  // untouched by the second backward
  CHECK_FALSE(t.node(l1).on_path);
  CHECK(t.node(l2).on_path);
}
