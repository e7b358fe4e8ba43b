// optim.cpp - the four optimizers, each one flat loop over the parameter buffer.
//
// g = dL/dw (the gradient buffer), lr = learning rate. Conventions follow PyTorch's torch.optim
// so that our runs can be compared with theirs.
//
// This file holds each update as the reference loop (dgm::ref, below); what runs is the entry of
// the device's kernel table (dgm/backend/kernels.h): on the CPU these loops, except Adam, the
// optimizer of every model, whose entry is its vector form (cpu::adam_step: fixed chunks in
// parallel, blocks the compiler vectorizes; the same bits). test/test_optim.cpp checks Adam against
// the update written out in double, test/test_kernels.cpp cpu::adam_step against ref::adam_step.
#include "dgm/core/optim.h"

#include <cmath>

#include "dgm/backend/kernels.h"
#include "dgm/core/check.h"
#include "dgm/core/names.h"
#include "dgm/core/ops_ref.h"

namespace dgm {
namespace ref {

// The four updates, one parameter at a time: the CPU table's entries but Adam's, whose vector
// form is cpu::adam_step (src/backend/cpu_kernels.cpp, the same bits; test/test_kernels.cpp).

// [Vesel] AEVB algorithm (SGD): w <- w - lr v,  v <- mu v + g  (v = g when mu = 0)
void sgd_step(float* w, float* g, float* v, std::size_t n, float lr, float mu, bool zero_g) {
  for (std::size_t i = 0; i < n; ++i) {
    v[i] = mu * v[i] + g[i];
    w[i] -= lr * v[i];
    if (zero_g) g[i] = 0.f;
  }
}

// [Vesel] AEVB algorithm (Adagrad): G <- G + g^2,  w <- w - lr g / (sqrt(G) + eps)
void adagrad_step(float* w, float* g, float* G, std::size_t n, float lr, float eps, bool zero_g) {
  for (std::size_t i = 0; i < n; ++i) {
    G[i] += g[i] * g[i];
    w[i] -= lr * g[i] / (std::sqrt(G[i]) + eps);
    if (zero_g) g[i] = 0.f;
  }
}

// Tieleman & Hinton: r <- alpha r + (1 - alpha) g^2,  w <- w - lr g / (sqrt(r) + eps)
void rmsprop_step(float* w, float* g, float* r, std::size_t n, float lr, float alpha, float eps, bool zero_g) {
  for (std::size_t i = 0; i < n; ++i) {
    r[i] = alpha * r[i] + (1.f - alpha) * g[i] * g[i];
    w[i] -= lr * g[i] / (std::sqrt(r[i]) + eps);
    if (zero_g) g[i] = 0.f;
  }
}

// Adam at step t, Kingma & Ba 2015, Algorithm 1, in its symbols:
//   m <- b1 m + (1 - b1) g                 (biased first moment estimate)
//   v <- b2 v + (1 - b2) g^2               (biased second raw moment estimate)
//   m_hat = m / (1 - b1^t),  v_hat = v / (1 - b2^t)   (bias-corrected)
//   w <- w - lr m_hat / (sqrt(v_hat) + eps)
// with the two corrections as the step's constants of adam_constants() below: lr_t = lr / (1 - b1^t),
// so lr_t m = lr m_hat (the paper's own "more efficient" ordering, end of its section 2), and
// inv_c2 = 1 / (1 - b2^t).
void adam_step(float* w, float* g, float* m, float* v, std::size_t n, const AdamStep& a, bool zero_g) {
  for (std::size_t i = 0; i < n; ++i) {
    m[i] = a.b1 * m[i] + (1.f - a.b1) * g[i];
    v[i] = a.b2 * v[i] + (1.f - a.b2) * g[i] * g[i];
    const float lr_m_hat = a.lr_t * m[i];  // lr m_hat
    const float v_hat = v[i] * a.inv_c2;
    w[i] -= lr_m_hat / (std::sqrt(v_hat) + a.eps);
    if (zero_g) g[i] = 0.f;
  }
}

}  // namespace ref

namespace {

// Adam's constants for step t: c1 = 1 - b1^t, c2 = 1 - b2^t (in double), lr_t = lr / c1, inv_c2 = 1 / c2.
AdamStep adam_constants(const OptimConfig& cfg, std::int64_t t) {
  const float c1 = static_cast<float>(1.0 - std::pow(static_cast<double>(cfg.beta1), static_cast<double>(t)));
  const float c2 = static_cast<float>(1.0 - std::pow(static_cast<double>(cfg.beta2), static_cast<double>(t)));
  AdamStep a;
  a.b1 = cfg.beta1, a.b2 = cfg.beta2, a.eps = cfg.eps;
  a.lr_t = cfg.lr / c1;
  a.inv_c2 = static_cast<float>(1.0 / static_cast<double>(c2));
  return a;
}

}  // namespace

namespace {

// The one table of optimizer names.
constexpr const char* kOptimNames[] = {"sgd", "adagrad", "rmsprop", "adam"};  // in OptimKind's order
constexpr int kOptimCount = static_cast<int>(sizeof kOptimNames / sizeof kOptimNames[0]);
static_assert(static_cast<int>(OptimKind::Adam) + 1 == kOptimCount, "one name per OptimKind");

}  // namespace

void adam_reference(float* w, float* m, float* v, const float* g, std::size_t n, const OptimConfig& cfg,
                    std::int64_t t) {
  ref::adam_step(w, const_cast<float*>(g), m, v, n, adam_constants(cfg, t), false);  // g is not written
}

bool parse_optim_kind(const std::string& name, OptimKind* out) {
  for (int k = 0; k < kOptimCount; ++k)
    if (name == kOptimNames[k]) {
      *out = static_cast<OptimKind>(k);
      return true;
    }
  return false;
}

const char* optim_kind_name(OptimKind k) {
  const int i = static_cast<int>(k);
  return i >= 0 && i < kOptimCount ? kOptimNames[i] : "?";
}

const char* optim_kind_names() {
  static const std::string list = name_list(kOptimNames, kOptimCount);
  return list.c_str();
}

const char* optim_state_name(OptimKind k, int slot) {
  switch (k) {
    case OptimKind::SGD: return slot == 0 ? "velocity" : nullptr;
    case OptimKind::Adagrad: return slot == 0 ? "sum_sq" : nullptr;
    case OptimKind::RMSProp: return slot == 0 ? "mean_sq" : nullptr;
    case OptimKind::Adam: return slot == 0 ? "m" : slot == 1 ? "v" : nullptr;
  }
  return nullptr;
}

Optimizer::Optimizer(const OptimConfig& c, std::size_t n_params, Device d)
    : cfg(c), s1(n_params, 0.f), s2(c.kind == OptimKind::Adam ? n_params : 0, 0.f), device(d) {
  if (d == Device::CUDA) {
    d1 = DeviceBuffer(s1.size());
    d2 = DeviceBuffer(s2.size());
  }
}

void Optimizer::to_host() {
  if (device != Device::CUDA) return;
  device_download(s1.data(), d1.data(), s1.size());
  device_download(s2.data(), d2.data(), s2.size());
}

void Optimizer::to_device() {
  if (device != Device::CUDA) return;
  device_upload(d1.data(), s1.data(), s1.size());
  device_upload(d2.data(), s2.data(), s2.size());
}

void Optimizer::step(float* w, const float* g, std::size_t n) {
  // g is only written when zero_g is true (step_and_zero_grad, which owns a mutable buffer)
  step_impl(w, const_cast<float*>(g), n, false);
}

void Optimizer::step_and_zero_grad(ParamStore& p) {
  step_impl(p.data(), p.grads(), p.size(), true);
}

void Optimizer::step_impl(float* w, float* g, std::size_t n, bool zero_g) {
  DGM_CHECK(n == s1.size(), "Optimizer::step: %zu parameters, state sized for %zu", n, s1.size());
  ++t;
  // The state is s1, s2 on the CPU; on a GPU its device copy d1, d2 (s1, s2 then hold the host
  // copy for checkpoints). The update is the device's kernel (dgm/backend/kernels.h).
  const bool cuda = device == Device::CUDA;
  float* state1 = cuda ? d1.data() : s1.data();
  float* state2 = cuda ? d2.data() : s2.data();
  const Kernels& k = kernels_for(device);
  switch (cfg.kind) {
    case OptimKind::SGD: return k.sgd_step(w, g, state1, n, cfg.lr, cfg.momentum, zero_g);
    case OptimKind::Adagrad: return k.adagrad_step(w, g, state1, n, cfg.lr, cfg.eps, zero_g);
    case OptimKind::RMSProp: return k.rmsprop_step(w, g, state1, n, cfg.lr, cfg.alpha, cfg.eps, zero_g);
    case OptimKind::Adam: return k.adam_step(w, g, state1, state2, n, adam_constants(cfg, t), zero_g);
  }
}

}  // namespace dgm
