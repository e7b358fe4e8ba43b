// rbm_ais.h - annealed importance sampling (AIS) for the partition function of an RBM, and the
// test log-likelihood it gives.
//
//   [SM08]  R. Salakhutdinov, I. Murray, "On the quantitative analysis of deep belief networks",
//           ICML 2008, sec. 3 (AIS, Neal 2001) and sec. 4.1 (AIS for RBMs).
//   [Neal01] R. M. Neal, "Annealed importance sampling", Statistics and Computing 11, 2001.
//
// Base model A: W = 0, c = 0, visible biases bA (e.g. the data's log-odds, [SM08] sec. 4.1), with
//   log Z_A = sum_i softplus(bA_i) + nh log 2.
// Intermediate distributions, 0 = beta_0 < beta_1 < ... < beta_K = 1 ([SM08] eq. 15-16: the RBM
// with parameters (1 - beta) theta_A + beta theta_B, its hidden units summed out):
//   log p*_k(v) = ((1 - beta_k) bA + beta_k b)'v + sum_j softplus(beta_k (c_j + (v W)_j))
// Transition T_k: one block Gibbs step of that RBM, h ~ sigmoid(beta_k (c + v W)),
//   v ~ sigmoid((1 - beta_k) bA + beta_k (b + h W')), which leaves p_k invariant.
// One run: v_0 ~ p_A, then v_k ~ T_k(v_{k-1}); its weight ([SM08] eq. 11)
//   log w = sum_{k=1}^K [log p*_k(v_{k-1}) - log p*_{k-1}(v_{k-1})].
// With M runs: Z_B / Z_A ~ (1/M) sum_m w_m (unbiased for Z, so log Z is underestimated on
// average, and a log-likelihood overestimated), and the standard error of log Z^ by the delta
// method, se = std(w) / (mean(w) sqrt(M)) ([SM08] report log Z^ +- 3 sigma).
// K = 1 is plain importance sampling from p_A (no intermediate distribution).
#pragma once
#include <cstdint>
#include <vector>

#include "dgm/data/data.h"
#include "dgm/models/rbm.h"

namespace dgm {

struct AisOptions {
  int runs = 100;     // M
  int betas = 1000;   // K: the schedule spaces them as [SM08] sec. 5 (0-0.5, 0.5-0.9, 0.9-1 with
                      // 500 : 4000 : 10000 of the steps), scaled to K
  std::uint64_t seed = 1;
};

struct AisResult {
  double log_z = 0;     // log Z_B estimate
  double log_z_se = 0;  // its standard error (delta method)
  double log_z_base = 0;
  std::vector<double> log_w;  // (runs)
};

// beta_0 = 0 .. beta_K = 1 (K + 1 values).
std::vector<double> ais_schedule(int K);
// bA_i = log(p_i / (1 - p_i)), p_i the mean of pixel i over the set (bytes / 255), clamped to
// [1e-3, 1 - 1e-3] (a pixel never on would give -inf).
std::vector<float> ais_base_biases(const ImageSet& set);
// The base-rate model's visible biases an AIS starts from: base_b when given (it must hold nv),
// else zeros (the uniform base). who names the caller in the check's message.
std::vector<float> ais_start_biases(const std::vector<float>& base_b, int nv, const char* who);
// log Z = log_z_base + log mean exp(log_w) and its delta-method se, from res->log_w (>= 2 runs)
// and res->log_z_base: the last step of every AIS here (rbm_ais, dbm_ais in dbm_ais.h).
void ais_summarize(AisResult* res);
// AIS for log Z of m from the base with visible biases base_b (nv values; empty: zeros).
AisResult rbm_ais(const Rbm& m, const std::vector<float>& base_b, const AisOptions& o);

// The test log-likelihood of an RBM: mean over the images of log p(v) = -F(v) - log Z^, nats per
// image, v = bytes / 255 (binarize() the set first: dgm/data.h). The interface the likelihood
// table calls (with base = the training set, or nullptr for the test set's own marginals).
struct LikelihoodEstimate {
  double nats = 0;     // mean log p(v) over the images
  double ais_se = 0;   // the standard error of log Z^ (the AIS uncertainty)
  double data_se = 0;  // the standard error of the mean over the images (their spread)
  double log_z = 0;
  int images = 0, runs = 0, betas = 0;
};
LikelihoodEstimate rbm_test_log_likelihood(const Rbm& m, const ImageSet& test, const ImageSet* base,
                                           const AisOptions& o);

// Mean F(v) over the images of the set (v = bytes / 255) and its standard error, in batches.
void mean_free_energy(const Rbm& m, const ImageSet& set, double* mean, double* se);

}  // namespace dgm
