// frechet.h - the Fréchet distance between two sets of feature vectors, each summarised by a
// Gaussian (Heusel et al. 2017, "GANs Trained by a Two Time-Scale Update Rule Converge to a Local
// Nash Equilibrium", NeurIPS, eq. 6; there in Inception features, here in the last hidden layer of
// the project's classifier, include/dgm/classifier.h):
//   d^2((mu1, S1), (mu2, S2)) = |mu1 - mu2|^2 + tr(S1 + S2 - 2 (S1 S2)^{1/2})
// tr (S1 S2)^{1/2} is computed as tr (S1^{1/2} S2 S1^{1/2})^{1/2}: the two matrices are similar
// (S1^{1/2} (S1^{1/2} S2 S1^{1/2}) S1^{-1/2} = S1 S2), so they have the same eigenvalues, and the
// second is symmetric positive semi-definite, so both square roots come from a symmetric
// eigendecomposition (Householder tridiagonalization, then implicit QR steps with the Wilkinson
// shift; Golub & Van Loan, "Matrix Computations", 8.3).
// All in double; the sums run in a fixed order.
#pragma once
#include <vector>

namespace dgm {

// A (n, n) symmetric, row-major, overwritten. Eigenvalues into w (n, in no particular order),
// eigenvectors into the columns of V (n, n): A = V diag(w) V^T. QR steps until every subdiagonal
// element of the tridiagonal form is below eps (|t_ii| + |t_i+1,i+1|) (at most 30 n steps).
void symmetric_eigen(std::vector<double>& A, int n, std::vector<double>& w, std::vector<double>& V);
// The eigenvalues alone (no eigenvectors accumulated: about a third of the work).
std::vector<double> symmetric_eigenvalues(std::vector<double> A, int n);
// The symmetric positive semi-definite square root V diag(sqrt(max(w, 0))) V^T of A (n, n).
std::vector<double> symmetric_sqrt(const std::vector<double>& A, int n);

// Mean (d) and covariance (d, d), 1/(n-1) sum (x - mu)(x - mu)^T as numpy.cov, of n rows of d floats.
void mean_cov(const float* x, int n, int d, std::vector<double>* mu, std::vector<double>* cov);
// d^2 above, from the two Gaussians.
double frechet_distance(const std::vector<double>& mu1, const std::vector<double>& S1, const std::vector<double>& mu2,
                        const std::vector<double>& S2, int d);
// d^2 between the Gaussians of two feature sets a (n, d) and b (m, d).
double frechet_distance(const float* a, int n, const float* b, int m, int d);

}  // namespace dgm
