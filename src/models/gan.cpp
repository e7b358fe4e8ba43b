// gan.cpp - the GAN of Goodfellow et al. 2014: its loss terms, written from logits
// ([HSE] ОЦЕНКА ПЛОТНОСТИ РАСПРЕДЕЛЕНИЯ, the zero-sum game slides and Общее описание алгоритма;
// [Vesel] 1.2 Generativne nasprotniške mreže). The networks and the alternating k-step loop are
// shared with cgan.cpp and wgan.cpp in adversarial.cpp.
//
// The game:  min_G max_D V(D, G) = E_{x~p_data} log D(x) + E_{z~p(z)} log(1 - D(G(z)))
// with D(x) = sigmoid(l(x)), l the discriminator's logit. Every log D is computed from the logit
// with softplus, never as log(sigmoid(l)):
//   -log D(x)       = -log sigmoid(l)     = softplus(-l) = bce_with_logits(l, target 1)
//   -log(1 - D(x))  = -log sigmoid(-l)    = softplus(l)  = bce_with_logits(l, target 0)
//
// Reductions: every expectation E is the mean over the m = --batch rows of the minibatch, as in
// the algorithm's 1/m sum_i. (Summing instead would scale the gradient by m: the same direction,
// a factor absorbed by the learning rate; the mean keeps the logged losses comparable across
// batch sizes. Relative to the dataset sum N/M sum_i it is the same estimator divided by N.)
#include <cmath>

#include "dgm/models/adversarial.h"
#include "dgm/core/ops.h"

namespace dgm {

// Discriminator: ascend V, i.e. minimise
//   loss_d = -V = mean_b [-log D(x_b)] + mean_b [-log(1 - D(G(z_b)))]
//          = mean_b bce(l(x_b), 1) + mean_b bce(l(G(z_b)), 0)
// (label 1 for real, 0 for fake). At D's optimum D* = p/(p + q) ([HSE], [MSU] GAN и оптимальное
// распределение D/G) loss_d = log 4 - 2 JS(p, q).
Var gan_d_loss(Tape& t, Var real_logit, Var fake_logit) {
  Var real_term = mean(t, bce_with_logits(t, real_logit, 1.f));  // E_x [-log D(x)]
  Var fake_term = mean(t, bce_with_logits(t, fake_logit, 0.f));  // E_z [-log(1 - D(G(z)))]
  return add(t, real_term, fake_term);
}

// Generator, two choices (--gen-loss):
//  minimax ([HSE] zero-sum game slide, "для генератора ... градиентного спуска"):
//    minimise  E_z log(1 - D(G(z))) = -mean_b bce(l(G(z_b)), 0) = -mean_b softplus(l_b)
//    d/dl = -sigmoid(l) = -D(G(z)): it vanishes where D confidently rejects the fakes (l << 0),
//    which is exactly where G is bad: the loss saturates early in training ([Vesel] 1.2).
//  non-saturating ([HSE] "градиентного слуска подъема" (sic), "improved objective"; [Vesel] 1.2):
//    maximise E_z log D(G(z)), i.e. minimise  -E_z log D(G(z)) = mean_b bce(l(G(z_b)), 1)
//    d/dl = sigmoid(l) - 1 = -(1 - D(G(z))): close to -1 where D rejects, a strong gradient.
//  Both have the same fixed points; at the optimal D the non-saturating loss equals
//  KL(Q||P) - 2 JS(P, Q) ([HSE] slide after Немного о коллапсе моды).
Var gan_g_loss(Tape& t, Var fake_logit, bool non_saturating) {
  if (non_saturating) return mean(t, bce_with_logits(t, fake_logit, 1.f));
  return scale(t, mean(t, bce_with_logits(t, fake_logit, 0.f)), -1.f);
}

// D(x) and D(G(z)) averaged over the minibatch: the mode-collapse diagnostics (both near 1/2 at
// the equilibrium p_g = p_data, where D* = 1/2).
void gan_log_d(Tape& t, Var real_logit, Var fake_logit, StepLog& log, bool test) {
  log.add(test ? "test_d_real" : "d_real", mean_sigmoid(t, real_logit));
  log.add(test ? "test_d_fake" : "d_fake", mean_sigmoid(t, fake_logit));
}

std::unique_ptr<Model> make_gan() { return std::make_unique<Gan>(); }

}  // namespace dgm
