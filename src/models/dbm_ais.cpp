// dbm_ais.cpp - AIS on (v, h2) for a two-layer DBM's log Z, h1 summed out, and the mean-field
// test bound ([SH09] sec. 4; formulas in include/dgm/models/dbm_ais.h, mapped in docs/math.md).
#include "dgm/models/dbm_ais.h"

#include <algorithm>
#include <cmath>

#include "dgm/core/check.h"
#include "dgm/backend/gemm.h"

namespace dgm {
namespace {

bool draw(Rng& rng, double x) { return rng.uniform() < 1 / (1 + std::exp(-x)); }  // Bernoulli(sigmoid(x))

}  // namespace

AisResult dbm_ais(const Dbm& m, const std::vector<float>& base_b, const AisOptions& o) {
  DGM_CHECK(o.runs >= 2 && o.betas >= 1, "dbm_ais: runs %d (>= 2) betas %d (>= 1)", o.runs, o.betas);
  const int M = o.runs, nv = m.nv, n1 = m.n1, n2 = m.n2;
  const std::vector<float> bA = ais_start_biases(base_b, nv, "dbm_ais");
  const std::vector<double> beta = ais_schedule(o.betas);
  Rng rng(o.seed, 11);
  std::vector<float> v(std::size_t(M) * nv), h2(std::size_t(M) * n2), a(std::size_t(M) * n1), h1(std::size_t(M) * n1),
      pv(std::size_t(M) * nv), p2(std::size_t(M) * n2);
  AisResult res;
  res.log_w.assign(std::size_t(M), 0.0);
  res.log_z_base = double(n1 + n2) * std::log(2.0);
  for (int i = 0; i < nv; ++i) res.log_z_base += log1p_exp(bA[std::size_t(i)]);
  // (v, h2)_0 ~ p_A: v independent pixels with p(v_i = 1) = sigmoid(bA_i), h2 uniform
  for (int r = 0; r < M; ++r) {
    for (int i = 0; i < nv; ++i) v[std::size_t(r) * nv + i] = draw(rng, bA[std::size_t(i)]) ? 1.f : 0.f;
    for (int k = 0; k < n2; ++k) h2[std::size_t(r) * n2 + k] = rng.uniform() < 0.5f ? 1.f : 0.f;
  }
  for (int k = 1; k <= o.betas; ++k) {
    const double b0 = beta[std::size_t(k) - 1], b1 = beta[std::size_t(k)];
    // a = c1 + v W1 + h2 W2': h1's total input, shared by the weight and the transition
    gemm(false, false, M, n1, nv, v.data(), nv, m.W1.data(), n1, a.data(), n1, false);
    gemm(false, true, M, n1, n2, h2.data(), n2, m.W2.data(), n2, a.data(), n1, true);
    for (int r = 0; r < M; ++r) {
      const float *vr = v.data() + std::size_t(r) * nv, *hr = h2.data() + std::size_t(r) * n2;
      float* ar = a.data() + std::size_t(r) * n1;
      // log p*_k - log p*_{k-1} = (b1 - b0) [(b - bA)'v + c2'h2] + sum_j [softplus(b1 a_j) - softplus(b0 a_j)]
      double lin = 0, d = 0;
      for (int i = 0; i < nv; ++i) lin += (double(m.b[std::size_t(i)]) - bA[std::size_t(i)]) * vr[i];
      for (int q = 0; q < n2; ++q) lin += double(m.c2[std::size_t(q)]) * hr[q];
      for (int j = 0; j < n1; ++j) {
        ar[j] += m.c1[std::size_t(j)];
        d += log1p_exp(b1 * ar[j]) - log1p_exp(b0 * ar[j]);
      }
      res.log_w[std::size_t(r)] += (b1 - b0) * lin + d;
    }
    if (k == o.betas) break;  // the last state is not used
    // T_k: h1 ~ sigmoid(beta a), then v ~ sigmoid((1 - beta) bA + beta (b + h1 W1')), h2 ~ sigmoid(beta (c2 + h1 W2))
    for (std::size_t i = 0; i < a.size(); ++i) h1[i] = draw(rng, b1 * a[i]) ? 1.f : 0.f;
    gemm(false, true, M, nv, n1, h1.data(), n1, m.W1.data(), n1, pv.data(), nv, false);
    gemm(false, false, M, n2, n1, h1.data(), n1, m.W2.data(), n2, p2.data(), n2, false);
    for (int r = 0; r < M; ++r) {
      for (int i = 0; i < nv; ++i) {
        const std::size_t q = std::size_t(r) * nv + i;
        v[q] = draw(rng, (1 - b1) * bA[std::size_t(i)] + b1 * (double(m.b[std::size_t(i)]) + pv[q])) ? 1.f : 0.f;
      }
      for (int c = 0; c < n2; ++c) {
        const std::size_t q = std::size_t(r) * n2 + c;
        h2[q] = draw(rng, b1 * (double(m.c2[std::size_t(c)]) + p2[q])) ? 1.f : 0.f;
      }
    }
  }
  ais_summarize(&res);
  return res;
}

LikelihoodEstimate dbm_test_bound(const Dbm& m, const ImageSet& test, const ImageSet* base, const AisOptions& o,
                                  int mf_iters) {
  DGM_CHECK(test.dim() == m.nv && test.n > 0, "dbm_test_bound: %d images of %d pixels, DBM of %d visible units", test.n,
            test.dim(), m.nv);
  LikelihoodEstimate e;
  const AisResult z = dbm_ais(m, ais_base_biases(base ? *base : test), o);
  const int B = 500;
  std::vector<float> v(std::size_t(B) * m.nv), mu1(std::size_t(B) * m.n1), mu2(std::size_t(B) * m.n2),
      vw1(std::size_t(B) * m.n1), scratch;
  std::vector<double> bound(static_cast<std::size_t>(B));
  double s = 0, s2 = 0;
  for (int r0 = 0; r0 < test.n; r0 += B) {
    const int n = std::min(B, test.n - r0);
    for (std::size_t i = 0; i < std::size_t(n) * m.nv; ++i) v[i] = test.pixels[std::size_t(r0) * m.nv + i] / 255.f;
    dbm_mean_field(m, v.data(), n, mf_iters, mu1.data(), mu2.data(), vw1.data());
    dbm_mean_field_bound_rows(m, v.data(), mu1.data(), mu2.data(), n, z.log_z, &scratch, bound.data());
    for (int r = 0; r < n; ++r) s += bound[std::size_t(r)], s2 += bound[std::size_t(r)] * bound[std::size_t(r)];
  }
  const int N = test.n;
  e.nats = s / N;
  e.data_se = N > 1 ? std::sqrt(std::max(0.0, (s2 - N * e.nats * e.nats) / (N - 1)) / N) : 0;
  e.ais_se = z.log_z_se, e.log_z = z.log_z;
  e.images = N, e.runs = o.runs, e.betas = o.betas;
  return e;
}

}  // namespace dgm
