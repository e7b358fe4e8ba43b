// dbn.cpp - the deep belief network: sampling and the variational bound ([HOT06], [SM08];
// formulas in include/dgm/models/dbn.h, mapped in docs/math.md). Greedy training is the RBM
// trainer applied layer by layer (src/run/ebm_run.cpp).
#include "dgm/models/dbn.h"

#include <algorithm>
#include <cmath>

#include "dgm/core/check.h"
#include "dgm/backend/gemm.h"

namespace dgm {

Rbm rbm_transposed(const Rbm& m) {
  Rbm t;
  t.nv = m.nh, t.nh = m.nv;
  t.W.resize(m.W.size());
  for (int i = 0; i < m.nv; ++i)
    for (int j = 0; j < m.nh; ++j) t.W[std::size_t(j) * m.nv + i] = m.W[std::size_t(i) * m.nh + j];
  t.b = m.c, t.c = m.b;
  return t;
}

// log Bernoulli(x; sigmoid(a)) = x a - softplus(a)
static double log_bernoulli_logit(double x, double a) { return x * a - log1p_exp(a); }

double dbn_bound_term(const Dbn& d, const float* v, const float* h1, double log_z1) {
  DGM_CHECK(d.layers.size() == 2, "dbn_bound_term: two layers, got %zu", d.layers.size());
  const Rbm& r0 = d.layers[0];
  double s = 0;
  // log p_0(v | h1) = sum_i log Bernoulli(v_i; sigmoid(b_i + sum_j W_ij h1_j))
  for (int i = 0; i < r0.nv; ++i) {
    double a = r0.b[std::size_t(i)];
    for (int j = 0; j < r0.nh; ++j) a += double(r0.W[std::size_t(i) * r0.nh + j]) * h1[j];
    s += log_bernoulli_logit(v[i], a);
  }
  // + log p_1(h1) = -F_1(h1) - log Z_1
  s += -rbm_free_energy(d.layers[1], h1) - log_z1;
  // - log Q(h1 | v) = - sum_j log Bernoulli(h1_j; sigmoid(c_j + sum_i v_i W_ij))
  for (int j = 0; j < r0.nh; ++j) {
    double a = r0.c[std::size_t(j)];
    for (int i = 0; i < r0.nv; ++i) a += double(v[i]) * r0.W[std::size_t(i) * r0.nh + j];
    s -= log_bernoulli_logit(h1[j], a);
  }
  return s;
}

void dbn_sample(const Dbn& d, int n, int steps, Rng& rng, std::vector<float>* out) {
  const Rbm& top = d.layers.back();
  std::vector<float> v(std::size_t(n) * top.nv), ph(std::size_t(n) * top.nh), h(std::size_t(n) * top.nh),
      pv(std::size_t(n) * top.nv);
  for (float& x : v) x = rng.uniform() < 0.5f ? 1.f : 0.f;
  rbm_gibbs(top, v.data(), n, steps, rng, ph.data(), h.data(), pv.data());  // Gibbs in the top RBM
  // downward pass: h_{l} ~ p(h_l | h_{l+1}) of RBM l, probabilities at the bottom
  for (int l = int(d.layers.size()) - 2; l >= 0; --l) {
    const Rbm& r = d.layers[std::size_t(l)];
    std::vector<float> p(std::size_t(n) * r.nv);
    rbm_visible_probs(r, v.data(), n, p.data());
    if (l == 0) {
      *out = p;
      return;
    }
    v.resize(p.size());
    bernoulli_sample(p.data(), p.size(), rng, v.data());
  }
  *out = pv;  // one layer: the top RBM's own p(v | h)
}

LikelihoodEstimate dbn_test_bound(const Dbn& d, const ImageSet& test, const AisOptions& o, int S) {
  DGM_CHECK(d.layers.size() == 2 && test.dim() == d.layers[0].nv && S >= 1, "dbn_test_bound: two layers on %d pixels, S %d",
            test.dim(), S);
  LikelihoodEstimate e;
  const AisResult z = rbm_ais(d.layers[1], {}, o);
  const Rbm& r0 = d.layers[0];
  const int nv = r0.nv, nh = r0.nh, B = 500;
  Rng rng(o.seed, 11);
  // dbn_bound_term for B images at once, its three sums through gemm (the draws in the same
  // order: image by image, S draws of h1 each):
  //   log p_0(v | h1) = sum_i [v_i a_i - softplus(a_i)], a = b + h1 W0'
  //   log p_1(h1) = -F_1(h1) - log Z_1
  //   log Q(h1 | v) = sum_j [h1_j q_j - softplus(q_j)], q = c + v W0
  std::vector<float> v(std::size_t(B) * nv), q(std::size_t(B) * nh), h(std::size_t(B) * S * nh),
      a(std::size_t(B) * S * nv), scratch;
  std::vector<double> F(std::size_t(B) * S);
  double s = 0, s2 = 0;
  for (int r0i = 0; r0i < test.n; r0i += B) {
    const int n = std::min(B, test.n - r0i), nS = n * S;
    for (std::size_t i = 0; i < std::size_t(n) * nv; ++i) v[i] = test.pixels[std::size_t(r0i) * nv + i] / 255.f;
    rbm_hidden_input(r0, v.data(), n, q.data());
    for (int r = 0; r < n; ++r)
      for (int k = 0; k < S; ++k)
        for (int j = 0; j < nh; ++j) {
          const float p = 1.f / (1.f + std::exp(-q[std::size_t(r) * nh + j]));
          h[(std::size_t(r) * S + k) * nh + j] = rng.uniform() < p ? 1.f : 0.f;
        }
    gemm(false, true, nS, nv, nh, h.data(), nh, r0.W.data(), nh, a.data(), nv, false);  // h1 W0'
    rbm_free_energy_batch(d.layers[1], h.data(), nS, &scratch, F.data());
    for (int r = 0; r < n; ++r) {
      double t = 0;
      for (int k = 0; k < S; ++k) {
        const std::size_t row = std::size_t(r) * S + k;
        double term = -F[row] - z.log_z;
        for (int i = 0; i < nv; ++i) {
          const double ai = double(r0.b[std::size_t(i)]) + a[row * nv + i];
          term += v[std::size_t(r) * nv + i] * ai - log1p_exp(ai);
        }
        for (int j = 0; j < nh; ++j) {
          const double qj = q[std::size_t(r) * nh + j];
          term -= h[row * nh + j] * qj - log1p_exp(qj);
        }
        t += term / S;
      }
      s += t, s2 += t * t;
    }
  }
  e.nats = s / test.n;
  e.data_se = test.n > 1 ? std::sqrt(std::max(0.0, (s2 - test.n * e.nats * e.nats) / (test.n - 1)) / test.n) : 0;
  e.ais_se = z.log_z_se, e.log_z = z.log_z, e.images = test.n, e.runs = o.runs, e.betas = o.betas;
  return e;
}

}  // namespace dgm
