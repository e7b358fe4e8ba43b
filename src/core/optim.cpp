// optim.cpp - the four optimizers, each one flat loop over the parameter buffer.
//
// g = dL/dw (the gradient buffer), lr = learning rate. Conventions follow PyTorch's torch.optim
// so that our runs can be compared with theirs.
//
// Speed: Adam, the optimizer of every model, runs over fixed chunks of the parameter
// buffer in parallel (elementwise: the same bits for any thread count), in blocks the compiler
// vectorizes, with the bias corrections folded into two per-step constants. test/test_optim.cpp
// checks it against the update written out in double.
#include "dgm/core/optim.h"

#include <cmath>

#include "dgm/core/check.h"
#include "dgm/core/names.h"
#include "dgm/backend/parallel.h"
#include "dgm/backend/vecmath.h"
#ifdef DGM_CUDA
#include "../backend/gpu.h"
#endif

namespace dgm {
namespace {

// Parameters per parallel task.
constexpr std::size_t kChunk = 16384;

// Adam for one parameter at step t, Kingma & Ba 2015, Algorithm 1, in its symbols:
//   m <- b1 m + (1 - b1) g                 (biased first moment estimate)
//   v <- b2 v + (1 - b2) g^2               (biased second raw moment estimate)
//   m_hat = m / (1 - b1^t),  v_hat = v / (1 - b2^t)   (bias-corrected)
//   w <- w - lr m_hat / (sqrt(v_hat) + eps)
// with the two corrections as the per-step constants of adam_constants(): lr_t = lr / (1 - b1^t),
// so lr_t m = lr m_hat (the paper's own "more efficient" ordering, end of its section 2), and
// inv_c2 = 1 / (1 - b2^t). adam_range below is this update in vector blocks, the same bits.
inline void adam_one(float& w, float& m, float& v, float g, float b1, float b2, float lr_t, float inv_c2,
                     float eps) {
  m = b1 * m + (1.f - b1) * g;
  v = b2 * v + (1.f - b2) * g * g;
  const float lr_m_hat = lr_t * m;  // lr m_hat
  const float v_hat = v * inv_c2;
  w -= lr_m_hat / (std::sqrt(v_hat) + eps);
}

// adam_one on w[0, n), vectorized: blocks of kBlock (the square roots by sqrt_block, exact as
// std::sqrt), the remainder by adam_one itself. a = lr_t, ic2 = inv_c2. With zero_g, g is set to
// 0 after use.
void adam_range(float* DGM_RESTRICT w, float* DGM_RESTRICT m, float* DGM_RESTRICT v, float* DGM_RESTRICT g,
                std::size_t n, float b1, float b2, float a, float ic2, float eps, bool zero_g) {
  std::size_t i = 0;
  for (; i + kBlock <= n; i += kBlock) {
    float q[kBlock];
    for (std::size_t k = 0; k < kBlock; ++k) {
      const std::size_t j = i + k;
      m[j] = b1 * m[j] + (1.f - b1) * g[j];
      v[j] = b2 * v[j] + (1.f - b2) * g[j] * g[j];
      q[k] = v[j] * ic2;
    }
    sqrt_block(q);
    for (std::size_t k = 0; k < kBlock; ++k) w[i + k] -= a * m[i + k] / (q[k] + eps);
    if (zero_g)
      for (std::size_t k = 0; k < kBlock; ++k) g[i + k] = 0.f;
  }
  for (; i < n; ++i) {  // the same update, one element at a time
    adam_one(w[i], m[i], v[i], g[i], b1, b2, a, ic2, eps);
    if (zero_g) g[i] = 0.f;
  }
}

// Adam's per-step constants: c1 = 1 - b1^t, c2 = 1 - b2^t (in double), a = lr / c1, ic2 = 1 / c2.
struct AdamConstants {
  float a, ic2;
};
AdamConstants adam_constants(const OptimConfig& cfg, std::int64_t t) {
  const float c1 = static_cast<float>(1.0 - std::pow(static_cast<double>(cfg.beta1), static_cast<double>(t)));
  const float c2 = static_cast<float>(1.0 - std::pow(static_cast<double>(cfg.beta2), static_cast<double>(t)));
  return AdamConstants{cfg.lr / c1, static_cast<float>(1.0 / static_cast<double>(c2))};
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
  const AdamConstants k = adam_constants(cfg, t);
  for (std::size_t i = 0; i < n; ++i) adam_one(w[i], m[i], v[i], g[i], cfg.beta1, cfg.beta2, k.a, k.ic2, cfg.eps);
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
#ifdef DGM_CUDA
  if (device != Device::CUDA) return;
  device_download(s1.data(), d1.data(), s1.size());
  device_download(s2.data(), d2.data(), s2.size());
#endif
}

void Optimizer::to_device() {
#ifdef DGM_CUDA
  if (device != Device::CUDA) return;
  device_upload(d1.data(), s1.data(), s1.size());
  device_upload(d2.data(), s2.data(), s2.size());
#endif
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
  const float lr = cfg.lr, eps = cfg.eps;
  if (device == Device::CUDA) {  // the same formulas, one GPU thread per parameter
#ifdef DGM_CUDA
    switch (cfg.kind) {
      case OptimKind::SGD: gpu::sgd_step(w, g, d1.data(), n, lr, cfg.momentum, zero_g); return;
      case OptimKind::Adagrad: gpu::adagrad_step(w, g, d1.data(), n, lr, eps, zero_g); return;
      case OptimKind::RMSProp: gpu::rmsprop_step(w, g, d1.data(), n, lr, cfg.alpha, eps, zero_g); return;
      case OptimKind::Adam: {
        const AdamConstants k = adam_constants(cfg, t);
        gpu::adam_step(w, g, d1.data(), d2.data(), n, cfg.beta1, cfg.beta2, k.a, k.ic2, eps, zero_g);
        return;
      }
    }
#endif
    return;
  }
  float* s = s1.data();
  switch (cfg.kind) {
    case OptimKind::SGD: {
      // [Vesel] AEVB algorithm (SGD): w <- w - lr v,  v <- mu v + g  (v = g when mu = 0)
      const float mu = cfg.momentum;
      for (std::size_t i = 0; i < n; ++i) {
        s[i] = mu * s[i] + g[i];
        w[i] -= lr * s[i];
      }
      break;
    }
    case OptimKind::Adagrad: {
      // [Vesel] AEVB algorithm (Adagrad): G <- G + g^2,  w <- w - lr g / (sqrt(G) + eps)
      for (std::size_t i = 0; i < n; ++i) {
        s[i] += g[i] * g[i];
        w[i] -= lr * g[i] / (std::sqrt(s[i]) + eps);
      }
      break;
    }
    case OptimKind::RMSProp: {
      // Tieleman & Hinton: r <- alpha r + (1 - alpha) g^2,  w <- w - lr g / (sqrt(r) + eps)
      const float a = cfg.alpha;
      for (std::size_t i = 0; i < n; ++i) {
        s[i] = a * s[i] + (1.f - a) * g[i] * g[i];
        w[i] -= lr * g[i] / (std::sqrt(s[i]) + eps);
      }
      break;
    }
    case OptimKind::Adam: {
      // Kingma & Ba: m <- b1 m + (1 - b1) g;  v <- b2 v + (1 - b2) g^2;
      //   m^ = m / (1 - b1^t);  v^ = v / (1 - b2^t);  w <- w - lr m^ / (sqrt(v^) + eps)
      const float b1 = cfg.beta1, b2 = cfg.beta2;
      const AdamConstants k = adam_constants(cfg, t);
      const float a = k.a, ic2 = k.ic2;
      float* m = s1.data();
      float* v = s2.data();
      auto run = [&](std::size_t b, std::size_t e) {
        adam_range(w + b, m + b, v + b, g + b, e - b, b1, b2, a, ic2, eps, zero_g);
      };
      parallel_chunks(n, kChunk, run);
      return;  // (g already zeroed when asked)
    }
  }
  if (zero_g)  // SGD, Adagrad, RMSProp: a second pass
    for (std::size_t i = 0; i < n; ++i) g[i] = 0.f;
}

}  // namespace dgm
