// elbo.h - the evidence lower bound, its two Monte Carlo estimators, reparametrization, and the
// ring map, on models small enough to have exact answers.
//
// Follows [Utkin] (000) slides «Нижняя граница функции правдоподобия» (log p(x) = L + KL >= L),
// «Вычисление регуляризации» (the closed-form KL regulariser), «Вычисление качества реконструкции»
// (the reconstruction term by M samples), «Репараметризация» (z = mu + sigma (.) eps) and
// «Подход VAE» (g(z) = z/10 + z/||z|| maps N(0, I) onto a ring); [Vesel] (002) §1.3 «Variacijski
// autoenkoder» (estimators L^A and L^B); [MSU] (003) «Вариационный автоэнкодер» (the
// reparametrization trick lets gradients flow to mu and sigma).
//
// The model with an exact posterior is linear-Gaussian (probabilistic PCA / factor analysis):
//   p(z) = N(0, I_J),  p(x|z) = N(W z + b, s2 I_D),  W: (D, J) row-major.
// Then p(x) = N(x; b, W W^T + s2 I_D) and p(z|x) = N(m, Sigma) with precision
// Sigma^-1 = I + W^T W / s2 and mean m = Sigma W^T (x - b) / s2.
// The approximate posterior q(z|x) is a diagonal Gaussian with mean mu and log-variance logvar
// (log sigma^2), as a VAE encoder outputs it. Double precision; logarithms natural (nats).
#pragma once
#include <functional>
#include <vector>

