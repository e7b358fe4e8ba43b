// ops_pointwise.cpp - element-wise functions y = f(x) and their derivatives.
//
// Each function is a pair of kernels on raw arrays, llm.c style: x_forward(y, x, n) and
// x_backward(dx, dy, x, y, n), with the local derivative dy/dx written next to the backward loop.
// Backward kernels accumulate (+=) into dx, because a node used twice receives two contributions.
// `unary` puts a pair on the tape: the forward runs now, the backward runs during Tape::backward.
#include <cmath>

#include "dgm/check.h"
#include "dgm/ops.h"

namespace dgm {
namespace {

using Fwd = void (*)(float* y, const float* x, std::size_t n, float arg);
using Bwd = void (*)(float* dx, const float* dy, const float* x, const float* y, std::size_t n,
                     float arg);

template <Bwd backward_kernel>
void unary_backward(Tape& t, int id) {
  Node& n = t.node(id);
  Node& a = t.node(n.in[0]);
  if (!a.needs_grad) return;
  backward_kernel(a.grad.data, n.grad.data, a.value.data, n.value.data, n.value.size(), n.f[0]);
}

template <Fwd forward_kernel, Bwd backward_kernel>
Var unary(Tape& t, Var a, float arg = 0.f) {
  Tensor x = t.value(a);
  Tensor y = t.alloc(x);
  forward_kernel(y.data, x.data, x.size(), arg);
  Var out = t.push(y, unary_backward<backward_kernel>, a);
  t.node(out).f[0] = arg;
  return out;
}

// Numerically stable softplus(x) = log(1 + e^x) = max(x, 0) + log1p(e^-|x|).
inline float softplus1(float x) { return std::fmax(x, 0.f) + std::log1p(std::exp(-std::fabs(x))); }
// sigmoid(x) = 1 / (1 + e^-x), evaluated without overflow for large |x|.
inline float sigmoid1(float x) {
  if (x >= 0.f) return 1.f / (1.f + std::exp(-x));
  float e = std::exp(x);
  return e / (1.f + e);
}

}  // namespace

// y = e^x;  dy/dx = e^x = y
void exp_forward(float* y, const float* x, std::size_t n, float) {
  for (std::size_t i = 0; i < n; ++i) y[i] = std::exp(x[i]);
}
void exp_backward(float* dx, const float* dy, const float*, const float* y, std::size_t n, float) {
  for (std::size_t i = 0; i < n; ++i) dx[i] += dy[i] * y[i];
}

// y = log x;  dy/dx = 1 / x
void log_forward(float* y, const float* x, std::size_t n, float) {
  for (std::size_t i = 0; i < n; ++i) y[i] = std::log(x[i]);
}
void log_backward(float* dx, const float* dy, const float* x, const float*, std::size_t n, float) {
  for (std::size_t i = 0; i < n; ++i) dx[i] += dy[i] / x[i];
}

// y = sqrt(x);  dy/dx = 1 / (2 sqrt(x)) = 1 / (2 y)
void sqrt_forward(float* y, const float* x, std::size_t n, float) {
  for (std::size_t i = 0; i < n; ++i) y[i] = std::sqrt(x[i]);
}
void sqrt_backward(float* dx, const float* dy, const float*, const float* y, std::size_t n, float) {
  for (std::size_t i = 0; i < n; ++i) dx[i] += dy[i] * 0.5f / y[i];
}

// y = x^2;  dy/dx = 2x
void square_forward(float* y, const float* x, std::size_t n, float) {
  for (std::size_t i = 0; i < n; ++i) y[i] = x[i] * x[i];
}
void square_backward(float* dx, const float* dy, const float* x, const float*, std::size_t n, float) {
  for (std::size_t i = 0; i < n; ++i) dx[i] += dy[i] * 2.f * x[i];
}

// y = max(x, 0);  dy/dx = 1 if x > 0 else 0 (the kink at 0 gets 0)
void relu_forward(float* y, const float* x, std::size_t n, float) {
  for (std::size_t i = 0; i < n; ++i) y[i] = x[i] > 0.f ? x[i] : 0.f;
}
void relu_backward(float* dx, const float* dy, const float* x, const float*, std::size_t n, float) {
  for (std::size_t i = 0; i < n; ++i) dx[i] += x[i] > 0.f ? dy[i] : 0.f;
}

// y = x if x > 0 else a x  (a = slope);  dy/dx = 1 if x > 0 else a
void leaky_relu_forward(float* y, const float* x, std::size_t n, float a) {
  for (std::size_t i = 0; i < n; ++i) y[i] = x[i] > 0.f ? x[i] : a * x[i];
}
void leaky_relu_backward(float* dx, const float* dy, const float* x, const float*, std::size_t n,
                         float a) {
  for (std::size_t i = 0; i < n; ++i) dx[i] += x[i] > 0.f ? dy[i] : a * dy[i];
}

// y = sigmoid(x) = 1 / (1 + e^-x);  dy/dx = sigmoid(x) (1 - sigmoid(x)) = y (1 - y)
void sigmoid_forward(float* y, const float* x, std::size_t n, float) {
  for (std::size_t i = 0; i < n; ++i) y[i] = sigmoid1(x[i]);
}
void sigmoid_backward(float* dx, const float* dy, const float*, const float* y, std::size_t n, float) {
  for (std::size_t i = 0; i < n; ++i) dx[i] += dy[i] * y[i] * (1.f - y[i]);
}

// y = tanh(x);  dy/dx = 1 - tanh^2(x) = 1 - y^2
void tanh_forward(float* y, const float* x, std::size_t n, float) {
  for (std::size_t i = 0; i < n; ++i) y[i] = std::tanh(x[i]);
}
void tanh_backward(float* dx, const float* dy, const float*, const float* y, std::size_t n, float) {
  for (std::size_t i = 0; i < n; ++i) dx[i] += dy[i] * (1.f - y[i] * y[i]);
}

// y = softplus(x) = log(1 + e^x);  dy/dx = e^x / (1 + e^x) = sigmoid(x)
void softplus_forward(float* y, const float* x, std::size_t n, float) {
  for (std::size_t i = 0; i < n; ++i) y[i] = softplus1(x[i]);
}
void softplus_backward(float* dx, const float* dy, const float* x, const float*, std::size_t n, float) {
  for (std::size_t i = 0; i < n; ++i) dx[i] += dy[i] * sigmoid1(x[i]);
}

// y = log sigmoid(x) = -softplus(-x);  dy/dx = 1 - sigmoid(x) = sigmoid(-x)
void log_sigmoid_forward(float* y, const float* x, std::size_t n, float) {
  for (std::size_t i = 0; i < n; ++i) y[i] = -softplus1(-x[i]);
}
void log_sigmoid_backward(float* dx, const float* dy, const float* x, const float*, std::size_t n,
                          float) {
  for (std::size_t i = 0; i < n; ++i) dx[i] += dy[i] * sigmoid1(-x[i]);
}

Var exp(Tape& t, Var a) { return unary<exp_forward, exp_backward>(t, a); }
Var log(Tape& t, Var a) { return unary<log_forward, log_backward>(t, a); }
Var sqrt(Tape& t, Var a) { return unary<sqrt_forward, sqrt_backward>(t, a); }
Var square(Tape& t, Var a) { return unary<square_forward, square_backward>(t, a); }
Var relu(Tape& t, Var a) { return unary<relu_forward, relu_backward>(t, a); }
Var leaky_relu(Tape& t, Var a, float slope) {
  return unary<leaky_relu_forward, leaky_relu_backward>(t, a, slope);
}
Var sigmoid(Tape& t, Var a) { return unary<sigmoid_forward, sigmoid_backward>(t, a); }
Var tanh(Tape& t, Var a) { return unary<tanh_forward, tanh_backward>(t, a); }
Var softplus(Tape& t, Var a) { return unary<softplus_forward, softplus_backward>(t, a); }
Var log_sigmoid(Tape& t, Var a) { return unary<log_sigmoid_forward, log_sigmoid_backward>(t, a); }

}  // namespace dgm
