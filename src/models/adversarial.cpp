// adversarial.cpp - the networks and the alternating step shared by GAN, cGAN and WGAN
// (see include/dgm/models/adversarial.h). The algorithm is [HSE] Общее описание алгоритма
// (Goodfellow et al. 2014, Algorithm 1; [Vesel] Algoritem 1):
//
//   for k steps:  sample z^(1..m) ~ p(z) and a real minibatch x^(1..m);
//                 update D by ascending  grad_theta_d 1/m sum_i [log D(x^(i)) + log(1 - D(G(z^(i))))]
//   sample z^(1..m) ~ p(z); update G by its gradient (loss terms in gan.cpp / wgan.cpp).
//
// One deviation from the slide, the one the PyTorch examples make (dcgan/main.py): the
// generator step does not draw a second noise minibatch, it reuses the z and G(z) of the last
// discriminator step and runs D again on them with D's NEW weights. G(z) is still a fresh draw
// from p_g, independent of the real data, so the generator's minibatch gradient is unbiased;
// it saves one forward pass of G and m x latent normals per step (docs/math.md, "GAN": measured, it does not matter).
//
// All sub-steps share the trainer's tape (the arena also holds the batch the trainer made), so
// each backward is restricted to the nodes that lead to its loss (Tape::backward marks them).
#include "dgm/models/adversarial.h"

#include <cmath>
#include <cstdio>
#include <cstring>

#include "dgm/core/check.h"
#include "dgm/core/ops.h"

