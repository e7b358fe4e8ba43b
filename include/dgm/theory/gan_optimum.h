// gan_optimum.h - the GAN optimum in formulas: V(D, G), D*, C(G) = 2 D_JS - log 4, the
// non-saturating generator loss, saturation, and the density-ratio view of dataset shift.
//
// Follows [MSU] (003) slides "GAN и оптимальное распределение D/G (1)" and "(3)", [HSE] (001)
// slides "Игра с 0 суммой" and the Wasserstein GAN slide (-log D at the optimal D equals
// KL(Q||P) - 2JS(P,Q), Arjovsky & Bottou 2017), [Vesel] (002) "1.2 Generativne nasprotniške
// mreže" and [MIPT] (004) "Особенности оптимизации GAN" (saturation) and "Dataset shift".
//
// Densities are 1-D mixtures of Gaussians, known in closed form. An integral over x becomes a
// sum over a uniform grid: with masses m_i = p(x_i) h the lecture's integrals
// int p_data log D + p_g log(1 - D) dx, KL and D_JS are exactly the discrete sums of
// divergences.h applied to the mass vectors (the grid spacing h cancels inside each log-ratio).
// Smooth densities decaying to ~0 at the grid's ends make this Riemann sum the trapezoid rule,
// whose error is exponentially small in 1/h, far below every tolerance used.
#pragma once
#include <cstdint>
#include <vector>

