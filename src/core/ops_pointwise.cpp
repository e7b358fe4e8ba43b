// ops_pointwise.cpp - element-wise functions y = f(x) and their derivatives.
//
// Each function is a pair of kernels on raw arrays, llm.c style: x_forward(y, x, n) and
// x_backward(dx, dy, x, y, n), with the local derivative dy/dx written next to the backward loop.
// Backward kernels accumulate (+=) into dx, because a node used twice receives two contributions.
// `unary` puts a pair on the tape: the forward runs now, the backward runs during Tape::backward.
//
// Speed: every kernel is written as `for_blocks(n, body)`, a loop over blocks of
// kBlock elements with a constant trip count that GCC vectorizes at -O2, and exp, tanh, sigmoid
// and softplus use the inline versions of dgm/backend/vecmath.h instead of library calls (within 3 ulp
// of them; test/test_vecmath.cpp). `unary` runs a kernel over fixed chunks of kChunk elements,
// in parallel: elementwise, so the result is the same for any thread count. The plain loops
// these replace are kept as the *_reference kernels in test/test_ops.cpp, which checks that
// forward and backward agree with them.
#include <cmath>

#include "dgm/core/check.h"
#include "dgm/core/ops.h"
#include "dgm/backend/parallel.h"
#include "dgm/backend/vecmath.h"
#ifdef DGM_CUDA
#include "../backend/gpu.h"
#endif

