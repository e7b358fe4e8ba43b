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
// means over the minibatch, theta += lr grad. Documented simplification: no greedy pre-training
// (the paper pre-trains a stack of modified RBMs); the weights start at N(0, 0.01^2).
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

// Mean-field for the rows of v (B, nv): mu1 (B, n1), mu2 (B, n2), `iters` sweeps (mu1 then mu2),
// starting from mu1 = sigmoid(c1 + v W1), mu2 = sigmoid(c2 + mu1 W2).
void dbm_mean_field(const Dbm& m, const float* v, int B, int iters, float* mu1, float* mu2);
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
  std::vector<float> cv, ch1, ch2;  // the persistent chains (batch, nv / n1 / n2)

 private:
  int B_ = 0, iters_ = 0;
  float lr_ = 0;
  std::vector<float> mu1_, mu2_, pv_, dW1_, dW2_;
};

}  // namespace dgm
