// rbm.cpp - the restricted Boltzmann machine: energy, free energy, conditionals, block Gibbs,
// CD-k and PCD. Formulas and sources in include/dgm/models/rbm.h; docs/math.md maps them here.
#include "dgm/models/rbm.h"

#include <cmath>

#include "dgm/core/check.h"
#include "dgm/backend/gemm.h"
#include "dgm/backend/kernels.h"  // cpu::sigmoid_rows, cpu::bernoulli: the conditionals' loops, vectorized

namespace dgm {

void rbm_init(Rbm* m, int nv, int nh, Rng& rng, float init_std) {
  DGM_CHECK(nv > 0 && nh > 0, "rbm_init: sizes must be positive, got %d x %d", nv, nh);
  m->nv = nv, m->nh = nh;
  m->W.assign(static_cast<std::size_t>(nv) * nh, 0.f);
  for (float& w : m->W) w = init_std * rng.normal();
  m->b.assign(static_cast<std::size_t>(nv), 0.f);
  m->c.assign(static_cast<std::size_t>(nh), 0.f);
}

double log1p_exp(double x) { return x > 0 ? x + std::log1p(std::exp(-x)) : std::log1p(std::exp(x)); }

// E(v, h) = -b'v - c'h - v'W h   ([Hinton02] sec. 3)
double rbm_energy(const Rbm& m, const float* v, const float* h) {
  double e = 0;
  for (int i = 0; i < m.nv; ++i) e -= double(m.b[i]) * v[i];
  for (int j = 0; j < m.nh; ++j) e -= double(m.c[j]) * h[j];
  for (int i = 0; i < m.nv; ++i)
    for (int j = 0; j < m.nh; ++j) e -= double(v[i]) * m.W[std::size_t(i) * m.nh + j] * h[j];
  return e;
}

// F(v) = -b'v - sum_j log1p_exp(c_j + sum_i v_i W_ij)   (h summed out: each h_j in {0, 1}
// contributes a factor 1 + exp(c_j + (v'W)_j))
double rbm_free_energy(const Rbm& m, const float* v) {
  double f = 0;
  for (int i = 0; i < m.nv; ++i) f -= double(m.b[i]) * v[i];
  for (int j = 0; j < m.nh; ++j) {
    double a = m.c[j];
    for (int i = 0; i < m.nv; ++i) a += double(v[i]) * m.W[std::size_t(i) * m.nh + j];
    f -= log1p_exp(a);
  }
  return f;
}

// a (B, nh) = c + s v W; v: (B, nv), W: (nv, nh)
void rbm_hidden_input(const Rbm& m, const float* v, int B, float* a, float s) {
  gemm(false, false, B, m.nh, m.nv, v, m.nv, m.W.data(), m.nh, a, m.nh, false);
  for (int r = 0; r < B; ++r)
    for (int j = 0; j < m.nh; ++j) {
      float& x = a[std::size_t(r) * m.nh + j];
      x = (s == 1.f ? x : s * x) + m.c[j];
    }
}

// p(h_j = 1 | v) = sigmoid(c_j + s (v W)_j)   ([Hinton02] sec. 3; s: [SH09] sec. 3.1)
// ph (B, nh): the product v W, then sigmoid(s x + c) row by row (cpu::sigmoid_rows).
void rbm_hidden_probs(const Rbm& m, const float* v, int B, float* ph, float s) {
  gemm(false, false, B, m.nh, m.nv, v, m.nv, m.W.data(), m.nh, ph, m.nh, false);
  cpu::sigmoid_rows(ph, m.c.data(), s, std::size_t(B), std::size_t(m.nh));
}

// p(v_i = 1 | h) = sigmoid(b_i + s (h W')_i); h: (B, nh), W' read as W stored (nv, nh) transposed
void rbm_visible_probs(const Rbm& m, const float* h, int B, float* pv, float s) {
  gemm(false, true, B, m.nv, m.nh, h, m.nh, m.W.data(), m.nh, pv, m.nv, false);
  cpu::sigmoid_rows(pv, m.b.data(), s, std::size_t(B), std::size_t(m.nv));
}

// out[i] = 1 if rng.uniform() < p[i] else 0, i = 0, 1, ...: that loop's numbers, drawn in
// vector lanes and parallel chunks by PCG32's jump-ahead (cpu::bernoulli), so the same bits
// for any thread count; rng ends where the loop leaves it.
void bernoulli_sample(const float* p, std::size_t n, Rng& rng, float* out) {
  RngState st = rng.state();
  cpu::bernoulli(out, p, n, &st);
  rng.set_state(st);
}

// F of each row of v (B, nv), with a (B, nh) as room for c + v W.
static void free_energy_rows(const Rbm& m, const float* v, int B, float* a, double* F) {
  rbm_hidden_input(m, v, B, a);
  for (int r = 0; r < B; ++r) {
    double f = 0;
    for (int i = 0; i < m.nv; ++i) f -= double(m.b[i]) * v[std::size_t(r) * m.nv + i];
    for (int j = 0; j < m.nh; ++j) f -= log1p_exp(a[std::size_t(r) * m.nh + j]);
    F[r] = f;
  }
}

void rbm_free_energy_batch(const Rbm& m, const float* v, int B, std::vector<float>* scratch, double* F) {
  const std::size_t need = std::size_t(B) * m.nh;
  if (scratch->size() < need) scratch->resize(need);
  free_energy_rows(m, v, B, scratch->data(), F);
}

void rbm_gibbs(const Rbm& m, float* v, int B, int steps, Rng& rng, float* ph, float* h, float* pv) {
  const std::size_t nh = std::size_t(B) * m.nh, nv = std::size_t(B) * m.nv;
  for (int s = 0; s < steps; ++s) {
    rbm_hidden_probs(m, v, B, ph);  // h ~ p(h | v)
    bernoulli_sample(ph, nh, rng, h);
    rbm_visible_probs(m, h, B, pv);  // v ~ p(v | h)
    bernoulli_sample(pv, nv, rng, v);
  }
}

double rbm_reconstruction_error(const Rbm& m, const float* v, int B, std::vector<float>* scratch, float up,
                                float down) {
  const std::size_t nh = std::size_t(B) * m.nh, nv = std::size_t(B) * m.nv;
  if (scratch->size() < nh + nv) scratch->resize(nh + nv);
  float* ph = scratch->data();
  float* pv = ph + nh;
  rbm_hidden_probs(m, v, B, ph, up);
  rbm_visible_probs(m, ph, B, pv, down);
  double s = 0;
  for (std::size_t i = 0; i < nv; ++i) s += double(v[i] - pv[i]) * (v[i] - pv[i]);
  return s / B;  // sum over pixels, mean over rows
}

double rbm_pseudo_likelihood(const Rbm& m, const float* v, int B, Rng& rng, std::vector<float>* scratch) {
  const std::size_t nv = std::size_t(B) * m.nv;
  if (scratch->size() < nv + std::size_t(B) * m.nh) scratch->resize(nv + std::size_t(B) * m.nh);
  float* flipped = scratch->data();  // (B, nv)
  float* a = flipped + nv;            // (B, nh)
  for (std::size_t i = 0; i < nv; ++i) flipped[i] = v[i];
  for (int r = 0; r < B; ++r) {
    const std::uint32_t i = rng.below(static_cast<std::uint32_t>(m.nv));
    float& x = flipped[std::size_t(r) * m.nv + i];
    x = 1.f - x;
  }
  double s = 0, F[64], Ff[64];
  for (int r0 = 0; r0 < B; r0 += 64) {  // 64 rows at a time: fixed room for the free energies
    const int n = B - r0 < 64 ? B - r0 : 64;
    free_energy_rows(m, v + std::size_t(r0) * m.nv, n, a, F);
    free_energy_rows(m, flipped + std::size_t(r0) * m.nv, n, a, Ff);
    for (int r = 0; r < n; ++r) s += -double(m.nv) * log1p_exp(F[r] - Ff[r]);  // nv log sigmoid(F(v~) - F(v))
  }
  return s / B;
}

void RbmTrainer::init(const Rbm& m, const CdOptions& o, Rng& rng) {
  DGM_CHECK(o.batch > 0 && o.k > 0, "RbmTrainer: batch %d and k %d must be positive", o.batch, o.k);
  opt = o;
  const std::size_t B = std::size_t(o.batch);
  dW.assign(std::size_t(m.nv) * m.nh, 0.f);
  db.assign(std::size_t(m.nv), 0.f);
  dc.assign(std::size_t(m.nh), 0.f);
  chains.assign(B * m.nh, 0.f);
  for (float& x : chains) x = rng.uniform() < 0.5f ? 1.f : 0.f;
  vv_.assign(2 * B * m.nv, 0.f);
  hh_.assign(2 * B * m.nh, 0.f);
  hk_.assign(B * m.nh, 0.f);
}

// The two phases of one estimate, into the stacked rows of the product below:
//   vv_ (2B, nv) = [v0; vk],   hh_ (2B, nh) = [p(h|v0); p(h|vk)],   db, dc (rbm.h).
void RbmTrainer::phases(const Rbm& m, const float* v0, Rng& rng) {
  const int B = opt.batch;
  const std::size_t nv = std::size_t(B) * m.nv, nh = std::size_t(B) * m.nh;
  DGM_CHECK(dW.size() == std::size_t(m.nv) * m.nh && vv_.size() == 2 * nv, "RbmTrainer: init() for another shape");
  float* v0s = vv_.data();  // (B, nv): v0
  float* vk = v0s + nv;     // (B, nv): the chains' visible state after k steps
  float* ph0 = hh_.data();  // (B, nh): p(h | v0)
  float* phk = ph0 + nh;    // (B, nh): p(h | vk)
  for (std::size_t i = 0; i < nv; ++i) v0s[i] = v0[i];
  // Negative phase: k block Gibbs steps v ~ p(v | h), h ~ p(h | v) from a hidden state h: h ~
  // p(h | v0) for CD-k ([Hinton02] sec. 5), the persistent chains' h for PCD ([Tieleman08] sec. 3:
  // the chains are never reset; they keep h, as scikit-learn's BernoulliRBM keeps h_samples_, so
  // a PCD-1 step is sklearn's five products, p(v|h), p(h|v0), p(h|vk) and dW's two, run as three:
  // p(v|h), p(h|[v0; vk]) and dW over the stacked rows). The last h is drawn only when it is kept:
  // PCD's next starting point.
  if (!opt.persistent) {
    rbm_hidden_probs(m, v0, B, ph0, opt.up);  // positive phase: p(h | v0) ([Hinton02] eq. 5, first term)
    bernoulli_sample(ph0, nh, rng, hk_.data());
  }
  float* h = opt.persistent ? chains.data() : hk_.data();
  for (int s = 0; s < opt.k; ++s) {
    rbm_visible_probs(m, h, B, vk, opt.down);  // p(v | h)
    bernoulli_sample(vk, nv, rng, vk);         // vk ~ p(v | h)
    if (s + 1 == opt.k && opt.persistent) {
      // PCD's positive phase waited for this: p(h | v0) and p(h | vk) as ONE product over the
      // 2B stacked rows [v0; vk] (neither depends on the other; the draws keep their order)
      rbm_hidden_probs(m, v0s, 2 * B, ph0, opt.up);
    } else {
      rbm_hidden_probs(m, vk, B, phk, opt.up);  // p(h | vk)
    }
    if (s + 1 < opt.k || opt.persistent) bernoulli_sample(phk, nh, rng, h);  // h ~ p(h | vk)
  }
  // dc = mean_rows (p(h|v0) - p(h|vk)); db = mean_rows (v0 - vk)
  const float inv = 1.f / float(B);
  for (int j = 0; j < m.nh; ++j) dc[j] = 0.f;
  for (int i = 0; i < m.nv; ++i) db[i] = 0.f;
  for (int r = 0; r < B; ++r) {
    for (int j = 0; j < m.nh; ++j) dc[j] += ph0[std::size_t(r) * m.nh + j] - phk[std::size_t(r) * m.nh + j];
    for (int i = 0; i < m.nv; ++i) db[i] += v0[std::size_t(r) * m.nv + i] - vk[std::size_t(r) * m.nv + i];
  }
  for (float& x : dc) x *= inv;
  for (float& x : db) x *= inv;
}

// dW (nv, nh) = alpha (1/B) [v0' p(h|v0) - vk' p(h|vk)] = [v0; vk]' [a p(h|v0); -a p(h|vk)],
// a = alpha / B: ONE product over the 2B stacked rows (K = 2B), into dW, or added to it.
void RbmTrainer::product(int nv, int nh, float alpha, float* out, bool accumulate) {
  const int B = opt.batch;
  const std::size_t n = std::size_t(B) * nh;
  const float a = alpha / float(B);
  for (std::size_t i = 0; i < n; ++i) hh_[i] *= a;
  for (std::size_t i = n; i < 2 * n; ++i) hh_[i] *= -a;
  gemm(true, false, nv, nh, 2 * B, vv_.data(), nv, hh_.data(), nh, out, nh, accumulate);
}

void RbmTrainer::gradient(const Rbm& m, const float* v0, Rng& rng) {
  phases(m, v0, rng);
  product(m.nv, m.nh, 1.f, dW.data(), false);
}

// theta += lr * grad (gradient ascent on the log-likelihood): W += lr dW inside the product
// (accumulating into W), so dW is not formed.
void RbmTrainer::step(Rbm* m, const float* v0, Rng& rng) {
  phases(*m, v0, rng);
  const float lr = opt.lr;
  product(m->nv, m->nh, lr, m->W.data(), true);
  for (std::size_t i = 0; i < db.size(); ++i) m->b[i] += lr * db[i];
  for (std::size_t i = 0; i < dc.size(); ++i) m->c[i] += lr * dc[i];
}

const float* RbmTrainer::visible_chains() const { return vv_.data() + vv_.size() / 2; }  // vk: the bottom B rows of [v0; vk]

}  // namespace dgm