namespace dgm {
Status AdversarialModel::build(const ModelOptions& o, const DataInfo& d, Rng& rng) {
  Status st = check_data(d);
  if (!st) return st;
  if (d.dim <= 0) return Status::Error("%s: the data has no features (dim %d)", o.model.c_str(), d.dim);
  latent_ = o.latent;
  dim_ = d.dim;
  classes_ = wants_labels() ? d.classes : 0;
  d_steps_ = d_steps_from(o);
  // cGAN: the one-hot label y joins G's input scaled by s_G = sqrt(latent) and D's by
  // s_D = sqrt(dim), i.e. to the norm of the input it joins (|z| ~ sqrt(latent) for z ~ N(0, I);
  // |x| ~ sqrt(dim) for pixels in [-1, 1]). Why: Adam moves every weight by about lr per step
  // whatever its gradient's size, so the first layer's response to a norm-1 one-hot (one
  // weight per hidden unit) grows ~1/lr times slower than its response to the 784 pixels or the
  // 100 noise coordinates. Unscaled, on Fashion-MNIST (lr 2e-4) the label took ~5 epochs to
  // have any effect: 11-15% of samples got their label after 1-5 epochs, 22% after 6; scaled,
  // 88% after one epoch (docs/math.md, "cGAN"). Scaling an input is a change of units of the
  // first layer's label weights: the model class (G(concat(z, y)), D(concat(x, y))) is the
  // slide's.
  label_scale_g_ = std::sqrt(static_cast<float>(latent_));
  label_scale_d_ = std::sqrt(static_cast<float>(dim_));
  // The noise p(z) is the run's choice (model_options: uniform for gauss1d, as [Utkin] has it).
  uniform_noise_ = o.noise_kind == Noise::Uniform;
  noise_lo_ = o.noise_lo;
  noise_hi_ = o.noise_hi;
  if (uniform_noise_ && !(noise_lo_ < noise_hi_))
    return Status::Error("--noise-lo %g must be below --noise-hi %g", noise_lo_, noise_hi_);

  conv_ = o.arch == Arch::Conv;
  if (conv_) {  // Radford et al. 2016: the networks of dcgan.h
    if (!d.images() || d.rows % 4 || d.cols % 4 || d.rows * d.cols != d.dim)
      return Status::Error("--arch conv: needs one-channel images with sides divisible by 4, got %dx%d (dim %d)",
                           d.rows, d.cols, d.dim);
    g_conv_ = make_dcgan_g(G_.params, "G", latent_ + classes_, d.rows, d.cols);
    d_conv_ = make_dcgan_d(D_.params, "D", d.rows, d.cols, classes_);
    // cGAN: the label joins D's flattened features, scaled to their count as s_D is to dim.
    label_scale_d_ = std::sqrt(static_cast<float>(d_conv_.features()));
    finish_part(G_, o.optim_with(o.lr_g), o.device, {}, rng);
    finish_part(D_, o.optim_with(o.lr_d), o.device, {}, rng);
    init_dcgan(G_.params, rng);
    init_dcgan(D_.params, rng);
    return Status::Ok();
  }
  const Act act = o.act;
  // G: latent [+ classes] -> hidden... -> dim; tanh output for images in [-1, 1], linear otherwise.
  g_net_ = make_mlp(G_.params, "G", mlp_sizes(latent_ + classes_, o.hidden, dim_), act,
                    d.images() ? Act::Tanh : Act::None);
  // D: dim [+ classes] -> reversed hidden... -> 1 logit (or critic value).
  d_net_ = make_mlp(D_.params, "D", mlp_sizes(dim_ + classes_, o.hidden, 1, /*mirror=*/true), act, Act::None);
  finish_part(G_, o.optim_with(o.lr_g), o.device, {&g_net_}, rng);
  finish_part(D_, o.optim_with(o.lr_d), o.device, {&d_net_}, rng);
  return Status::Ok();
}

Var AdversarialModel::generator(Tape& t, Var z, Var y) {
  Var in = classes_ ? concat_cols(t, z, dgm::scale(t, y, label_scale_g_)) : z;  // G(z, y) = G(concat(z, s_G y))
  if (conv_) return forward(t, G_.params, g_conv_, in, bn_training_);
  return forward(t, G_.params, g_net_, in);
}

Var AdversarialModel::discriminator(Tape& t, Var x, Var y) {
  if (conv_) return forward(t, D_.params, d_conv_, x, classes_ ? dgm::scale(t, y, label_scale_d_) : Var{});
  Var in = classes_ ? concat_cols(t, x, dgm::scale(t, y, label_scale_d_)) : x;  // D(x, y) = D(concat(x, s_D y))
  return forward(t, D_.params, d_net_, in);
}

void AdversarialModel::sample_latent(Rng& rng, Tensor z) {
  if (uniform_noise_)
    rng.fill_uniform(z, noise_lo_, noise_hi_);
  else
    rng.fill_normal(z);  // z ~ N(0, I)
}

void AdversarialModel::train_step(Tape& t, const Batch& b, Rng& rng, StepLog& log) {
  const int B = b.rows_each();
  DGM_CHECK(b.minibatches == d_steps_ && B > 0 && B * d_steps_ == b.x.rows() && b.x.cols() == dim_,
            "adversarial train_step: %d minibatches, x %s; should be %d, (%d x B, %d)", b.minibatches,
            shape_str(b.x).text, d_steps_, d_steps_, dim_);
  DGM_CHECK(!classes_ || (b.y.data && b.y.rows() == b.x.rows() && b.y.cols() == classes_),
            "cgan train_step: labels %s should be (%d, %d)", shape_str(b.y).text, b.x.rows(), classes_);

  bn_training_ = true;  // G's batch norm: the fakes' own statistics while training (dcgan.h)
  // ---- k discriminator steps, each on its own real minibatch and its own noise ----
  double loss_d = 0.0, gnorm_d = 0.0;
  Var fake, y;  // of the last D step, reused by the generator step
  for (int i = 0; i < d_steps_; ++i) {
    const bool last = i + 1 == d_steps_;
    Tensor z = t.alloc(make_shape(B, latent_));  // z: (B, latent)
    sample_latent(rng, z);
    // cGAN: the fake samples are conditioned on the real minibatch's labels, so both halves of
    // D's minibatch have the same label distribution p_y.
    y = classes_ ? t.constant(b.y_of(i)) : Var{};
    // G(z) is recorded with G's weights as parameters only in the last D step, whose fakes the
    // generator step reuses. D sees them through stop_gradient: the D update must not reach G
    // (and Tape::backward then skips G's graph entirely).
    G_.params.set_trainable(last);
    fake = generator(t, t.constant(z), y);                    // (B, dim)
    Var real_out = discriminator(t, t.constant(b.x_of(i)), y);  // (B, 1)
    Var fake_out = discriminator(t, stop_gradient(t, fake), y);            // (B, 1)
    Var ld = d_loss(t, real_out, fake_out);
    t.backward(ld);
    gnorm_d = D_.params.grad_norm();
    D_.opt.step_and_zero_grad(D_.params);
    after_d_step();
    loss_d += scalar(t, ld) / d_steps_;  // logged: the mean over the k sub-steps
    if (last) log_d(t, real_out, fake_out, log);
  }
  G_.params.set_trainable(true);

  // ---- one generator step: D frozen (a constant on the tape), gradients flow through it ----
  D_.params.set_trainable(false);
  Var fake_out = discriminator(t, fake, y);  // D with its updated weights on the same G(z)
  Var lg = g_loss(t, fake_out);
  t.backward(lg);
  const double gnorm_g = G_.params.grad_norm();
  G_.opt.step_and_zero_grad(G_.params);
  D_.params.set_trainable(true);
  bn_training_ = false;  // sampling and evaluation: the running statistics

  log.add("loss_d", loss_d);
  log.add("loss_g", scalar(t, lg));
  log.add("grad_d", gnorm_d);
  log.add("grad_g", gnorm_g);
  watch_saturation(gnorm_d, gnorm_g, log);
}

// Saturation ([Vesel] 1.2 Generativne nasprotniške mreže: "Če eden od njiju postane preveč
// učinkovit, težko pride do nadaljnjega izboljšanja": when D rejects every fake with certainty,
// log(1 - D(G(z))) gives G no gradient; with saturated units, e.g. after a far too large learning
// rate, D gets none either). Two signs, each counted over consecutive
// steps (a fresh z and minibatch every step, so a run of them is not chance):
// - both gradient norms exactly 0 for kZeroGradSteps = 100 steps: neither net can move except by
//   its optimizer's momentum, which decays by beta1 per step (Adam, SGD): after 100 steps it is
//   below 0.9^100 = 3e-5 of where it started, so the run cannot leave that state by itself;
// - GAN, cGAN: D(x) above 1 - 1e-6 and D(G(z)) below 1e-6 (means over the minibatch, i.e. every
//   logit beyond about +-13.8) for kSaturatedSteps = 1000 steps: with the non-saturating loss G
//   still has a gradient there and a healthy run leaves such a state within a few hundred steps
//   (the first epoch on images), so the longer run: a thousand steps in which G made no dent in D.
void AdversarialModel::watch_saturation(double grad_d, double grad_g, const StepLog& log) {
  zero_grad_run_ = grad_d == 0.0 && grad_g == 0.0 ? zero_grad_run_ + 1 : 0;
  const double d_real = log.get("d_real", -1), d_fake = log.get("d_fake", -1);
  saturated_run_ = d_real > 1 - 1e-6 && d_fake >= 0 && d_fake < 1e-6 ? saturated_run_ + 1 : 0;
  char buf[200];
  if (zero_grad_run_ >= kZeroGradSteps)
    std::snprintf(buf, sizeof buf, "the discriminator is saturated: the gradients of G and D have been exactly 0 "
                  "for %d steps (learning rates too large?)", zero_grad_run_);
  else if (saturated_run_ >= kSaturatedSteps)
    std::snprintf(buf, sizeof buf, "the discriminator is saturated: D(x) > 1 - 1e-6 and D(G(z)) < 1e-6 for %d "
                  "steps", saturated_run_);
  else
    return;
  if (failure_.empty()) failure_ = buf;
}

void AdversarialModel::generate(Tape& t, const Tensor& z, const Tensor& y, Tensor out) {
  DGM_CHECK(z.cols() == latent_ && out.rows() == z.rows() && out.cols() == dim_,
            "generate: z %s, out %s; expected (n, %d) and (n, %d)", shape_str(z).text,
            shape_str(out).text, latent_, dim_);
  DGM_CHECK(!classes_ || (y.data && y.rows() == z.rows() && y.cols() == classes_),
            "generate: the cGAN needs labels y (n, %d), got %s", classes_, shape_str(y).text);
  const bool trainable = G_.params.trainable();
  G_.params.set_trainable(false);  // forward only
  Var x = generator(t, t.constant(z), classes_ ? t.constant(y) : Var{});
  G_.params.set_trainable(trainable);
  copy(out, t.value(x));
}

void AdversarialModel::evaluate(Tape& t, const Batch& b, Rng& rng, StepLog& out) {
  const int B = b.x.rows();
  DGM_CHECK(b.x.cols() == dim_ && (!classes_ || (b.y.data && b.y.rows() == B)),
            "evaluate: x %s, y %s; expected (B, %d) and labels for a cGAN", shape_str(b.x).text,
            shape_str(b.y).text, dim_);
  G_.params.set_trainable(false);
  D_.params.set_trainable(false);
  Tensor z = t.alloc(make_shape(B, latent_));
  sample_latent(rng, z);
  Var y = classes_ ? t.constant(b.y) : Var{};
  Var real_out = discriminator(t, t.constant(b.x), y);
  Var fake_out = discriminator(t, generator(t, t.constant(z), y), y);
  log_eval(t, real_out, fake_out, out);
  G_.params.set_trainable(true);
  D_.params.set_trainable(true);
}

}  // namespace dgm
