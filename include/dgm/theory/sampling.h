// sampling.h - sampling from a known distribution and testing that it worked.
//
// Follows [MIPT] (004, «Порождающие модели», МФТИ 2021), slides «Порождение данных: сэмплирование»
// (inverse transform), «Сэмплирование с отклонением» (rejection sampling), «Порождение данных:
// бутстрэп» / «Бутстреп: принцип работы» (bootstrap), «Как строить порождающие модели?» (Theis et
// al.: likelihood vs sample quality) and «Evidence vs Кросс-валидация» (evidence of a conjugate
// Gaussian model vs leave-one-out). Plus the statistics the checks need to judge a sampler: the
// one-sample Kolmogorov-Smirnov test, normal densities, sample mean / variance.
//
// Everything is double precision; logarithms are natural (nats). These are the functions that
// src/theory/sampling.cpp verifies; src/theory/elbo.cpp and diagnostics.cpp reuse the statistics.
#pragma once
#include <functional>
#include <vector>

namespace dgm {

class Rng;

// ---- basic statistics ----
constexpr double kPi = 3.14159265358979323846;
constexpr double kLog2Pi = 1.8378770664093454836;  // log(2 pi)

// log N(x; mean, var) = -1/2 [log(2 pi var) + (x - mean)^2 / var]
double normal_log_pdf(double x, double mean, double var);
// Phi((x - mean) / sd), the normal CDF, from std::erfc.
double normal_cdf(double x, double mean = 0.0, double sd = 1.0);
// Phi^-1(p), the standard normal quantile (inverse CDF) for p in (0, 1): Acklam's rational
// approximation (relative error 1.15e-9), then one Halley step on Phi(x) - p with normal_cdf,
// which brings it to about 1e-15. p <= 0 gives -inf, p >= 1 +inf, NaN gives NaN. Used for the
// [MIPT] "Learned MNIST manifold" grid: z on equally spaced quantiles of N(0, 1)
// ([MIPT] Порождение данных: сэмплирование: z = F^-1(u)).
double normal_inverse_cdf(double p);
// Sample mean (1/n) sum_i x_i and unbiased variance 1/(n-1) sum_i (x_i - mean)^2.
double sample_mean(const std::vector<double>& x);
double sample_variance(const std::vector<double>& x);
// Standard error of the mean: sqrt(variance / n).
double standard_error(const std::vector<double>& x);

// ---- one-sample Kolmogorov-Smirnov test ----
// D_n = sup_t |F_n(t) - F(t)|, F_n the empirical CDF of x (sorted internally), F the model CDF.
double ks_statistic(std::vector<double> x, const std::function<double(double)>& cdf);
// P(D_n >= d) under H0, from Kolmogorov's limit law Q(lambda) = 2 sum_{k>=1} (-1)^(k-1)
// e^(-2 k^2 lambda^2) with Stephens' small-n correction lambda = (sqrt(n) + 0.12 + 0.11/sqrt(n)) d
// (Numerical Recipes, 3rd ed., 14.3.3). Accurate to about 1e-3 for n >= 35.
double ks_pvalue(double d, int n);

// ---- [MIPT] Порождение данных: сэмплирование ----
// If u ~ U(0, 1) and F is a CDF with inverse F^-1, then z = F^-1(u) has CDF F.
// For the exponential density p(t) = lambda exp(-lambda t): F(t) = 1 - exp(-lambda t),
// F^-1(u) = -log(1 - u) / lambda.
double exponential_inverse_cdf(double u, double lambda);
double exponential_cdf(double t, double lambda);
// n draws z_i = F^-1(u_i), u_i ~ U(0,1), for a given inverse CDF.
std::vector<double> inverse_transform_sample(Rng& rng, int n,
                                             const std::function<double(double)>& inverse_cdf);

// ---- [MIPT] Сэмплирование с отклонением ----
// Target density p (may be unnormalised), proposal q with sampler, and k with k q(z) >= p(z)
// for all z. Loop: z0 ~ q, u ~ U(0, k q(z0)); keep z0 if u <= p(z0). For a normalised p the
// acceptance rate is 1/k. Returns n accepted samples; `tries` receives the number of proposals.
struct RejectionSampler {
  std::function<double(double)> p;          // target density (up to a constant)
  std::function<double(double)> q;          // proposal density
  std::function<double(Rng&)> sample_q;     // draws z0 ~ q
  double k = 1.0;                           // envelope constant: k q(z) >= p(z)
};
std::vector<double> rejection_sample(Rng& rng, const RejectionSampler& s, int n, long long* tries);

// Laplace(0, b): density 1/(2b) exp(-|z|/b); drawn by inverse transform of its CDF.
double laplace_pdf(double z, double b);
double laplace_sample(Rng& rng, double b);

// ---- [MIPT] Порождение данных: бутстрэп ----
// Percentile bootstrap confidence interval for the mean: draw B pseudo-samples of size n from the
// empirical distribution F_{X^n} (n indices with replacement), take each one's mean, and return the
// (1-level)/2 and (1+level)/2 empirical quantiles of those B means.
struct Interval {
  double lo = 0, hi = 0;
  bool contains(double v) const { return lo <= v && v <= hi; }
};
Interval bootstrap_mean_ci(Rng& rng, const std::vector<double>& x, int B, double level);
// The q-quantile of sorted data by linear interpolation between order statistics
// (position q (n - 1), the "type 7" rule of R and NumPy's default).
double quantile_sorted(const std::vector<double>& sorted, double q);

// ---- [MIPT] Как строить порождающие модели? (Theis et al., 2015) ----
// log of the mixture density log(w a + (1 - w) b) from log a and log b, computed stably
// (log-sum-exp). Used for p_w(x) = 0.01 p_data(x) + 0.99 p_noise(x).
double log_mix(double w, double log_a, double log_b);
// log N(x; 0, s^2 I) for x in R^d.
double isotropic_normal_log_pdf(const double* x, int d, double s2);

// ---- [MIPT] Evidence vs Кросс-валидация: a conjugate Gaussian model ----
// x_i | theta ~ N(theta, sigma2), theta ~ N(m0, tau2). Sequential posterior: after x_1..x_k,
// theta ~ N(m_k, t_k) with 1/t_k = 1/tau2 + k/sigma2, m_k = t_k (m0/tau2 + sum x / sigma2);
// the predictive is x_{k+1} | x_1..x_k ~ N(m_k, t_k + sigma2).
struct ConjugateGaussian {
  double m0 = 0, tau2 = 1, sigma2 = 1;
};
// log p(x_i | x_1..x_{i-1}) for the next x after `prefix` (the first `count` entries of x).
double predictive_log_pdf(const ConjugateGaussian& m, const double* prefix, int count, double next);
// Evidence by the chain rule [MIPT]: log p(X) = sum_i log p(x_i | x_1..x_{i-1}).
double log_evidence_chain(const ConjugateGaussian& m, const std::vector<double>& x);
// Evidence directly: X ~ N(m0 1, sigma2 I + tau2 1 1^T) (theta integrated out), with the
// determinant sigma2^(n-1) (sigma2 + n tau2) and the inverse by Sherman-Morrison.
double log_evidence_marginal(const ConjugateGaussian& m, const std::vector<double>& x);
// Leave-one-out [MIPT]: LOU = (1/n) sum_i log p(x_i | X without x_i) (mean over i).
double leave_one_out_score(const ConjugateGaussian& m, const std::vector<double>& x);

}  // namespace dgm
