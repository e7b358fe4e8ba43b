// diagnostics.h - generative vs discriminative classifiers, the birthday-paradox support-size
// estimate (a mode-collapse diagnostic), and the score learned by a denoising autoencoder.
//
// Follows [Utkin] (000) «Порождающие и разделяющие модели» (the p(x, y) and p(y|x) tables of four
// points; naive Bayes vs logistic regression), [HSE] (001) «Немного о коллапсе моды» / «Как
// эмпирически понять, что коллапс моды состоялся?» (Arora & Zhang: a support of size N gives a
// duplicate in a sample of size about sqrt(N)), and [MIPT] (004) «Автокодировщик: порождающая
// модель?» (Alain & Bengio: (r(x) - x) / sigma^2 -> d log p(x) / dx as sigma -> 0).
#pragma once
#include <cstdint>
#include <utility>
#include <vector>

namespace dgm {

class Rng;

// ---- [Utkin] Порождающие и разделяющие модели: tables from data ----
// A table over x in {0..nx-1} (rows) and y in {0..ny-1} (columns), row-major (nx, ny).
struct Table {
  int nx = 0, ny = 0;
  std::vector<double> p;
  double at(int x, int y) const { return p[static_cast<std::size_t>(x * ny + y)]; }
};
// Generative: the joint p(x, y) = count(x, y) / n.
Table joint_table(const std::vector<std::pair<int, int>>& xy, int nx, int ny);
// Discriminative: p(y|x) = count(x, y) / count(x), counted directly (rows with no data stay 0).
Table conditional_table(const std::vector<std::pair<int, int>>& xy, int nx, int ny);
// Bayes' rule on a joint table: p(y|x) = p(x, y) / sum_y' p(x, y').
Table conditional_from_joint(const Table& joint);

// ---- labelled data for the classifiers ----
struct LabeledSet {
  int n = 0, d = 0, classes = 0;
  std::vector<float> x;  // x: (n, d)
  std::vector<int> y;    // y: (n), labels in [0, classes)
};
// Two classes with p(y) = 1/2 and x | y ~ N((2y - 1) (delta/2) u, I_d), u = (1, ..., 1)/sqrt(d).
// The Bayes-optimal accuracy is Phi(delta / 2).
LabeledSet two_gaussians(Rng& rng, int n, int d, double delta);
double accuracy(const std::vector<int>& predicted, const std::vector<int>& y);

// Gaussian naive Bayes, a generative classifier: p(x, y) = p(y) prod_j N(x_j; m_yj, v_yj),
// fitted by maximum likelihood (class frequencies, per-class means and variances with a floor),
// classified by Bayes' rule argmax_y log p(x, y).
struct GaussianNB {
  int d = 0, classes = 0;
  std::vector<double> log_prior;  // (classes)
  std::vector<double> mean, var;  // (classes, d)
};
GaussianNB fit_gaussian_nb(const LabeledSet& data, double var_floor = 1e-3);
// log p(x, y) for every y: out (classes). x: (d)
void gnb_log_joint(const GaussianNB& nb, const float* x, double* out);
std::vector<int> gnb_predict(const GaussianNB& nb, const LabeledSet& data);

// Multinomial logistic regression, a discriminative classifier: p(y|x) = softmax(W x + b)_y,
// trained with the project's autodiff (softmax cross-entropy, mean over the minibatch, Adam).
struct LogRegConfig {
  int epochs = 20, batch = 100;
  float lr = 0.05f;
  std::uint64_t seed = 1;
};
// Returns the predicted labels of `test` after training on `train`.
std::vector<int> logistic_regression_fit_predict(const LabeledSet& train, const LabeledSet& test,
                                                 const LogRegConfig& cfg);

// ---- [HSE] the birthday paradox: support size from near-duplicates (Arora & Zhang) ----
// Samples are rows of x: (n, d). Two rows are near-duplicates when their Euclidean distance is
// below `threshold`. The n rows are cut into floor(n / s) batches of s consecutive rows.
// If samples are uniform on K points, each of the C(s, 2) pairs of a batch collides with
// probability 1/K, so
//   E[pairs] = batches C(s, 2) / K                 -> K_pairs = batches C(s, 2) / pairs
//   P(a batch has a duplicate) ~ 1 - e^{-C(s,2)/K}  -> K_prob  = C(s, 2) / -log(1 - p)
// For a non-uniform distribution both estimate the collision support 1 / sum_i p_i^2, which a
// collapsed generator makes small. +infinity when no duplicate is seen ("support >> s^2").
struct BirthdayEstimate {
  int s = 0, batches = 0;
  long long pairs = 0;          // near-duplicate pairs summed over batches
  int batches_with_duplicate = 0;
  double duplicate_prob = 0;    // batches_with_duplicate / batches
  double support_pairs = 0;     // K_pairs
  double support_prob = 0;      // K_prob
};
BirthdayEstimate birthday_support_estimate(const float* x, int n, int d, int s, float threshold);
// Near-duplicate pairs among rows [begin, end) of x: (n, d).
long long count_near_duplicate_pairs(const float* x, int begin, int end, int d, float threshold);

// ---- [MIPT] Автокодировщик: порождающая модель? (Alain & Bengio) on 1-D data ----
// A mixture of 1-D Gaussians sum_k w_k N(m_k, v_k): a density with a known score.
struct GaussMix1D {
  std::vector<double> w, m, v;
  double log_pdf(double x) const;
  double score(double x) const;  // d log p(x) / dx
  double sample(Rng& rng) const;
  // p_sigma = p * N(0, sigma^2): the same mixture with every v_k + sigma^2.
  GaussMix1D convolved(double sigma2) const;
};
// The optimal denoiser for x_tilde = x + sigma eps: r*(x_tilde) = E[x | x_tilde], for a mixture
// sum_k pi_k(x_tilde) (v_k x_tilde + sigma^2 m_k) / (v_k + sigma^2), pi_k the component posterior.
double optimal_denoiser(const GaussMix1D& p, double sigma, double x_tilde);
// A denoising autoencoder in 1-D, linear in its parameters: r(x) = x + c0 + c1 x + sum_k a_k
// exp(-(x - t_k)^2 / (2 h^2)), trained on pairs (x + sigma eps, x) to minimise the mean
// ||r(x_tilde) - x||^2 exactly (normal equations solved by Cholesky).
struct RbfDenoiser {
  std::vector<double> centers, coef;  // coef: (2 + centers)
  double h = 0.5;
  double residual_var = 0;  // mean squared training residual
  double operator()(double x) const;
};
RbfDenoiser fit_rbf_denoiser(Rng& rng, const GaussMix1D& p, double sigma, int M, int K, double lo,
                             double hi);

}  // namespace dgm
