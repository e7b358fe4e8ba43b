// optim.cpp - the four optimizers, each one flat loop over the parameter buffer.
//
// g = dL/dw (the gradient buffer), lr = learning rate. Conventions follow PyTorch's torch.optim
// so that our runs can be compared with theirs.
#include "dgm/optim.h"

#include <cmath>

#include "dgm/check.h"

namespace dgm {

bool parse_optim_kind(const std::string& name, OptimKind* out) {
  if (name == "sgd") *out = OptimKind::SGD;
  else if (name == "adagrad") *out = OptimKind::Adagrad;
  else if (name == "rmsprop") *out = OptimKind::RMSProp;
  else if (name == "adam") *out = OptimKind::Adam;
  else return false;
  return true;
}

const char* optim_kind_name(OptimKind k) {
  switch (k) {
    case OptimKind::SGD: return "sgd";
    case OptimKind::Adagrad: return "adagrad";
    case OptimKind::RMSProp: return "rmsprop";
    case OptimKind::Adam: return "adam";
  }
  return "?";
}

Optimizer::Optimizer(const OptimConfig& c, std::size_t n_params)
    : cfg(c), s1(n_params, 0.f), s2(c.kind == OptimKind::Adam ? n_params : 0, 0.f) {}

void Optimizer::step(float* w, const float* g, std::size_t n) {
  DGM_CHECK(n == s1.size(), "Optimizer::step: %zu parameters, state sized for %zu", n, s1.size());
  ++t;
  const float lr = cfg.lr, eps = cfg.eps;
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
      const float c1 = static_cast<float>(1.0 - std::pow(static_cast<double>(b1), static_cast<double>(t)));
      const float c2 = static_cast<float>(1.0 - std::pow(static_cast<double>(b2), static_cast<double>(t)));
      float* m = s1.data();
      float* v = s2.data();
      for (std::size_t i = 0; i < n; ++i) {
        m[i] = b1 * m[i] + (1.f - b1) * g[i];
        v[i] = b2 * v[i] + (1.f - b2) * g[i] * g[i];
        w[i] -= lr * (m[i] / c1) / (std::sqrt(v[i] / c2) + eps);
      }
      break;
    }
  }
}

}  // namespace dgm
