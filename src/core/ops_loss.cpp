// ops_loss.cpp - negative log-likelihoods and the closed-form KL, each summed over the columns
// of a row: a (rows, cols) input gives a (rows, 1) output, one value per datapoint. The caller
// states the reduction over the batch (mean(t, ...) or sum(t, ...)).
//
// All are computed from logits / log-variances, never as log(sigmoid(x)) or log(sigma^2):
//   softplus(l) = log(1 + e^l) = max(l, 0) + log1p(e^-|l|)  never overflows.
// Each loss: its formula and derivatives, the reference forward and backward kernels (dgm::ref,
// plain loops, a double sum per row in column order), then the tape op, which runs the tape's
// kernel table's entries (dgm/backend/kernels.h).
#include <cmath>

#include "dgm/core/check.h"
#include "dgm/core/ops.h"
#include "dgm/core/ops_ref.h"

namespace dgm {
namespace {

void check_same(const char* op, const Tensor& a, const Tensor& b) {
  DGM_CHECK(a.size() == b.size() && a.cols() == b.cols(), "%s: shapes differ: %s vs %s", op,
            shape_str(a).text, shape_str(b).text);
}
// The (rows, cols) scratch the table's loss kernels want for their terms (none on the CPU).
float* terms_scratch(Tape& t, const Tensor& like) { return t.kernels().loss_terms ? t.alloc(like).data : nullptr; }
inline float* grad_or_null(Node& n) { return n.needs_grad ? n.grad.data : nullptr; }

}  // namespace

// ---- Bernoulli NLL from logits [Utkin] "Вычисление качества реконструкции" (-log p(x|z) with
// p(x|z) Bernoulli, "Забегая вперед": "если x - двоичное ... распределение Бернулли"),
// [HSE] "Игра с 0 суммой" (log D, log(1 - D)) ----
// y_r = sum_j softplus(l_j) - x_j l_j
//   (= -sum_j [x_j log sigmoid(l_j) + (1 - x_j) log(1 - sigmoid(l_j))])
// dy/dl_j = sigmoid(l_j) - x_j;  dy/dx_j = -l_j
// The forward saves sig = sigmoid(l), so the backward needs no exp. l, x, sig: (rows, cols);
// y, dy: (rows, 1); x == nullptr means every x_j is `target` (GAN labels).
void ref::bce_forward(float* y, float* sig, float*, const float* l, const float* x, float target, std::size_t rows,
                      std::size_t cols) {
  for (std::size_t r = 0; r < rows; ++r) {
    double s = 0.0;
    for (std::size_t c = 0; c < cols; ++c) {
      const std::size_t i = r * cols + c;
      const float xi = x ? x[i] : target;
      s += static_cast<double>(softplus_of(l[i])) - static_cast<double>(xi) * l[i];
      sig[i] = sigmoid_of(l[i]);
    }
    y[r] = static_cast<float>(s);
  }
}
// dl_j += dy_r (sig_j - x_j);  dx_j -= dy_r l_j  (dl or dx may be null)
void ref::bce_backward(float* dl, float* dx, const float* sig, const float* l, const float* x, float target,
                       const float* dy, std::size_t rows, std::size_t cols) {
  for (std::size_t r = 0; r < rows; ++r)
    for (std::size_t c = 0; c < cols; ++c) {
      const std::size_t i = r * cols + c;
      if (dl) dl[i] += dy[r] * (sig[i] - (x ? x[i] : target));
      if (dx) dx[i] -= dy[r] * l[i];
    }
}

namespace {

void bce_backward(Tape& t, int id) {
  Node& n = t.node(id);
  Node& L = t.node(n.in[0]);
  Node* X = n.in[1] < 0 ? nullptr : &t.node(n.in[1]);
  t.kernels().bce_backward(grad_or_null(L), X ? grad_or_null(*X) : nullptr, n.saved.data, L.value.data,
                           X ? X->value.data : nullptr, n.f[0], n.grad.data, static_cast<std::size_t>(L.value.rows()),
                           static_cast<std::size_t>(L.value.cols()));
}

Var bce_impl(Tape& t, Var logits, Var targets, float target) {
  Tensor L = t.value(logits);
  const float* x = nullptr;
  if (targets.valid()) {
    check_same("bce_with_logits", L, t.value(targets));
    x = t.value(targets).data;
  }
  Tensor y = t.alloc(make_shape(L.rows(), 1));
  Tensor sig = t.alloc(L);
  t.kernels().bce_forward(y.data, sig.data, terms_scratch(t, L), L.data, x, target, static_cast<std::size_t>(L.rows()),
                          static_cast<std::size_t>(L.cols()));
  Var out = t.push(y, bce_backward, logits, targets);
  t.node(out).f[0] = target;
  t.node(out).saved = sig;
  return out;
}

}  // namespace

Var bce_with_logits(Tape& t, Var logits, Var targets) {
  DGM_CHECK(targets.valid(), "bce_with_logits: invalid targets");
  return bce_impl(t, logits, targets, 0.f);
}
Var bce_with_logits(Tape& t, Var logits, float target) { return bce_impl(t, logits, Var{}, target); }

// ---- Gaussian NLL with log-variance [Utkin] "Объединяем все вместе" (-log p(x|z) of a Gaussian
// decoder: 1/2 log sigma^2 + (x - mu)^2 / (2 sigma^2), plus the constant 1/2 log 2 pi) ----
// y_r = sum_j 1/2 [log(2 pi) + v_j + (x_j - mu_j)^2 e^{-v_j}],  v = log sigma^2
// dy/dmu_j = -(x_j - mu_j) e^{-v_j};  dy/dx_j = (x_j - mu_j) e^{-v_j};
// dy/dv_j = 1/2 [1 - (x_j - mu_j)^2 e^{-v_j}]
// x, mu, v: (rows, cols); y, dy: (rows, 1).
constexpr float kLog2Pi = 1.8378770664093453f;

void ref::gaussian_nll_forward(float* y, float*, const float* x, const float* mu, const float* v, std::size_t rows,
                               std::size_t cols) {
  for (std::size_t r = 0; r < rows; ++r) {
    double s = 0.0;
    for (std::size_t c = 0; c < cols; ++c) {
      const std::size_t i = r * cols + c;
      const float d = x[i] - mu[i];
      s += 0.5f * (kLog2Pi + v[i] + d * d * std::exp(-v[i]));
    }
    y[r] = static_cast<float>(s);
  }
}
void ref::gaussian_nll_backward(float* dx, float* dmu, float* dv, const float* dy, const float* x, const float* mu,
                                const float* v, std::size_t rows, std::size_t cols) {
  for (std::size_t r = 0; r < rows; ++r) {
    const float g = dy[r];
    for (std::size_t c = 0; c < cols; ++c) {
      const std::size_t i = r * cols + c;
      const float d = x[i] - mu[i];
      const float inv_var = std::exp(-v[i]);
      if (dx) dx[i] += g * d * inv_var;
      if (dmu) dmu[i] -= g * d * inv_var;
      if (dv) dv[i] += g * 0.5f * (1.f - d * d * inv_var);
    }
  }
}

namespace {
void gaussian_nll_backward(Tape& t, int id) {
  Node& n = t.node(id);
  Node& X = t.node(n.in[0]);
  Node& M = t.node(n.in[1]);
  Node& V = t.node(n.in[2]);
  t.kernels().gaussian_nll_backward(grad_or_null(X), grad_or_null(M), grad_or_null(V), n.grad.data, X.value.data,
                                    M.value.data, V.value.data, static_cast<std::size_t>(X.value.rows()),
                                    static_cast<std::size_t>(X.value.cols()));
}
}  // namespace

Var gaussian_nll(Tape& t, Var x, Var mu, Var logvar) {
  Tensor X = t.value(x), M = t.value(mu), V = t.value(logvar);
  check_same("gaussian_nll (x, mu)", X, M);
  check_same("gaussian_nll (x, logvar)", X, V);
  Tensor y = t.alloc(make_shape(X.rows(), 1));
  t.kernels().gaussian_nll_forward(y.data, terms_scratch(t, X), X.data, M.data, V.data,
                                   static_cast<std::size_t>(X.rows()), static_cast<std::size_t>(X.cols()));
  return t.push(y, gaussian_nll_backward, x, mu, logvar);
}

// ---- KL(N(mu, sigma^2) || N(0, I)) [Utkin] "Вычисление регуляризации" ----
// y_r = -1/2 sum_j (1 + v_j - mu_j^2 - e^{v_j})
// dy/dmu_j = mu_j;  dy/dv_j = 1/2 (e^{v_j} - 1)
// mu, v: (rows, cols); y, dy: (rows, 1).
void ref::kl_forward(float* y, float*, const float* mu, const float* v, std::size_t rows, std::size_t cols) {
  for (std::size_t r = 0; r < rows; ++r) {
    double s = 0.0;
    for (std::size_t c = 0; c < cols; ++c) {
      const std::size_t i = r * cols + c;
      s += 1.f + v[i] - mu[i] * mu[i] - std::exp(v[i]);
    }
    y[r] = static_cast<float>(-0.5 * s);
  }
}
void ref::kl_backward(float* dmu, float* dv, const float* dy, const float* mu, const float* v, std::size_t rows,
                      std::size_t cols) {
  for (std::size_t r = 0; r < rows; ++r) {
    const float g = dy[r];
    for (std::size_t c = 0; c < cols; ++c) {
      const std::size_t i = r * cols + c;
      if (dmu) dmu[i] += g * mu[i];
      if (dv) dv[i] += g * 0.5f * (std::exp(v[i]) - 1.f);
    }
  }
}

namespace {
void kl_backward(Tape& t, int id) {
  Node& n = t.node(id);
  Node& M = t.node(n.in[0]);
  Node& V = t.node(n.in[1]);
  t.kernels().kl_backward(grad_or_null(M), grad_or_null(V), n.grad.data, M.value.data, V.value.data,
                          static_cast<std::size_t>(M.value.rows()), static_cast<std::size_t>(M.value.cols()));
}
}  // namespace

Var kl_normal_std(Tape& t, Var mu, Var logvar) {
  Tensor M = t.value(mu), V = t.value(logvar);
  check_same("kl_normal_std", M, V);
  Tensor y = t.alloc(make_shape(M.rows(), 1));
  t.kernels().kl_forward(y.data, terms_scratch(t, M), M.data, V.data, static_cast<std::size_t>(M.rows()),
                         static_cast<std::size_t>(M.cols()));
  return t.push(y, kl_backward, mu, logvar);
}

// ---- categorical NLL from logits (softmax cross-entropy) ----
// y_r = -sum_j y_j log softmax(l)_j = (sum_j y_j) lse(l) - sum_j y_j l_j,
//   lse(l) = m + log sum_j e^{l_j - m},  m = max_j l_j
// dy/dl_j = softmax(l)_j sum_k y_k - y_j;  dy/dy_j = lse(l) - l_j = -log softmax(l)_j
// l, t (the targets y_j): (rows, cols); y, lse, dy: (rows, 1).
void ref::softmax_ce_forward(float* y, float* lse, const float* l, const float* t, std::size_t rows,
                             std::size_t cols) {
  for (std::size_t r = 0; r < rows; ++r) {
    const float* lr = l + r * cols;
    const float* tr = t + r * cols;
    float m = lr[0];
    for (std::size_t c = 1; c < cols; ++c) m = std::fmax(m, lr[c]);
    double se = 0.0;
    for (std::size_t c = 0; c < cols; ++c) se += std::exp(lr[c] - m);
    const float lse_r = m + static_cast<float>(std::log(se));
    double s = 0.0;
    for (std::size_t c = 0; c < cols; ++c) s += tr[c] * (lse_r - lr[c]);
    lse[r] = lse_r;
    y[r] = static_cast<float>(s);
  }
}
void ref::softmax_ce_backward(float* dl, float* dt, const float* dy, const float* lse, const float* l, const float* t,
                              std::size_t rows, std::size_t cols) {
  for (std::size_t r = 0; r < rows; ++r) {
    const float g = dy[r];
    const float* lr = l + r * cols;
    const float* tr = t + r * cols;
    float tsum = 0.f;
    for (std::size_t c = 0; c < cols; ++c) tsum += tr[c];
    for (std::size_t c = 0; c < cols; ++c) {
      if (dl) dl[r * cols + c] += g * (std::exp(lr[c] - lse[r]) * tsum - tr[c]);
      if (dt) dt[r * cols + c] += g * (lse[r] - lr[c]);
    }
  }
}

namespace {
void softmax_ce_backward(Tape& t, int id) {
  Node& n = t.node(id);
  Node& L = t.node(n.in[0]);
  Node& Y = t.node(n.in[1]);
  t.kernels().softmax_ce_backward(grad_or_null(L), grad_or_null(Y), n.grad.data, n.saved.data, L.value.data,
                                  Y.value.data, static_cast<std::size_t>(L.value.rows()),
                                  static_cast<std::size_t>(L.value.cols()));
}
}  // namespace

Var softmax_cross_entropy(Tape& t, Var logits, Var targets) {
  Tensor L = t.value(logits), Y = t.value(targets);
  check_same("softmax_cross_entropy", L, Y);
  Tensor y = t.alloc(make_shape(L.rows(), 1));
  Tensor lse = t.alloc(make_shape(L.rows(), 1));
  t.kernels().softmax_ce_forward(y.data, lse.data, L.data, Y.data, static_cast<std::size_t>(L.rows()),
                                 static_cast<std::size_t>(L.cols()));
  Var out = t.push(y, softmax_ce_backward, logits, targets);
  t.node(out).saved = lse;
  return out;
}

}  // namespace dgm
