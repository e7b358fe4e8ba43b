// dbn.cpp - the deep belief network: sampling and the variational bound ([HOT06], [SM08];
// formulas in include/dgm/models/dbn.h, mapped in docs/math.md). Greedy training is the RBM
// trainer applied layer by layer (src/run/ebm_run.cpp).
#include "dgm/models/dbn.h"

#include <algorithm>
#include <cmath>

#include "dgm/core/check.h"

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
  DGM_CHECK(d.layers.size() == 2 && test.dim() == d.layers[0].nv, "dbn_test_bound: two layers on %d pixels",
            test.dim());
  LikelihoodEstimate e;
  const AisResult z = rbm_ais(d.layers[1], {}, o);
  const Rbm& r0 = d.layers[0];
  Rng rng(o.seed, 11);
  std::vector<float> v(std::size_t(r0.nv)), ph(std::size_t(r0.nh)), h(std::size_t(r0.nh));
  double s = 0, s2 = 0;
  for (int n = 0; n < test.n; ++n) {
    for (int i = 0; i < r0.nv; ++i) v[std::size_t(i)] = test.pixels[std::size_t(n) * r0.nv + i] / 255.f;
    rbm_hidden_probs(r0, v.data(), 1, ph.data());
    double t = 0;
    for (int k = 0; k < S; ++k) {
      bernoulli_sample(ph.data(), ph.size(), rng, h.data());
      t += dbn_bound_term(d, v.data(), h.data(), z.log_z) / S;
    }
    s += t, s2 += t * t;
  }
  e.nats = s / test.n;
  e.data_se = test.n > 1 ? std::sqrt(std::max(0.0, (s2 - test.n * e.nats * e.nats) / (test.n - 1)) / test.n) : 0;
  e.ais_se = z.log_z_se, e.log_z = z.log_z, e.images = test.n, e.runs = o.runs, e.betas = o.betas;
  return e;
}

}  // namespace dgm
