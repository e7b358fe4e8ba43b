// adversarial.h - what GAN, cGAN and WGAN share: the generator and discriminator networks and
// the alternating training step ([HSE] Общее описание алгоритма; [Vesel] 1.2 Generativne
// nasprotniške mreže, Algoritem 1):
//
//   for k steps:   sample z ~ p(z), a real minibatch x; update D on  loss_d(D(x), D(G(z)))
//   then:          update G on loss_g(D(G(z))) with D frozen (gradients flow through D to G)
//
// The loss terms themselves live in the model files: gan.cpp (minimax / non-saturating, also
// used by cgan.cpp) and wgan.cpp (the critic's Wasserstein estimate). This file only decides
// which network sees which batch and when each optimizer steps.
//
// Networks (sizes from the ModelOptions; --arch conv: the DCGAN networks of dcgan.h instead):
//   G: (latent [+ classes]) -> hidden... -> dim, hidden activation --act, output tanh for images
//      (pixels in [-1, 1], PixelScale::kSigned) and linear for synthetic 2-D / 1-D data;
//   D: (dim [+ classes]) -> reversed hidden... -> 1, hidden activation --act, output a logit
//      (GAN: D(x) = sigmoid(logit); WGAN: the critic value f(x) itself).
// The cGAN appends the one-hot label y to G's and D's inputs ([MSU] Условные состязательные
// генеративные сети), scaled to the norm of the input it joins: sqrt(latent) y for G, sqrt(dim) y
// for D (see AdversarialModel::build for why).
#pragma once
#include "dgm/models/dcgan.h"
#include "dgm/models/model.h"

namespace dgm {

class AdversarialModel : public Model {
 public:
  Status build(const ModelOptions& o, const DataInfo& d, Rng& rng) override;
  std::vector<Part*> parts() override { return {&G_, &D_}; }
  PixelScale scale() const override { return PixelScale::kSigned; }
  int latent_dim() const override { return latent_; }
  bool conditional() const override { return classes_ > 0; }
  int batches_per_step() const override { return d_steps_; }
  void train_step(Tape& t, const Batch& b, Rng& rng, StepLog& log) override;
  // A saturated discriminator (see adversarial.cpp, "Saturation"): set once it has lasted.
  std::string failure() const override { return failure_; }
  static constexpr int kZeroGradSteps = 100;     // both gradient norms exactly 0 this many steps in a row
  static constexpr int kSaturatedSteps = 1000;   // D(x) > 1 - 1e-6 and D(G(z)) < 1e-6 this many steps
  void sample_latent(Rng& rng, Tensor z) override;
  void generate(Tape& t, const Tensor& z, const Tensor& y, Tensor out) override;
  // G as generate() runs it (its output activation, tanh for images, is part of the network).
  DecoderNet decoder_net() override {
    DecoderNet d{&G_.params, conv_ ? nullptr : &g_net_, classes_ ? label_scale_g_ : 0.f, dim_, Act::None,
                 /*generator=*/true};
    if (conv_) d.dcgan = &g_conv_;
    return d;
  }
  std::string latent_law() const override { return uniform_noise_ ? "uniform noise" : "N(0, I)"; }
  // Mean D output on real test data and on fresh fakes (GAN: "test_d_real", "test_d_fake";
  // WGAN: "test_w_estimate"), each a mean over the batch.
  void evaluate(Tape& t, const Batch& b, Rng& rng, StepLog& out) override;

  // Exposed for tests: the networks and the parameter groups.
  Part& gen() { return G_; }
  Part& disc() { return D_; }
  // G(z [, y]) -> (n, dim) on the tape; the store's trainable flag decides whether G gets gradients.
  Var generator(Tape& t, Var z, Var y);
  // D(x [, y]) -> (n, 1) logits / critic values.
  Var discriminator(Tape& t, Var x, Var y);

