// frechet.cpp - the Fréchet distance of two Gaussians and the symmetric square root it needs
// (see include/dgm/run/frechet.h).
#include "dgm/run/frechet.h"

#include <algorithm>
#include <cmath>

namespace dgm {

void symmetric_eigen(std::vector<double>& A, int n, std::vector<double>& w, std::vector<double>& V) {
  const std::size_t N = static_cast<std::size_t>(n);
  auto a = [&](int i, int j) -> double& { return A[static_cast<std::size_t>(i) * N + static_cast<std::size_t>(j)]; };
  auto v = [&](int i, int j) -> double& { return V[static_cast<std::size_t>(i) * N + static_cast<std::size_t>(j)]; };
  V.assign(N * N, 0.0);
  for (int i = 0; i < n; ++i) v(i, i) = 1.0;
  double total = 0;
  for (double x : A) total += x * x;
  for (int sweep = 0; sweep < 100; ++sweep) {
    double off = 0;
    for (int p = 0; p < n; ++p)
      for (int q = p + 1; q < n; ++q) off += 2 * a(p, q) * a(p, q);
    if (off <= 1e-22 * total || off == 0) break;
    for (int p = 0; p < n; ++p)
      for (int q = p + 1; q < n; ++q) {
        if (a(p, q) == 0) continue;
        // The rotation that zeroes a(p, q): tan of its angle t solves t^2 + 2 theta t - 1 = 0,
        // theta = (a_qq - a_pp) / (2 a_pq); the smaller root (Golub & Van Loan, Algorithm 8.5.1).
        const double theta = (a(q, q) - a(p, p)) / (2 * a(p, q));
        const double t = (theta >= 0 ? 1.0 : -1.0) / (std::fabs(theta) + std::sqrt(theta * theta + 1));
        const double c = 1 / std::sqrt(t * t + 1), s = t * c;
        for (int k = 0; k < n; ++k) {  // A <- A J (columns p, q)
          const double akp = a(k, p), akq = a(k, q);
          a(k, p) = c * akp - s * akq;
          a(k, q) = s * akp + c * akq;
        }
        for (int k = 0; k < n; ++k) {  // A <- J^T A (rows p, q)
          const double apk = a(p, k), aqk = a(q, k);
          a(p, k) = c * apk - s * aqk;
          a(q, k) = s * apk + c * aqk;
        }
        for (int k = 0; k < n; ++k) {  // V <- V J
          const double vkp = v(k, p), vkq = v(k, q);
          v(k, p) = c * vkp - s * vkq;
          v(k, q) = s * vkp + c * vkq;
        }
      }
  }
  w.resize(N);
  for (int i = 0; i < n; ++i) w[static_cast<std::size_t>(i)] = a(i, i);
}

std::vector<double> symmetric_sqrt(const std::vector<double>& A, int n) {
  const std::size_t N = static_cast<std::size_t>(n);
  std::vector<double> B = A, w, V;
  symmetric_eigen(B, n, w, V);
  std::vector<double> R(N * N, 0.0);
  for (std::size_t k = 0; k < N; ++k) {
    const double r = std::sqrt(std::max(w[k], 0.0));  // PSD up to rounding: clip tiny negatives
    if (r == 0) continue;
    for (std::size_t i = 0; i < N; ++i)
      for (std::size_t j = 0; j < N; ++j) R[i * N + j] += V[i * N + k] * r * V[j * N + k];
  }
  return R;
}

void mean_cov(const float* x, int n, int d, std::vector<double>* mu, std::vector<double>* cov) {
  const std::size_t D = static_cast<std::size_t>(d);
  mu->assign(D, 0.0);
  cov->assign(D * D, 0.0);
  for (int r = 0; r < n; ++r)
    for (std::size_t j = 0; j < D; ++j) (*mu)[j] += x[static_cast<std::size_t>(r) * D + j];
  for (double& m : *mu) m /= n;
  std::vector<double> c(D);
  for (int r = 0; r < n; ++r) {
    for (std::size_t j = 0; j < D; ++j) c[j] = x[static_cast<std::size_t>(r) * D + j] - (*mu)[j];
    for (std::size_t i = 0; i < D; ++i)
      for (std::size_t j = i; j < D; ++j) (*cov)[i * D + j] += c[i] * c[j];
  }
  for (std::size_t i = 0; i < D; ++i)
    for (std::size_t j = i; j < D; ++j) (*cov)[j * D + i] = (*cov)[i * D + j] /= (n - 1);
}

double frechet_distance(const std::vector<double>& mu1, const std::vector<double>& S1, const std::vector<double>& mu2,
                        const std::vector<double>& S2, int d) {
  const std::size_t D = static_cast<std::size_t>(d);
  double dmu = 0, tr = 0;
  for (std::size_t i = 0; i < D; ++i) dmu += (mu1[i] - mu2[i]) * (mu1[i] - mu2[i]);
  for (std::size_t i = 0; i < D; ++i) tr += S1[i * D + i] + S2[i * D + i];
  // M = S1^{1/2} S2 S1^{1/2}, symmetric PSD and similar to S1 S2.
  const std::vector<double> R = symmetric_sqrt(S1, d);
  std::vector<double> T(D * D, 0.0), M(D * D, 0.0);
  for (std::size_t i = 0; i < D; ++i)
    for (std::size_t k = 0; k < D; ++k)
      for (std::size_t j = 0; j < D; ++j) T[i * D + j] += R[i * D + k] * S2[k * D + j];
  for (std::size_t i = 0; i < D; ++i)
    for (std::size_t k = 0; k < D; ++k)
      for (std::size_t j = 0; j < D; ++j) M[i * D + j] += T[i * D + k] * R[k * D + j];
  for (std::size_t i = 0; i < D; ++i)  // symmetrise away the rounding
    for (std::size_t j = i + 1; j < D; ++j) M[i * D + j] = M[j * D + i] = 0.5 * (M[i * D + j] + M[j * D + i]);
  std::vector<double> w, V;
  symmetric_eigen(M, d, w, V);
  double tr_sqrt = 0;
  for (double e : w) tr_sqrt += std::sqrt(std::max(e, 0.0));  // tr (S1 S2)^{1/2}
  return dmu + tr - 2 * tr_sqrt;
}

double frechet_distance(const float* a, int n, const float* b, int m, int d) {
  std::vector<double> mu1, S1, mu2, S2;
  mean_cov(a, n, d, &mu1, &S1);
  mean_cov(b, m, d, &mu2, &S2);
  return frechet_distance(mu1, S1, mu2, S2, d);
}

}  // namespace dgm