namespace dgm {

class Rng;

// q(z|x) = N(mu, diag(exp(logvar))).
struct DiagGaussian {
  std::vector<double> mu, logvar;  // both (J)
  int dim() const { return static_cast<int>(mu.size()); }
};

// A Monte Carlo estimate: sample mean, its standard error sqrt(var / n), and the per-sample
// variance var = 1/(n-1) sum (v_i - mean)^2.
struct McEstimate {
  double mean = 0, se = 0, var = 0;
};
McEstimate mc_estimate(const std::vector<double>& values);
// Standard error of the sample variance, sqrt((m4 - s^4) / n), m4 the fourth central moment
// (the large-n variance of s^2 for any distribution with finite fourth moment).
double variance_standard_error(const std::vector<double>& values);

// Small dense linear algebra for the exact answers (row-major n x n, n small).
// In-place Cholesky A = L L^T (lower triangle receives L); false if A is not positive definite.
bool cholesky_factor(std::vector<double>& A, int n);
// Solves L L^T v = r in place, L from cholesky_factor.
void cholesky_solve(const std::vector<double>& L, int n, double* r);

// ---- [Utkin] Вычисление регуляризации ----
// KL(q || N(0, I)) = -1/2 sum_{j=1}^J (1 + log sigma_j^2 - mu_j^2 - sigma_j^2)   (sum over j)
double kl_diag_normal_std(const DiagGaussian& q);
// The same KL by Monte Carlo: mean over S draws z ~ q of log q(z) - log N(z; 0, I).
McEstimate kl_diag_normal_std_mc(Rng& rng, const DiagGaussian& q, int S);
// log q(z) for z: (J)
double diag_normal_log_pdf(const DiagGaussian& q, const double* z);
// [Utkin] Репараметризация: z = mu + sigma (.) eps, eps ~ N(0, I); writes z: (J).
void reparametrize(const DiagGaussian& q, const double* eps, double* z);

// ---- the linear-Gaussian model ----
struct LinearGaussian {
  int J = 0, D = 0;
  std::vector<double> W;  // W: (D, J)
  std::vector<double> b;  // b: (D)
  double s2 = 1.0;        // observation noise variance
};
// A Gaussian with full covariance: mean (J), cov (J, J) and precision (J, J).
struct FullGaussian {
  std::vector<double> mean, cov, precision;
};
// log p(x) = log N(x; b, W W^T + s2 I) via a Cholesky factor of the D x D covariance.
double lg_log_evidence(const LinearGaussian& m, const std::vector<double>& x);
// p(z|x) = N(m, Sigma), Sigma^-1 = I + W^T W / s2, m = Sigma W^T (x - b) / s2.
FullGaussian lg_posterior(const LinearGaussian& m, const std::vector<double>& x);
// log p(x|z) = log N(x; W z + b, s2 I)  and  log p(z) = log N(z; 0, I).
double lg_log_likelihood(const LinearGaussian& m, const std::vector<double>& x, const double* z);
double std_normal_log_pdf(const double* z, int J);

// ---- [Utkin] Нижняя граница функции правдоподобия / Приближенный вывод ----
// L(q) = -KL(q(z|x) || p(z)) + E_q[log p(x|z)], the expectation in closed form:
// E_q ||x - b - W z||^2 = ||x - b - W mu||^2 + sum_j sigma_j^2 ||W_{:,j}||^2.
double elbo_closed_form(const LinearGaussian& m, const std::vector<double>& x, const DiagGaussian& q);
// KL(q || N(m, Sigma)) = 1/2 [tr(Sigma^-1 S) + (m - mu)^T Sigma^-1 (m - mu) - J
//                             + log det Sigma - log det S],  S = diag(sigma^2).
double kl_diag_to_full(const DiagGaussian& q, const FullGaussian& p);

// ---- [Vesel] 1.3 Variacijski autoenkoder: the two estimators, L samples each ----
// L^A = 1/L sum_l [log p(x, z^(l)) - log q(z^(l)|x)]
// L^B = -KL(q(z|x) || p(z)) + 1/L sum_l log p(x|z^(l)),   z^(l) = mu + sigma (.) eps^(l)
double elbo_estimator_A(Rng& rng, const LinearGaussian& m, const std::vector<double>& x,
                        const DiagGaussian& q, int L);
double elbo_estimator_B(Rng& rng, const LinearGaussian& m, const std::vector<double>& x,
                        const DiagGaussian& q, int L);
// Exact variances of the one-sample (L = 1) estimators. With z = mu + sigma (.) eps each
// estimator is a quadratic eps^T A eps + c^T eps + const in eps ~ N(0, I), whose variance is
// 2 tr(A^2) + c^T c (A symmetric). Divide by L for L samples.
double elbo_estimator_A_variance(const LinearGaussian& m, const std::vector<double>& x,
                                 const DiagGaussian& q);
double elbo_estimator_B_variance(const LinearGaussian& m, const std::vector<double>& x,
                                 const DiagGaussian& q);

// ---- [Utkin] Репараметризация, [MSU] Вариационный автоэнкодер: gradients of E_q[f(z)] ----
// Pathwise (reparametrized) estimator over S draws: d/dmu_j f(mu + sigma eps) = f'_j(z),
// d/dsigma_j = f'_j(z) eps_j. grad_f(z, g) writes the gradient g: (J) of f at z: (J).
// Returns the S per-sample gradients: out_mu, out_sigma: (S, J) row-major.
void reparam_gradient_samples(Rng& rng, const std::vector<double>& mu, const std::vector<double>& sigma,
                              const std::function<void(const double* z, double* g)>& grad_f, int S,
                              std::vector<double>* out_mu, std::vector<double>* out_sigma);
// Score-function (REINFORCE) estimator, for comparison: f(z) d/dtheta log q(z), i.e.
// d/dmu_j: f(z) (z_j - mu_j) / sigma_j^2,  d/dsigma_j: f(z) ((z_j - mu_j)^2 / sigma_j^3 - 1/sigma_j).
void score_gradient_samples(Rng& rng, const std::vector<double>& mu, const std::vector<double>& sigma,
                            const std::function<double(const double* z)>& f, int S,
                            std::vector<double>* out_mu, std::vector<double>* out_sigma);
// Column j of an (S, J) row-major sample matrix as an estimate (mean, s.e., variance).
McEstimate column_estimate(const std::vector<double>& samples, int J, int j);

// ---- [Utkin] Подход VAE: g(z) = z/10 + z/||z|| ----
// Writes g(z): (d) for z: (d), z != 0. ||g(z)|| = 1 + ||z||/10.
void ring_map(const double* z, double* out, int d);

}  // namespace dgm
