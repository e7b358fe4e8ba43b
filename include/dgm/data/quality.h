// quality.h - numbers that say how good generated samples are.
//
// mode_coverage: the synthetic-mixture protocol of the GAN literature (VEEGAN, PacGAN; the mode
// collapse of [HSE] "Немного о коллапсе моды"): a sample is high quality when it lies within
// 3 standard deviations of its nearest mode centre; a mode is covered when it is the nearest
// centre of at least one high-quality sample.
// mmd2_rbf: maximum mean discrepancy with a Gaussian kernel, to compare an adversarial
// autoencoder's codes with samples of its prior.
#pragma once
#include "dgm/data/data.h"

namespace dgm {

struct Coverage {
  int modes_covered = 0;     // of set.modes
  double high_quality = 0;   // fraction of samples within 3 std of their nearest centre
};
// samples: (n, set.dim) row-major.
Coverage mode_coverage(const ToySet& set, const float* samples, int n);

// Unbiased estimate of MMD^2 between samples x (n, dim) and y (m, dim) with the kernel
// k(a, b) = exp(-|a - b|^2 / (2 sigma^2)):
//   MMD^2 = 1/(n(n-1)) sum_{i!=j} k(x_i, x_j) + 1/(m(m-1)) sum_{i!=j} k(y_i, y_j)
//           - 2/(nm) sum_{i,j} k(x_i, y_j)
double mmd2_rbf(const float* x, int n, const float* y, int m, int dim, double sigma);

// Sample mean and standard deviation (divisor n - 1) of n values.
void mean_std(const float* v, int n, double* mean, double* stddev);

}  // namespace dgm
