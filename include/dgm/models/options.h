// options.h - the settings a model is built from, typed. The run layer's flag table
// (src/run/config.cpp) parses and validates the flags; model_options() (include/dgm/run/config.h)
// turns them into these once, so a model never reads the flag table, a string or a data set's
// name. A new family adds its fields here and one line each to model_options().
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "dgm/backend/device.h"
#include "dgm/core/nn.h"
#include "dgm/core/optim.h"
#include "dgm/models/prior.h"

namespace dgm {

// The decoder's likelihood p(x|z) (vae, ae, dae; --decoder): Bernoulli for data in [0, 1],
// Gaussian with a learned variance for real-valued data.
enum class Likelihood { Bernoulli, Gaussian };
// How the VAE estimates the KL term (--estimator): A, Monte Carlo log q(z|x) - log p(z) at the
// sampled z ([Vesel] estimator L^A); B, in closed form (L^B).
enum class KlEstimator { MonteCarlo, ClosedForm };
// The DAE's corruption C(x~|x) (--corrupt): additive Gaussian noise, or dropping pixels to 0.
enum class Corruption { Gaussian, Mask };
// The generator's loss (--gen-loss): non-saturating -log D(G(z)), or minimax log(1 - D(G(z))).
enum class GenLoss { NonSaturating, Minimax };
// The generator's noise p(z): N(0, I), or U(noise_lo, noise_hi) per coordinate.
enum class Noise { Normal, Uniform };
// The networks (--arch): multilayer perceptrons, or convolutional (images only: the DCGAN
// networks of dcgan.h for gan, cgan, wgan; conv_vae.h's encoder and decoder for vae).
enum class Arch { Mlp, Conv };
// The AAE's encoder q(z|x) (--encoder).
enum class AaeEncoder {
  kDeterministic,  // z = E(x)
  kGaussian,       // (mu, logvar) = E(x), z = mu + exp(logvar / 2) * eps, eps ~ N(0, I)
  kUniversal,      // z = E(x, eta), eta ~ N(0, I_latent) concatenated to the input
};

struct ModelOptions {
  std::string model;  // the model's name, for messages only ("gan: the data has no features")
  std::uint64_t seed = 42;          // the run's seed (made: its masks are drawn from Rng(seed, 31))
  // ---- the networks ----
  int latent = 20;                  // dimension of z
  std::vector<int> hidden = {400};  // hidden widths (encoder / D; decoder / G mirror them)
  Act act = Act::ReLU;              // hidden activation
  Arch arch = Arch::Mlp;
  // ---- how they learn: each part's optimizer is optim with its own learning rate ----
  OptimConfig optim;                // kind, beta1, momentum; optim.lr unused (see below)
  float lr = 1e-3f;                 // ae, dae, vae, aae reconstruction
  float lr_g = 1e-3f;               // generator (gan, cgan, wgan; aae regularisation)
  float lr_d = 1e-3f;               // discriminator / critic
  Device device = Device::CPU;      // where parameters and optimizer state live
  // ---- vae, ae, dae ----
  Likelihood decoder = Likelihood::Bernoulli;
  KlEstimator estimator = KlEstimator::ClosedForm;
  int samples = 1;                  // vae: L, z samples per datapoint
  int iw = 50;                      // vae eval: k importance samples
  Corruption corrupt = Corruption::Gaussian;
  float noise = 0.5f;               // dae: corruption std (gaussian) or drop probability (mask)
  // ---- gan, cgan, wgan ----
  int k = 1;                        // gan, cgan: discriminator steps per generator step
  GenLoss gen_loss = GenLoss::NonSaturating;
  int n_critic = 5;                 // wgan: critic steps per generator step
  float clip = 0.01f;               // wgan: weight clipping bound c
  Noise noise_kind = Noise::Normal;
  float noise_lo = 0.f, noise_hi = 1.f;  // Noise::Uniform's interval
  // ---- aae ----
  AaeEncoder encoder = AaeEncoder::kGaussian;
  PriorKind prior = PriorKind::Normal;

  // A part's optimizer: optim with learning rate lr.
  OptimConfig optim_with(float rate) const {
    OptimConfig o = optim;
    o.lr = rate;
    return o;
  }
};

}  // namespace dgm
