// test_frechet.cpp - the Fréchet distance (src/run/frechet.cpp) on cases with a known answer.
#include <doctest/doctest.h>

#include <algorithm>

#include <cmath>
#include <vector>

#include "dgm/run/frechet.h"
#include "dgm/core/rng.h"

using namespace dgm;

namespace {
// A random rotation-like orthogonal matrix Q (n, n) by Gram-Schmidt on normal columns.
std::vector<double> orthogonal(int n, Rng& rng) {
  const std::size_t N = static_cast<std::size_t>(n);
  std::vector<double> Q(N * N);
  for (double& q : Q) q = rng.normal();
  for (std::size_t j = 0; j < N; ++j) {
    for (std::size_t k = 0; k < j; ++k) {
      double dot = 0;
      for (std::size_t i = 0; i < N; ++i) dot += Q[i * N + j] * Q[i * N + k];
      for (std::size_t i = 0; i < N; ++i) Q[i * N + j] -= dot * Q[i * N + k];
    }
    double nrm = 0;
    for (std::size_t i = 0; i < N; ++i) nrm += Q[i * N + j] * Q[i * N + j];
    for (std::size_t i = 0; i < N; ++i) Q[i * N + j] /= std::sqrt(nrm);
  }
  return Q;
}
// Q diag(d) Q^T
std::vector<double> rotate(const std::vector<double>& Q, const std::vector<double>& d) {
  const std::size_t N = d.size();
  std::vector<double> S(N * N, 0.0);
  for (std::size_t i = 0; i < N; ++i)
    for (std::size_t j = 0; j < N; ++j)
      for (std::size_t k = 0; k < N; ++k) S[i * N + j] += Q[i * N + k] * d[k] * Q[j * N + k];
  return S;
}
}  // namespace

TEST_CASE("frechet: the symmetric square root squares back to the matrix; eigenvalues are found") {
  Rng rng(4);
  const int n = 12;
  const std::vector<double> Q = orthogonal(n, rng);
  std::vector<double> d(n);
  for (int i = 0; i < n; ++i) d[static_cast<std::size_t>(i)] = 0.1 + i * i;
  const std::vector<double> S = rotate(Q, d);
  const std::vector<double> R = symmetric_sqrt(S, n);
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < n; ++j) {
      double rr = 0;
      for (int k = 0; k < n; ++k) rr += R[static_cast<std::size_t>(i * n + k)] * R[static_cast<std::size_t>(k * n + j)];
      CHECK(rr == doctest::Approx(S[static_cast<std::size_t>(i * n + j)]).epsilon(1e-9).scale(1.0));
    }
  std::vector<double> A = S, w, V;
  symmetric_eigen(A, n, w, V);
  double sw = 0, sd = 0, pw = 0, pd = 0;
  for (int i = 0; i < n; ++i) sw += w[static_cast<std::size_t>(i)], sd += d[static_cast<std::size_t>(i)],
                              pw += w[static_cast<std::size_t>(i)] * w[static_cast<std::size_t>(i)],
                              pd += d[static_cast<std::size_t>(i)] * d[static_cast<std::size_t>(i)];
  CHECK(sw == doctest::Approx(sd).epsilon(1e-10));
  CHECK(pw == doctest::Approx(pd).epsilon(1e-10));
}

