// sampling.cpp - sampling from a known distribution, testing it, and the evidence of a model.
//
// [MIPT] (004) slides «Порождение данных: сэмплирование», «Сэмплирование с отклонением»,
// «Порождение данных: бутстрэп», «Как строить порождающие модели?» (Theis et al.) and
// «Evidence vs Кросс-валидация». Library functions first (declared in
// include/dgm/theory/sampling.h), then the checks that `dgm theory` runs.
#include "dgm/theory/sampling.h"

#include <algorithm>
#include <cmath>

#include "dgm/core/check.h"
#include "dgm/core/rng.h"
#include "dgm/theory/report.h"

namespace dgm {

// ---------------------------------------------------------------- basic statistics

double normal_log_pdf(double x, double mean, double var) {
  double r = x - mean;
  return -0.5 * (kLog2Pi + std::log(var) + r * r / var);
}

double normal_cdf(double x, double mean, double sd) {
  return 0.5 * std::erfc(-(x - mean) / (sd * std::sqrt(2.0)));
}

double normal_inverse_cdf(double p) {
  if (std::isnan(p)) return p;
  if (p <= 0) return -HUGE_VAL;
  if (p >= 1) return HUGE_VAL;
  // P. J. Acklam, "An algorithm for computing the inverse normal cumulative distribution
  // function" (2003): a rational function of q = p - 1/2 in the centre, of sqrt(-2 log p) in
  // the tails.
  static const double a[] = {-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02,
                             1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00};
  static const double b[] = {-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
                             6.680131188771972e+01, -1.328068155288572e+01};
  static const double c[] = {-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
                             -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00};
  static const double d[] = {7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
                             3.754408661907416e+00};
  const double lo = 0.02425;
  double x;
  if (p < lo || p > 1 - lo) {
    const double q = std::sqrt(-2 * std::log(p < lo ? p : 1 - p));
    x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
        ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
    if (p > 1 - lo) x = -x;
  } else {
    const double q = p - 0.5, r = q * q;
    x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
        (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
  }
  // Halley's step on f(x) = Phi(x) - p: f' = phi(x), f''/f' = -x.
  const double e = normal_cdf(x) - p;
  const double u = e * std::sqrt(2 * kPi) * std::exp(x * x / 2);  // e / phi(x)
  return x - u / (1 + x * u / 2);
}

double sample_mean(const std::vector<double>& x) {
  DGM_CHECK(!x.empty(), "sample_mean: empty sample");
  double s = 0;
  for (double v : x) s += v;
  return s / static_cast<double>(x.size());
}

double sample_variance(const std::vector<double>& x) {
  DGM_CHECK(x.size() >= 2, "sample_variance: need at least 2 values, got %zu", x.size());
  double m = sample_mean(x), s = 0;
  for (double v : x) s += (v - m) * (v - m);
  return s / static_cast<double>(x.size() - 1);
}

double standard_error(const std::vector<double>& x) {
  return std::sqrt(sample_variance(x) / static_cast<double>(x.size()));
}

// ---------------------------------------------------------------- Kolmogorov-Smirnov

double ks_statistic(std::vector<double> x, const std::function<double(double)>& cdf) {
  DGM_CHECK(!x.empty(), "ks_statistic: empty sample");
  std::sort(x.begin(), x.end());
  const double n = static_cast<double>(x.size());
  double d = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    double f = cdf(x[i]);
    // The empirical CDF jumps from i/n to (i+1)/n at x_(i): check both sides of the jump.
    d = std::max(d, std::max(static_cast<double>(i + 1) / n - f, f - static_cast<double>(i) / n));
  }
  return d;
}

double ks_pvalue(double d, int n) {
  DGM_CHECK(n > 0, "ks_pvalue: n must be positive, got %d", n);
  double sn = std::sqrt(static_cast<double>(n));
  double lambda = (sn + 0.12 + 0.11 / sn) * d;
  if (lambda < 0.2) return 1.0;  // the series converges slowly here; Q(0.2) = 1 - 1e-10
  double q = 0, sign = 1;
  for (int k = 1; k <= 100; ++k) {
    double term = sign * std::exp(-2.0 * k * k * lambda * lambda);
    q += term;
    if (std::fabs(term) < 1e-16) break;
    sign = -sign;
  }
  return std::min(1.0, std::max(0.0, 2.0 * q));
}

// ---------------------------------------------------------------- inverse transform

// [MIPT] Порождение данных: сэмплирование: F_z(t) = 1 - exp(-lambda t), F_z^-1(t') = -1/lambda log(1 - t')
double exponential_inverse_cdf(double u, double lambda) { return -std::log(1.0 - u) / lambda; }
double exponential_cdf(double t, double lambda) { return t <= 0 ? 0.0 : 1.0 - std::exp(-lambda * t); }

std::vector<double> inverse_transform_sample(Rng& rng, int n,
                                             const std::function<double(double)>& inverse_cdf) {
  std::vector<double> z(static_cast<std::size_t>(n));
  for (double& v : z) v = inverse_cdf(rng.uniform_double());  // u in [0, 1): 1 - u > 0
  return z;
}

// ---------------------------------------------------------------- rejection sampling

std::vector<double> rejection_sample(Rng& rng, const RejectionSampler& s, int n, long long* tries) {
  std::vector<double> out;
  out.reserve(static_cast<std::size_t>(n));
  long long t = 0;
  while (static_cast<int>(out.size()) < n) {
    ++t;
    double z0 = s.sample_q(rng);                      // z0 ~ q
    double u = rng.uniform_double() * s.k * s.q(z0);  // u ~ U(0, k q(z0))
    if (u <= s.p(z0)) out.push_back(z0);              // accept if u <= p(z0)
  }
  if (tries) *tries = t;
  return out;
}

double laplace_pdf(double z, double b) { return std::exp(-std::fabs(z) / b) / (2.0 * b); }

// Inverse CDF of Laplace(0, b): for v = u - 1/2 in [-1/2, 1/2), z = -b sign(v) log(1 - 2|v|).
double laplace_sample(Rng& rng, double b) {
  double v = rng.uniform_double() - 0.5;
  double z = -b * std::log(1.0 - 2.0 * std::fabs(v));
  return v < 0 ? -z : z;
}

// ---------------------------------------------------------------- bootstrap

double quantile_sorted(const std::vector<double>& sorted, double q) {
  DGM_CHECK(!sorted.empty() && q >= 0 && q <= 1, "quantile_sorted: need data and q in [0,1]");
  double pos = q * static_cast<double>(sorted.size() - 1);
  std::size_t i = static_cast<std::size_t>(pos);
  if (i + 1 >= sorted.size()) return sorted.back();
  double frac = pos - static_cast<double>(i);
  return sorted[i] + frac * (sorted[i + 1] - sorted[i]);
}

// [MIPT] Порождение данных: бутстрэп: N pseudo-samples of size n from F_{X^n}; the sampling
// distribution of the mean is estimated by the "pseudo-empirical" one of the B resampled means.
Interval bootstrap_mean_ci(Rng& rng, const std::vector<double>& x, int B, double level) {
  DGM_CHECK(!x.empty() && B > 1 && level > 0 && level < 1, "bootstrap_mean_ci: bad arguments");
  const std::uint32_t n = static_cast<std::uint32_t>(x.size());
  std::vector<double> means(static_cast<std::size_t>(B));
  for (double& m : means) {
    double s = 0;
    for (std::uint32_t i = 0; i < n; ++i) s += x[rng.below(n)];  // draw with replacement
    m = s / n;
  }
  std::sort(means.begin(), means.end());
  return Interval{quantile_sorted(means, (1 - level) / 2), quantile_sorted(means, (1 + level) / 2)};
}

// ---------------------------------------------------------------- Theis et al.

double log_mix(double w, double log_a, double log_b) {
  double la = std::log(w) + log_a, lb = std::log(1 - w) + log_b;
  double m = std::max(la, lb);
  return m + std::log(std::exp(la - m) + std::exp(lb - m));
}

double isotropic_normal_log_pdf(const double* x, int d, double s2) {
  double ss = 0;
  for (int j = 0; j < d; ++j) ss += x[j] * x[j];
  return -0.5 * (d * (kLog2Pi + std::log(s2)) + ss / s2);
}

// ---------------------------------------------------------------- evidence

double predictive_log_pdf(const ConjugateGaussian& m, const double* prefix, int count, double next) {
  double s = 0;
  for (int i = 0; i < count; ++i) s += prefix[i];
  double t = 1.0 / (1.0 / m.tau2 + count / m.sigma2);  // posterior variance of theta
  double mk = t * (m.m0 / m.tau2 + s / m.sigma2);        // posterior mean of theta
  return normal_log_pdf(next, mk, t + m.sigma2);
}

// [MIPT] Evidence vs Кросс-валидация:
// log p(X|f) = log p(x_1|f) + log p(x_2|x_1, f) + ... + log p(x_n|x_1, ..., x_{n-1}, f)
double log_evidence_chain(const ConjugateGaussian& m, const std::vector<double>& x) {
  double total = 0, s = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    // Same as predictive_log_pdf(m, x.data(), i, x[i]) but with a running sum (O(n), not O(n^2)).
    double t = 1.0 / (1.0 / m.tau2 + static_cast<double>(i) / m.sigma2);
    double mk = t * (m.m0 / m.tau2 + s / m.sigma2);
    total += normal_log_pdf(x[i], mk, t + m.sigma2);
    s += x[i];
  }
  return total;
}

