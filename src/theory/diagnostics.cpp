// diagnostics.cpp - generative vs discriminative, the birthday-paradox support estimate, and the
// denoising autoencoder's score (include/dgm/theory/diagnostics.h), and their theory checks.
//
// [Utkin] (000) «Порождающие и разделяющие модели»; [HSE] (001) «Как эмпирически понять, что
// коллапс моды состоялся?»; [MIPT] (004) «Автокодировщик: порождающая модель?».
#include "dgm/theory/diagnostics.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <string>

#include "dgm/core/check.h"
#include "dgm/data/data.h"
#include "dgm/core/nn.h"
#include "dgm/core/ops.h"
#include "dgm/core/optim.h"
#include "dgm/core/params.h"
#include "dgm/core/rng.h"
#include "dgm/core/tape.h"
#include "dgm/theory/elbo.h"
#include "dgm/theory/report.h"
#include "dgm/theory/sampling.h"

namespace dgm {

// ---------------------------------------------------------------- tables

Table joint_table(const std::vector<std::pair<int, int>>& xy, int nx, int ny) {
  Table t{nx, ny, std::vector<double>(static_cast<std::size_t>(nx * ny), 0.0)};
  for (const auto& s : xy) {
    DGM_CHECK(s.first >= 0 && s.first < nx && s.second >= 0 && s.second < ny,
              "joint_table: (%d, %d) outside %d x %d", s.first, s.second, nx, ny);
    t.p[static_cast<std::size_t>(s.first * ny + s.second)] += 1;
  }
  for (double& v : t.p) v /= static_cast<double>(xy.size());  // p(x, y) = count(x, y) / n
  return t;
}

Table conditional_table(const std::vector<std::pair<int, int>>& xy, int nx, int ny) {
  Table t{nx, ny, std::vector<double>(static_cast<std::size_t>(nx * ny), 0.0)};
  std::vector<double> nrow(static_cast<std::size_t>(nx), 0.0);
  for (const auto& s : xy) {
    DGM_CHECK(s.first >= 0 && s.first < nx && s.second >= 0 && s.second < ny,
              "conditional_table: (%d, %d) outside %d x %d", s.first, s.second, nx, ny);
    t.p[static_cast<std::size_t>(s.first * ny + s.second)] += 1;
    nrow[static_cast<std::size_t>(s.first)] += 1;
  }
  for (int x = 0; x < nx; ++x)  // p(y|x) = count(x, y) / count(x)
    for (int y = 0; y < ny; ++y)
      if (nrow[x] > 0) t.p[static_cast<std::size_t>(x * ny + y)] /= nrow[x];
  return t;
}

Table conditional_from_joint(const Table& joint) {
  Table t = joint;
  for (int x = 0; x < t.nx; ++x) {
    double px = 0;  // p(x) = sum_y p(x, y)
    for (int y = 0; y < t.ny; ++y) px += joint.at(x, y);
    for (int y = 0; y < t.ny; ++y) t.p[static_cast<std::size_t>(x * t.ny + y)] = px > 0 ? joint.at(x, y) / px : 0;
  }
  return t;
}

// ---------------------------------------------------------------- classifiers

LabeledSet two_gaussians(Rng& rng, int n, int d, double delta) {
  LabeledSet s;
  s.n = n;
  s.d = d;
  s.classes = 2;
  s.x.resize(static_cast<std::size_t>(n) * d);
  s.y.resize(static_cast<std::size_t>(n));
  const double shift = delta / 2 / std::sqrt(static_cast<double>(d));  // (delta/2) u_j
  for (int i = 0; i < n; ++i) {
    int y = static_cast<int>(rng.below(2));
    s.y[static_cast<std::size_t>(i)] = y;
    for (int j = 0; j < d; ++j)
      s.x[static_cast<std::size_t>(i) * d + j] = static_cast<float>((2 * y - 1) * shift + rng.normal_double());
  }
  return s;
}

double accuracy(const std::vector<int>& predicted, const std::vector<int>& y) {
  DGM_CHECK(predicted.size() == y.size() && !y.empty(), "accuracy: %zu predictions for %zu labels",
            predicted.size(), y.size());
  std::size_t right = 0;
  for (std::size_t i = 0; i < y.size(); ++i) right += predicted[i] == y[i];
  return static_cast<double>(right) / static_cast<double>(y.size());
}

GaussianNB fit_gaussian_nb(const LabeledSet& data, double var_floor) {
  const int C = data.classes, d = data.d;
  GaussianNB nb;
  nb.d = d;
  nb.classes = C;
  nb.log_prior.assign(C, 0.0);
  nb.mean.assign(static_cast<std::size_t>(C * d), 0.0);
  nb.var.assign(static_cast<std::size_t>(C * d), 0.0);
  std::vector<double> count(C, 0.0);
  for (int i = 0; i < data.n; ++i) {  // class means: average of x over the class
    int y = data.y[static_cast<std::size_t>(i)];
    count[y] += 1;
    for (int j = 0; j < d; ++j) nb.mean[y * d + j] += data.x[static_cast<std::size_t>(i) * d + j];
  }
  for (int c = 0; c < C; ++c)
    for (int j = 0; j < d; ++j) nb.mean[c * d + j] /= std::max(count[c], 1.0);
  for (int i = 0; i < data.n; ++i) {  // class variances: maximum likelihood (divide by count)
    int y = data.y[static_cast<std::size_t>(i)];
    for (int j = 0; j < d; ++j) {
      double r = data.x[static_cast<std::size_t>(i) * d + j] - nb.mean[y * d + j];
      nb.var[y * d + j] += r * r;
    }
  }
  for (int c = 0; c < C; ++c) {
    nb.log_prior[c] = count[c] > 0 ? std::log(count[c] / data.n) : -std::numeric_limits<double>::infinity();
    for (int j = 0; j < d; ++j) nb.var[c * d + j] = std::max(var_floor, nb.var[c * d + j] / std::max(count[c], 1.0));
  }
  return nb;
}

// log p(x, y) = log p(y) + sum_j log N(x_j; m_yj, v_yj)  (sum over the d features)
void gnb_log_joint(const GaussianNB& nb, const float* x, double* out) {
  for (int c = 0; c < nb.classes; ++c) {
    double s = nb.log_prior[c];
    for (int j = 0; j < nb.d; ++j) s += normal_log_pdf(x[j], nb.mean[c * nb.d + j], nb.var[c * nb.d + j]);
    out[c] = s;
  }
}

std::vector<int> gnb_predict(const GaussianNB& nb, const LabeledSet& data) {
  std::vector<int> pred(static_cast<std::size_t>(data.n));
  std::vector<double> lj(static_cast<std::size_t>(nb.classes));
  for (int i = 0; i < data.n; ++i) {  // Bayes: argmax_y p(y|x) = argmax_y p(x, y)
    gnb_log_joint(nb, data.x.data() + static_cast<std::size_t>(i) * data.d, lj.data());
    pred[static_cast<std::size_t>(i)] = static_cast<int>(std::max_element(lj.begin(), lj.end()) - lj.begin());
  }
  return pred;
}

std::vector<int> logistic_regression_fit_predict(const LabeledSet& train, const LabeledSet& test,
                                                 const LogRegConfig& cfg) {
  DGM_CHECK(train.d == test.d && train.classes == test.classes, "logistic_regression: train/test mismatch");
  const int d = train.d, C = train.classes, B = cfg.batch;
  ParamStore P;
  MLP clf = make_mlp(P, "logreg", {d, C}, Act::None, Act::None);  // one Linear layer: logits = W x + b
  P.finalize();
  Rng rng(cfg.seed);
  init_mlp(P, clf, rng);
  Optimizer opt(OptimConfig{OptimKind::Adam, cfg.lr}, P.size());
  Arena arena;
  Tape t(arena);
  std::vector<std::uint32_t> order(static_cast<std::size_t>(train.n));
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = static_cast<std::uint32_t>(i);
  for (int epoch = 0; epoch < cfg.epochs; ++epoch) {
    for (std::size_t i = order.size(); i > 1; --i)  // Fisher-Yates shuffle
      std::swap(order[i - 1], order[rng.below(static_cast<std::uint32_t>(i))]);
    for (int start = 0; start + B <= train.n; start += B) {
      t.reset();
      Tensor x = t.alloc(make_shape(B, d)), y = t.alloc(make_shape(B, C));
      fill(y, 0.f);
      for (int b = 0; b < B; ++b) {
        std::size_t row = order[static_cast<std::size_t>(start + b)];
        std::copy_n(train.x.data() + row * d, d, x.data + static_cast<std::size_t>(b) * d);
        y.data[static_cast<std::size_t>(b) * C + train.y[row]] = 1.f;  // one-hot target
      }
      Var logits = forward(t, P, clf, t.constant(x));
      // -sum_y onehot_y log softmax(logits)_y per row, then the mean over the B rows
      Var loss = mean(t, softmax_cross_entropy(t, logits, t.constant(y)));
      t.backward(loss);
      opt.step(P);
      P.zero_grad();
    }
  }
  std::vector<int> pred(static_cast<std::size_t>(test.n));
  for (int start = 0; start < test.n; start += B) {
    int rows = std::min(B, test.n - start);
    t.reset();
    Tensor x = t.alloc(make_shape(rows, d));
    std::copy_n(test.x.data() + static_cast<std::size_t>(start) * d, static_cast<std::size_t>(rows) * d, x.data);
    Tensor logits = t.value(forward(t, P, clf, t.constant(x)));
    for (int b = 0; b < rows; ++b) {  // argmax_y p(y|x) = argmax of the logits
      const float* l = logits.data + static_cast<std::size_t>(b) * C;
      pred[static_cast<std::size_t>(start + b)] = static_cast<int>(std::max_element(l, l + C) - l);
    }
  }
  return pred;
}

// ---------------------------------------------------------------- birthday paradox

long long count_near_duplicate_pairs(const float* x, int begin, int end, int d, float threshold) {
  const float t2 = threshold * threshold;
  long long pairs = 0;
  for (int i = begin; i < end; ++i) {
    const float* a = x + static_cast<std::size_t>(i) * d;
    for (int k = i + 1; k < end; ++k) {
      const float* b = x + static_cast<std::size_t>(k) * d;
      float s = 0;
      for (int j = 0; j < d && s < t2; ++j) s += (a[j] - b[j]) * (a[j] - b[j]);  // stop once far
      pairs += s < t2;
    }
  }
  return pairs;
}

// [HSE] Как эмпирически понять, что коллапс моды состоялся?: draw a sample of size s, find the
// duplicates, repeat to estimate the probability of a duplicate; if it is large, support ~ s^2.
BirthdayEstimate birthday_support_estimate(const float* x, int n, int d, int s, float threshold) {
  DGM_CHECK(s >= 2 && n >= s, "birthday_support_estimate: need 2 <= s <= n, got s = %d, n = %d", s, n);
  BirthdayEstimate e;
  e.s = s;
  e.batches = n / s;
  for (int b = 0; b < e.batches; ++b) {
    long long p = count_near_duplicate_pairs(x, b * s, (b + 1) * s, d, threshold);
    e.pairs += p;
    e.batches_with_duplicate += p > 0;
  }
  const double pairs_per_batch = 0.5 * s * (s - 1.0);  // C(s, 2)
  const double inf = std::numeric_limits<double>::infinity();
  e.duplicate_prob = static_cast<double>(e.batches_with_duplicate) / e.batches;
  e.support_pairs = e.pairs > 0 ? e.batches * pairs_per_batch / static_cast<double>(e.pairs) : inf;
  if (e.batches_with_duplicate == 0)
    e.support_prob = inf;
  else if (e.batches_with_duplicate == e.batches)
    e.support_prob = 0;  // every batch collides: the support is much smaller than s^2
  else
    e.support_prob = pairs_per_batch / -std::log1p(-e.duplicate_prob);
  return e;
}

// ---------------------------------------------------------------- DAE score

double GaussMix1D::log_pdf(double x) const {
  double mx = -1e300;
  std::vector<double> l(w.size());
  for (std::size_t k = 0; k < w.size(); ++k) {
    l[k] = std::log(w[k]) + normal_log_pdf(x, m[k], v[k]);
    mx = std::max(mx, l[k]);
  }
  double s = 0;
  for (double lk : l) s += std::exp(lk - mx);
  return mx + std::log(s);
}

// d/dx log sum_k w_k N(x; m_k, v_k) = sum_k pi_k(x) (m_k - x) / v_k, pi_k the responsibilities
double GaussMix1D::score(double x) const {
  double lp = log_pdf(x), s = 0;
  for (std::size_t k = 0; k < w.size(); ++k)
    s += std::exp(std::log(w[k]) + normal_log_pdf(x, m[k], v[k]) - lp) * (m[k] - x) / v[k];
  return s;
}

double GaussMix1D::sample(Rng& rng) const {
  double u = rng.uniform_double(), c = 0;
  std::size_t k = 0;
  for (; k + 1 < w.size(); ++k) {
    c += w[k];
    if (u < c) break;
  }
  return m[k] + std::sqrt(v[k]) * rng.normal_double();
}

GaussMix1D GaussMix1D::convolved(double sigma2) const {
  GaussMix1D p = *this;
  for (double& vk : p.v) vk += sigma2;
  return p;
}

// Posterior of x given x_tilde = x + sigma eps: component k has weight pi_k ∝ w_k N(x_tilde; m_k,
// v_k + sigma^2) and, within it, x | x_tilde ~ N((v_k x_tilde + sigma^2 m_k)/(v_k + sigma^2), .).
double optimal_denoiser(const GaussMix1D& p, double sigma, double x_tilde) {
  const double s2 = sigma * sigma;
  GaussMix1D ps = p.convolved(s2);
  double lp = ps.log_pdf(x_tilde), r = 0;
  for (std::size_t k = 0; k < p.w.size(); ++k) {
    double pi = std::exp(std::log(p.w[k]) + normal_log_pdf(x_tilde, p.m[k], p.v[k] + s2) - lp);
    r += pi * (p.v[k] * x_tilde + s2 * p.m[k]) / (p.v[k] + s2);
  }
  return r;
}

// Features of the 1-D denoiser: phi(x) = (1, x, exp(-(x - t_k)^2 / (2 h^2)) for k = 1..K).
static void rbf_features(const RbfDenoiser& r, double x, double* phi) {
  phi[0] = 1;
  phi[1] = x;
  for (std::size_t k = 0; k < r.centers.size(); ++k) {
    double u = (x - r.centers[k]) / r.h;
    phi[2 + k] = std::exp(-0.5 * u * u);
  }
}

double RbfDenoiser::operator()(double x) const {
  std::vector<double> phi(coef.size());
  rbf_features(*this, x, phi.data());
  double s = x;  // r(x) = x + phi(x)^T coef
  for (std::size_t k = 0; k < coef.size(); ++k) s += phi[k] * coef[k];
  return s;
}

// Minimises (1/M) sum_i (r(x_tilde_i) - x_i)^2 over coef: with target t_i = x_i - x_tilde_i,
// the normal equations (Phi^T Phi) coef = Phi^T t. A tiny ridge 1e-9 M keeps them well-posed.
RbfDenoiser fit_rbf_denoiser(Rng& rng, const GaussMix1D& p, double sigma, int M, int K, double lo,
                             double hi) {
  RbfDenoiser r;
  r.h = (hi - lo) / (K - 1);
  for (int k = 0; k < K; ++k) r.centers.push_back(lo + k * r.h);
  const int F = K + 2;
  std::vector<double> A(static_cast<std::size_t>(F * F), 0.0), bvec(F, 0.0), phi(F);
  std::vector<double> xs(static_cast<std::size_t>(M)), xt(static_cast<std::size_t>(M));
  for (int i = 0; i < M; ++i) {
    xs[i] = p.sample(rng);
    xt[i] = xs[i] + sigma * rng.normal_double();  // corrupted input x_tilde = x + sigma eps
    rbf_features(r, xt[i], phi.data());
    double target = xs[i] - xt[i];
    for (int a = 0; a < F; ++a) {
      bvec[a] += phi[a] * target;
      for (int c = 0; c <= a; ++c) A[a * F + c] += phi[a] * phi[c];
    }
  }
  for (int a = 0; a < F; ++a) {
    for (int c = 0; c < a; ++c) A[c * F + a] = A[a * F + c];
    A[a * F + a] += 1e-9 * M;
  }
  bool ok = cholesky_factor(A, F);
  DGM_CHECK(ok, "fit_rbf_denoiser: normal equations are not positive definite");
  cholesky_solve(A, F, bvec.data());
  r.coef = bvec;
  double rss = 0;
  for (int i = 0; i < M; ++i) rss += (r(xt[i]) - xs[i]) * (r(xt[i]) - xs[i]);
  r.residual_var = rss / M;
  return r;
}

// ================================================================= checks

// Where the classifier data come from: a synthetic two-class Gaussian set with a known Bayes
// accuracy, and the Fashion-MNIST subset shipped in datasets/ (include/dgm/data/data.h) when it can be
// read from the working directory (pixels p/255 in [0, 1], 784 features, 10 classes).
struct ClassifierData {
  std::string source;
  LabeledSet train, test;
  double bayes_accuracy;  // < 0 if unknown
};
static ClassifierData synthetic_data() {
  const int d = 10;
  const double delta = 2.0;
  Rng rng(53);
  ClassifierData c{"synthetic: two classes, x|y ~ N(+-(delta/2) u, I_10), delta = 2, seed 53",
                   two_gaussians(rng, 2000, d, delta), two_gaussians(rng, 10000, d, delta),
                   normal_cdf(delta / 2)};
  return c;
}
static LabeledSet labeled_from_images(const ImageSet& s, int n) {
  LabeledSet out;
  out.n = std::min(n, s.n);
  out.d = s.dim();
  out.classes = kFashionClasses;
  out.x.resize(static_cast<std::size_t>(out.n) * out.d);
  out.y.resize(static_cast<std::size_t>(out.n));
  for (std::size_t i = 0; i < out.x.size(); ++i) out.x[i] = s.pixels[i] / 255.f;
  for (int i = 0; i < out.n; ++i) out.y[static_cast<std::size_t>(i)] = s.labels[static_cast<std::size_t>(i)];
  return out;
}
// An error (and nothing loaded) when the subset is not there, e.g. run outside the project folder.
static Status fashion_data(ClassifierData* c) {
  ImageData img;
  Status st = load_image_data(kSubsetDataDir, &img);
  if (!st.ok) return st;
  // 5,000 of the subset's training images keep the check near one second on one core.
  c->train = labeled_from_images(img.train, 5000);
  c->test = labeled_from_images(img.test, img.test.n);
  c->source = "Fashion-MNIST subset (" + img.dir + "), pixels / 255";
  c->bayes_accuracy = -1;
  return Status::Ok();
}

static void compare_classifiers(Report& r, const ClassifierData& data, const LogRegConfig& cfg) {
  r.note("data: %s; %d train, %d test, %d classes", data.source.c_str(), data.train.n, data.test.n,
         data.train.classes);
  GaussianNB nb = fit_gaussian_nb(data.train, 1e-2);  // the floor keeps constant pixels finite
  double acc_nb = accuracy(gnb_predict(nb, data.test), data.test.y);
  double acc_lr = accuracy(logistic_regression_fit_predict(data.train, data.test, cfg), data.test.y);
  r.note("test accuracy: generative (Gaussian naive Bayes) %.4f, discriminative (logistic regression, "
         "Adam, %d epochs) %.4f", acc_nb, cfg.epochs, acc_lr);
  const double chance = 1.0 / data.train.classes;
  r.at_most("chance < naive Bayes accuracy", chance, acc_nb - 1e-9);
  r.at_most("chance < logistic regression accuracy", chance, acc_lr - 1e-9);
  if (data.bayes_accuracy > 0) {
    // Test-set noise: binomial s.e. sqrt(a (1 - a) / n_test); both models contain the Bayes rule
    // (shared isotropic covariance), so only finite training costs accuracy: an excess error of
    // order d / n_train = 0.005, allowed 4 times over (0.02).
    double se = std::sqrt(data.bayes_accuracy * (1 - data.bayes_accuracy) / data.test.n);
    r.note("Bayes-optimal accuracy Phi(delta/2) = %.4f, test s.e. %.4f", data.bayes_accuracy, se);
    r.close("naive Bayes accuracy vs Bayes optimum (4 s.e. + 0.02)", acc_nb, data.bayes_accuracy, 4 * se + 0.02);
    r.close("logistic regression accuracy vs Bayes optimum (4 s.e. + 0.02)", acc_lr, data.bayes_accuracy,
            4 * se + 0.02);
  } else {
    // [Utkin]: "Разделяющий алгоритм в общем имеет лучше характеристики в задачах классификации".
    // Pixels are far from independent given the class, so naive Bayes' model is wrong; the margin
    // is 4 s.e. of a difference of two accuracies on the same n_test images (<= 2 x 0.5/sqrt(n)).
    double se = 2 * 0.5 / std::sqrt(static_cast<double>(data.test.n));
    r.at_most("naive Bayes + 4 s.e. < logistic regression (real images)", acc_nb + 4 * se, acc_lr);
  }
}

// [Utkin] Порождающие и разделяющие модели: four points (x, y) -> {(0,0), (0,0), (1,0), (1,1)}.
// The slide's tables are typed in from the slide; ours are counted from the points. All entries
// are multiples of 1/4, exact in binary floating point, so the comparison is exact (tolerance 0).
// Then a generative classifier (Gaussian naive Bayes: p(x, y), then Bayes' rule) and a
// discriminative one (logistic regression: p(y|x) directly) on the same data.
static void check_generative_vs_discriminative(Report& r) {
  const std::vector<std::pair<int, int>> pts = {{0, 0}, {0, 0}, {1, 0}, {1, 1}};
  const double slide_joint[4] = {0.5, 0.0, 0.25, 0.25};  // p(x, y): rows x = 0, 1; columns y = 0, 1
  const double slide_cond[4] = {1.0, 0.0, 0.5, 0.5};     // p(y|x)
  Table joint = joint_table(pts, 2, 2), cond = conditional_table(pts, 2, 2);
  Table bayes = conditional_from_joint(joint);
  double worst_joint = 0, worst_cond = 0, worst_bayes = 0;
  for (int i = 0; i < 4; ++i) {
    worst_joint = std::max(worst_joint, std::fabs(joint.p[i] - slide_joint[i]));
    worst_cond = std::max(worst_cond, std::fabs(cond.p[i] - slide_cond[i]));
    worst_bayes = std::max(worst_bayes, std::fabs(bayes.p[i] - cond.p[i]));
  }
  r.note("p(x,y) = [[%g, %g], [%g, %g]], p(y|x) = [[%g, %g], [%g, %g]] (rows x = 0, 1)", joint.p[0],
         joint.p[1], joint.p[2], joint.p[3], cond.p[0], cond.p[1], cond.p[2], cond.p[3]);
  r.close("max |p(x,y) counted - slide table|", worst_joint, 0.0, 0.0);
  r.close("max |p(y|x) counted - slide table|", worst_cond, 0.0, 0.0);
  r.close("max |p(x,y)/sum_y p(x,y) - p(y|x) counted|", worst_bayes, 0.0, 0.0);

  compare_classifiers(r, synthetic_data(), LogRegConfig{});
  ClassifierData fashion;
  const Status st = fashion_data(&fashion);
  if (st) {
    LogRegConfig cfg;
    cfg.epochs = 5;
    cfg.lr = 0.01f;
    compare_classifiers(r, fashion, cfg);
  } else {  // e.g. run outside the project folder: this part did not run, and says so
    r.skip("classifiers on the Fashion-MNIST subset", (st.message + "; run from the project folder").c_str());
  }
}

// [HSE] Как эмпирически понять, что коллапс моды состоялся?: a generator that returns one of K
// stored points (16-D, drawn once from N(0, I)) plus jitter N(0, 1e-6 I); near-duplicates are
// pairs closer than 0.05 (distinct stored points are ~5.7 apart). T = 200 batches of size
// s = ceil(1.2 sqrt(K)), where a duplicate has probability about 1 - e^{-0.72} = 0.51.
static std::vector<float> stored_point_generator(Rng& rng, int K, int n, int d, const std::vector<double>* weights) {
  std::vector<float> stored(static_cast<std::size_t>(K) * d), out(static_cast<std::size_t>(n) * d);
  for (float& v : stored) v = static_cast<float>(rng.normal_double());
  std::vector<double> cdf;
  if (weights) {
    double c = 0;
    for (double w : *weights) cdf.push_back(c += w);
  }
  for (int i = 0; i < n; ++i) {
    std::size_t k = weights ? static_cast<std::size_t>(std::lower_bound(cdf.begin(), cdf.end(), rng.uniform_double() * cdf.back()) - cdf.begin())
                            : rng.below(static_cast<std::uint32_t>(K));
    k = std::min(k, static_cast<std::size_t>(K - 1));
    for (int j = 0; j < d; ++j)
      out[static_cast<std::size_t>(i) * d + j] = stored[k * d + j] + static_cast<float>(1e-3 * rng.normal_double());
  }
  return out;
}

static void check_birthday(Report& r) {
  const int d = 16, T = 200;
  const float thr = 0.05f;
  Rng rng(59);
  for (int K : {100, 1000, 10000, 100000}) {
    int s = static_cast<int>(std::ceil(1.2 * std::sqrt(static_cast<double>(K))));
    std::vector<float> x = stored_point_generator(rng, K, T * s, d, nullptr);
    BirthdayEstimate e = birthday_support_estimate(x.data(), T * s, d, s, thr);
    r.note("K = %6d: s = %4d (s^2 = %6d), P(duplicate) = %.3f, K_pairs = %.0f, K_prob = %.0f", K, s,
           s * s, e.duplicate_prob, e.support_pairs, e.support_prob);
    char what[96];
    std::snprintf(what, sizeof what, "K = %d: K_pairs / K within [1/2, 2]", K);
    r.holds(what, e.support_pairs >= K / 2.0 && e.support_pairs <= 2.0 * K);
    std::snprintf(what, sizeof what, "K = %d: K_prob / K within [1/2, 2]", K);
    r.holds(what, e.support_prob >= K / 2.0 && e.support_prob <= 2.0 * K);
  }
  // A collapsed generator: 100,000 stored points, but 90% of the mass on 100 of them. The
  // estimators measure the collision support 1 / sum_i p_i^2, computed exactly here.
  const int K = 100000;
  std::vector<double> w(K, 0.1 / (K - 100));
  for (int k = 0; k < 100; ++k) w[k] = 0.9 / 100;
  double sum_p2 = 0;
  for (double v : w) sum_p2 += v * v;
  const int s = 20;
  std::vector<float> x = stored_point_generator(rng, K, T * s, d, &w);
  BirthdayEstimate e = birthday_support_estimate(x.data(), T * s, d, s, thr);
  r.note("collapsed (90%% of mass on 100 of 100,000 points): 1/sum p^2 = %.1f, K_pairs = %.1f (s = %d)",
         1 / sum_p2, e.support_pairs, s);
  r.holds("collapsed: K_pairs within [1/2, 2] of 1/sum p_i^2", e.support_pairs >= 0.5 / sum_p2 &&
                                                                  e.support_pairs <= 2 / sum_p2);
}

// RMS over x ~ p (trapezoid rule on [-8, 8], step 1/256) of (r(x) - x)/sigma^2 - d log p(x)/dx.
template <class Denoiser>
static double rms_score_error(const GaussMix1D& p, double sigma, const Denoiser& r) {
  double num = 0, den = 0;
  const double h = 1.0 / 256;
  for (double x = -8; x <= 8; x += h) {
    double px = std::exp(p.log_pdf(x)), e = (r(x) - x) / (sigma * sigma) - p.score(x);
    num += px * e * e * h;
    den += px * h;
  }
  return std::sqrt(num / den);
}

// [MIPT] Автокодировщик: порождающая модель? (Alain & Bengio 2012): for x_tilde = x + sigma eps
// the best denoiser is r*(x) = E[x | x_tilde = x] = x + sigma^2 d/dx log p_sigma(x) (Tweedie), so
// (r(x) - x) / sigma^2 -> d log p(x) / dx as sigma -> 0. (The slide's text writes ||f(x,sigma) -
// x||^2 / sigma^2; the vector field is (f(x,sigma) - x) / sigma^2, as in the paper.)
static void check_dae_score(Report& r) {
  GaussMix1D p{{0.4, 0.6}, {-2.0, 1.5}, {0.25, 1.0}};
  // Tweedie's identity, two independent routes: the posterior mean vs the convolved score.
  double worst = 0;
  for (double x = -5; x <= 5; x += 0.01) {
    double tweedie = x + 0.25 * p.convolved(0.25).score(x);
    worst = std::max(worst, std::fabs(optimal_denoiser(p, 0.5, x) - tweedie));
  }
  r.at_most("max |E[x|x~] - (x~ + s^2 d/dx log p_s)|, s = 0.5", worst, 1e-12);
  // The error of the optimal DAE shrinks like sigma^2: halving sigma divides it by about 4 once
  // sigma is small against the narrowest component (sd 0.5); the O(sigma^4) term still shows at
  // sigma = 0.2, hence [3, 5] rather than 4 exactly.
  double prev = 0;
  for (double sigma : {0.2, 0.1, 0.05, 0.025}) {
    double err = rms_score_error(p, sigma, [&](double x) { return optimal_denoiser(p, sigma, x); });
    r.note("optimal DAE, sigma = %.3f: RMS error of (r(x) - x)/sigma^2 vs score = %.5f", sigma, err);
    if (prev > 0) {
      char what[96];
      std::snprintf(what, sizeof what, "error ratio sigma %.3f -> %.3f in [3, 5] (theory 4)", 2 * sigma, sigma);
      r.holds(what, prev / err >= 3 && prev / err <= 5);
    }
    prev = err;
  }
  // A learned DAE: r(x) = x + linear + 40 RBFs, fitted by least squares on M noisy pairs. Its
  // estimate differs from the optimal one by the estimation error of least squares, whose RMS is
  // about sqrt(residual variance * F / M) for F features; divided by sigma^2 for the score. Allowed
  // 3 times over (the error is evaluated under p, the fit sampled p_sigma).
  Rng rng(61);
  const int M = 200000, K = 40;
  for (double sigma : {0.5, 0.25}) {
    RbfDenoiser dae = fit_rbf_denoiser(rng, p, sigma, M, K, -5.0, 5.0);
    double err = rms_score_error(p, sigma, dae);
    double err_opt = rms_score_error(p, sigma, [&](double x) { return optimal_denoiser(p, sigma, x); });
    double gap = rms_score_error(p, sigma, [&](double x) {
      return dae(x) - optimal_denoiser(p, sigma, x) + x + sigma * sigma * p.score(x);
    });
    double tol = 3 * std::sqrt(dae.residual_var * (K + 2) / M) / (sigma * sigma);
    r.note("learned DAE, sigma = %.2f, M = %d: RMS error vs score %.4f (optimal DAE %.4f)", sigma, M, err,
           err_opt);
    char what[96];
    std::snprintf(what, sizeof what, "sigma = %.2f: RMS |learned - optimal| / sigma^2", sigma);
    r.at_most(what, gap, tol);
  }
}

void add_diagnostics_checks(std::vector<TheoryCheck>& out) {
  out.push_back({"generative-vs-discriminative",
                 "p(x,y) and p(y|x) of {(0,0),(0,0),(1,0),(1,1)}; naive Bayes vs logistic regression",
                 "[Utkin] Порождающие и разделяющие модели", check_generative_vs_discriminative});
  out.push_back({"birthday", "near-duplicates in samples of size s estimate the support size K (within 2x)",
                 "[HSE] Как эмпирически понять, что коллапс моды состоялся? (Arora & Zhang)", check_birthday});
  out.push_back({"dae-score", "(r(x) - x) / sigma^2 -> d log p(x)/dx as sigma -> 0 (denoising autoencoder)",
                 "[MIPT] Автокодировщик: порождающая модель? (Alain & Bengio)", check_dae_score});
}

}  // namespace dgm
