// rbm.h (theory) - an RBM small enough to enumerate, computed exactly: the other side of the
// checks of src/theory/rbm.cpp (log Z against AIS, the CD-k gradient against the exact gradient,
// block Gibbs against the model distribution, F(v) against -log sum_h exp(-E(v, h))).
// Sources as in include/dgm/models/rbm.h and rbm_ais.h ([Hinton02], [Tieleman08], [SM08]).
#pragma once
#include <vector>

#include "dgm/models/rbm.h"

namespace dgm {

// Every one of the 2^nv x 2^nh joint states; state index s has unit i = bit i of s.
// Needs nv + nh <= 22. Everything from E(v, h) alone (rbm_energy), not from F or the sigmoids.
struct RbmExact {
  int nv = 0, nh = 0, V = 0, H = 0;  // V = 2^nv, H = 2^nh
  double log_z = 0;                  // log sum_{v,h} exp(-E(v, h))
  std::vector<double> p_v;           // (V) p(v) = sum_h p(v, h)
  std::vector<double> minus_log_sum_h;  // (V) -log sum_h exp(-E(v, h)), the free energy by enumeration
  std::vector<double> h_given_v;     // (V, H) p(h | v)
  std::vector<double> v_given_h;     // (H, V) p(v | h)
  std::vector<double> mean_h;        // (V, nh) E[h_j | v] = sum_h h_j p(h | v)
};
RbmExact rbm_enumerate(const Rbm& m);

// The unit values of state s as floats (n of them).
void state_bits(int s, int n, float* out);

// Gradient of the mean log-likelihood over the data states (indices into V), exactly:
//   dW = <v h'>_data - <v h'>_model with <.>_model over p(v) E[h|v]   (sizes nv*nh, nv, nh)
// With cd_k > 0, the model term is replaced by the expectation CD-k estimates exactly: the
// distribution of v_k after k block Gibbs steps from the data, pi_k = pi_0 (P(h|v) P(v|h))^k.
struct RbmGrad {
  std::vector<double> W, b, c;
};
RbmGrad rbm_exact_gradient(const RbmExact& e, const std::vector<int>& data, int cd_k);
// The same for data given as a distribution pi0 (V) over the visible states.
RbmGrad rbm_exact_gradient(const RbmExact& e, const std::vector<double>& pi0, int cd_k);
// The distribution of v after t block Gibbs steps started at v = state s0.
std::vector<double> gibbs_distribution(const RbmExact& e, int s0, int t);
// A DBM (dgm/models/dbm.h) small enough to enumerate: log Z and log p(v) for every v
// (src/theory/dbm.cpp).
struct Dbm;
void dbm_enumerate(const Dbm& m, double* log_z, std::vector<double>* log_p_v);
// Total variation 1/2 sum |p - q|.
double total_variation(const std::vector<double>& p, const std::vector<double>& q);

}  // namespace dgm