namespace dgm {

class Rng;

// ---- known 1-D densities ----

// p(x) = sum_k w_k N(x; mu_k, sigma_k^2); the w_k sum to 1.
struct Density1D {
  std::vector<double> w, mu, sigma;
};
Density1D gaussian_1d(double mu, double sigma);
// (1 - lambda) a + lambda b, as one mixture with the components of both.
Density1D blend(const Density1D& a, const Density1D& b, double lambda);
double log_density(const Density1D& p, double x);  // log p(x) by log-sum-exp (no underflow)
double score(const Density1D& p, double x);        // d/dx log p(x)
double sample(const Density1D& p, Rng& rng);

// x_i = lo + i h, i = 0..n-1, h = (hi - lo) / (n - 1).
struct Grid1D {
  double lo = -10.0, hi = 10.0;
  int n = 4001;
  double h() const { return (hi - lo) / (n - 1); }
  double x(int i) const { return lo + i * h(); }
};
// m_i = p(x_i) h (the Riemann / trapezoid weights of the integral of p over the grid), then
// divided by their sum so that they are a discrete distribution (sum 1 exactly, up to rounding):
// identities such as C(G) = 2 D_JS - log 4 use sum_x p(x) = 1, and a grid that cuts off tail
// mass delta would otherwise miss them by ~delta log 2.
std::vector<double> grid_masses(const Density1D& p, const Grid1D& g);

// ---- the value function and its optimum ([MSU] GAN и оптимальное распределение D/G (1)) ----

// V(D, G) = sum_x p_data(x) log D(x) + p_g(x) log(1 - D(x)): the expectations
// E_{x~p_data} log D(x) + E_{x~p_g} log(1 - D(x)) over atoms or grid masses (sum over x).
// Terms with zero weight are 0 (0 log 0 = 0).
double gan_value(const std::vector<double>& p_data, const std::vector<double>& p_g,
                 const std::vector<double>& D);

// D*(x) = p_data(x) / (p_data(x) + p_g(x)); 1/2 where both are 0 (V does not depend on it).
std::vector<double> optimal_discriminator(const std::vector<double>& p_data,
                                          const std::vector<double>& p_g);
// D*(x) for densities: sigmoid(log p_data(x) - log p_g(x)), which never divides 0 by 0.
double optimal_discriminator_at(const Density1D& p_data, const Density1D& p_g, double x);

// argmax over s in (0,1) of f(s) = a log s + b log(1 - s), a, b >= 0, found numerically by
// golden-section search on the logit t = log(s/(1-s)) in [-60, 60] (f is concave in t) to a
// bracket of 1e-10 in t. Knows nothing of the formula a / (a + b) it is checked against.
double argmax_pointwise_value(double a, double b);

// C(G) = max_D V(D, G), maximising every term of the sum numerically (argmax_pointwise_value).
double c_of_g_numeric(const std::vector<double>& p_data, const std::vector<double>& p_g);
// C(G) by the theorem of [MSU] GAN и оптимальное распределение D/G (3): 2 D_JS(p_data||p_g) - log 4.
double c_of_g_js(const std::vector<double>& p_data, const std::vector<double>& p_g);

// V(D*) - V(D) = sum_x (p_data + p_g) KL(Bern(D*(x)) || Bern(D(x))) >= 0: how far a
// discriminator D is from the optimum, as a weighted sum of pointwise Bernoulli KLs.
double value_gap_bernoulli(const std::vector<double>& p_data, const std::vector<double>& p_g,
                           const std::vector<double>& D);

// ---- the generator's losses ([HSE], [Vesel], [MIPT]) ----

// softplus(a) = log(1 + e^a), stable for every a.
double softplus(double a);
// Per sample, from the discriminator's logit a = log(D / (1 - D)) at x = G(z):
//   saturating:      log(1 - D) = -softplus(a)   (minimised by G in the original minimax game)
//   non-saturating: -log D      =  softplus(-a)  ([HSE] "improved objective", minimised)
double saturating_loss(double a);
double nonsaturating_loss(double a);

// A Gaussian generator x = G_theta(z) = mu + sigma z, z ~ N(0,1), theta = (mu, log sigma); its
// output density is Q_theta = N(mu, sigma^2).
struct GaussGenerator {
  double mu = 0.0, log_sigma = 0.0;
};

// E_{z}[-log D*(G_theta(z))] where D* = P / (P + Q_ref) is the optimal discriminator for a fixed
// reference generator (held fixed, as a trained D is during the generator's step). Quadrature
// over a z grid (weights phi(z_i) h).
double nonsat_expected_loss(const Density1D& p_data, const GaussGenerator& ref,
                            const GaussGenerator& g, const Grid1D& zgrid);
// Its gradient with respect to theta = (mu, log sigma), by the chain rule through x = G(z):
//   d/dmu        = E_z[-(log D*)'(x)],   d/dlog sigma = E_z[-(log D*)'(x) sigma z],
//   (log D*)'(x) = (1 - D*(x)) (score_P(x) - score_Qref(x)).
void nonsat_expected_grad(const Density1D& p_data, const GaussGenerator& ref,
                          const GaussGenerator& g, const Grid1D& zgrid, double grad[2]);
// KL(Q_theta||P) - 2 D_JS(P, Q_theta) on the x grid (Arjovsky & Bottou 2017, Theorem 2.5).
double kl_minus_2js(const Density1D& p_data, const GaussGenerator& g, const Grid1D& xgrid);

// ---- a discriminator trained with the project's autodiff (src/theory/gan_trained.cpp) ----

struct TrainDConfig {
  int steps = 2000;        // Adam steps; fresh samples every step
  int batch = 128;         // samples from each density per step
  int hidden = 16;         // two tanh hidden layers of this width
  float lr = 5e-3f;        // Adam; divided by 10 for the last quarter of the steps
  std::uint64_t seed = 1;  // initialisation and sampling
};

// Trains an MLP D(x) = sigmoid(logit(x)) (1 -> hidden -> hidden -> 1, tanh) to tell samples of
// p1 (label 1, "data") from samples of p0 (label 0, "generated") by minimising the minibatch
// estimate of -V(D) = -(mean_i log D(x1_i) + mean_i log(1 - D(x0_i))), i.e. the sum of the two
// mean binary cross-entropies from logits ([HSE] Общее описание алгоритма: the discriminator's
// ascent, written as a descent). Returns the logits at the points xs, averaged over the iterates
// of the last quarter of training (every 10th step).
std::vector<double> train_discriminator_logits(const Density1D& p1, const Density1D& p0,
                                               const std::vector<double>& xs,
                                               const TrainDConfig& cfg);

// max over i with mask[i] of |a[i] - b[i]| (0 if the mask is empty).
double max_abs_gap(const std::vector<double>& a, const std::vector<double>& b,
                   const std::vector<bool>& mask);

// The known densities, evaluation points and target curve of a trained check: `optimal-d`
// trains D on p1 = p_data vs p0 = p_g and compares D with target = D*; `dataset-shift` trains on
// p1 = p_test vs p0 = p_train and compares the logit log(D/(1-D)) with target =
// log(p_test/p_train). Both compare only on the bulk, where samples are plentiful.
struct TrainedCheckSetup {
  Density1D p1, p0;
  std::vector<double> xs, target;
  std::vector<bool> bulk;
};
TrainedCheckSetup optimal_d_setup();
TrainedCheckSetup dataset_shift_setup();

// Tolerances of the trained checks, shared with the tests (which show that a wrong D fails).
// See the comments at their use in src/theory/gan_optimum.cpp for where the numbers come from.
constexpr double kTrainedDStarTol = 0.06;  // optimal-d: max |D_trained - D*| on the bulk
constexpr double kShiftLogRatioTol = 0.1;  // dataset-shift: max |log w_trained - log w| on the bulk

}  // namespace dgm