namespace dgm {
namespace {

using Fwd = void (*)(float* y, const float* x, std::size_t n, float arg);
using Bwd = void (*)(float* dx, const float* dy, const float* x, const float* y, std::size_t n,
                     float arg);

// Elements per parallel task: large enough that a task outweighs waking a thread (~ microseconds),
// small enough that a (128, 400) activation gives every thread work.
constexpr std::size_t kChunk = 8192;

// Each op names its CPU kernels and its GPU kernels (gpu::x_forward, gpu::x_backward from
// src/backend/cuda.cu; null in a CPU build, where on_device() is always false); the tape's device
// picks which run.
template <Bwd backward_kernel, Bwd gpu_backward>
void unary_backward(Tape& t, int id) {
  Node& n = t.node(id);
  Node& a = t.node(n.in[0]);
  if (!a.needs_grad) return;
  float* dx = a.grad.data;
  const float *dy = n.grad.data, *x = a.value.data, *y = n.value.data;
  const float arg = n.f[0];
  if (t.on_device()) return gpu_backward(dx, dy, x, y, n.value.size(), arg);
  auto run = [&](std::size_t b, std::size_t e) { backward_kernel(dx + b, dy + b, x + b, y + b, e - b, arg); };
  parallel_chunks(n.value.size(), kChunk, run);
}

template <Fwd forward_kernel, Bwd backward_kernel, Fwd gpu_forward, Bwd gpu_backward>
Var unary(Tape& t, Var a, float arg = 0.f) {
  Tensor x = t.value(a);
  Tensor y = t.alloc(x);
  if (t.on_device()) {
    gpu_forward(y.data, x.data, x.size(), arg);
  } else {
    auto run = [&](std::size_t b, std::size_t e) { forward_kernel(y.data + b, x.data + b, e - b, arg); };
    parallel_chunks(x.size(), kChunk, run);
  }
  Var out = t.push(y, unary_backward<backward_kernel, gpu_backward>, a);
  t.node(out).f[0] = arg;
  return out;
}

}  // namespace

// y = e^x;  dy/dx = e^x = y
void exp_forward(float* DGM_RESTRICT y, const float* DGM_RESTRICT x, std::size_t n, float) {
  for_blocks(n, [&](std::size_t i) { y[i] = fast_exp(x[i]); });
}
void exp_backward(float* DGM_RESTRICT dx, const float* DGM_RESTRICT dy, const float*,
                  const float* DGM_RESTRICT y, std::size_t n, float) {
  for_blocks(n, [&](std::size_t i) { dx[i] += dy[i] * y[i]; });
}

// y = log x;  dy/dx = 1 / x
void log_forward(float* DGM_RESTRICT y, const float* DGM_RESTRICT x, std::size_t n, float) {
  for_blocks(n, [&](std::size_t i) { y[i] = std::log(x[i]); });
}
void log_backward(float* DGM_RESTRICT dx, const float* DGM_RESTRICT dy, const float* DGM_RESTRICT x,
                  const float*, std::size_t n, float) {
  for_blocks(n, [&](std::size_t i) { dx[i] += dy[i] / x[i]; });
}

// y = sqrt(x);  dy/dx = 1 / (2 sqrt(x)) = 1 / (2 y)
void sqrt_forward(float* DGM_RESTRICT y, const float* DGM_RESTRICT x, std::size_t n, float) {
  for_blocks(n, [&](std::size_t i) { y[i] = std::sqrt(x[i]); });
}
void sqrt_backward(float* DGM_RESTRICT dx, const float* DGM_RESTRICT dy, const float*,
                   const float* DGM_RESTRICT y, std::size_t n, float) {
  for_blocks(n, [&](std::size_t i) { dx[i] += dy[i] * 0.5f / y[i]; });
}

// y = x^2;  dy/dx = 2x
void square_forward(float* DGM_RESTRICT y, const float* DGM_RESTRICT x, std::size_t n, float) {
  for_blocks(n, [&](std::size_t i) { y[i] = x[i] * x[i]; });
}
void square_backward(float* DGM_RESTRICT dx, const float* DGM_RESTRICT dy, const float* DGM_RESTRICT x,
                     const float*, std::size_t n, float) {
  for_blocks(n, [&](std::size_t i) { dx[i] += dy[i] * 2.f * x[i]; });
}

// y = max(x, 0);  dy/dx = 1 if x > 0 else 0 (the kink at 0 gets 0)
void relu_forward(float* DGM_RESTRICT y, const float* DGM_RESTRICT x, std::size_t n, float) {
  for_blocks(n, [&](std::size_t i) { y[i] = x[i] > 0.f ? x[i] : 0.f; });
}
void relu_backward(float* DGM_RESTRICT dx, const float* DGM_RESTRICT dy, const float* DGM_RESTRICT x,
                   const float*, std::size_t n, float) {
  for_blocks(n, [&](std::size_t i) {
    const float d = dy[i];  // loaded unconditionally, so the select vectorizes
    dx[i] += x[i] > 0.f ? d : 0.f;
  });
}

// y = x if x > 0 else a x  (a = slope);  dy/dx = 1 if x > 0 else a
void leaky_relu_forward(float* DGM_RESTRICT y, const float* DGM_RESTRICT x, std::size_t n, float a) {
  for_blocks(n, [&](std::size_t i) { y[i] = x[i] > 0.f ? x[i] : a * x[i]; });
}
void leaky_relu_backward(float* DGM_RESTRICT dx, const float* DGM_RESTRICT dy,
                         const float* DGM_RESTRICT x, const float*, std::size_t n, float a) {
  for_blocks(n, [&](std::size_t i) {
    const float d = dy[i];
    dx[i] += x[i] > 0.f ? d : a * d;
  });
}

// y = sigmoid(x) = 1 / (1 + e^-x);  dy/dx = sigmoid(x) (1 - sigmoid(x)) = y (1 - y)
void sigmoid_forward(float* DGM_RESTRICT y, const float* DGM_RESTRICT x, std::size_t n, float) {
  for_blocks(n, [&](std::size_t i) { y[i] = fast_sigmoid(x[i]); });
}
void sigmoid_backward(float* DGM_RESTRICT dx, const float* DGM_RESTRICT dy, const float*,
                      const float* DGM_RESTRICT y, std::size_t n, float) {
  for_blocks(n, [&](std::size_t i) { dx[i] += dy[i] * y[i] * (1.f - y[i]); });
}

// y = tanh(x);  dy/dx = 1 - tanh^2(x) = 1 - y^2
void tanh_forward(float* DGM_RESTRICT y, const float* DGM_RESTRICT x, std::size_t n, float) {
  for_blocks(n, [&](std::size_t i) { y[i] = fast_tanh(x[i]); });
}
void tanh_backward(float* DGM_RESTRICT dx, const float* DGM_RESTRICT dy, const float*,
                   const float* DGM_RESTRICT y, std::size_t n, float) {
  for_blocks(n, [&](std::size_t i) { dx[i] += dy[i] * (1.f - y[i] * y[i]); });
}

// y = softplus(x) = log(1 + e^x);  dy/dx = e^x / (1 + e^x) = sigmoid(x)
void softplus_forward(float* DGM_RESTRICT y, const float* DGM_RESTRICT x, std::size_t n, float) {
  // for_blocks written out: GCC would not inline this longer body into it (no vectorization)
  std::size_t i = 0;
  for (; i + kBlock <= n; i += kBlock)
    for (std::size_t k = 0; k < kBlock; ++k) y[i + k] = fast_softplus(x[i + k]);
  for (; i < n; ++i) y[i] = fast_softplus(x[i]);
}
void softplus_backward(float* DGM_RESTRICT dx, const float* DGM_RESTRICT dy, const float* DGM_RESTRICT x,
                       const float*, std::size_t n, float) {
  for_blocks(n, [&](std::size_t i) { dx[i] += dy[i] * fast_sigmoid(x[i]); });
}

// y = log sigmoid(x) = -softplus(-x);  dy/dx = 1 - sigmoid(x) = sigmoid(-x)
void log_sigmoid_forward(float* DGM_RESTRICT y, const float* DGM_RESTRICT x, std::size_t n, float) {
  std::size_t i = 0;  // for_blocks written out, as in softplus_forward
  for (; i + kBlock <= n; i += kBlock)
    for (std::size_t k = 0; k < kBlock; ++k) y[i + k] = -fast_softplus(-x[i + k]);
  for (; i < n; ++i) y[i] = -fast_softplus(-x[i]);
}
void log_sigmoid_backward(float* DGM_RESTRICT dx, const float* DGM_RESTRICT dy,
                          const float* DGM_RESTRICT x, const float*, std::size_t n,
                          float) {
  for_blocks(n, [&](std::size_t i) { dx[i] += dy[i] * fast_sigmoid(-x[i]); });
}

// The four kernels of op `name`: CPU forward and backward, GPU forward and backward.
#ifdef DGM_CUDA
#define DGM_KERNELS(name) name##_forward, name##_backward, gpu::name##_forward, gpu::name##_backward
#else
#define DGM_KERNELS(name) name##_forward, name##_backward, nullptr, nullptr
#endif

Var exp(Tape& t, Var a) { return unary<DGM_KERNELS(exp)>(t, a); }
Var log(Tape& t, Var a) { return unary<DGM_KERNELS(log)>(t, a); }
Var sqrt(Tape& t, Var a) { return unary<DGM_KERNELS(sqrt)>(t, a); }
Var square(Tape& t, Var a) { return unary<DGM_KERNELS(square)>(t, a); }
Var relu(Tape& t, Var a) { return unary<DGM_KERNELS(relu)>(t, a); }
Var leaky_relu(Tape& t, Var a, float slope) { return unary<DGM_KERNELS(leaky_relu)>(t, a, slope); }
Var sigmoid(Tape& t, Var a) { return unary<DGM_KERNELS(sigmoid)>(t, a); }
Var tanh(Tape& t, Var a) { return unary<DGM_KERNELS(tanh)>(t, a); }
Var softplus(Tape& t, Var a) { return unary<DGM_KERNELS(softplus)>(t, a); }
Var log_sigmoid(Tape& t, Var a) { return unary<DGM_KERNELS(log_sigmoid)>(t, a); }
#undef DGM_KERNELS

}  // namespace dgm
