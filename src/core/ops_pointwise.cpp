// ops_pointwise.cpp - element-wise functions y = f(x) and their derivatives.
//
// Each function is a pair of reference kernels on raw arrays, llm.c style: x_forward(y, x, n)
// and x_backward(dx, dy, x, y, n), with the local derivative dy/dx written next to the backward
// loop: plain loops over the C library's functions. Backward kernels accumulate (+=) into dx,
// because a node used twice receives two contributions. `unary` puts a pair on the tape: the
// forward runs now, the backward during Tape::backward, each through the tape's kernel table
// (dgm/backend/kernels.h): on the CPU the blocked, vectorized, threaded versions of
// src/backend/cpu_kernels.cpp (fast exp/tanh/sigmoid/softplus within 3 ulp of these;
// test/test_kernels.cpp checks them against these loops), on CUDA those of cuda.cu.
#include <cmath>

#include "dgm/core/check.h"
#include "dgm/core/ops.h"
#include "dgm/core/ops_ref.h"

namespace dgm {
namespace {

using UnaryEntry = UnaryKernels Kernels::*;

template <UnaryEntry entry>
void unary_backward(Tape& t, int id) {
  Node& n = t.node(id);
  Node& a = t.node(n.in[0]);
  if (!a.needs_grad) return;
  (t.kernels().*entry).backward(a.grad.data, n.grad.data, a.value.data, n.value.data, n.value.size(), n.f[0]);
}

template <UnaryEntry entry>
Var unary(Tape& t, Var a, float arg = 0.f) {
  Tensor x = t.value(a);
  Tensor y = t.alloc(x);
  (t.kernels().*entry).forward(y.data, x.data, x.size(), arg);
  Var out = t.push(y, unary_backward<entry>, a);
  t.node(out).f[0] = arg;
  return out;
}


}  // namespace

namespace ref {

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
void leaky_relu_backward(float* dx, const float* dy, const float* x, const float*, std::size_t n, float a) {
  for (std::size_t i = 0; i < n; ++i) dx[i] += x[i] > 0.f ? dy[i] : a * dy[i];
}

// y = sigmoid(x) = 1 / (1 + e^-x);  dy/dx = sigmoid(x) (1 - sigmoid(x)) = y (1 - y)
void sigmoid_forward(float* y, const float* x, std::size_t n, float) {
  for (std::size_t i = 0; i < n; ++i) y[i] = sigmoid_of(x[i]);
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

// y = softplus(x) = log(1 + e^x) = max(x, 0) + log1p(e^-|x|);  dy/dx = e^x / (1 + e^x) = sigmoid(x)
void softplus_forward(float* y, const float* x, std::size_t n, float) {
  for (std::size_t i = 0; i < n; ++i) y[i] = softplus_of(x[i]);
}
void softplus_backward(float* dx, const float* dy, const float* x, const float*, std::size_t n, float) {
  for (std::size_t i = 0; i < n; ++i) dx[i] += dy[i] * sigmoid_of(x[i]);
}

// y = log sigmoid(x) = -softplus(-x);  dy/dx = 1 - sigmoid(x) = sigmoid(-x)
void log_sigmoid_forward(float* y, const float* x, std::size_t n, float) {
  for (std::size_t i = 0; i < n; ++i) y[i] = -softplus_of(-x[i]);
}
void log_sigmoid_backward(float* dx, const float* dy, const float* x, const float*, std::size_t n, float) {
  for (std::size_t i = 0; i < n; ++i) dx[i] += dy[i] * sigmoid_of(-x[i]);
}

}  // namespace ref

Var exp(Tape& t, Var a) { return unary<&Kernels::exp>(t, a); }
Var log(Tape& t, Var a) { return unary<&Kernels::log>(t, a); }
Var sqrt(Tape& t, Var a) { return unary<&Kernels::sqrt>(t, a); }
Var square(Tape& t, Var a) { return unary<&Kernels::square>(t, a); }
Var relu(Tape& t, Var a) { return unary<&Kernels::relu>(t, a); }
Var leaky_relu(Tape& t, Var a, float slope) { return unary<&Kernels::leaky_relu>(t, a, slope); }
Var sigmoid(Tape& t, Var a) { return unary<&Kernels::sigmoid>(t, a); }
Var tanh(Tape& t, Var a) { return unary<&Kernels::tanh>(t, a); }
Var softplus(Tape& t, Var a) { return unary<&Kernels::softplus>(t, a); }
Var log_sigmoid(Tape& t, Var a) { return unary<&Kernels::log_sigmoid>(t, a); }

}  // namespace dgm
