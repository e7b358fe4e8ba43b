// aae.h - the adversarial autoencoder's entry points beyond the Model interface: its codes
// (to plot q(z) against p(z)) and its three training phases one by one (for tests).
//
// [Utkin] "Соперничающие автокодеры - события": for every minibatch there are three events:
//   1. the batch is encoded and decoded; the autoencoder is updated on the reconstruction error;
//   2. the batch is encoded and joined with vectors drawn from the prior p(z); the discriminator
//      is updated with the binary cross-entropy of telling the two apart;
//   3. the batch is encoded; the encoder (the generator) is updated with the binary
//      cross-entropy of fooling the discriminator into taking the codes for prior samples.
// train_step() runs reconstruction_phase, discriminator_phase, regularisation_phase in that
// order. The model itself is in src/models/aae.cpp.
#pragma once
#include "dgm/models/model.h"
#include "dgm/models/prior.h"

namespace dgm {

class Aae : public Model {
 public:
  // The parameter groups (see aae.cpp for why the encoder has two): "enc", "dec", "D", "enc_reg".
  virtual Part& enc() = 0;
  virtual Part& dec() = 0;
  virtual Part& disc() = 0;
  virtual Part& enc_reg() = 0;
  virtual AaeEncoder encoder_kind() const = 0;
  virtual PriorKind prior_kind() const = 0;
  // The MMD kernel bandwidth evaluate() uses (prior_bandwidth of the prior and latent size).
  virtual double mmd_bandwidth() const = 0;

  // Codes of a batch x (n, dim) into z (n, latent_dim()): a sample of q(z|x) with the noise drawn
  // from *rng (gauss: eps, universal: eta), or with rng == nullptr the noise-free code (gauss:
  // mu, universal: eta = 0; det is the same either way). Uses the tape for the forward pass.
  virtual void codes(Tape& t, const Tensor& x, Rng* rng, Tensor z) = 0;

  // The three phases of one minibatch x (n, dim); each logs its terms (see aae.cpp).
  virtual void reconstruction_phase(Tape& t, const Tensor& x, Rng& rng, StepLog& log) = 0;
  virtual void discriminator_phase(Tape& t, const Tensor& x, Rng& rng, StepLog& log) = 0;
  virtual void regularisation_phase(Tape& t, const Tensor& x, Rng& rng, StepLog& log) = 0;
};

// m as an AAE, or nullptr when m is another model.
Aae* as_aae(Model* m);

// Codes z ~ q(z|x) of the batch x (n, dim) into z (n, latent) for plotting; false (z untouched)
// when m is not an AAE. rng == nullptr: noise-free codes (see Aae::codes).
bool aae_codes(Model& m, Tape& t, const Tensor& x, Rng* rng, Tensor z);

}  // namespace dgm
