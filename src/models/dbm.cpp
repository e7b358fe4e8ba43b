// dbm.cpp - the two-hidden-layer deep Boltzmann machine ([SH09]; formulas in
// include/dgm/models/dbm.h, mapped in docs/math.md).
#include "dgm/models/dbm.h"

#include <cmath>

#include "dgm/core/check.h"
#include "dgm/backend/gemm.h"
#include "dgm/models/rbm.h"

namespace dgm {
namespace {

void add_bias_sigmoid(float* x, int B, int n, const float* bias) {
  for (int r = 0; r < B; ++r)
    for (int j = 0; j < n; ++j) {
      float& a = x[std::size_t(r) * n + j];
      a = 1.f / (1.f + std::exp(-(a + bias[j])));
    }
}

// mu1 = sigmoid(c1 + v W1 [+ h2 W2'])
void h1_probs(const Dbm& m, const float* v, const float* h2, int B, float* out) {
  gemm(false, false, B, m.n1, m.nv, v, m.nv, m.W1.data(), m.n1, out, m.n1, false);
  if (h2) gemm(false, true, B, m.n1, m.n2, h2, m.n2, m.W2.data(), m.n2, out, m.n1, true);
  add_bias_sigmoid(out, B, m.n1, m.c1.data());
}
// mu2 = sigmoid(c2 + h1 W2)
void h2_probs(const Dbm& m, const float* h1, int B, float* out) {
  gemm(false, false, B, m.n2, m.n1, h1, m.n1, m.W2.data(), m.n2, out, m.n2, false);
  add_bias_sigmoid(out, B, m.n2, m.c2.data());
}
// p(v | h1) = sigmoid(b + h1 W1')
void v_probs(const Dbm& m, const float* h1, int B, float* out) {
  gemm(false, true, B, m.nv, m.n1, h1, m.n1, m.W1.data(), m.n1, out, m.nv, false);
  add_bias_sigmoid(out, B, m.nv, m.b.data());
}

}  // namespace

void dbm_init(Dbm* m, int nv, int n1, int n2, Rng& rng, float init_std) {
  DGM_CHECK(nv > 0 && n1 > 0 && n2 > 0, "dbm_init: sizes %d %d %d", nv, n1, n2);
  m->nv = nv, m->n1 = n1, m->n2 = n2;
  m->W1.resize(std::size_t(nv) * n1), m->W2.resize(std::size_t(n1) * n2);
  for (float& w : m->W1) w = init_std * rng.normal();
  for (float& w : m->W2) w = init_std * rng.normal();
  m->b.assign(std::size_t(nv), 0.f), m->c1.assign(std::size_t(n1), 0.f), m->c2.assign(std::size_t(n2), 0.f);
}

Dbm dbm_compose(const Rbm& bottom, const Rbm& top) {
  DGM_CHECK(bottom.nh == top.nv, "dbm_compose: bottom RBM has %d hidden units, top RBM %d visible", bottom.nh, top.nv);
  Dbm m;
  m.nv = bottom.nv, m.n1 = bottom.nh, m.n2 = top.nh;
  m.W1 = bottom.W, m.b = bottom.b, m.W2 = top.W, m.c2 = top.c;
  m.c1.resize(std::size_t(m.n1));
  for (int j = 0; j < m.n1; ++j) m.c1[std::size_t(j)] = 0.5f * (bottom.c[std::size_t(j)] + top.b[std::size_t(j)]);
  return m;
}

void dbm_mean_field(const Dbm& m, const float* v, int B, int iters, float* mu1, float* mu2, float* vw1) {
  const std::size_t n1 = std::size_t(B) * m.n1;
  std::vector<float> own;
  if (!vw1) own.resize(n1), vw1 = own.data();
  // v W1 does not change from sweep to sweep: once, then mu1 = sigmoid(c1 + [v W1] + mu2 W2')
  // (the same sums as h1_probs, which adds mu2 W2' onto v W1 in the same order)
  gemm(false, false, B, m.n1, m.nv, v, m.nv, m.W1.data(), m.n1, vw1, m.n1, false);
  for (int it = 0; it <= iters; ++it) {
    for (std::size_t i = 0; i < n1; ++i) mu1[i] = vw1[i];
    if (it > 0) gemm(false, true, B, m.n1, m.n2, mu2, m.n2, m.W2.data(), m.n2, mu1, m.n1, true);
    add_bias_sigmoid(mu1, B, m.n1, m.c1.data());  // sweep 0: mu1 = sigmoid(c1 + v W1)
    h2_probs(m, mu1, B, mu2);                     // mu2 = sigmoid(c2 + mu1 W2)
  }
}

double dbm_energy(const Dbm& m, const float* v, const float* h1, const float* h2) {
  double e = 0;
  for (int i = 0; i < m.nv; ++i) {
    e -= double(m.b[std::size_t(i)]) * v[i];
    for (int j = 0; j < m.n1; ++j) e -= double(v[i]) * m.W1[std::size_t(i) * m.n1 + j] * h1[j];
  }
  for (int j = 0; j < m.n1; ++j) {
    e -= double(m.c1[std::size_t(j)]) * h1[j];
    for (int k = 0; k < m.n2; ++k) e -= double(h1[j]) * m.W2[std::size_t(j) * m.n2 + k] * h2[k];
  }
  for (int k = 0; k < m.n2; ++k) e -= double(m.c2[std::size_t(k)]) * h2[k];
  return e;
}

namespace {
double bernoulli_entropy(double p) { return (p > 0 ? -p * std::log(p) : 0) + (p < 1 ? -(1 - p) * std::log(1 - p) : 0); }
}  // namespace

void dbm_mean_field_bound_rows(const Dbm& m, const float* v, const float* mu1, const float* mu2, int B, double log_z,
                               std::vector<float>* scratch, double* out) {
  const std::size_t n1 = std::size_t(B) * m.n1;
  if (scratch->size() < 2 * n1) scratch->resize(2 * n1);
  float* a = scratch->data();    // v W1    (B, n1)
  float* t = a + n1;             // mu2 W2' (B, n1)
  gemm(false, false, B, m.n1, m.nv, v, m.nv, m.W1.data(), m.n1, a, m.n1, false);
  gemm(false, true, B, m.n1, m.n2, mu2, m.n2, m.W2.data(), m.n2, t, m.n1, false);
  for (int r = 0; r < B; ++r) {
    const float *vr = v + std::size_t(r) * m.nv, *u1 = mu1 + std::size_t(r) * m.n1, *u2 = mu2 + std::size_t(r) * m.n2;
    const float *ar = a + std::size_t(r) * m.n1, *tr = t + std::size_t(r) * m.n1;
    double s = -log_z;  // -E(v, mu1, mu2) + H(mu1) + H(mu2) - log Z
    for (int i = 0; i < m.nv; ++i) s += double(m.b[std::size_t(i)]) * vr[i];
    for (int j = 0; j < m.n1; ++j)
      s += double(u1[j]) * (double(m.c1[std::size_t(j)]) + ar[j] + tr[j]) + bernoulli_entropy(u1[j]);
    for (int k = 0; k < m.n2; ++k) s += double(m.c2[std::size_t(k)]) * u2[k] + bernoulli_entropy(u2[k]);
    out[r] = s;
  }
}

double dbm_mean_field_bound(const Dbm& m, const float* v, const float* mu1, const float* mu2, double log_z) {
  const auto H = bernoulli_entropy;
  double s = -dbm_energy(m, v, mu1, mu2) - log_z;  // E is linear in each unit: E_Q[E] = E(v, mu1, mu2)
  for (int j = 0; j < m.n1; ++j) s += H(mu1[j]);
  for (int k = 0; k < m.n2; ++k) s += H(mu2[k]);
  return s;
}

void dbm_gibbs(const Dbm& m, float* v, float* h1, float* h2, int B, int steps, Rng& rng, float* pv) {
  const std::size_t n1 = std::size_t(B) * m.n1, n2 = std::size_t(B) * m.n2, nv = std::size_t(B) * m.nv;
  for (int s = 0; s < steps; ++s) {
    h1_probs(m, v, h2, B, h1);  // h1 ~ p(h1 | v, h2), in place
    bernoulli_sample(h1, n1, rng, h1);
    v_probs(m, h1, B, pv);  // v ~ p(v | h1)
    bernoulli_sample(pv, nv, rng, v);
    h2_probs(m, h1, B, h2);  // h2 ~ p(h2 | h1)
    bernoulli_sample(h2, n2, rng, h2);
  }
}

void DbmTrainer::init(const Dbm& m, int batch, int mf_iters, float lr, Rng& rng) {
  B_ = batch, iters_ = mf_iters, lr_ = lr;
  const std::size_t B = std::size_t(batch);
  cv.resize(B * m.nv), ch1.assign(B * m.n1, 0.f), ch2.assign(B * m.n2, 0.f);
  for (float& x : cv) x = rng.uniform() < 0.5f ? 1.f : 0.f;
  mu1_.resize(B * m.n1), mu2_.resize(B * m.n2), pv_.resize(B * m.nv), vw1_.resize(B * m.n1);
  dW1_.resize(std::size_t(m.nv) * m.n1), dW2_.resize(std::size_t(m.n1) * m.n2);
}

void DbmTrainer::start_chains(const Dbm& m, const float* v, Rng& rng) {
  dbm_mean_field(m, v, B_, iters_, mu1_.data(), mu2_.data(), vw1_.data());
  for (std::size_t i = 0; i < cv.size(); ++i) cv[i] = v[i];
  bernoulli_sample(mu1_.data(), ch1.size(), rng, ch1.data());
  bernoulli_sample(mu2_.data(), ch2.size(), rng, ch2.data());
}

void DbmTrainer::step(Dbm* m, const float* v0, Rng& rng) {
  const int B = B_;
  dbm_mean_field(*m, v0, B, iters_, mu1_.data(), mu2_.data(), vw1_.data());  // data term: Q(h | v0)
  dbm_gibbs(*m, cv.data(), ch1.data(), ch2.data(), B, 1, rng, pv_.data());  // model term: one sweep of the chains
  // dW1 = (1/B)[v0' mu1 - v~' h1~], dW2 = (1/B)[mu1' mu2 - h1~' h2~]
  gemm(true, false, m->nv, m->n1, B, v0, m->nv, mu1_.data(), m->n1, dW1_.data(), m->n1, false);
  gemm(true, false, m->n1, m->n2, B, mu1_.data(), m->n1, mu2_.data(), m->n2, dW2_.data(), m->n2, false);
  for (float& x : ch1) x = -x;  // accumulate the negative terms; flipped back below
  gemm(true, false, m->nv, m->n1, B, cv.data(), m->nv, ch1.data(), m->n1, dW1_.data(), m->n1, true);
  gemm(true, false, m->n1, m->n2, B, ch1.data(), m->n1, ch2.data(), m->n2, dW2_.data(), m->n2, true);
  for (float& x : ch1) x = -x;
  const float s = lr_ / float(B);
  for (std::size_t i = 0; i < dW1_.size(); ++i) m->W1[i] += s * dW1_[i];
  for (std::size_t i = 0; i < dW2_.size(); ++i) m->W2[i] += s * dW2_[i];
  for (int r = 0; r < B; ++r) {
    for (int i = 0; i < m->nv; ++i) m->b[std::size_t(i)] += s * (v0[std::size_t(r) * m->nv + i] - cv[std::size_t(r) * m->nv + i]);
    for (int j = 0; j < m->n1; ++j) m->c1[std::size_t(j)] += s * (mu1_[std::size_t(r) * m->n1 + j] - ch1[std::size_t(r) * m->n1 + j]);
    for (int k = 0; k < m->n2; ++k) m->c2[std::size_t(k)] += s * (mu2_[std::size_t(r) * m->n2 + k] - ch2[std::size_t(r) * m->n2 + k]);
  }
}

}  // namespace dgm
