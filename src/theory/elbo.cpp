// elbo.cpp - the ELBO identity, the closed-form KL regulariser, estimators L^A / L^B,
// reparametrization and the ring map (include/dgm/theory/elbo.h), and their theory checks.
//
// [Utkin] (000) «Нижняя граница функции правдоподобия», «Вычисление регуляризации»,
// «Репараметризация», «Подход VAE»; [Vesel] (002) 1.3 «Variacijski autoenkoder»;
// [MSU] (003) «Вариационный автоэнкодер».
#include "dgm/theory/elbo.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "dgm/core/arena.h"
#include "dgm/core/check.h"
#include "dgm/core/ops.h"
#include "dgm/core/reparam.h"
#include "dgm/core/tape.h"
#include "dgm/core/rng.h"
#include "dgm/theory/report.h"
#include "dgm/theory/sampling.h"

namespace dgm {

// ---------------------------------------------------------------- small dense linear algebra

// In-place Cholesky A = L L^T of a symmetric positive definite n x n matrix (row-major); the
// lower triangle receives L. Returns false if A is not positive definite.
bool cholesky_factor(std::vector<double>& A, int n) {
  for (int j = 0; j < n; ++j) {
    double d = A[j * n + j];
    for (int k = 0; k < j; ++k) d -= A[j * n + k] * A[j * n + k];
    if (!(d > 0)) return false;
    A[j * n + j] = std::sqrt(d);
    for (int i = j + 1; i < n; ++i) {
      double s = A[i * n + j];
      for (int k = 0; k < j; ++k) s -= A[i * n + k] * A[j * n + k];
      A[i * n + j] = s / A[j * n + j];
    }
  }
  return true;
}

// log det A = 2 sum_i log L_ii from a Cholesky factor.
static double chol_logdet(const std::vector<double>& L, int n) {
  double s = 0;
  for (int i = 0; i < n; ++i) s += std::log(L[i * n + i]);
  return 2 * s;
}

// Solves L L^T v = r in place (forward then backward substitution).
void cholesky_solve(const std::vector<double>& L, int n, double* r) {
  for (int i = 0; i < n; ++i) {
    for (int k = 0; k < i; ++k) r[i] -= L[i * n + k] * r[k];
    r[i] /= L[i * n + i];
  }
  for (int i = n - 1; i >= 0; --i) {
    for (int k = i + 1; k < n; ++k) r[i] -= L[k * n + i] * r[k];
    r[i] /= L[i * n + i];
  }
}

// ---------------------------------------------------------------- diagonal Gaussians

// [Utkin] Вычисление регуляризации:
// -KL(q(z|x^(i)) || p(z)) = 1/2 sum_{j=1}^J (1 + log(sigma_j^2) - mu_j^2 - sigma_j^2)
double kl_diag_normal_std(const DiagGaussian& q) {
  double s = 0;
  for (int j = 0; j < q.dim(); ++j) s += 1 + q.logvar[j] - q.mu[j] * q.mu[j] - std::exp(q.logvar[j]);
  return -0.5 * s;
}

double diag_normal_log_pdf(const DiagGaussian& q, const double* z) {
  double s = 0;
  for (int j = 0; j < q.dim(); ++j) s += normal_log_pdf(z[j], q.mu[j], std::exp(q.logvar[j]));
  return s;
}

double std_normal_log_pdf(const double* z, int J) { return isotropic_normal_log_pdf(z, J, 1.0); }

// [Utkin] Репараметризация: z^(i,l) = mu_z^(i) + sigma_z^(i) (.) eps_i, eps_i ~ N(0, 1)
void reparametrize(const DiagGaussian& q, const double* eps, double* z) {
  for (int j = 0; j < q.dim(); ++j) z[j] = reparametrize(q.mu[j], q.logvar[j], eps[j]);  // dgm/core/reparam.h
}

McEstimate mc_estimate(const std::vector<double>& v) {
  McEstimate e;
  e.mean = sample_mean(v);
  e.var = sample_variance(v);
  e.se = std::sqrt(e.var / static_cast<double>(v.size()));
  return e;
}

double variance_standard_error(const std::vector<double>& v) {
  const double n = static_cast<double>(v.size());
  double m = sample_mean(v), m2 = 0, m4 = 0;
  for (double x : v) {
    double d2 = (x - m) * (x - m);
    m2 += d2;
    m4 += d2 * d2;
  }
  m2 /= n;
  m4 /= n;
  return std::sqrt(std::max(0.0, m4 - m2 * m2) / n);
}

McEstimate kl_diag_normal_std_mc(Rng& rng, const DiagGaussian& q, int S) {
  const int J = q.dim();
  std::vector<double> eps(J), z(J), v(static_cast<std::size_t>(S));
  for (double& vi : v) {
    for (double& e : eps) e = rng.normal_double();
    reparametrize(q, eps.data(), z.data());
    vi = diag_normal_log_pdf(q, z.data()) - std_normal_log_pdf(z.data(), J);  // log q(z) - log p(z)
  }
  return mc_estimate(v);
}

// ---------------------------------------------------------------- the linear-Gaussian model

double lg_log_evidence(const LinearGaussian& m, const std::vector<double>& x) {
  const int D = m.D, J = m.J;
  std::vector<double> C(static_cast<std::size_t>(D * D));  // C = W W^T + s2 I: (D, D)
  for (int i = 0; i < D; ++i)
    for (int k = 0; k < D; ++k) {
      double s = i == k ? m.s2 : 0.0;
      for (int j = 0; j < J; ++j) s += m.W[i * J + j] * m.W[k * J + j];
      C[i * D + k] = s;
    }
  bool ok = cholesky_factor(C, D);
  DGM_CHECK(ok, "lg_log_evidence: W W^T + s2 I is not positive definite");
  std::vector<double> r(D), v(D);
  for (int i = 0; i < D; ++i) r[i] = v[i] = x[i] - m.b[i];
  cholesky_solve(C, D, v.data());  // v = C^-1 r
  double quad = 0;
  for (int i = 0; i < D; ++i) quad += r[i] * v[i];
  return -0.5 * (D * kLog2Pi + chol_logdet(C, D) + quad);
}

FullGaussian lg_posterior(const LinearGaussian& m, const std::vector<double>& x) {
  const int D = m.D, J = m.J;
  FullGaussian p;
  p.precision.assign(static_cast<std::size_t>(J * J), 0.0);  // I + W^T W / s2
  for (int a = 0; a < J; ++a)
    for (int c = 0; c < J; ++c) {
      double s = 0;
      for (int i = 0; i < D; ++i) s += m.W[i * J + a] * m.W[i * J + c];
      p.precision[a * J + c] = (a == c ? 1.0 : 0.0) + s / m.s2;
    }
  std::vector<double> L = p.precision;
  bool ok = cholesky_factor(L, J);
  DGM_CHECK(ok, "lg_posterior: precision is not positive definite");
  p.mean.assign(J, 0.0);  // m = Sigma W^T (x - b) / s2
  for (int a = 0; a < J; ++a)
    for (int i = 0; i < D; ++i) p.mean[a] += m.W[i * J + a] * (x[i] - m.b[i]) / m.s2;
  cholesky_solve(L, J, p.mean.data());
  p.cov.assign(static_cast<std::size_t>(J * J), 0.0);  // Sigma = precision^-1, column by column
  for (int c = 0; c < J; ++c) {
    std::vector<double> e(J, 0.0);
    e[c] = 1;
    cholesky_solve(L, J, e.data());
    for (int a = 0; a < J; ++a) p.cov[a * J + c] = e[a];
  }
  return p;
}

double lg_log_likelihood(const LinearGaussian& m, const std::vector<double>& x, const double* z) {
  double ss = 0;
  for (int i = 0; i < m.D; ++i) {
    double mean = m.b[i];
    for (int j = 0; j < m.J; ++j) mean += m.W[i * m.J + j] * z[j];
    ss += (x[i] - mean) * (x[i] - mean);
  }
  return -0.5 * (m.D * (kLog2Pi + std::log(m.s2)) + ss / m.s2);
}

// [Utkin] Приближенный вывод: L^v = -KL(q(z|x^(i)) || p(z)) + E_q(z|x^(i)) [log p(x^(i)|z)]
double elbo_closed_form(const LinearGaussian& m, const std::vector<double>& x, const DiagGaussian& q) {
  const int D = m.D, J = m.J;
  double ss = 0;  // E_q ||x - b - W z||^2 = ||x - b - W mu||^2 + sum_j sigma_j^2 ||W_{:,j}||^2
  for (int i = 0; i < D; ++i) {
    double r = x[i] - m.b[i];
    for (int j = 0; j < J; ++j) r -= m.W[i * J + j] * q.mu[j];
    ss += r * r;
    for (int j = 0; j < J; ++j) ss += std::exp(q.logvar[j]) * m.W[i * J + j] * m.W[i * J + j];
  }
  double recon = -0.5 * (D * (kLog2Pi + std::log(m.s2)) + ss / m.s2);
  return -kl_diag_normal_std(q) + recon;
}

double kl_diag_to_full(const DiagGaussian& q, const FullGaussian& p) {
  const int J = q.dim();
  std::vector<double> L = p.precision;
  bool ok = cholesky_factor(L, J);
  DGM_CHECK(ok, "kl_diag_to_full: precision is not positive definite");
  double tr = 0, quad = 0, logdet_S = 0;
  for (int a = 0; a < J; ++a) {
    tr += p.precision[a * J + a] * std::exp(q.logvar[a]);  // tr(P S), S diagonal
    logdet_S += q.logvar[a];
    for (int c = 0; c < J; ++c) quad += (p.mean[a] - q.mu[a]) * p.precision[a * J + c] * (p.mean[c] - q.mu[c]);
  }
  double logdet_Sigma = -chol_logdet(L, J);
  return 0.5 * (tr + quad - J + logdet_Sigma - logdet_S);
}

// ---------------------------------------------------------------- estimators L^A, L^B

// (1/L) sum_l f(z_l), z_l = mu + sigma * eps_l, eps_l ~ N(0, I): the Monte Carlo average both
// estimators take, over the same reparametrized draws.
template <class F>
static double mc_average(Rng& rng, const DiagGaussian& q, int J, int L, F f) {
  std::vector<double> eps(J), z(J);
  double s = 0;
  for (int l = 0; l < L; ++l) {
    for (double& e : eps) e = rng.normal_double();
    reparametrize(q, eps.data(), z.data());
    s += f(z.data());
  }
  return s / L;
}

// L^A = (1/L) sum_l [log p(x, z_l) - log q(z_l|x)], with log p(x, z) = log p(x|z) + log p(z)
double elbo_estimator_A(Rng& rng, const LinearGaussian& m, const std::vector<double>& x,
                        const DiagGaussian& q, int L) {
  return mc_average(rng, q, m.J, L, [&](const double* z) {
    return lg_log_likelihood(m, x, z) + std_normal_log_pdf(z, m.J) - diag_normal_log_pdf(q, z);
  });
}

// L^B = -KL(q(z|x) || p(z)) + (1/L) sum_l log p(x|z_l), the KL in closed form
double elbo_estimator_B(Rng& rng, const LinearGaussian& m, const std::vector<double>& x,
                        const DiagGaussian& q, int L) {
  return -kl_diag_normal_std(q) + mc_average(rng, q, m.J, L, [&](const double* z) { return lg_log_likelihood(m, x, z); });
}

// Var(eps^T A eps + c^T eps) = 2 tr(A^2) + c^T c for eps ~ N(0, I) and symmetric A: the
// quadratic and linear parts are uncorrelated (odd moments vanish) and Var(eps^T A eps) = 2 tr(A^2).
static double quadratic_form_variance(const std::vector<double>& A, const std::vector<double>& c, int J) {
  double v = 0;
  for (int a = 0; a < J; ++a) {
    for (int b = 0; b < J; ++b) v += 2 * A[a * J + b] * A[b * J + a];
    v += c[a] * c[a];
  }
  return v;
}

// With B = W diag(sigma) and r0 = x - b - W mu:
//   log p(x|z) = const - eps^T B^T B eps / (2 s2) + r0^T B eps / s2
//   log p(z)   = const - sum_j sigma_j^2 eps_j^2 / 2 - sum_j mu_j sigma_j eps_j
//   log q(z|x) = const - ||eps||^2 / 2
static void estimator_quadratic(const LinearGaussian& m, const std::vector<double>& x,
                                const DiagGaussian& q, bool with_prior_terms, std::vector<double>* A,
                                std::vector<double>* c) {
  const int D = m.D, J = m.J;
  std::vector<double> sigma(J), r0(D);
  for (int j = 0; j < J; ++j) sigma[j] = std::exp(0.5 * q.logvar[j]);
  for (int i = 0; i < D; ++i) {
    r0[i] = x[i] - m.b[i];
    for (int j = 0; j < J; ++j) r0[i] -= m.W[i * J + j] * q.mu[j];
  }
  A->assign(static_cast<std::size_t>(J * J), 0.0);
  c->assign(J, 0.0);
  for (int a = 0; a < J; ++a) {
    for (int b = 0; b < J; ++b) {
      double btb = 0;
      for (int i = 0; i < D; ++i) btb += m.W[i * J + a] * sigma[a] * m.W[i * J + b] * sigma[b];
      (*A)[a * J + b] = -btb / (2 * m.s2);
    }
    for (int i = 0; i < D; ++i) (*c)[a] += m.W[i * J + a] * sigma[a] * r0[i] / m.s2;
    if (with_prior_terms) {  // + log p(z) - log q(z|x)
      (*A)[a * J + a] += -0.5 * sigma[a] * sigma[a] + 0.5;
      (*c)[a] += -q.mu[a] * sigma[a];
    }
  }
}

double elbo_estimator_A_variance(const LinearGaussian& m, const std::vector<double>& x,
                                 const DiagGaussian& q) {
  std::vector<double> A, c;
  estimator_quadratic(m, x, q, true, &A, &c);
  return quadratic_form_variance(A, c, m.J);
}

double elbo_estimator_B_variance(const LinearGaussian& m, const std::vector<double>& x,
                                 const DiagGaussian& q) {
  std::vector<double> A, c;
  estimator_quadratic(m, x, q, false, &A, &c);
  return quadratic_form_variance(A, c, m.J);
}

// ---------------------------------------------------------------- gradients of E_q f(z)

void reparam_gradient_samples(Rng& rng, const std::vector<double>& mu, const std::vector<double>& sigma,
                              const std::function<void(const double* z, double* g)>& grad_f, int S,
                              std::vector<double>* out_mu, std::vector<double>* out_sigma) {
  const int J = static_cast<int>(mu.size());
  out_mu->assign(static_cast<std::size_t>(S) * J, 0.0);
  out_sigma->assign(static_cast<std::size_t>(S) * J, 0.0);
  std::vector<double> eps(J), z(J), g(J);
  for (int s = 0; s < S; ++s) {
    for (int j = 0; j < J; ++j) {
      eps[j] = rng.normal_double();
      z[j] = mu[j] + sigma[j] * eps[j];  // z = mu + sigma (.) eps: dz/dmu = 1, dz/dsigma = eps
    }
    grad_f(z.data(), g.data());
    for (int j = 0; j < J; ++j) {
      (*out_mu)[static_cast<std::size_t>(s) * J + j] = g[j];
      (*out_sigma)[static_cast<std::size_t>(s) * J + j] = g[j] * eps[j];
    }
  }
}

void score_gradient_samples(Rng& rng, const std::vector<double>& mu, const std::vector<double>& sigma,
                            const std::function<double(const double* z)>& f, int S,
                            std::vector<double>* out_mu, std::vector<double>* out_sigma) {
  const int J = static_cast<int>(mu.size());
  out_mu->assign(static_cast<std::size_t>(S) * J, 0.0);
  out_sigma->assign(static_cast<std::size_t>(S) * J, 0.0);
  std::vector<double> eps(J), z(J);
  for (int s = 0; s < S; ++s) {
    for (int j = 0; j < J; ++j) {
      eps[j] = rng.normal_double();
      z[j] = mu[j] + sigma[j] * eps[j];
    }
    double fz = f(z.data());
    for (int j = 0; j < J; ++j) {  // (z - mu)/sigma = eps
      (*out_mu)[static_cast<std::size_t>(s) * J + j] = fz * eps[j] / sigma[j];
      (*out_sigma)[static_cast<std::size_t>(s) * J + j] = fz * (eps[j] * eps[j] - 1) / sigma[j];
    }
  }
}

McEstimate column_estimate(const std::vector<double>& samples, int J, int j) {
  std::vector<double> col(samples.size() / static_cast<std::size_t>(J));
  for (std::size_t s = 0; s < col.size(); ++s) col[s] = samples[s * J + j];
  return mc_estimate(col);
}

// ---------------------------------------------------------------- ring map

// [Utkin] Подход VAE: g(z) = z/10 + z/||z||
void ring_map(const double* z, double* out, int d) {
  double n2 = 0;
  for (int j = 0; j < d; ++j) n2 += z[j] * z[j];
  double inv = 1.0 / std::sqrt(n2);
  for (int j = 0; j < d; ++j) out[j] = z[j] / 10 + z[j] * inv;
}

// ================================================================= checks

// A linear-Gaussian model with J = 2 latent and D = 4 observed dimensions, W and b drawn once
// from N(0, 1) (seed 31), s2 = 0.5, and one observation x drawn from the model itself.
static LinearGaussian example_model(std::vector<double>* x) {
  Rng rng(31);
  LinearGaussian m;
  m.J = 2;
  m.D = 4;
  m.s2 = 0.5;
  m.W.resize(static_cast<std::size_t>(m.D * m.J));
  m.b.resize(m.D);
  for (double& w : m.W) w = rng.normal_double();
  for (double& v : m.b) v = rng.normal_double();
  std::vector<double> z = {rng.normal_double(), rng.normal_double()};
  x->assign(m.D, 0.0);
  for (int i = 0; i < m.D; ++i) {
    (*x)[i] = m.b[i] + std::sqrt(m.s2) * rng.normal_double();
    for (int j = 0; j < m.J; ++j) (*x)[i] += m.W[i * m.J + j] * z[j];
  }
  return m;
}

// The mean-field q closest to p(z|x) in KL(q||p): mean m, variances 1 / (Sigma^-1)_jj.
static DiagGaussian mean_field_q(const FullGaussian& post) {
  const int J = static_cast<int>(post.mean.size());
  DiagGaussian q{post.mean, std::vector<double>(J)};
  for (int j = 0; j < J; ++j) q.logvar[j] = -std::log(post.precision[j * J + j]);
  return q;
}

// [Utkin] Нижняя граница функции правдоподобия: L = log p(x) = L^v + KL(q(z|x) || p(z|x)) >= L^v.
// Left: log N(x; b, W W^T + s2 I) (D x D Cholesky). Right: the closed-form ELBO plus the KL to the
// exact posterior (J x J precision) - no quantity is shared. Terms are O(10) nats in double
// precision: 1e-10 is rounding.
static void check_elbo(Report& r) {
  std::vector<double> x;
  LinearGaussian m = example_model(&x);
  double logp = lg_log_evidence(m, x);
  FullGaussian post = lg_posterior(m, x);
  const char* names[3] = {"q = mean-field optimum", "q = prior N(0, I)", "q = N((1, -1), diag(0.2, 2))"};
  DiagGaussian qs[3] = {mean_field_q(post), {{0, 0}, {0, 0}}, {{1, -1}, {std::log(0.2), std::log(2.0)}}};
  r.note("linear-Gaussian model J = 2, D = 4, s2 = 0.5 (seed 31): log p(x) = %.6f", logp);
  for (int k = 0; k < 3; ++k) {
    double L = elbo_closed_form(m, x, qs[k]), kl = kl_diag_to_full(qs[k], post);
    r.note("%s: L(q) = %.6f, KL(q || p(z|x)) = %.6f", names[k], L, kl);
    r.close("log p(x) vs L(q) + KL(q || p(z|x))", logp, L + kl, 1e-10);
    r.at_most("L(q) <= log p(x)", L, logp);
  }
  // With orthogonal columns of W the posterior is diagonal, q can equal it, and the bound is tight.
  LinearGaussian o = m;
  o.W = {2, 0, 0, 1, 0, 0, 0, 0};  // W: (4, 2), columns (2,0,0,0) and (0,1,0,0)
  FullGaussian po = lg_posterior(o, x);
  DiagGaussian qe = mean_field_q(po);
  r.close("W^T W diagonal, q = p(z|x): KL(q || p(z|x)) vs 0", kl_diag_to_full(qe, po), 0.0, 1e-12);
  r.close("W^T W diagonal, q = p(z|x): L(q) vs log p(x)", elbo_closed_form(o, x, qe), lg_log_evidence(o, x),
          1e-10);
}

// [Utkin] Вычисление регуляризации: the closed form against a Monte Carlo average of
// log q(z) - log p(z) over z ~ q (200,000 draws, tolerance 4 standard errors of that average).
static void check_kl_regulariser(Report& r) {
  DiagGaussian q{{0.5, -1.0, 0.2, 1.5}, {-1.0, 0.3, -2.0, 0.5}};
  Rng rng(37);
  const int S = 200000;
  McEstimate mc = kl_diag_normal_std_mc(rng, q, S);
  double closed = kl_diag_normal_std(q);
  r.note("J = 4, mu = (0.5, -1, 0.2, 1.5), log sigma^2 = (-1, 0.3, -2, 0.5); %d draws, seed 37", S);
  r.close("-1/2 sum(1 + log s^2 - mu^2 - s^2) vs MC E_q[log q - log p]", closed, mc.mean, 4 * mc.se);
  DiagGaussian prior{{0, 0, 0, 0}, {0, 0, 0, 0}};
  r.close("KL(N(0, I) || N(0, I)) = 0", kl_diag_normal_std(prior), 0.0, 0.0);
}

// [Vesel] 1.3: L^A and L^B are both unbiased for L (same expectation), with L = 1 sample each.
// Means: 4 standard errors. Sample variances vs the exact variances: 4 standard errors of a
// sample variance (from the sample's fourth moment).
static void check_elbo_estimators(Report& r) {
  std::vector<double> x;
  LinearGaussian m = example_model(&x);
  FullGaussian post = lg_posterior(m, x);
  // q away from the posterior, as an encoder is early in training: mean shifted by 1 in each
  // coordinate, variances 1/4 of the mean-field ones.
  DiagGaussian q = mean_field_q(post);
  for (int j = 0; j < m.J; ++j) {
    q.mu[j] += 1.0;
    q.logvar[j] += std::log(0.25);
  }
  double L = elbo_closed_form(m, x, q);
  Rng rng(41);
  const int R = 20000;
  std::vector<double> a(R), b(R);
  for (int i = 0; i < R; ++i) a[i] = elbo_estimator_A(rng, m, x, q, 1);
  for (int i = 0; i < R; ++i) b[i] = elbo_estimator_B(rng, m, x, q, 1);
  McEstimate ea = mc_estimate(a), eb = mc_estimate(b);
  double va = elbo_estimator_A_variance(m, x, q), vb = elbo_estimator_B_variance(m, x, q);
  r.note("%d one-sample estimates each (seed 41); closed-form L(q) = %.6f", R, L);
  r.close("E[L^A] (MC mean) vs L(q)", ea.mean, L, 4 * ea.se);
  r.close("E[L^B] (MC mean) vs L(q)", eb.mean, L, 4 * eb.se);
  r.note("Var[L^A] = %.5f (exact %.5f), Var[L^B] = %.5f (exact %.5f)", ea.var, va, eb.var, vb);
  r.close("sample Var[L^A] vs exact 2 tr(A^2) + c^T c", ea.var, va, 4 * variance_standard_error(a));
  r.close("sample Var[L^B] vs exact 2 tr(A^2) + c^T c", eb.var, vb, 4 * variance_standard_error(b));
  r.at_most("Var[L^B] <= Var[L^A] (exact)", vb, va);
  // Honest footnote: at q = p(z|x) the integrand of L^A is the constant log p(x), so L^A has
  // zero variance there; near the optimum L^A can win. Print it for the mean-field optimum.
  DiagGaussian qo = mean_field_q(post);
  r.note("at the mean-field optimum: Var[L^A] = %.5f, Var[L^B] = %.5f (exact)",
         elbo_estimator_A_variance(m, x, qo), elbo_estimator_B_variance(m, x, qo));
}

// [Utkin] Репараметризация / [MSU] Вариационный автоэнкодер: for f(z) = sum_j a_j (z_j - c_j)^2
// and z ~ N(mu, diag sigma^2), E f = sum_j a_j ((mu_j - c_j)^2 + sigma_j^2), so
// dE/dmu_j = 2 a_j (mu_j - c_j) and dE/dsigma_j = 2 a_j sigma_j. Each Monte Carlo gradient is
// compared with these within 4 standard errors of its mean (50,000 draws).
static void check_reparametrization(Report& r) {
  const std::vector<double> a = {1.0, 0.5, 2.0}, c = {1.0, -1.0, 0.5};
  const std::vector<double> mu = {0.3, 0.2, -0.4}, sigma = {0.5, 1.2, 0.8};
  const int J = 3, S = 50000;
  auto f = [&](const double* z) {
    double s = 0;
    for (int j = 0; j < J; ++j) s += a[j] * (z[j] - c[j]) * (z[j] - c[j]);
    return s;
  };
  auto grad_f = [&](const double* z, double* g) {
    for (int j = 0; j < J; ++j) g[j] = 2 * a[j] * (z[j] - c[j]);
  };
  Rng rng(43);
  std::vector<double> rm, rs, sm, ss;
  reparam_gradient_samples(rng, mu, sigma, grad_f, S, &rm, &rs);
  score_gradient_samples(rng, mu, sigma, f, S, &sm, &ss);
  double var_reparam = 0, var_score = 0;
  for (int j = 0; j < J; ++j) {
    McEstimate gm = column_estimate(rm, J, j), gs = column_estimate(rs, J, j);
    double dmu = 2 * a[j] * (mu[j] - c[j]), dsigma = 2 * a[j] * sigma[j];
    char what[96];
    std::snprintf(what, sizeof what, "reparam dE/dmu_%d vs 2 a (mu - c)", j + 1);
    r.close(what, gm.mean, dmu, 4 * gm.se);
    std::snprintf(what, sizeof what, "reparam dE/dsigma_%d vs 2 a sigma", j + 1);
    r.close(what, gs.mean, dsigma, 4 * gs.se);
    McEstimate hm = column_estimate(sm, J, j), hs = column_estimate(ss, J, j);
    std::snprintf(what, sizeof what, "score-function dE/dmu_%d vs 2 a (mu - c)", j + 1);
    r.close(what, hm.mean, dmu, 4 * hm.se);
    std::snprintf(what, sizeof what, "score-function dE/dsigma_%d vs 2 a sigma", j + 1);
    r.close(what, hs.mean, dsigma, 4 * hs.se);
    var_reparam += gm.var + gs.var;
    var_score += hm.var + hs.var;
  }
  r.note("per-draw gradient variance summed over mu and sigma: reparam %.3f, score function %.3f",
         var_reparam, var_score);
  r.at_most("reparam variance <= score-function variance", var_reparam, var_score);

  // The same pathwise gradient by backpropagation through the project's tape, as a VAE computes
  // it: mu and logvar are leaves (1, J), eps a constant (S, J), z = mu + exp(logvar / 2) * eps,
  // loss = mean over the S rows of sum_j a_j (z_j - c_j)^2. d loss / d mu must be the mean of the
  // per-draw pathwise gradients for the same eps (float32 vs double: 1e-4 relative), and
  // d loss / d logvar = (sigma / 2) d loss / d sigma, analytically a_j sigma_j^2 (4 s.e.).
  const int St = 20000;
  Arena arena;
  Tape t(arena);
  Tensor tm = t.alloc(make_shape(1, J)), tl = t.alloc(make_shape(1, J)), ta = t.alloc(make_shape(1, J)),
         tc = t.alloc(make_shape(1, J)), te = t.alloc(make_shape(St, J));
  for (int j = 0; j < J; ++j) {
    tm[j] = static_cast<float>(mu[j]);
    tl[j] = static_cast<float>(2 * std::log(sigma[j]));
    ta[j] = static_cast<float>(a[j]);
    tc[j] = static_cast<float>(c[j]);
  }
  std::vector<double> path_mu(J, 0.0), path_lv(St * static_cast<std::size_t>(J));
  for (int s = 0; s < St; ++s)
    for (int j = 0; j < J; ++j) {
      double e = rng.normal_double();
      te[static_cast<std::size_t>(s) * J + j] = static_cast<float>(e);
      double z = mu[j] + sigma[j] * static_cast<float>(e), g = 2 * a[j] * (z - c[j]);
      path_mu[j] += g / St;
      path_lv[static_cast<std::size_t>(s) * J + j] = g * static_cast<float>(e) * sigma[j] / 2;  // dz/dlogvar = eps sigma / 2
    }
  Var vm = t.leaf(tm), vl = t.leaf(tl);
  Var z = add(t, mul(t, t.constant(te), exp(t, scale(t, vl, 0.5f))), vm);  // z = sigma (.) eps + mu
  Var d = sub(t, z, t.constant(tc));
  Var loss = mean(t, row_sum(t, mul(t, square(t, d), t.constant(ta))));
  t.backward(loss);
  for (int j = 0; j < J; ++j) {
    char what[96];
    std::snprintf(what, sizeof what, "tape d/dmu_%d vs mean pathwise gradient", j + 1);
    r.close_rel(what, t.grad(vm)[j], path_mu[j], 1e-4);
    McEstimate glv = column_estimate(path_lv, J, j);
    std::snprintf(what, sizeof what, "tape d/dlogvar_%d vs a sigma^2 (4 s.e.)", j + 1);
    r.close(what, t.grad(vl)[j], a[j] * sigma[j] * sigma[j], 4 * glv.se);
  }
}

// [Utkin] Подход VAE: g(z) = z/10 + z/||z|| for z ~ N(0, I_2). ||g(z)|| = 1 + rho/10 with
// rho = ||z|| ~ Rayleigh(1): E rho = sqrt(pi/2), Var rho = 2 - pi/2, P(rho <= t) = 1 - e^{-t^2/2}.
static void check_ring_map(Report& r) {
  const int N = 100000;
  Rng rng(47);
  std::vector<double> radius(N), rho(N), angle(N);
  double worst = 0;
  for (int i = 0; i < N; ++i) {
    double z[2] = {rng.normal_double(), rng.normal_double()}, g[2];
    ring_map(z, g, 2);
    radius[i] = std::sqrt(g[0] * g[0] + g[1] * g[1]);
    rho[i] = std::sqrt(z[0] * z[0] + z[1] * z[1]);
    angle[i] = std::atan2(g[1], g[0]);
    worst = std::max(worst, std::fabs(radius[i] - (1 + rho[i] / 10)));
  }
  r.at_most("max |(||g(z)||) - (1 + ||z||/10)|", worst, 1e-12);
  McEstimate e = mc_estimate(radius);
  double mean = 1 + std::sqrt(kPi / 2) / 10, sd = std::sqrt(2 - kPi / 2) / 10;
  r.note("%d draws (seed 47): radius mean %.5f, sd %.5f; input ||z|| mean %.4f, sd %.4f", N, e.mean,
         std::sqrt(e.var), sample_mean(rho), std::sqrt(sample_variance(rho)));
  r.close("radius mean vs 1 + sqrt(pi/2)/10 (4 s.e.)", e.mean, mean, 4 * e.se);
  // s.e. of a sample sd by the delta method: se(s^2) / (2 s)
  r.close("radius sd vs sqrt(2 - pi/2)/10 (4 s.e.)", std::sqrt(e.var), sd,
          4 * variance_standard_error(radius) / (2 * sd));
  double d = ks_statistic(radius, [](double t) { return t <= 1 ? 0.0 : 1 - std::exp(-50 * (t - 1) * (t - 1)); });
  r.note("KS of radius vs 1 - exp(-(10 (t - 1))^2 / 2): D = %.5f, p = %.3f", d, ks_pvalue(d, N));
  r.at_most("0.01 <= KS p-value (radius)", 0.01, ks_pvalue(d, N));
  double da = ks_statistic(angle, [](double t) { return (t + kPi) / (2 * kPi); });
  r.at_most("0.01 <= KS p-value (angle uniform on (-pi, pi])", 0.01, ks_pvalue(da, N));
}

void add_elbo_checks(std::vector<TheoryCheck>& out) {
  out.push_back({"elbo", "log p(x) = L(q) + KL(q(z|x) || p(z|x)) >= L(q) (linear-Gaussian model)",
                 "[Utkin] Нижняя граница функции правдоподобия", check_elbo});
  out.push_back({"kl-regulariser",
                 "KL(N(mu, sigma^2) || N(0, I)) = -1/2 sum_j (1 + log sigma_j^2 - mu_j^2 - sigma_j^2)",
                 "[Utkin] Вычисление регуляризации", check_kl_regulariser});
  out.push_back({"elbo-estimators",
                 "E L^A = E L^B = L; L^B has the lower variance when q is away from p(z|x)",
                 "[Vesel] 1.3 Variacijski autoenkoder", check_elbo_estimators});
  out.push_back({"reparametrization",
                 "z = mu + sigma * eps gives unbiased gradients of E_q f(z) in mu and sigma",
                 "[Utkin] Репараметризация; [MSU] Вариационный автоэнкодер", check_reparametrization});
  out.push_back({"ring-map", "g(z) = z/10 + z/||z|| maps N(0, I_2) onto a ring of radius 1 + ||z||/10",
                 "[Utkin] Подход VAE", check_ring_map});
}

}  // namespace dgm
