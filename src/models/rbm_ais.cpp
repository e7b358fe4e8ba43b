// rbm_ais.cpp - AIS for an RBM's log Z and the test log-likelihood ([SM08]; formulas in
// include/dgm/models/rbm_ais.h, mapped in docs/math.md).
#include "dgm/models/rbm_ais.h"

#include <algorithm>
#include <cmath>

#include "dgm/core/check.h"
#include "dgm/backend/gemm.h"

namespace dgm {

std::vector<float> ais_start_biases(const std::vector<float>& base_b, int nv, const char* who) {
  if (base_b.empty()) return std::vector<float>(std::size_t(nv), 0.f);
  DGM_CHECK(int(base_b.size()) == nv, "%s: %zu base biases for %d visible units", who, base_b.size(), nv);
  return base_b;
}

std::vector<double> ais_schedule(int K) {
  DGM_CHECK(K >= 1, "ais_schedule: K = %d, need >= 1", K);
  std::vector<double> beta(std::size_t(K) + 1);
  // [SM08] sec. 5: 500 steps on [0, 0.5], 4,000 on [0.5, 0.9], 10,000 on [0.9, 1]: the same
  // proportions of K (at least one step in each piece once K >= 3).
  int k1 = std::max(1, int(std::lround(K * 500.0 / 14500))), k2 = std::max(1, int(std::lround(K * 4000.0 / 14500)));
  if (K < 3) k1 = K, k2 = 0;
  const int k3 = K - k1 - k2;
  for (int k = 0; k <= K; ++k) {
    double b;
    if (k <= k1) b = (K < 3 ? 1.0 : 0.5) * k / k1;
    else if (k <= k1 + k2) b = 0.5 + 0.4 * (k - k1) / k2;
    else b = 0.9 + 0.1 * (k - k1 - k2) / k3;
    beta[std::size_t(k)] = b;
  }
  beta[std::size_t(K)] = 1.0;
  return beta;
}

std::vector<float> ais_base_biases(const ImageSet& set) {
  std::vector<float> b(std::size_t(set.dim()), 0.f);
  if (set.n == 0) return b;
  for (int i = 0; i < set.dim(); ++i) {
    double s = 0;
    for (int r = 0; r < set.n; ++r) s += set.pixels[std::size_t(r) * set.dim() + i] / 255.0;
    const double p = std::min(1 - 1e-3, std::max(1e-3, s / set.n));
    b[std::size_t(i)] = float(std::log(p / (1 - p)));
  }
  return b;
}

AisResult rbm_ais(const Rbm& m, const std::vector<float>& base_b, const AisOptions& o) {
  DGM_CHECK(o.runs >= 2 && o.betas >= 1, "rbm_ais: runs %d (>= 2) betas %d (>= 1)", o.runs, o.betas);
  const int M = o.runs, nv = m.nv, nh = m.nh;
  const std::vector<float> bA = ais_start_biases(base_b, nv, "rbm_ais");
  const std::vector<double> beta = ais_schedule(o.betas);
  Rng rng(o.seed, 7);
  std::vector<float> v(std::size_t(M) * nv), a(std::size_t(M) * nh), h(std::size_t(M) * nh), pv(std::size_t(M) * nv);
  AisResult res;
  res.log_w.assign(std::size_t(M), 0.0);
  res.log_z_base = double(nh) * std::log(2.0);
  for (int i = 0; i < nv; ++i) res.log_z_base += log1p_exp(bA[std::size_t(i)]);
  // v_0 ~ p_A: independent pixels, p(v_i = 1) = sigmoid(bA_i)
  for (int r = 0; r < M; ++r)
    for (int i = 0; i < nv; ++i) v[std::size_t(r) * nv + i] = rng.uniform() < 1 / (1 + std::exp(-bA[std::size_t(i)])) ? 1.f : 0.f;
  for (int k = 1; k <= o.betas; ++k) {
    const double b0 = beta[std::size_t(k) - 1], b1 = beta[std::size_t(k)];
    // a = c + v W, shared by the weight update and the transition
    gemm(false, false, M, nh, nv, v.data(), nv, m.W.data(), nh, a.data(), nh, false);
    for (int r = 0; r < M; ++r) {
      const float* vr = v.data() + std::size_t(r) * nv;
      float* ar = a.data() + std::size_t(r) * nh;
      // log p*_k(v) - log p*_{k-1}(v) = (b1 - b0) (b - bA)'v + sum_j [log1p_exp(b1 a_j) - log1p_exp(b0 a_j)]
      double d = 0;
      for (int i = 0; i < nv; ++i) d += (b1 - b0) * (double(m.b[std::size_t(i)]) - bA[std::size_t(i)]) * vr[i];
      for (int j = 0; j < nh; ++j) {
        ar[j] += m.c[std::size_t(j)];
        d += log1p_exp(b1 * ar[j]) - log1p_exp(b0 * ar[j]);
      }
      res.log_w[std::size_t(r)] += d;
    }
    if (k == o.betas) break;  // the last state is not used
    // T_k: h ~ sigmoid(beta_k a), v ~ sigmoid((1 - beta_k) bA + beta_k (b + h W'))
    for (std::size_t i = 0; i < a.size(); ++i) h[i] = rng.uniform() < 1 / (1 + std::exp(-b1 * a[i])) ? 1.f : 0.f;
    gemm(false, true, M, nv, nh, h.data(), nh, m.W.data(), nh, pv.data(), nv, false);
    for (int r = 0; r < M; ++r)
      for (int i = 0; i < nv; ++i) {
        const std::size_t q = std::size_t(r) * nv + i;
        const double x = (1 - b1) * bA[std::size_t(i)] + b1 * (double(m.b[std::size_t(i)]) + pv[q]);
        v[q] = rng.uniform() < 1 / (1 + std::exp(-x)) ? 1.f : 0.f;
      }
  }
  ais_summarize(&res);
  return res;
}

void ais_summarize(AisResult* res) {
  // log mean w and its delta-method standard error, with the largest weight factored out
  const double M = double(res->log_w.size());
  const double mx = *std::max_element(res->log_w.begin(), res->log_w.end());
  double s = 0, s2 = 0;
  for (double lw : res->log_w) {
    const double w = std::exp(lw - mx);
    s += w, s2 += w * w;
  }
  const double mean = s / M, var = std::max(0.0, (s2 - M * mean * mean) / (M - 1));
  res->log_z = res->log_z_base + mx + std::log(mean);
  res->log_z_se = std::sqrt(var / M) / mean;
}

void mean_free_energy(const Rbm& m, const ImageSet& set, double* mean, double* se) {
  DGM_CHECK(set.dim() == m.nv, "mean_free_energy: images of %d pixels, RBM of %d visible units", set.dim(), m.nv);
  const int B = 100;
  std::vector<float> v(std::size_t(B) * m.nv), scratch;
  double F[B], s = 0, s2 = 0;
  for (int r0 = 0; r0 < set.n; r0 += B) {
    const int n = std::min(B, set.n - r0);
    for (std::size_t i = 0; i < std::size_t(n) * m.nv; ++i) v[i] = set.pixels[std::size_t(r0) * m.nv + i] / 255.f;
    rbm_free_energy_batch(m, v.data(), n, &scratch, F);
    for (int r = 0; r < n; ++r) s += F[r], s2 += F[r] * F[r];
  }
  *mean = s / set.n;
  *se = set.n > 1 ? std::sqrt(std::max(0.0, (s2 - set.n * *mean * *mean) / (set.n - 1)) / set.n) : 0;
}

LikelihoodEstimate rbm_test_log_likelihood(const Rbm& m, const ImageSet& test, const ImageSet* base,
                                           const AisOptions& o) {
  LikelihoodEstimate e;
  const AisResult z = rbm_ais(m, ais_base_biases(base ? *base : test), o);
  double F = 0, se = 0;
  mean_free_energy(m, test, &F, &se);
  e.nats = -F - z.log_z;  // log p(v) = -F(v) - log Z
  e.ais_se = z.log_z_se, e.data_se = se, e.log_z = z.log_z;
  e.images = test.n, e.runs = o.runs, e.betas = o.betas;
  return e;
}

}  // namespace dgm