double log_evidence_marginal(const ConjugateGaussian& m, const std::vector<double>& x) {
  const double n = static_cast<double>(x.size());
  double sr = 0, srr = 0;  // sum of residuals r_i = x_i - m0 and of their squares
  for (double v : x) {
    sr += v - m.m0;
    srr += (v - m.m0) * (v - m.m0);
  }
  double c = m.sigma2 + n * m.tau2;
  // log det(sigma2 I + tau2 1 1^T) = (n - 1) log sigma2 + log(sigma2 + n tau2)
  double logdet = (n - 1) * std::log(m.sigma2) + std::log(c);
  // r^T (sigma2 I + tau2 1 1^T)^-1 r = (1/sigma2) (r^T r - tau2 (1^T r)^2 / (sigma2 + n tau2))
  double quad = (srr - m.tau2 * sr * sr / c) / m.sigma2;
  return -0.5 * (n * kLog2Pi + logdet + quad);
}

// [MIPT] Evidence vs Кросс-валидация: LOU = E log p(x_n | x_1, ..., x_{n-1}, f), the expectation
// taken as the mean over which point is left out.
double leave_one_out_score(const ConjugateGaussian& m, const std::vector<double>& x) {
  const int n = static_cast<int>(x.size());
  double s = 0;
  for (double v : x) s += v;
  double t = 1.0 / (1.0 / m.tau2 + (n - 1) / m.sigma2);
  double total = 0;
  for (int i = 0; i < n; ++i) {
    double mk = t * (m.m0 / m.tau2 + (s - x[static_cast<std::size_t>(i)]) / m.sigma2);
    total += normal_log_pdf(x[static_cast<std::size_t>(i)], mk, t + m.sigma2);
  }
  return total / n;
}

