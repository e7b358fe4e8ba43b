// ae_noise_step.h - the training step test_arena.cpp and test_determinism.cpp repeat: one Adam
// step of an MLP autoencoder on a fresh (rows, dim) batch of U(0, 1) noise.
#pragma once
#include "dgm/core/nn.h"
#include "dgm/core/ops.h"
#include "dgm/core/optim.h"

// loss = mean over all rows x dim entries of BCE(m(x) as logits, x); the gradients are cleared
// after the step.
inline void ae_noise_step(dgm::Tape& t, dgm::ParamStore& p, const dgm::MLP& m, dgm::Optimizer& opt, dgm::Rng& rng,
                          int rows, int dim) {
  using namespace dgm;
  t.reset();
  Tensor x = t.alloc(make_shape(rows, dim));
  rng.fill_uniform(x, 0.f, 1.f);
  Var xv = t.constant(x);
  Var loss = mean(t, bce_with_logits(t, forward(t, p, m, xv), xv));
  t.backward(loss);
  opt.step(p);
  p.zero_grad();
}