TEST_CASE("frechet: symmetric_eigen on indefinite and repeated spectra: A = V diag(w) V^T, V orthogonal") {
  Rng rng(9);
  for (int n : {1, 2, 3, 40}) {
    for (bool repeated : {false, true}) {
      CAPTURE(n);
      CAPTURE(repeated);
      std::vector<double> A(static_cast<std::size_t>(n * n));
      if (repeated) {  // 2 I + u u^T: eigenvalue 2 n-1 times, and 2 + |u|^2
        std::vector<double> u(static_cast<std::size_t>(n));
        for (double& x : u) x = rng.normal();
        for (int i = 0; i < n; ++i)
          for (int j = 0; j < n; ++j) A[static_cast<std::size_t>(i * n + j)] = (i == j ? 2.0 : 0.0) + u[i] * u[j];
      } else {
        for (int i = 0; i < n; ++i)
          for (int j = 0; j <= i; ++j) A[static_cast<std::size_t>(i * n + j)] = A[static_cast<std::size_t>(j * n + i)] = rng.normal();
      }
      std::vector<double> B = A, w, V;
      symmetric_eigen(B, n, w, V);
      double recon = 0, orth = 0;
      for (int i = 0; i < n; ++i)
        for (int j = 0; j < n; ++j) {
          double s = 0, o = 0;
          for (int k = 0; k < n; ++k) {
            s += V[static_cast<std::size_t>(i * n + k)] * w[static_cast<std::size_t>(k)] * V[static_cast<std::size_t>(j * n + k)];
            o += V[static_cast<std::size_t>(k * n + i)] * V[static_cast<std::size_t>(k * n + j)];
          }
          recon = std::max(recon, std::fabs(s - A[static_cast<std::size_t>(i * n + j)]));
          orth = std::max(orth, std::fabs(o - (i == j ? 1.0 : 0.0)));
        }
      CHECK(recon < 1e-12);
      CHECK(orth < 1e-12);
      std::vector<double> w2 = symmetric_eigenvalues(A, n);  // the same values without V
      std::sort(w.begin(), w.end());
      std::sort(w2.begin(), w2.end());
      for (int i = 0; i < n; ++i) CHECK(w2[static_cast<std::size_t>(i)] == doctest::Approx(w[static_cast<std::size_t>(i)]).epsilon(1e-12));
      if (repeated && n > 1) CHECK(w[0] == doctest::Approx(2.0).epsilon(1e-12));
    }
  }
}

TEST_CASE("frechet: known cases - 1-D Gaussians, commuting covariances, identical sets") {
  // N(0, 1) vs N(1, 4): (0 - 1)^2 + 1 + 4 - 2 sqrt(1 * 4) = 2.
  CHECK(frechet_distance({0.0}, {1.0}, {1.0}, {4.0}, 1) == doctest::Approx(2.0).epsilon(1e-12));
  // S1 = Q D1 Q^T, S2 = Q D2 Q^T (they commute): d^2 = |dmu|^2 + sum_i (sqrt d1_i - sqrt d2_i)^2.
  Rng rng(9);
  const int n = 8;
  const std::vector<double> Q = orthogonal(n, rng);
  std::vector<double> d1(n), d2(n), mu1(n), mu2(n);
  double expected = 0;
  for (int i = 0; i < n; ++i) {
    const std::size_t k = static_cast<std::size_t>(i);
    d1[k] = 0.5 + i, d2[k] = 2.0 + 0.3 * i * i, mu1[k] = 0.1 * i, mu2[k] = -0.2 * i;
    expected += (mu1[k] - mu2[k]) * (mu1[k] - mu2[k]) + std::pow(std::sqrt(d1[k]) - std::sqrt(d2[k]), 2);
  }
  CHECK(frechet_distance(mu1, rotate(Q, d1), mu2, rotate(Q, d2), n) == doctest::Approx(expected).epsilon(1e-9));
  // Non-commuting: S2 rotated by another Q gives a larger trace term than the commuting case
  // only through the cross term; check against the 2-D closed form tr sqrt(M) = sqrt(tr M + 2 sqrt(det M)).
  const std::vector<double> S1{2.0, 0.5, 0.5, 1.0}, S2{1.0, -0.3, -0.3, 3.0};
  double M[4] = {0, 0, 0, 0};  // S1 S2
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 2; ++j)
      for (int k = 0; k < 2; ++k) M[i * 2 + j] += S1[static_cast<std::size_t>(i * 2 + k)] * S2[static_cast<std::size_t>(k * 2 + j)];
  const double trM = M[0] + M[3], detM = M[0] * M[3] - M[1] * M[2];
  const double closed = 2.0 + 1.0 + 1.0 + 3.0 - 2 * std::sqrt(trM + 2 * std::sqrt(detM));
  CHECK(frechet_distance({0.0, 0.0}, S1, {0.0, 0.0}, S2, 2) == doctest::Approx(closed).epsilon(1e-10));
  // A set against itself: 0 (up to rounding).
  std::vector<float> x(500 * 6);
  for (float& v : x) v = rng.normal();
  CHECK(std::fabs(frechet_distance(x.data(), 500, x.data(), 500, 6)) < 1e-9);
}

