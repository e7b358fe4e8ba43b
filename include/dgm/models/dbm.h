// dbm.h - the deep Boltzmann machine with two hidden layers.
//
//   [SH09] R. Salakhutdinov, G. E. Hinton, "Deep Boltzmann machines", AISTATS 2009.
// ([Utkin] «Порождающие модели на основе нейронных сетей» lists the DBM.)
//
// Model ([SH09] eq. 1), v in {0,1}^nv, h1 in {0,1}^n1, h2 in {0,1}^n2:
//   E(v, h1, h2) = -v'W1 h1 - h1'W2 h2 - b'v - c1'h1 - c2'h2      W1 (nv, n1), W2 (n1, n2)
// Conditionals (h1 sees both neighbours):
//   p(h1_j = 1 | v, h2) = sigmoid(c1_j + (v W1)_j + (h2 W2')_j)
//   p(v_i = 1 | h1) = sigmoid(b_i + (h1 W1')_i)        p(h2_m = 1 | h1) = sigmoid(c2_m + (h1 W2)_m)
// Learning ([SH09] sec. 3, Algorithm 1): the data term by mean-field, Q(h|v) = prod mu,
//   mu1 = sigmoid(c1 + v W1 + mu2 W2'),  mu2 = sigmoid(c2 + mu1 W2)       (iterated to a fixed point)
// the model term by persistent Gibbs chains (v~, h1~, h2~) ([Tieleman08]):
//   dW1 = <v mu1'>_data - <v~ h1~'>_model,  dW2 = <mu1 mu2'>_data - <h1~ h2~'>_model, biases alike,
// means over the minibatch, theta += lr grad.
// Pre-training ([SH09] sec. 3.1): a stack of two modified RBMs, trained greedily by CD/PCD
// (dgm/models/rbm.h, CdOptions::up / down). In the DBM h1 hears both v and h2; an RBM on (v, h1)
// alone would hear only v, so the bottom RBM counts v twice, p(h1 | v) = sigmoid(c + 2 v W1), and
// p(v | h1) = sigmoid(b + h1 W1'); the top RBM on (h1, h2), trained on h1 ~ p(h1 | v) of the
// bottom one, counts h2 twice, p(h1 | h2) = sigmoid(b' + 2 W2 h2), p(h2 | h1) = sigmoid(c' + h1 W2).
// Composed (dbm_compose), the DBM takes W1 and W2 as they are: the doubled inputs of each RBM are
// what the other layer supplies in the DBM. (The halving of [SH09] is for the middle RBMs of a
// deeper stack, which have no doubled side; a two-layer DBM has none.) The one choice of ours:
// h1's bias c1 = (c_bottom + b'_top) / 2, the average of the two RBMs' biases for h1 (each RBM
// alone sets a bias for h1; the DBM has one). Without pre-training (dgm train dbm --pretrain 0)
// the weights start at N(0, 0.01^2) and the DBM barely learns (docs/math.md has the figures).
// The mean-field bound ([SH09] eq. 5): log p(v) >= sum Q [-E(v, h)] + H(Q) - log Z; each sweep of
// the fixed-point updates raises it (coordinate ascent), checked by `dgm theory dbm-mean-field`.
#pragma once
#include <vector>

#include "dgm/core/rng.h"

namespace dgm {

struct Dbm {
  int nv = 0, n1 = 0, n2 = 0;
  std::vector<float> W1, W2, b, c1, c2;  // (nv, n1), (n1, n2), (nv), (n1), (n2)
};

void dbm_init(Dbm* m, int nv, int n1, int n2, Rng& rng, float init_std = 0.01f);
struct Rbm;
// The DBM of two pre-trained RBMs ([SH09] sec. 3.1, above): bottom (nv, n1) trained with up = 2,
// top (n1, n2) with down = 2. W1 = bottom.W, b = bottom.b, W2 = top.W, c2 = top.c,
// c1 = (bottom.c + top.b) / 2.
Dbm dbm_compose(const Rbm& bottom, const Rbm& top);

// Mean-field for the rows of v (B, nv): mu1 (B, n1), mu2 (B, n2), `iters` sweeps (mu1 then mu2),
// starting from mu1 = sigmoid(c1 + v W1), mu2 = sigmoid(c2 + mu1 W2).
// vw1: room for (B, n1) floats, the sweeps' common v W1 (nullptr: allocated here).
void dbm_mean_field(const Dbm& m, const float* v, int B, int iters, float* mu1, float* mu2, float* vw1 = nullptr);
// The mean-field bound for each row of v (B, nv) given its mu1, mu2 (from dbm_mean_field) and
// log Z, into out (B): the batched form of dbm_mean_field_bound below (double sums per row;
// -E(v, mu1, mu2) = b'v + c2'mu2 + mu1'(c1 + W1'v + W2 mu2), two gemms). scratch grows to 2 B n1.
void dbm_mean_field_bound_rows(const Dbm& m, const float* v, const float* mu1, const float* mu2, int B, double log_z,
                               std::vector<float>* scratch, double* out);
// The mean-field bound of one v given its mu1, mu2 and log Z (double; for the checks):
//   sum_Q[-E] + H(Q) - log Z, with E linear in each unit so sum_Q[-E] = -E(v, mu1, mu2).
double dbm_mean_field_bound(const Dbm& m, const float* v, const float* mu1, const float* mu2, double log_z);
double dbm_energy(const Dbm& m, const float* v, const float* h1, const float* h2);

// `steps` Gibbs sweeps of the chains (B rows): h1 ~ p(h1 | v, h2), then v ~ p(v | h1) and
// h2 ~ p(h2 | h1). pv (B, nv) receives p(v | h1) of the last sweep.
void dbm_gibbs(const Dbm& m, float* v, float* h1, float* h2, int B, int steps, Rng& rng, float* pv);

class DbmTrainer {
 public:
  void init(const Dbm& m, int batch, int mf_iters, float lr, Rng& rng);  // all buffers allocated here
  void step(Dbm* m, const float* v0, Rng& rng);                           // allocates nothing
  // The chains at the data rows v (batch, nv), h1, h2 drawn from their mean-field Q(h | v): for a
  // pre-trained DBM, whose distribution is far from init()'s uniform random chains (one sweep per
  // step would take the first updates' model term from states the model gives no mass).
  void start_chains(const Dbm& m, const float* v, Rng& rng);
  std::vector<float> cv, ch1, ch2;  // the persistent chains (batch, nv / n1 / n2)

 private:
  int B_ = 0, iters_ = 0;
  float lr_ = 0;
  std::vector<float> mu1_, mu2_, pv_, vw1_, dW1_, dW2_;
};

}  // namespace dgm