// ================================================================= checks

// KS at significance 0.01: a correct sampler fails with probability 1% for a random seed; the
// seed is fixed, so the result is reproducible. KS also needs the mean: E z = 1/lambda,
// tolerance 4 standard errors of the sample mean (computed from the sample).
static void check_inverse_transform(Report& r) {
  const double lambda = 2.0;
  const int n = 20000;
  Rng rng(13);
  std::vector<double> z =
      inverse_transform_sample(rng, n, [&](double u) { return exponential_inverse_cdf(u, lambda); });
  double d = ks_statistic(z, [&](double t) { return exponential_cdf(t, lambda); });
  double p = ks_pvalue(d, n);
  r.note("n = %d draws of z = F^-1(u) = -log(1 - u)/lambda, lambda = %g, seed 13", n, lambda);
  r.note("KS statistic D_n = %.5f, p-value %.3f (reject at p < 0.01)", d, p);
  r.at_most("0.01 <= KS p-value", 0.01, p);
  r.close("sample mean vs E z = 1/lambda (4 s.e.)", sample_mean(z), 1.0 / lambda, 4 * standard_error(z));
}

// Target p = N(0, 1), proposal q = Laplace(0, 1). p(z)/q(z) = sqrt(2/pi) exp(|z| - z^2/2) is
// largest at |z| = 1, so the smallest k with k q >= p is k = sqrt(2 e / pi) = 1.3155.
// Acceptance is Bernoulli(1/k) per proposal: tolerance 4 binomial standard errors.
static void check_rejection(Report& r) {
  RejectionSampler s;
  s.p = [](double z) { return std::exp(normal_log_pdf(z, 0, 1)); };
  s.q = [](double z) { return laplace_pdf(z, 1.0); };
  s.sample_q = [](Rng& g) { return laplace_sample(g, 1.0); };
  s.k = std::sqrt(2 * std::exp(1.0) / kPi);
  // The envelope condition on a grid (the lecture's premise, not a statistical statement).
  double worst = -1e300;
  for (double z = -8; z <= 8; z += 1e-3) worst = std::max(worst, s.p(z) - s.k * s.q(z));
  r.at_most("max_z p(z) - k q(z) on a grid, k = sqrt(2e/pi)", worst, 0.0, 1e-15);
  Rng rng(17);
  const int n = 20000;
  long long tries = 0;
  std::vector<double> z = rejection_sample(rng, s, n, &tries);
  double rate = static_cast<double>(n) / static_cast<double>(tries);
  double se = std::sqrt((1 / s.k) * (1 - 1 / s.k) / static_cast<double>(tries));
  r.note("%d accepted of %lld proposals (seed 17)", n, tries);
  r.close("acceptance rate vs 1/k (4 binomial s.e.)", rate, 1 / s.k, 4 * se);
  double d = ks_statistic(z, [](double t) { return normal_cdf(t); });
  double p = ks_pvalue(d, n);
  r.note("KS against N(0,1): D_n = %.5f, p-value %.3f", d, p);
  r.at_most("0.01 <= KS p-value", 0.01, p);
}

