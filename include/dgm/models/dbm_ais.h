// dbm_ais.h - annealed importance sampling for the partition function of a two-hidden-layer DBM,
// and the test log-likelihood bound it gives.
//
//   [SH09] R. Salakhutdinov, G. E. Hinton, "Deep Boltzmann machines", AISTATS 2009, sec. 4.
//   [SM08] R. Salakhutdinov, I. Murray, ICML 2008 (AIS for RBMs; dgm/models/rbm_ais.h).
//
// h1 sums out analytically given v and h2 (its units are independent given both neighbours), so
// AIS runs on the states (v, h2) ([SH09] sec. 4): with a = c1 + v W1 + h2 W2',
//   log p*(v, h2) = b'v + c2'h2 + sum_j softplus(a_j).
// Base model A: W1 = W2 = 0, c1 = c2 = 0, visible biases bA (the data's log-odds), so
//   log Z_A = sum_i softplus(bA_i) + (n1 + n2) log 2    (v independent pixels, h2 uniform).
// Intermediate distributions, 0 = beta_0 < ... < beta_K = 1 (ais_schedule, dgm/models/rbm_ais.h):
//   log p*_k(v, h2) = ((1 - beta_k) bA + beta_k b)'v + beta_k c2'h2 + sum_j softplus(beta_k a_j)
// Transition T_k: one Gibbs sweep of the DBM with parameters beta_k theta (and base biases
// (1 - beta_k) bA on v): h1 ~ sigmoid(beta_k a), then v ~ sigmoid((1 - beta_k) bA + beta_k (b +
// h1 W1')) and h2 ~ sigmoid(beta_k (c2 + h1 W2)); it leaves p_k(v, h1, h2), hence p_k(v, h2),
// invariant. The weights and log Z^ with its standard error as for the RBM (rbm_ais.h).
//
// The test figure ([SH09] sec. 4, eq. 5): per image the mean-field bound
//   log p(v) >= -E(v, mu1, mu2) + H(mu1) + H(mu2) - log Z      (dgm/models/dbm.h)
// with log Z replaced by its AIS estimate. It is a lower bound on log p(v) only up to the AIS
// error: AIS underestimates log Z on average (Jensen), which would overstate the bound; the
// reported ais_se is that uncertainty.
#pragma once
#include <vector>

#include "dgm/models/dbm.h"
#include "dgm/models/rbm_ais.h"

namespace dgm {

// AIS for log Z of m from the base with visible biases base_b (nv values; empty: zeros).
AisResult dbm_ais(const Dbm& m, const std::vector<float>& base_b, const AisOptions& o);

// The mean over the images of the set (v = bytes / 255, binarize() it first) of the mean-field
// bound with `mf_iters` sweeps, log Z by dbm_ais with base biases from `base` (nullptr: the test
// set's own marginals). nats = the mean bound; ais_se, data_se as in LikelihoodEstimate.
LikelihoodEstimate dbm_test_bound(const Dbm& m, const ImageSet& test, const ImageSet* base, const AisOptions& o,
                                  int mf_iters = 30);

}  // namespace dgm
