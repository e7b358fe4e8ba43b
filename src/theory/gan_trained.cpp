// gan_trained.cpp - a 1-D discriminator trained with the project's autodiff, for the theory checks
// `optimal-d` (a trained D approaches D* = p_data / (p_data + p_g)) and `dataset-shift` (its
// D / (1 - D) estimates a density ratio).
//
// Follows [HSE] "Общее описание алгоритма" (the discriminator's k steps: ascend
// (1/m) sum_i [log D(x_i) + log(1 - D(G(z_i)))]) with the generator replaced by a known density,
// so that the optimum D* of [MSU] "GAN и оптимальное распределение D/G (1)" is known exactly.
#include <cmath>

#include "dgm/core/arena.h"
#include "dgm/core/check.h"
#include "dgm/core/nn.h"
#include "dgm/core/ops.h"
#include "dgm/core/optim.h"
#include "dgm/core/params.h"
#include "dgm/core/rng.h"
#include "dgm/core/tape.h"
#include "dgm/theory/gan_optimum.h"

namespace dgm {

// out[i] += logit(xs[i]): one forward pass with xs as an (N, 1) batch on a fresh tape.
static void add_logits(Tape& t, const ParamStore& P, const MLP& D, const std::vector<double>& xs,
                       std::vector<double>* out) {
  t.reset();
  const int n = static_cast<int>(xs.size());
  Tensor x = t.alloc(make_shape(n, 1));  // x: (N, 1)
  for (int i = 0; i < n; ++i) x.data[i] = static_cast<float>(xs[static_cast<std::size_t>(i)]);
  Var l = forward(t, P, D, t.constant(x));  // (N, 1)
  for (int i = 0; i < n; ++i) (*out)[static_cast<std::size_t>(i)] += t.value(l).data[i];
}

std::vector<double> train_discriminator_logits(const Density1D& p1, const Density1D& p0,
                                               const std::vector<double>& xs,
                                               const TrainDConfig& cfg) {
  DGM_CHECK(cfg.steps > 0 && cfg.batch > 0 && cfg.hidden > 0,
            "train_discriminator_logits: steps %d, batch %d, hidden %d must be positive", cfg.steps,
            cfg.batch, cfg.hidden);
  ParamStore P;
  MLP D = make_mlp(P, "D", {1, cfg.hidden, cfg.hidden, 1}, Act::Tanh, Act::None);
  P.finalize();
  Rng rng(cfg.seed);
  init_mlp(P, D, rng);
  Optimizer opt(OptimConfig{OptimKind::Adam, cfg.lr}, P.size());
  Arena arena;
  Tape t(arena);
  const int B = cfg.batch;
  std::vector<double> out(xs.size(), 0.0);
  int averaged = 0;
  for (int step = 0; step < cfg.steps; ++step) {
    if (step == cfg.steps - cfg.steps / 4) opt.cfg.lr = cfg.lr / 10;  // settle: less SGD noise
    t.reset();
    Tensor x1 = t.alloc(make_shape(B, 1)), x0 = t.alloc(make_shape(B, 1));  // x1, x0: (B, 1)
    for (int i = 0; i < B; ++i) x1.data[i] = static_cast<float>(sample(p1, rng));
    for (int i = 0; i < B; ++i) x0.data[i] = static_cast<float>(sample(p0, rng));
    Var l1 = forward(t, P, D, t.constant(x1)), l0 = forward(t, P, D, t.constant(x0));  // (B, 1)
    // -V(D) estimate: mean over the batch of -log D(x1) plus mean of -log(1 - D(x0)), from logits.
    Var loss = add(t, mean(t, bce_with_logits(t, l1, 1.0f)), mean(t, bce_with_logits(t, l0, 0.0f)));
    t.backward(loss);
    opt.step(P);
    P.zero_grad();
    // Average the logits at xs over the last quarter (every 10 steps): the mean of the iterates'
    // outputs (Polyak-Ruppert) cancels much of the step-to-step SGD noise; it cannot hide a bias.
    if (step >= cfg.steps - cfg.steps / 4 && (cfg.steps - 1 - step) % 10 == 0) {
      add_logits(t, P, D, xs, &out);
      ++averaged;
    }
  }
  for (double& v : out) v /= averaged;
  return out;
}

double max_abs_gap(const std::vector<double>& a, const std::vector<double>& b,
                   const std::vector<bool>& mask) {
  DGM_CHECK(a.size() == b.size() && b.size() == mask.size(),
            "max_abs_gap: sizes %zu, %zu, %zu differ", a.size(), b.size(), mask.size());
  double g = 0.0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (!mask[i]) continue;
    double d = std::fabs(a[i] - b[i]);
    if (std::isnan(d)) return d;  // a NaN output must fail the comparison, not be skipped
    if (d > g) g = d;
  }
  return g;
}

}  // namespace dgm
