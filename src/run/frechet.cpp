// frechet.cpp - the Fréchet distance of two Gaussians and the symmetric square root it needs
// (see include/dgm/run/frechet.h).
#include "dgm/run/frechet.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

namespace dgm {

namespace {

// Row-major (n, n) access.
struct Mat {
  std::vector<double>& a;
  std::size_t n;
  double& operator()(std::size_t i, std::size_t j) const { return a[i * n + j]; }
};

// A <- Q^T A Q tridiagonal (Householder reflections H_k = I - 2 v v^T, |v| = 1, one per column
// k = 0 .. n-3, zeroing A[k+2.., k]; Golub & Van Loan, "Matrix Computations", Algorithm 8.3.1).
// If Q is given it is overwritten by H_0 H_1 ... H_{n-3}, so that A_in = Q A_out Q^T.
void tridiagonalize(Mat A, std::vector<double>* Q) {
  const std::size_t n = A.n;
  if (Q) {
    Q->assign(n * n, 0.0);
    for (std::size_t i = 0; i < n; ++i) (*Q)[i * n + i] = 1.0;
  }
  std::vector<double> v(n), p(n);
  for (std::size_t k = 0; k + 2 < n; ++k) {
    double norm2 = 0;
    for (std::size_t i = k + 1; i < n; ++i) norm2 += A(i, k) * A(i, k);
    const double norm = std::sqrt(norm2);
    if (norm == 0) continue;  // the column is already zero below the subdiagonal
    // v ~ x - alpha e_1 with alpha = -sign(x_0) |x| (no cancellation), so H x = alpha e_1.
    const double alpha = A(k + 1, k) > 0 ? -norm : norm;
    double vv = 0;
    for (std::size_t i = k + 1; i < n; ++i) {
      v[i] = A(i, k) - (i == k + 1 ? alpha : 0.0);
      vv += v[i] * v[i];
    }
    const double inv = 1 / std::sqrt(vv);
    for (std::size_t i = k + 1; i < n; ++i) v[i] *= inv;
    // On the trailing block B = A[k+1.., k+1..]: H B H = B - 2 v q^T - 2 q v^T, q = p - (v^T p) v, p = B v.
    double vp = 0;
    for (std::size_t i = k + 1; i < n; ++i) {
      double s = 0;
      for (std::size_t j = k + 1; j < n; ++j) s += A(i, j) * v[j];
      p[i] = s;
      vp += v[i] * s;
    }
    for (std::size_t i = k + 1; i < n; ++i) p[i] -= vp * v[i];
    for (std::size_t i = k + 1; i < n; ++i)
      for (std::size_t j = k + 1; j < n; ++j) A(i, j) -= 2 * (v[i] * p[j] + p[i] * v[j]);
    A(k + 1, k) = A(k, k + 1) = alpha;
    for (std::size_t i = k + 2; i < n; ++i) A(i, k) = A(k, i) = 0;
    if (Q)  // Q <- Q H_k: the columns k+1.. of each row
      for (std::size_t r = 0; r < n; ++r) {
        double s = 0;
        for (std::size_t j = k + 1; j < n; ++j) s += (*Q)[r * n + j] * v[j];
        for (std::size_t j = k + 1; j < n; ++j) (*Q)[r * n + j] -= 2 * s * v[j];
      }
  }
}

// T <- G^T T G, Z <- Z G for the rotation G in the (i, i+1) plane with G_ii = G_jj = c,
// G_ij = s, G_ji = -s (j = i + 1). T is tridiagonal but for one bulge, so only its rows and
// columns i-1 .. i+2 change.
void rotate(Mat T, std::size_t i, double c, double s, std::vector<double>* Z) {
  const std::size_t n = T.n, j = i + 1, lo = i > 0 ? i - 1 : 0, hi = std::min(n - 1, j + 1);
  for (std::size_t k = lo; k <= hi; ++k) {  // rows: G^T T
    const double ti = T(i, k), tj = T(j, k);
    T(i, k) = c * ti - s * tj;
    T(j, k) = s * ti + c * tj;
  }
  for (std::size_t k = lo; k <= hi; ++k) {  // columns: T G
    const double ti = T(k, i), tj = T(k, j);
    T(k, i) = c * ti - s * tj;
    T(k, j) = s * ti + c * tj;
  }
  if (Z)
    for (std::size_t r = 0; r < n; ++r) {
      double* z = Z->data() + r * n;
      const double zi = z[i], zj = z[j];
      z[i] = c * zi - s * zj;
      z[j] = s * zi + c * zj;
    }
}

// One implicit symmetric QR step with the Wilkinson shift on the unreduced block T[lo..hi]
// (Golub & Van Loan, Algorithm 8.3.2): the shift mu is the eigenvalue of the trailing 2 x 2 block
// nearer T_hh; the first rotation is that of the shifted first column, the rest chase the bulge
// down the band.
void qr_step(Mat T, std::size_t lo, std::size_t hi, std::vector<double>* Z) {
  const double d = (T(hi - 1, hi - 1) - T(hi, hi)) / 2, e = T(hi, hi - 1);
  const double mu = T(hi, hi) - e * e / (d + (d >= 0 ? 1.0 : -1.0) * std::hypot(d, e));
  double x = T(lo, lo) - mu, z = T(lo + 1, lo);
  for (std::size_t k = lo; k < hi; ++k) {
    // G^T [x; z] = [r; 0]: c = x / r, s = -z / r.
    const double r = std::hypot(x, z);
    const double c = r == 0 ? 1.0 : x / r, s = r == 0 ? 0.0 : -z / r;
    rotate(T, k, c, s, Z);
    if (k + 1 < hi) {
      x = T(k + 1, k);
      z = T(k + 2, k);  // the bulge
    }
  }
}

// Eigenvalues into w (and eigenvectors into V's columns if V is given) of A (n, n), overwritten:
// tridiagonalize, then QR steps on the unreduced blocks until every subdiagonal element is
// negligible (|t_{i+1,i}| <= eps (|t_ii| + |t_{i+1,i+1}|) or <= eps ||T||; Golub & Van Loan, Algorithm 8.3.3).
void eigen(std::vector<double>& A, int n, std::vector<double>& w, std::vector<double>* V) {
  const std::size_t N = static_cast<std::size_t>(n);
  Mat T{A, N};
  tridiagonalize(T, V);
  const double eps = std::numeric_limits<double>::epsilon();
  // The scale of the whole matrix: a zero (or tiny) diagonal pair, e.g. the rows of a feature that is
  // always 0 (a dead ReLU unit), gives the relative test nothing to compare with, and its subdiagonal
  // would never be deflated (the QR steps then stop at their cap, unconverged, and the diagonal is
  // not the spectrum). An element below eps ||T|| moves any eigenvalue by less than that.
  double norm = 0;
  for (std::size_t i = 0; i < N; ++i)
    norm = std::max(norm, std::fabs(T(i, i)) + (i + 1 < N ? 2 * std::fabs(T(i + 1, i)) : 0.0));
  for (std::size_t step = 0, hi = N - 1; N > 1 && step < 30 * N;) {
    for (std::size_t i = 0; i + 1 < N; ++i) {
      const double e = std::fabs(T(i + 1, i));
      if (e <= eps * (std::fabs(T(i, i)) + std::fabs(T(i + 1, i + 1))) || e <= eps * norm) T(i + 1, i) = T(i, i + 1) = 0;
    }
    while (hi > 0 && T(hi, hi - 1) == 0) --hi;  // T[hi+1..] is diagonal: those have converged
    if (hi == 0) break;
    std::size_t lo = hi - 1;
    while (lo > 0 && T(lo, lo - 1) != 0) --lo;  // T[lo..hi] unreduced
    qr_step(T, lo, hi, V);
    ++step;
  }
  w.resize(N);
  for (std::size_t i = 0; i < N; ++i) w[i] = T(i, i);
}

}  // namespace

void symmetric_eigen(std::vector<double>& A, int n, std::vector<double>& w, std::vector<double>& V) {
  eigen(A, n, w, &V);
}

std::vector<double> symmetric_eigenvalues(std::vector<double> A, int n) {
  std::vector<double> w;
  eigen(A, n, w, nullptr);
  return w;
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
  double tr_sqrt = 0;
  for (double e : symmetric_eigenvalues(std::move(M), d)) tr_sqrt += std::sqrt(std::max(e, 0.0));  // tr (S1 S2)^{1/2}
  return dmu + tr - 2 * tr_sqrt;
}

double frechet_distance(const float* a, int n, const float* b, int m, int d) {
  std::vector<double> mu1, S1, mu2, S2;
  mean_cov(a, n, d, &mu1, &S1);
  mean_cov(b, m, d, &mu2, &S2);
  return frechet_distance(mu1, S1, mu2, S2, d);
}

}  // namespace dgm
