// rbm.h - the restricted Boltzmann machine with binary visible and hidden units, its block Gibbs
// sampler and its training by contrastive divergence (CD-k) and persistent CD (PCD).
//
// [Utkin] «Порождающие модели на основе нейронных сетей» lists the deep Boltzmann machine and the
// deep belief network among the neural generative models; the lectures give no formulas for
// them, so every formula here cites the paper it comes from:
//   [Hinton02]    G. E. Hinton, "Training products of experts by minimizing contrastive
//                 divergence", Neural Computation 14(8):1771-1800, 2002.
//   [Tieleman08]  T. Tieleman, "Training restricted Boltzmann machines using approximations to
//                 the likelihood gradient", ICML 2008.
//   [HintonGuide] G. E. Hinton, "A practical guide to training restricted Boltzmann machines",
//                 UTML TR 2010-003, University of Toronto, 2010.
//   [Besag75]     J. Besag, "Statistical analysis of non-lattice data", The Statistician 24(3),
//                 1975 (the pseudo-likelihood).
//
// The model ([Hinton02] sec. 3, [HintonGuide] sec. 2), v in {0,1}^nv, h in {0,1}^nh:
//   E(v, h) = -b'v - c'h - v'W h                      W: (nv, nh), b: (nv), c: (nh)
//   p(v, h) = exp(-E(v, h)) / Z,   Z = sum_{v,h} exp(-E(v, h))
//   F(v)    = -log sum_h exp(-E(v, h)) = -b'v - sum_j softplus(c_j + sum_i v_i W_ij)
//   p(h_j = 1 | v) = sigmoid(c_j + sum_i v_i W_ij)    p(v_i = 1 | h) = sigmoid(b_i + sum_j W_ij h_j)
// Batches are row-major (B, nv) / (B, nh) float buffers; the products v W and h W' go through
// gemm (dgm/gemm.h), whose result does not depend on the thread count, and the random draws are
// taken from one Rng in index order, so a run is the same for a seed on any number of threads.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

#include "dgm/core/rng.h"