// A classifier's ReLU features have dead units (a column always 0), so the covariances are
// singular with whole zero rows. Their tridiagonal form then has zero diagonal pairs whose tiny
// subdiagonal a purely relative deflation test never accepts: the QR steps stopped unconverged and
// sum sqrt(diagonal) overstated tr (S1 S2)^{1/2} (the first full-data run printed a train-vs-test
// floor of -6.1; this set against itself gave -3354).
TEST_CASE("frechet: singular covariances (dead features): a set against itself is 0, d^2 >= 0, and the spectrum is exact") {
  Rng rng(4);
  const int d = 96, n = 1500, r = 12;
  std::vector<double> mix(static_cast<std::size_t>(d) * r);
  for (double& m : mix) m = rng.normal();
  auto draw = [&](std::vector<float>* x) {
    x->assign(static_cast<std::size_t>(n) * d, 0.f);
    std::vector<double> z(r);
    for (int i = 0; i < n; ++i) {
      for (double& v : z) v = rng.normal();
      for (int j = 0; j < d; ++j) {
        if (j % 4 == 0) continue;  // a dead unit
        double v = 0;
        for (int k = 0; k < r; ++k) v += mix[static_cast<std::size_t>(j) * r + k] * z[static_cast<std::size_t>(k)];
        (*x)[static_cast<std::size_t>(i) * d + j] = static_cast<float>(std::max(v, 0.0) * (j % 7 + 1));
      }
    }
  };
  std::vector<float> a, b;
  draw(&a);
  draw(&b);
  double tr = 0;  // the scale: tr S_a
  {
    std::vector<double> mu(d, 0.0);
    for (int i = 0; i < n; ++i)
      for (int j = 0; j < d; ++j) mu[static_cast<std::size_t>(j)] += a[static_cast<std::size_t>(i) * d + j] / double(n);
    for (int i = 0; i < n; ++i)
      for (int j = 0; j < d; ++j) {
        const double c = a[static_cast<std::size_t>(i) * d + j] - mu[static_cast<std::size_t>(j)];
        tr += c * c / (n - 1);
      }
  }
  // (sqrt moves an eigenvalue's rounding error e near 0 to sqrt(e): 1e-6 of the scale, where the
  // unconverged steps were off by half of it)
  CHECK(std::fabs(frechet_distance(a.data(), n, a.data(), n, d)) < 1e-6 * tr);
  const double ab = frechet_distance(a.data(), n, b.data(), n, d);
  CHECK(ab >= 0);
  CHECK(ab < 0.05 * tr);  // two draws of one distribution
  // The eigenvalues of a singular PSD matrix with zero rows: Q diag(w) Q^T padded with zero rows and
  // columns, found to rounding.
  const int m = 40;
  const std::vector<double> Q = orthogonal(m, rng);
  std::vector<double> w(m);
  for (int i = 0; i < m; ++i) w[static_cast<std::size_t>(i)] = i < 10 ? 0.0 : std::pow(10.0, -(i % 9));
  const std::vector<double> S = rotate(Q, w);
  const int M = 2 * m;  // interleave the zero rows and columns: index 2i holds S, 2i + 1 is dead
  std::vector<double> P(static_cast<std::size_t>(M) * M, 0.0);
  for (int i = 0; i < m; ++i)
    for (int j = 0; j < m; ++j)
      P[static_cast<std::size_t>(2 * i) * M + 2 * j] = S[static_cast<std::size_t>(i) * m + j];
  std::vector<double> got = symmetric_eigenvalues(P, M), want = w;
  want.resize(static_cast<std::size_t>(M), 0.0);
  std::sort(got.begin(), got.end());
  std::sort(want.begin(), want.end());
  for (int i = 0; i < M; ++i) CHECK(std::fabs(got[static_cast<std::size_t>(i)] - want[static_cast<std::size_t>(i)]) < 1e-12);
}
