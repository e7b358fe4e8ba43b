// ops_loss.cpp - negative log-likelihoods and the closed-form KL, each summed over the columns
// of a row: a (rows, cols) input gives a (rows, 1) output, one value per datapoint. The caller
// states the reduction over the batch (mean(t, ...) or sum(t, ...)).
//
// All are computed from logits / log-variances, never as log(sigmoid(x)) or log(sigma^2):
//   softplus(l) = log(1 + e^l) = max(l, 0) + log1p(e^-|l|)  never overflows.
#include <cmath>

#include "dgm/core/check.h"
#include "dgm/core/ops.h"
#include "dgm/backend/parallel.h"
#include "dgm/backend/vecmath.h"
#include "../backend/kernels_hd.h"
#ifdef DGM_CUDA
#include "../backend/gpu.h"
#endif

namespace dgm {
namespace {

void check_same(const char* op, const Tensor& a, const Tensor& b) {
  DGM_CHECK(a.size() == b.size() && a.cols() == b.cols(), "%s: shapes differ: %s vs %s", op,
            shape_str(a).text, shape_str(b).text);
}

// ---- Bernoulli NLL from logits [Utkin] "Вычисление качества реконструкции" (-log p(x|z) with
// p(x|z) Bernoulli, "Забегая вперед": "если x - двоичное ... распределение Бернулли"),
// [HSE] "Игра с 0 суммой" (log D, log(1 - D)) ----
// y_r = sum_j softplus(l_j) - x_j l_j
//   (= -sum_j [x_j log sigmoid(l_j) + (1 - x_j) log(1 - sigmoid(l_j))])
// dy/dl_j = sigmoid(l_j) - x_j;  dy/dx_j = -l_j
// The forward saves sigmoid(l) (from the e^-|l| it computes for softplus anyway), so the backward
// needs no exp. Rows are independent: both passes run over fixed blocks of rows in parallel (the
// sum inside a row keeps its order, so the result does not depend on the thread count).
// Reference (the loops this replaces, kept in test/test_ops.cpp): softplus and sigmoid from
// std::exp/std::log1p, the same double sum per row.

// Rows per parallel task: about kChunk elements.
constexpr std::size_t kChunk = 8192;
inline std::size_t rows_per_task(std::size_t cols) { return cols >= kChunk ? 1 : kChunk / cols; }

// softplus(l) - x l, and sigmoid(l) into *sig: hd::bce_term (src/backend/kernels_hd.h, shared
// with the CUDA kernel).
using hd::bce_term;

// One row of the forward: returns sum_j softplus(l_j) - x_j l_j (a double sum in order
// j = 0, 1, ...) and writes sig_j = sigmoid(l_j). x == nullptr means every x_j is `target`.
double bce_row_forward(float* DGM_RESTRICT sig, const float* DGM_RESTRICT l, const float* DGM_RESTRICT x,
                       float target, std::size_t cols) {
  double s = 0.0;
  std::size_t c = 0;
  for (; c + kBlock <= cols; c += kBlock) {  // blocks of kBlock: the terms vectorize
    float xb[kBlock], tb[kBlock];
    if (x) {
      for (std::size_t k = 0; k < kBlock; ++k) xb[k] = x[c + k];
    } else {
      for (std::size_t k = 0; k < kBlock; ++k) xb[k] = target;
    }
    for (std::size_t k = 0; k < kBlock; ++k) tb[k] = bce_term(l[c + k], xb[k], sig + c + k);
    for (std::size_t k = 0; k < kBlock; ++k) s += tb[k];
  }
  for (; c < cols; ++c) s += bce_term(l[c], x ? x[c] : target, sig + c);
  return s;
}

// One row of the backward: dl_j += dy (sigmoid(l_j) - x_j)  (x == nullptr: x_j = target)
DGM_NOINLINE void bce_row_backward(float* DGM_RESTRICT dl, const float* DGM_RESTRICT sig, const float* DGM_RESTRICT x,
                      float target, float dy, std::size_t cols) {
  if (x) {
    for_blocks(cols, [&](std::size_t j) { dl[j] += dy * (sig[j] - x[j]); });
  } else {
    for_blocks(cols, [&](std::size_t j) { dl[j] += dy * (sig[j] - target); });
  }
}

// dx_j -= dy l_j
DGM_NOINLINE void bce_row_backward_x(float* DGM_RESTRICT dx, const float* DGM_RESTRICT l, float dy, std::size_t cols) {
  for_blocks(cols, [&](std::size_t j) { dx[j] -= dy * l[j]; });
}

void bce_backward(Tape& t, int id) {
  Node& n = t.node(id);
  Node& L = t.node(n.in[0]);
  const bool const_target = n.in[1] < 0;
  Node* X = const_target ? nullptr : &t.node(n.in[1]);
  const std::size_t cols = static_cast<std::size_t>(L.value.cols());
  const std::size_t rows = static_cast<std::size_t>(L.value.rows());
  if (t.on_device()) {
#ifdef DGM_CUDA
    gpu::bce_backward(L.needs_grad ? L.grad.data : nullptr, X && X->needs_grad ? X->grad.data : nullptr, n.saved.data,
                      L.value.data, X ? X->value.data : nullptr, n.f[0], n.grad.data, rows, cols);
#endif
    return;
  }
  auto run = [&](std::size_t r0, std::size_t r1) {
    for (std::size_t r = r0; r < r1; ++r) {
      const std::size_t o = r * cols;
      if (L.needs_grad)
        bce_row_backward(L.grad.data + o, n.saved.data + o, X ? X->value.data + o : nullptr, n.f[0],
                         n.grad.data[r], cols);
      if (X && X->needs_grad) bce_row_backward_x(X->grad.data + o, L.value.data + o, n.grad.data[r], cols);
    }
  };
  parallel_chunks(rows, rows_per_task(cols), run);
}

Var bce_impl(Tape& t, Var logits, Var targets, float target) {
  Tensor L = t.value(logits);
  const float* x = nullptr;
  if (targets.valid()) {
    check_same("bce_with_logits", L, t.value(targets));
    x = t.value(targets).data;
  }
  const std::size_t rows = static_cast<std::size_t>(L.rows()), cols = static_cast<std::size_t>(L.cols());
  Tensor y = t.alloc(make_shape(L.rows(), 1));
  Tensor sig = t.alloc(L);
  if (t.on_device()) {
#ifdef DGM_CUDA
    gpu::bce_forward(y.data, sig.data, t.alloc(L).data, L.data, x, target, rows, cols);
#endif
  } else {
    auto run = [&](std::size_t r0, std::size_t r1) {
      for (std::size_t r = r0; r < r1; ++r)
        y.data[r] = static_cast<float>(
            bce_row_forward(sig.data + r * cols, L.data + r * cols, x ? x + r * cols : nullptr, target, cols));
    };
    parallel_chunks(rows, rows_per_task(cols), run);
  }
  Var out = t.push(y, bce_backward, logits, targets);
  t.node(out).f[0] = target;
  t.node(out).saved = sig;
  return out;
}

// ---- Gaussian NLL with log-variance [Utkin] "Объединяем все вместе" (-log p(x|z) of a Gaussian
// decoder: 1/2 log sigma^2 + (x - mu)^2 / (2 sigma^2), plus the constant 1/2 log 2 pi) ----
// y_r = sum_j 1/2 [log(2 pi) + v_j + (x_j - mu_j)^2 e^{-v_j}],  v = log sigma^2
// dy/dmu_j = -(x_j - mu_j) e^{-v_j};  dy/dx_j = (x_j - mu_j) e^{-v_j};
// dy/dv_j = 1/2 [1 - (x_j - mu_j)^2 e^{-v_j}]
constexpr float kLog2Pi = 1.8378770664093453f;

void gaussian_nll_backward(Tape& t, int id) {
  Node& n = t.node(id);
  Node& X = t.node(n.in[0]);
  Node& M = t.node(n.in[1]);
  Node& V = t.node(n.in[2]);
  const std::size_t rows = static_cast<std::size_t>(X.value.rows());
  const std::size_t cols = static_cast<std::size_t>(X.value.cols());
  if (t.on_device()) {
#ifdef DGM_CUDA
    gpu::gaussian_nll_backward(X.needs_grad ? X.grad.data : nullptr, M.needs_grad ? M.grad.data : nullptr,
                               V.needs_grad ? V.grad.data : nullptr, n.grad.data, X.value.data, M.value.data,
                               V.value.data, rows, cols);
#endif
    return;
  }
  for (std::size_t r = 0; r < rows; ++r) {
    const float dy = n.grad.data[r];
    for (std::size_t c = 0; c < cols; ++c) {
      const std::size_t i = r * cols + c;
      const float d = X.value.data[i] - M.value.data[i];
      const float inv_var = std::exp(-V.value.data[i]);
      if (X.needs_grad) X.grad.data[i] += dy * d * inv_var;
      if (M.needs_grad) M.grad.data[i] -= dy * d * inv_var;
      if (V.needs_grad) V.grad.data[i] += dy * 0.5f * (1.f - d * d * inv_var);
    }
  }
}

// ---- KL(N(mu, sigma^2) || N(0, I)) [Utkin] "Вычисление регуляризации" ----
// y_r = -1/2 sum_j (1 + v_j - mu_j^2 - e^{v_j})
// dy/dmu_j = mu_j;  dy/dv_j = 1/2 (e^{v_j} - 1)
void kl_backward(Tape& t, int id) {
  Node& n = t.node(id);
  Node& M = t.node(n.in[0]);
  Node& V = t.node(n.in[1]);
  const std::size_t rows = static_cast<std::size_t>(M.value.rows());
  const std::size_t cols = static_cast<std::size_t>(M.value.cols());
  if (t.on_device()) {
#ifdef DGM_CUDA
    gpu::kl_backward(M.needs_grad ? M.grad.data : nullptr, V.needs_grad ? V.grad.data : nullptr, n.grad.data,
                     M.value.data, V.value.data, rows, cols);
#endif
    return;
  }
  for (std::size_t r = 0; r < rows; ++r) {
    const float dy = n.grad.data[r];
    for (std::size_t c = 0; c < cols; ++c) {
      const std::size_t i = r * cols + c;
      if (M.needs_grad) M.grad.data[i] += dy * M.value.data[i];
      if (V.needs_grad) V.grad.data[i] += dy * 0.5f * (std::exp(V.value.data[i]) - 1.f);
    }
  }
}

// ---- categorical NLL from logits (softmax cross-entropy) ----
// y_r = -sum_j y_j log softmax(l)_j = (sum_j y_j) lse(l) - sum_j y_j l_j,
//   lse(l) = m + log sum_j e^{l_j - m},  m = max_j l_j
// dy/dl_j = softmax(l)_j sum_k y_k - y_j;  dy/dy_j = lse(l) - l_j = -log softmax(l)_j
void softmax_ce_backward(Tape& t, int id) {
  Node& n = t.node(id);
  Node& L = t.node(n.in[0]);
  Node& Y = t.node(n.in[1]);
  const std::size_t rows = static_cast<std::size_t>(L.value.rows());
  const std::size_t cols = static_cast<std::size_t>(L.value.cols());
  if (t.on_device()) {
#ifdef DGM_CUDA
    gpu::softmax_ce_backward(L.needs_grad ? L.grad.data : nullptr, Y.needs_grad ? Y.grad.data : nullptr, n.grad.data,
                             n.saved.data, L.value.data, Y.value.data, rows, cols);
#endif
    return;
  }
  for (std::size_t r = 0; r < rows; ++r) {
    const float dy = n.grad.data[r];
    const float lse = n.saved.data[r];
    const float* l = L.value.data + r * cols;
    const float* y = Y.value.data + r * cols;
    float ysum = 0.f;
    for (std::size_t c = 0; c < cols; ++c) ysum += y[c];
    for (std::size_t c = 0; c < cols; ++c) {
      if (L.needs_grad) L.grad.data[r * cols + c] += dy * (std::exp(l[c] - lse) * ysum - y[c]);
      if (Y.needs_grad) Y.grad.data[r * cols + c] += dy * (lse - l[c]);
    }
  }
}

}  // namespace

Var bce_with_logits(Tape& t, Var logits, Var targets) {
  DGM_CHECK(targets.valid(), "bce_with_logits: invalid targets");
  return bce_impl(t, logits, targets, 0.f);
}
Var bce_with_logits(Tape& t, Var logits, float target) { return bce_impl(t, logits, Var{}, target); }

Var gaussian_nll(Tape& t, Var x, Var mu, Var logvar) {
  Tensor X = t.value(x), M = t.value(mu), V = t.value(logvar);
  check_same("gaussian_nll (x, mu)", X, M);
  check_same("gaussian_nll (x, logvar)", X, V);
  const std::size_t rows = static_cast<std::size_t>(X.rows()), cols = static_cast<std::size_t>(X.cols());
  Tensor y = t.alloc(make_shape(X.rows(), 1));
  if (t.on_device()) {
#ifdef DGM_CUDA
    gpu::gaussian_nll_forward(y.data, t.alloc(X).data, X.data, M.data, V.data, rows, cols);
#endif
    return t.push(y, gaussian_nll_backward, x, mu, logvar);
  }
  for (std::size_t r = 0; r < rows; ++r) {
    double s = 0.0;
    for (std::size_t c = 0; c < cols; ++c) {
      const std::size_t i = r * cols + c;
      const float d = X.data[i] - M.data[i];
      s += 0.5f * (kLog2Pi + V.data[i] + d * d * std::exp(-V.data[i]));
    }
    y.data[r] = static_cast<float>(s);
  }
  return t.push(y, gaussian_nll_backward, x, mu, logvar);
}

Var kl_normal_std(Tape& t, Var mu, Var logvar) {
  Tensor M = t.value(mu), V = t.value(logvar);
  check_same("kl_normal_std", M, V);
  const std::size_t rows = static_cast<std::size_t>(M.rows()), cols = static_cast<std::size_t>(M.cols());
  Tensor y = t.alloc(make_shape(M.rows(), 1));
  if (t.on_device()) {
#ifdef DGM_CUDA
    gpu::kl_forward(y.data, t.alloc(M).data, M.data, V.data, rows, cols);
#endif
    return t.push(y, kl_backward, mu, logvar);
  }
  for (std::size_t r = 0; r < rows; ++r) {
    double s = 0.0;
    for (std::size_t c = 0; c < cols; ++c) {
      const std::size_t i = r * cols + c;
      s += 1.f + V.data[i] - M.data[i] * M.data[i] - std::exp(V.data[i]);
    }
    y.data[r] = static_cast<float>(-0.5 * s);
  }
  return t.push(y, kl_backward, mu, logvar);
}

Var softmax_cross_entropy(Tape& t, Var logits, Var targets) {
  Tensor L = t.value(logits), Y = t.value(targets);
  check_same("softmax_cross_entropy", L, Y);
  const std::size_t rows = static_cast<std::size_t>(L.rows()), cols = static_cast<std::size_t>(L.cols());
  Tensor y = t.alloc(make_shape(L.rows(), 1));
  Tensor lse = t.alloc(make_shape(L.rows(), 1));
  if (t.on_device()) {
#ifdef DGM_CUDA
    gpu::softmax_ce_forward(y.data, lse.data, L.data, Y.data, rows, cols);
#endif
    Var out = t.push(y, softmax_ce_backward, logits, targets);
    t.node(out).saved = lse;
    return out;
  }
  for (std::size_t r = 0; r < rows; ++r) {
    const float* l = L.data + r * cols;
    const float* yy = Y.data + r * cols;
    float m = l[0];
    for (std::size_t c = 1; c < cols; ++c) m = std::fmax(m, l[c]);
    double se = 0.0;
    for (std::size_t c = 0; c < cols; ++c) se += std::exp(l[c] - m);
    const float lse_r = m + static_cast<float>(std::log(se));
    double s = 0.0;
    for (std::size_t c = 0; c < cols; ++c) s += yy[c] * (lse_r - l[c]);
    lse.data[r] = lse_r;
    y.data[r] = static_cast<float>(s);
  }
  Var out = t.push(y, softmax_ce_backward, logits, targets);
  t.node(out).saved = lse;
  return out;
}

}  // namespace dgm
