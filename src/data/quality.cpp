// quality.cpp - sample-quality numbers (see include/dgm/data/quality.h).
#include "dgm/data/quality.h"

#include <cmath>
#include <vector>

namespace dgm {

Coverage mode_coverage(const ToySet& set, const float* samples, int n) {
  Coverage c;
  std::vector<char> hit(static_cast<std::size_t>(set.modes), 0);
  int good = 0;
  // Within 3 std in every coordinate direction: Euclidean distance <= 3 std.
  const double limit2 = 9.0 * set.stddev * set.stddev;
  for (int i = 0; i < n; ++i) {
    float d2 = 0.f;
    int k = nearest_centre(set, samples + static_cast<std::size_t>(i) * set.dim, &d2);
    if (d2 <= limit2) {
      ++good;
      hit[static_cast<std::size_t>(k)] = 1;
    }
  }
  for (char h : hit) c.modes_covered += h;
  c.high_quality = n > 0 ? static_cast<double>(good) / n : 0.0;
  return c;
}

static double kernel_sum(const float* a, int n, const float* b, int m, int dim, double sigma, bool skip_diag) {
  const double inv = 1.0 / (2.0 * sigma * sigma);
  double s = 0;
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < m; ++j) {
      if (skip_diag && i == j) continue;
      double d2 = 0;
      for (int k = 0; k < dim; ++k) {
        double d = static_cast<double>(a[i * dim + k]) - b[j * dim + k];
        d2 += d * d;
      }
      s += std::exp(-d2 * inv);
    }
  return s;
}

double mmd2_rbf(const float* x, int n, const float* y, int m, int dim, double sigma) {
  if (n < 2 || m < 2) return 0.0;
  const double kxx = kernel_sum(x, n, x, n, dim, sigma, true) / (static_cast<double>(n) * (n - 1));
  const double kyy = kernel_sum(y, m, y, m, dim, sigma, true) / (static_cast<double>(m) * (m - 1));
  const double kxy = kernel_sum(x, n, y, m, dim, sigma, false) / (static_cast<double>(n) * m);
  return kxx + kyy - 2.0 * kxy;
}

void mean_std(const float* v, int n, double* mean, double* stddev) {
  double s = 0;
  for (int i = 0; i < n; ++i) s += v[i];
  const double mu = n > 0 ? s / n : 0.0;
  double q = 0;
  for (int i = 0; i < n; ++i) q += (v[i] - mu) * (v[i] - mu);
  *mean = mu;
  *stddev = n > 1 ? std::sqrt(q / (n - 1)) : 0.0;
}

}  // namespace dgm