namespace dgm {

struct Rbm {
  int nv = 0, nh = 0;
  std::vector<float> W;  // (nv, nh): W[i * nh + j] couples v_i and h_j
  std::vector<float> b;  // (nv) visible biases
  std::vector<float> c;  // (nh) hidden biases
};

// W ~ N(0, init_std^2) ([HintonGuide] sec. 8: 0.01), b = c = 0.
void rbm_init(Rbm* m, int nv, int nh, Rng& rng, float init_std = 0.01f);

// softplus(x) = log(1 + e^x), stable for any x.
double log1p_exp(double x);  // (theory/gan_optimum.h has the same as softplus; models sit below theory)

// E(v, h) and F(v) of one example, in double (for the checks and the evaluation).
double rbm_energy(const Rbm& m, const float* v, const float* h);
double rbm_free_energy(const Rbm& m, const float* v);

// a (B, nh) = c + s v W for v (B, nv): the hidden units' total input. One gemm. The weight scale
// s is 1 for a plain RBM; the DBM's pre-training ([SH09] sec. 3.1, dgm/models/dbm.h) trains RBMs
// whose bottom-up (s = 2 for the first) or top-down (s = 2 for the second) weights are doubled.
void rbm_hidden_input(const Rbm& m, const float* v, int B, float* a, float s = 1.f);
// ph (B, nh) = p(h = 1 | v) = sigmoid(c + s v W).
void rbm_hidden_probs(const Rbm& m, const float* v, int B, float* ph, float s = 1.f);
// pv (B, nv) = p(v = 1 | h) = sigmoid(b + s h W').
void rbm_visible_probs(const Rbm& m, const float* h, int B, float* pv, float s = 1.f);
// out[i] = 1 with probability p[i], else 0: one rng.uniform() per element, in index order, i.e.
//   for (i = 0; i < n; ++i) out[i] = rng.uniform() < p[i] ? 1 : 0;
// (that loop's bits, computed in vector lanes and parallel chunks: cpu::bernoulli). out may be p.
void bernoulli_sample(const float* p, std::size_t n, Rng& rng, float* out);
// F (B) of each row of v (B, nv); scratch grows to (B, nh) floats (no allocation once it has).
void rbm_free_energy_batch(const Rbm& m, const float* v, int B, std::vector<float>* scratch, double* F);

// Block Gibbs sampling ([Hinton02] sec. 3): h ~ p(h|v), then v ~ p(v|h), `steps` times, on the
// chains v (B, nv) in place. ph, h: (B, nh) and pv: (B, nv) scratch the caller owns.
void rbm_gibbs(const Rbm& m, float* v, int B, int steps, Rng& rng, float* ph, float* h, float* pv);

// Reconstruction error, mean over the rows of v (B, nv) of sum_i (v_i - p(v_i = 1 | h = p(h|v)))^2
// (the mean-field reconstruction, [HintonGuide] sec. 5: a monitor, not the objective).
// up, down: the weight scales of the two conditionals (CdOptions below).
double rbm_reconstruction_error(const Rbm& m, const float* v, int B, std::vector<float>* scratch, float up = 1.f,
                                float down = 1.f);

// Pseudo-likelihood ([Besag75]) estimated as scikit-learn's BernoulliRBM.score_samples does: per
// row, one visible unit i drawn uniformly (rng.below), v~ = v with bit i flipped, and
//   log PL(v) ~ nv log sigmoid(F(v~) - F(v)) = -nv softplus(F(v) - F(v~)).
// Returns the mean over the B rows (nats per image); v must be binary.
double rbm_pseudo_likelihood(const Rbm& m, const float* v, int B, Rng& rng, std::vector<float>* scratch);

// CD-k / PCD-k training ([Hinton02] eq. 5 and sec. 5; [Tieleman08] sec. 3). Log-likelihood
// gradient, mean over the minibatch v0 (B, nv):
//   d log p / dW = <v h'>_data - <v h'>_model ~ (1/B) [v0' p(h|v0) - vk' p(h|vk)]
//   d log p / db = (1/B) sum_rows (v0 - vk),   d log p / dc = (1/B) sum_rows (p(h|v0) - p(h|vk))
// where vk is the visible state after k block Gibbs steps (v ~ p(v|h), h ~ p(h|v)) started at
// h ~ p(h|v0) (CD-k) or at the persistent chains' hidden state h (PCD: the chains are never reset,
// [Tieleman08]; the chain keeps h, not v, as scikit-learn's BernoulliRBM keeps h_samples_, so a
// PCD-1 step is five products: p(v|h), p(h|v0), p(h|vk) and dW's two, run as three, the last two
// pairs each one product over the 2B stacked rows [v0; vk]). The hidden statistics use probabilities, not samples ([HintonGuide]
// sec. 3.3). The update is plain gradient ascent theta += lr * grad (as scikit-learn's BernoulliRBM).
struct CdOptions {
  int k = 1;                // Gibbs steps per update
  bool persistent = true;   // PCD (true) or CD-k (false)
  float lr = 0.05f;
  int batch = 100;          // rows of every v0 given to gradient()/step()
  // Weight scales of the two conditionals, p(h|v) = sigmoid(c + up v W), p(v|h) = sigmoid(b +
  // down h W'): 1 and 1 for the RBM; the DBM's pre-training ([SH09] sec. 3.1) uses up = 2 for
  // the bottom RBM (v counted twice) and down = 2 for the top one (h2 counted twice). The gradient
  // keeps the form above, with these conditionals in both phases ([SH09]'s code does the same).
  float up = 1.f, down = 1.f;
};

class RbmTrainer {
 public:
  // Allocates every buffer once; the persistent chains' h start as uniform random binary vectors.
  void init(const Rbm& m, const CdOptions& o, Rng& rng);
  // The CD-k / PCD estimate of the gradient above into dW, db, dc (v0 has o.batch rows).
  void gradient(const Rbm& m, const float* v0, Rng& rng);
  // The same estimate and the update theta += lr grad, W's inside the gradient's product (so dW
  // is left as it was; db, dc are this step's). Allocates nothing.
  void step(Rbm* m, const float* v0, Rng& rng);
  // (batch, nv): the visible state vk of the last step's chains (CD-k's or PCD's).
  const float* visible_chains() const;

  CdOptions opt;
  std::vector<float> dW, db, dc;  // (nv, nh), (nv), (nh): the last gradient estimate
  std::vector<float> chains;      // (batch, nh): the persistent chains' hidden states h (PCD)

 private:
  void phases(const Rbm& m, const float* v0, Rng& rng);
  void product(int nv, int nh, float alpha, float* out, bool accumulate);
  std::vector<float> vv_, hh_, hk_;  // (2 batch, nv) [v0; vk], (2 batch, nh) [p(h|v0); p(h|vk)], (batch, nh)
};

}  // namespace dgm