// Coverage of the 95% percentile interval over M independent data sets of size n from Exp(1)
// (true mean 1). The coverage estimate has binomial standard error sqrt(0.95 * 0.05 / M); the
// percentile interval also under-covers by O(1/n) on skewed data (Efron & Tibshirani 1993, ch. 14),
// about 0.01 for n = 100 here, so the tolerance is 4 s.e. + 0.015.
static void check_bootstrap(Report& r) {
  const int M = 1000, n = 100, B = 500;
  const double level = 0.95;
  Rng rng(19);
  int covered = 0;
  double width = 0;
  for (int m = 0; m < M; ++m) {
    std::vector<double> x =
        inverse_transform_sample(rng, n, [](double u) { return exponential_inverse_cdf(u, 1.0); });
    Interval ci = bootstrap_mean_ci(rng, x, B, level);
    covered += ci.contains(1.0);
    width += ci.hi - ci.lo;
  }
  double coverage = static_cast<double>(covered) / M;
  double se = std::sqrt(level * (1 - level) / M);
  r.note("%d data sets of n = %d from Exp(1), B = %d resamples each (seed 19)", M, n, B);
  r.note("mean interval width %.4f (normal theory 2 * 1.96 / sqrt(n) = %.4f)", width / M,
         2 * 1.96 / std::sqrt(static_cast<double>(n)));
  r.close("coverage of the true mean vs nominal 0.95", coverage, level, 4 * se + 0.015);
}

// [MIPT] Как строить порождающие модели?: p_w(x) = 0.01 p_data(x) + 0.99 p_noise(x),
// log p_w(x) >= log p_data(x) - log 100. Data: N(0, I_d) with d = 784 (an MNIST-sized image);
// noise: N(0, 9 I_d), which looks nothing like the data.
static void check_likelihood_vs_quality(Report& r) {
  const int d = 784, n = 2000;
  const double s2_noise = 9.0, w = 0.01;
  Rng rng(23);
  std::vector<double> x(static_cast<std::size_t>(d));
  std::vector<double> lp_data(static_cast<std::size_t>(n)), gap(static_cast<std::size_t>(n));
  double worst = -1e300;
  for (int i = 0; i < n; ++i) {  // x ~ p_data
    for (double& v : x) v = rng.normal_double();
    double ld = isotropic_normal_log_pdf(x.data(), d, 1.0);
    double lw = log_mix(w, ld, isotropic_normal_log_pdf(x.data(), d, s2_noise));
    worst = std::max(worst, (ld - std::log(100.0)) - lw);
    lp_data[static_cast<std::size_t>(i)] = ld;
    gap[static_cast<std::size_t>(i)] = ld - lw;
  }
  r.at_most("max over samples of log p_data - log 100 - log p_w", worst, 0.0, 1e-9);
  // E_{p_data} log p_data = -d/2 (log 2 pi + 1): closed form vs the sample (4 s.e.).
  double closed = -0.5 * d * (kLog2Pi + 1);
  r.close("mean log p_data(x) vs -d/2 (log 2pi + 1) (4 s.e.)", sample_mean(lp_data), closed,
          4 * standard_error(lp_data));
  double g = sample_mean(gap);
  r.note("mean log-likelihood gap %.4f nats = %.5f nats per dimension, %.2f%% of |E log p_data|", g,
         g / d, 100 * g / std::fabs(closed));
  r.at_most("mean gap E[log p_data - log p_w] <= log 100", g, std::log(100.0), 1e-9);
  // "Small": against the log-likelihood itself (Theis et al. compare with ~1000s of nats per image).
  r.holds("gap < 1% of |E log p_data| while the samples are 99% noise", g < 0.01 * std::fabs(closed));
  // Samples of p_w: pick the component, draw, then ask which component explains x better.
  int noise_like = 0;
  for (int i = 0; i < n; ++i) {
    double sd = rng.uniform_double() < w ? 1.0 : 3.0;
    for (double& v : x) v = sd * rng.normal_double();
    double ld = std::log(w) + isotropic_normal_log_pdf(x.data(), d, 1.0);
    double ln = std::log(1 - w) + isotropic_normal_log_pdf(x.data(), d, s2_noise);
    noise_like += ln > ld;
  }
  double frac = static_cast<double>(noise_like) / n;
  r.close("fraction of p_w samples that are noise vs 0.99 (4 s.e.)", frac, 1 - w,
          4 * std::sqrt(w * (1 - w) / n));
}