 protected:
  // ---- the model's loss terms (each a scalar: the reduction is stated where they are written) ----
  // Discriminator / critic loss to MINIMISE, from D's outputs on a real minibatch and on a fake
  // one, both (B, 1).
  virtual Var d_loss(Tape& t, Var real_out, Var fake_out) = 0;
  // Generator loss to minimise, from D's outputs on a fake minibatch (B, 1).
  virtual Var g_loss(Tape& t, Var fake_out) = 0;
  // After each optimizer step of D (WGAN: weight clipping).
  virtual void after_d_step() {}
  // Logs the diagnostics of one discriminator sub-step (GAN: d_real, d_fake; WGAN: w_estimate).
  virtual void log_d(Tape& t, Var real_out, Var fake_out, StepLog& log) = 0;
  // The same on a test batch, under test_ names (evaluate()).
  virtual void log_eval(Tape& t, Var real_out, Var fake_out, StepLog& log) = 0;
  // Called by build() before anything else; a model that needs labels says so here.
  virtual Status check_data(const DataInfo& d) { (void)d; return Status::Ok(); }
  // Whether G and D take the one-hot label (cGAN).
  virtual bool wants_labels() const { return false; }
  // How many discriminator steps per generator step (GAN: --k, WGAN: --n-critic).
  virtual int d_steps_from(const ModelOptions& o) const { return o.k; }

 private:
  Part G_{"G", {}, {}}, D_{"D", {}, {}};
  MLP g_net_, d_net_;
  bool conv_ = false;         // --arch conv: the DCGAN networks (dcgan.h) instead of the MLPs
  bool bn_training_ = false;  // G's batch norm uses the batch's statistics (inside train_step only)
  DcganG g_conv_;
  DcganD d_conv_;
  int latent_ = 0, dim_ = 0, classes_ = 0, d_steps_ = 1;
  bool uniform_noise_ = false;  // gauss1d: z ~ U(noise_lo, noise_hi) ([Utkin])
  float noise_lo_ = 0.f, noise_hi_ = 1.f;
  float label_scale_g_ = 1.f, label_scale_d_ = 1.f;  // cGAN: G sees s_G y, D sees s_D y
  int zero_grad_run_ = 0, saturated_run_ = 0;  // consecutive steps of each kind of saturation
  std::string failure_;
  void watch_saturation(double grad_d, double grad_g, const StepLog& log);
};

// The GAN loss terms (gan.cpp), shared with the cGAN, which has the same objective with every
// D and G conditioned on y ([MSU] Условные состязательные генеративные сети).
Var gan_d_loss(Tape& t, Var real_logit, Var fake_logit);
Var gan_g_loss(Tape& t, Var fake_logit, bool non_saturating);
// Logs "d_real" = mean_b sigmoid(real_logit_b) and "d_fake" = mean_b sigmoid(fake_logit_b)
// ("test_d_real", "test_d_fake" with test = true).
void gan_log_d(Tape& t, Var real_logit, Var fake_logit, StepLog& log, bool test = false);

// The GAN: AdversarialModel with the loss terms above (gan.cpp). The cGAN (cgan.cpp) is the same
// game with labels on both inputs, so it derives from it.
class Gan : public AdversarialModel {
 public:
  Status build(const ModelOptions& o, const DataInfo& d, Rng& rng) override {
    non_saturating_ = o.gen_loss == GenLoss::NonSaturating;
    return AdversarialModel::build(o, d, rng);
  }

 protected:
  Var d_loss(Tape& t, Var real_logit, Var fake_logit) override { return gan_d_loss(t, real_logit, fake_logit); }
  Var g_loss(Tape& t, Var fake_logit) override { return gan_g_loss(t, fake_logit, non_saturating_); }
  void log_d(Tape& t, Var r, Var f, StepLog& log) override { gan_log_d(t, r, f, log); }
  void log_eval(Tape& t, Var r, Var f, StepLog& log) override { gan_log_d(t, r, f, log, true); }

 private:
  bool non_saturating_ = true;
};


}  // namespace dgm
