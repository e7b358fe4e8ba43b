// reparam.h - the reparametrization trick, written once ([Utkin] "Репараметризация";
// [MSU] "Вариационный автоэнкодер"): z = mu + sigma (.) eps, sigma = exp(logvar / 2),
// eps ~ N(0, I) drawn by the caller, so z is a differentiable function of (mu, sigma):
// dz/dmu = 1, dz/dsigma = eps.
// On a tape (vae.cpp's training step, aae.cpp's Gaussian encoder) and for one coordinate
// without one (the VAE's evaluation on the host, in float; theory/elbo.cpp, in double).
#pragma once
#include <cmath>

#include "dgm/core/ops.h"

namespace dgm {

// mu, sigma: (B, J) nodes; eps: (B, J), a constant. Returns z (B, J).
inline Var reparametrize(Tape& t, Var mu, Var sigma, const Tensor& eps) {
  return add(t, mu, mul(t, sigma, t.constant(eps)));
}

// One coordinate: z = mu + exp(logvar / 2) eps (T = float or double).
template <class T>
inline T reparametrize(T mu, T logvar, T eps) {
  return mu + std::exp(T(0.5) * logvar) * eps;
}

}  // namespace dgm