// [MIPT] Evidence vs Кросс-валидация on x_i ~ N(theta, 1), theta ~ N(m0, tau2).
static void check_evidence_vs_cv(Report& r) {
  Rng rng(29);
  const int n = 30;
  const double theta = 1.5;
  std::vector<double> x(static_cast<std::size_t>(n));
  for (double& v : x) v = theta + rng.normal_double();
  ConjugateGaussian m{0.0, 4.0, 1.0};
  double chain = log_evidence_chain(m, x), direct = log_evidence_marginal(m, x);
  // Both are sums of n ~ 1-nat terms in double precision: agreement to 1e-10 is rounding.
  r.close("log p(X) chain rule vs marginal N(m0 1, s2 I + t2 11^T)", chain, direct, 1e-10);
  std::vector<double> rev(x.rbegin(), x.rend());
  r.close("chain rule in reversed order vs forward order", log_evidence_chain(m, rev), chain, 1e-10);
  double loo = leave_one_out_score(m, x);
  r.note("per point: evidence log p(X)/n = %.4f, leave-one-out LOU = %.4f", direct / n, loo);
  // Not an identity: in expectation the predictive log-density improves with more data, so the
  // evidence's early terms (few points seen) are worse than LOU's (n - 1 points seen).
  r.at_most("log p(X)/n <= LOU (evidence pays for the early predictions)", direct / n, loo);
  // A much broader prior tau2 = 10^4: LOO hardly notices (n - 1 points swamp the prior), the
  // evidence pays log of the prior's width. Both sides: the chain rule vs the factorisation
  // p(X) = p(x_bar) * (terms free of tau2), so the difference is
  // log N(x_bar; m0, tau2_a + s2/n) - log N(x_bar; m0, tau2_b + s2/n).
  ConjugateGaussian broad{0.0, 1e4, 1.0};
  double xbar = sample_mean(x);
  double diff_chain = log_evidence_chain(m, x) - log_evidence_chain(broad, x);
  double diff_mean = normal_log_pdf(xbar, m.m0, m.tau2 + m.sigma2 / n) -
                     normal_log_pdf(xbar, broad.m0, broad.tau2 + broad.sigma2 / n);
  r.close("evidence change tau2 4 -> 1e4: chain vs via x_bar", diff_chain, diff_mean, 1e-9);
  double loo_change = loo - leave_one_out_score(broad, x);
  r.note("tau2 4 -> 1e4: evidence drops by %.3f nats, LOU by %.5f nats per point", diff_chain, loo_change);
  r.holds("evidence drop > 1 nat while LOU changes < 0.01 nat", diff_chain > 1 && std::fabs(loo_change) < 0.01);
}

void add_sampling_checks(std::vector<TheoryCheck>& out) {
  out.push_back({"inverse-transform",
                 "z = F^-1(u), u ~ U(0,1), has CDF F: -log(1-u)/lambda is Exp(lambda) (KS test)",
                 "[MIPT] Порождение данных: сэмплирование", check_inverse_transform});
  out.push_back({"rejection", "rejection sampling with k q >= p accepts at rate 1/k and draws from p (KS)",
                 "[MIPT] Сэмплирование с отклонением", check_rejection});
  out.push_back({"bootstrap", "a percentile bootstrap CI for a mean covers it at about the nominal rate",
                 "[MIPT] Порождение данных: бутстрэп; Бутстреп: принцип работы", check_bootstrap});
  out.push_back({"likelihood-vs-quality",
                 "p_w = 0.01 p_data + 0.99 p_noise: log p_w >= log p_data - log 100, 99% of samples noise",
                 "[MIPT] Как строить порождающие модели? (Theis et al., 2015)", check_likelihood_vs_quality});
  out.push_back({"evidence-vs-cv",
                 "log p(X) = sum_i log p(x_i | x_1..x_{i-1}); compared with leave-one-out",
                 "[MIPT] Evidence vs Кросс-валидация", check_evidence_vs_cv});
}

}  // namespace dgm
