// aae.cpp - the adversarial autoencoder (Makhzani et al. 2016).
//
// Follows [Utkin] "Соперничающие автокодеры" (the slides of that name and "Соперничающие
// автокодеры - события") and [Vesel] "1.4 Nasprotniški autoenkoder". An autoencoder whose code
// distribution, the aggregated posterior
//   q(z) = int_x q(z|x) p_d(x) dx                          ([Vesel] 1.4)
// is pushed towards a prior p(z) by a discriminator on codes instead of the VAE's KL term:
// "we want q(z) to match the prior p(z) ... train a discriminating network to tell the codes of
// real data from random codes drawn from p" ([Utkin] "Соперничающие автокодеры", the slide
// "Мы хотим, чтобы q(z) совпадало с априорным p(z)").
//
// Networks (sizes from the ModelOptions; hidden activation --act):
//   encoder E   dim [+ latent] -> hidden... -> latent [x 2]      (Part "enc")
//   decoder     latent -> reversed hidden... -> dim logits        (Part "dec")
//   D           latent -> hidden... -> 1 logit; D(z) = sigmoid    (Part "D")
// With --arch conv ([Utkin] "Соперничающие автокодеры и сверточная сеть": the AAE whose encoder
// and decoder are convolutional networks) E and the decoder are the conv VAE's (conv_vae.h:
// conv 4/2/1 x 2 and a linear map down, a linear map and convT 4/2/1 x 2 up; --hidden, --act
// unused there), D stays the MLP on codes; encoders det and gauss (universal's noise input is an
// MLP's).
// Encoders q(z|x) ([Vesel] 1.4, --encoder):
//   det        "Deterministični": z = E(x); the only randomness of q(z) is the data.
//   gauss      "Normalno porazdeljeni": z_i ~ N(mu_i(x), sigma_i(x)): E(x) = (mu, logvar),
//              z = mu + exp(logvar / 2) * eps, eps ~ N(0, I) (reparametrised, [Utkin]
//              "Репараметризация"). No KL term: the discriminator alone regularises q(z).
//   universal  "Univerzalni aproksimator": z = f(x, eta), eta ~ N(0, I) of dimension `latent`
//              concatenated to the input: q(z|x) = int_eta delta(z - f(x, eta)) p(eta) d eta.
//              eta has as many dimensions as z so that even an encoder that ignored x could map
//              it onto any latent distribution of that size.
//   reconstruct() and Aae::codes(rng = nullptr) use the noise-free code: mu, or f(x, 0).
//
// The three phases of every minibatch, in [Utkin]'s order ("... - события"; [Vesel] 1.4 gives
// the adversarial part first - the order within one minibatch matters little):
//   1 reconstruction  L_rec = 1/M sum_i rec_i, rec_i = -log p(x_i | z_i), z_i ~ q(z|x_i):
//                     images:  Bernoulli, rec_i = sum_j softplus(l_ij) - x_ij l_ij (summed over pixels)
//                     2-D data: Gaussian with unit variance, rec_i = 1/2 sum_j (x_ij - l_ij)^2
//                              (-log N(x; l, I) without its constant d/2 log 2 pi)
//                     updates the encoder and the decoder (Parts "enc", "dec", learning rate --lr).
//   2 regularisation, discriminator: "the discriminator is updated with binary cross-entropy ...
//                     separating the two vectors" ([Utkin] events, 2): label 1 for z' ~ p(z),
//                     label 0 for codes z ~ q(z):
//                       L_D = 1/M sum_i -log D(z'_i) + 1/M sum_i -log(1 - D(z_i))
//                     (a mean over each half of the batch, the two means added, as in the GAN
//                     objective E_p log D + E_q log(1 - D)); updates D only (--lr-d).
//   3 regularisation, generator: the encoder "fools the discriminator into taking the codes for
//                     prior samples" ([Utkin] events, 3), the non-saturating loss
//                       L_G = 1/M sum_i -log D(z_i),  z_i = E(x_i)
//                     updates the encoder only (--lr-g), D frozen (gradients flow through it).
// Minibatch scaling ([Vesel] 1.3, the estimator N/M sum_i): every loss above is a mean over
// the minibatch, i.e. the N/M-scaled minibatch estimate divided by the constant N: the same
// gradient direction, the factor absorbed into the learning rate.
//
// Why the encoder has two Parts. Makhzani et al. step the encoder with two optimizers: one in the
// reconstruction phase (--lr) and one in the regularisation phase (--lr-g, smaller), each with its
// own Adam moments. One shared Adam would mix the two phases' gradients in one m and v, so every
// "regularisation" step would mostly repeat the reconstruction momentum. A Part is one parameter
// store and one optimizer, and the trainer checkpoints exactly the Parts, so the second
// optimizer lives in Part "enc_reg" whose store is a copy of the encoder's weights (same names,
// same layout). The regularisation phase computes gradients with Part "enc" and applies
// enc_reg.opt to enc's buffer (Optimizer::step(w, g, n) is a flat loop over any buffer of the
// right size), then copies the weights into enc_reg: after every step the two stores hold the
// same bits, so a checkpoint (and a bit-identical resume) carries both optimizers' state. The
// cost is a second copy of the encoder's weights (2.7 MB for the image defaults) and one memcpy
// per step.
//
// Sampling: sample_latent() draws from the prior (src/models/prior.cpp), generate() decodes it.
// Metrics (evaluate): "test_recon", "mmd_codes_prior" = MMD^2(codes of the test batch, as many
// prior samples) and "mmd_prior_prior" = MMD^2 between two prior samples of that size (what
// "matched" looks like at this sample size), Gaussian kernel with bandwidth prior_bandwidth()
// (the median distance between prior samples, fixed per prior and latent size).
#include "dgm/models/aae.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "dgm/core/check.h"
#include "dgm/core/ops.h"
#include "dgm/core/reparam.h"
#include "dgm/models/conv_vae.h"
#include "dgm/data/quality.h"

namespace dgm {
namespace {

class AdversarialAutoencoder : public Aae {
 public:
  Status build(const ModelOptions& o, const DataInfo& d, Rng& rng) override {
    if (d.dim < 1) return Status::Error("aae: the data has %d features per example; expected at least 1", d.dim);
    kind_ = o.encoder;
    prior_ = o.prior;
    Status s = check_prior_dim(prior_, o.latent);
    if (!s) return s;
    dim_ = d.dim;
    latent_ = o.latent;
    images_ = d.images();
    eta_ = kind_ == AaeEncoder::kUniversal ? latent_ : 0;
    const int enc_out = kind_ == AaeEncoder::kGaussian ? 2 * latent_ : latent_;
    const Act act = o.act;
    conv_ = o.arch == Arch::Conv;
    d_net_ = make_mlp(D_.params, "D", mlp_sizes(latent_, o.hidden, 1), act, Act::None);  // D is an MLP on codes
    if (conv_) {  // [Utkin] "Соперничающие автокодеры и сверточная сеть": conv_vae.h's encoder and decoder
      if (!images_ || d.rows % 4 || d.cols % 4 || d.rows * d.cols != d.dim)
        return Status::Error("aae --arch conv: needs one-channel images with sides divisible by 4, got %dx%d", d.rows,
                             d.cols);
      if (kind_ == AaeEncoder::kUniversal)
        return Status::Error("aae --arch conv: --encoder universal appends noise to an MLP's input; use det or gauss");
      cenc_ = make_conv_encoder(enc_.params, d.rows, d.cols, enc_out);
      make_conv_encoder(enc_reg_.params, d.rows, d.cols, enc_out);  // the mirror: same names and layout
      cdec_ = make_conv_decoder(dec_.params, latent_, d.rows, d.cols, 1);
      finish_part(enc_, o.optim_with(o.lr), o.device, {}, rng);
      init_conv_encoder(enc_.params, cenc_, rng);
      finish_part(dec_, o.optim_with(o.lr), o.device, {}, rng);
      init_conv_decoder(dec_.params, cdec_, rng);
    } else {
      const std::vector<int> enc_sizes = mlp_sizes(dim_ + eta_, o.hidden, enc_out);
      enc_net_ = make_mlp(enc_.params, "enc", enc_sizes, act, Act::None);
      dec_net_ = make_mlp(dec_.params, "dec", mlp_sizes(latent_, o.hidden, dim_, true), act, Act::None);
      make_mlp(enc_reg_.params, "enc", enc_sizes, act, Act::None);  // the mirror: same names and layout
      finish_part(enc_, o.optim_with(o.lr), o.device, {&enc_net_}, rng);
      finish_part(dec_, o.optim_with(o.lr), o.device, {&dec_net_}, rng);
    }
    finish_part(D_, o.optim_with(o.lr_d), o.device, {&d_net_}, rng);
    finish_part(enc_reg_, o.optim_with(o.lr_g), o.device, {}, rng);  // weights copied from enc_ below, not drawn
    sync_mirror();
    bandwidth_ = prior_bandwidth(prior_, latent_);
    return Status::Ok();
  }

  std::vector<Part*> parts() override { return {&enc_, &dec_, &D_, &enc_reg_}; }
  int latent_dim() const override { return latent_; }

  void train_step(Tape& t, const Batch& b, Rng& rng, StepLog& log) override {
    reconstruction_phase(t, b.x, rng, log);
    discriminator_phase(t, b.x, rng, log);
    regularisation_phase(t, b.x, rng, log);
  }

  // Phase 1 ([Utkin] events, 1): L_rec = 1/M sum_i rec_i; steps "enc" and "dec" (--lr).
  void reconstruction_phase(Tape& t, const Tensor& x, Rng& rng, StepLog& log) override {
    Var xv = t.constant(x);
    Var loss = mean(t, recon(t, decode(t, encode(t, xv, &rng)), xv));  // mean over the minibatch
    t.backward(loss);
    enc_.opt.step_and_zero_grad(enc_.params);
    dec_.opt.step_and_zero_grad(dec_.params);
    sync_mirror();
    log.add("recon", scalar(t, loss));
  }

  // Phase 2 ([Utkin] events, 2): L_D = mean_i -log D(z'_i) + mean_i -log(1 - D(E(x_i))),
  // z' ~ p(z); the encoder is frozen (its weights enter as constants); steps "D" (--lr-d).
  void discriminator_phase(Tape& t, const Tensor& x, Rng& rng, StepLog& log) override {
    enc_.params.set_trainable(false);
    Var zq = encode(t, t.constant(x), &rng);  // codes z ~ q(z), label 0
    Tensor zp = t.host_alloc(make_shape(x.rows(), latent_));
    sample_prior(prior_, rng, zp);            // z' ~ p(z), label 1 (drawn on the host)
    Var lp = disc(t, t.constant(t.upload(zp))), lq = disc(t, zq);  // (M, 1) logits
    // bce_with_logits(l, 1) = softplus(-l) = -log D, bce_with_logits(l, 0) = softplus(l) = -log(1 - D)
    Var loss = add(t, mean(t, bce_with_logits(t, lp, 1.f)), mean(t, bce_with_logits(t, lq, 0.f)));
    t.backward(loss);
    D_.opt.step_and_zero_grad(D_.params);
    enc_.params.set_trainable(true);
    log.add("loss_d", scalar(t, loss));
    log.add("d_prior", mean_sigmoid(t, lp));
    log.add("d_code", mean_sigmoid(t, lq));
  }

  // Phase 3 ([Utkin] events, 3): L_G = mean_i -log D(E(x_i)) with D frozen; steps the encoder
  // with the regularisation optimizer enc_reg.opt (--lr-g), then mirrors the weights.
  void regularisation_phase(Tape& t, const Tensor& x, Rng& rng, StepLog& log) override {
    D_.params.set_trainable(false);
    Var lq = disc(t, encode(t, t.constant(x), &rng));
    Var loss = mean(t, bce_with_logits(t, lq, 1.f));  // non-saturating: -log D(z), mean over the batch
    t.backward(loss);
    enc_reg_.opt.step(enc_.params.data(), enc_.params.grads(), enc_.params.size());
    enc_.params.zero_grad();
    sync_mirror();
    D_.params.set_trainable(true);
    log.add("loss_g", scalar(t, loss));
  }

  void sample_latent(Rng& rng, Tensor z) override { sample_prior(prior_, rng, z); }
  std::string latent_law() const override { return std::string("from its prior (--prior ") + prior_name(prior_) + ")"; }

  // Decoder output for prior samples: probabilities sigmoid(l) (images) or the mean l (2-D data).
  void generate(Tape& t, const Tensor& z, const Tensor& y, Tensor out) override {
    (void)y;
    write(t, output(t, decode(t, t.constant(z))), out);
  }

  // What generate() runs: the decoder, then output()'s map.
  DecoderNet decoder_net() override {
    DecoderNet d{&dec_.params, conv_ ? nullptr : &dec_net_, 0.f, dim_, images_ ? Act::Sigmoid : Act::None};
    if (conv_) d.conv = &cdec_;
    return d;
  }

  bool reconstruct(Tape& t, const Tensor& x, Tensor out) override {
    write(t, output(t, decode(t, encode(t, t.constant(x), nullptr))), out);
    return true;
  }

  // Means over the test batch: test_recon (rec_i with z ~ q(z|x_i), as in training);
  // mmd_codes_prior = MMD^2(z_1..z_M, z'_1..z'_M), mmd_prior_prior = MMD^2(z'_1..z'_M, z''_1..z''_M)
  // with z', z'' ~ p(z): the second is the yardstick (near 0, its spread is the estimator's noise).
  void evaluate(Tape& t, const Batch& b, Rng& rng, StepLog& out) override {
    const int n = b.x.rows();
    Var xv = t.constant(b.x);
    Var z = encode(t, xv, &rng);
    out.add("test_recon", mean_rows(t, recon(t, decode(t, z), xv)));
    Tensor p1 = t.host_alloc(make_shape(n, latent_)), p2 = t.host_alloc(make_shape(n, latent_));
    sample_prior(prior_, rng, p1);
    sample_prior(prior_, rng, p2);
    out.add("mmd_codes_prior", mmd2_rbf(t.host_copy(t.value(z)).data, n, p1.data, n, latent_, bandwidth_));
    out.add("mmd_prior_prior", mmd2_rbf(p1.data, n, p2.data, n, latent_, bandwidth_));
  }

  // ---- Aae ----
  Part& enc() override { return enc_; }
  Part& dec() override { return dec_; }
  Part& disc() override { return D_; }
  Part& enc_reg() override { return enc_reg_; }
  AaeEncoder encoder_kind() const override { return kind_; }
  PriorKind prior_kind() const override { return prior_; }
  double mmd_bandwidth() const override { return bandwidth_; }

  void codes(Tape& t, const Tensor& x, Rng* rng, Tensor z) override {
    write(t, encode(t, t.constant(x), rng), z);
  }
  // The noise-free code (Model::encode).
  bool encode(Tape& t, const Tensor& x, Tensor z) override {
    codes(t, x, nullptr, z);
    return true;
  }

 private:
  // z ~ q(z|x) for x (M, dim) -> (M, latent); rng == nullptr: the noise-free code.
  Var encode(Tape& t, Var x, Rng* rng) {
    const int m = t.value(x).rows();
    Var in = x;
    if (kind_ == AaeEncoder::kUniversal) {  // f(x, eta): eta ~ N(0, I) appended to the input
      Tensor eta = t.alloc(make_shape(m, eta_));
      if (rng) rng->fill_normal(eta);
      else fill(eta, 0.f);
      in = concat_cols(t, x, t.constant(eta));
    }
    Var h = conv_ ? forward(t, enc_.params, cenc_, in) : forward(t, enc_.params, enc_net_, in);
    if (kind_ != AaeEncoder::kGaussian) return h;
    Var mu = slice_cols(t, h, 0, latent_), logvar = slice_cols(t, h, latent_, 2 * latent_);
    if (!rng) return mu;
    // z = mu + sigma * eps, sigma = exp(logvar / 2), eps ~ N(0, I) ([Utkin] Репараметризация)
    Tensor eps = t.alloc(make_shape(m, latent_));
    rng->fill_normal(eps);
    return reparametrize(t, mu, exp(t, dgm::scale(t, logvar, 0.5f)), eps);
  }

  Var decode(Tape& t, Var z) { return conv_ ? forward(t, dec_.params, cdec_, z) : forward(t, dec_.params, dec_net_, z); }
  Var disc(Tape& t, Var z) { return forward(t, D_.params, d_net_, z); }

  // rec_i = -log p(x_i | z_i) per row -> (M, 1), summed over the features j (see the header).
  Var recon(Tape& t, Var logits, Var x) {
    if (images_) return bce_with_logits(t, logits, x);  // sum_j softplus(l_j) - x_j l_j
    return dgm::scale(t, row_sum(t, square(t, sub(t, x, logits))), 0.5f);  // 1/2 sum_j (x_j - l_j)^2
  }
  // The decoder's output in the data's range: Bernoulli mean sigmoid(l), or the Gaussian mean l.
  Var output(Tape& t, Var logits) { return images_ ? sigmoid(t, logits) : logits; }

  // enc_reg's store mirrors enc's weights (see the header: it exists for its optimizer).
  void sync_mirror() { enc_reg_.params.copy_values_from(enc_.params); }

  void write(Tape& t, Var v, Tensor out) {
    const Tensor s = t.value(v);
    DGM_CHECK(out.size() == s.size() && out.rows() == s.rows(), "aae: output %s should be %s",
              shape_str(out).text, shape_str(s).text);
    copy(out, s);
  }

  Part enc_{"enc", {}, {}}, dec_{"dec", {}, {}}, D_{"D", {}, {}}, enc_reg_{"enc_reg", {}, {}};
  MLP enc_net_, dec_net_, d_net_;
  bool conv_ = false;  // --arch conv: cenc_, cdec_ (conv_vae.h) instead of enc_net_, dec_net_
  ConvEncoder cenc_;
  ConvDecoder cdec_;
  AaeEncoder kind_ = AaeEncoder::kGaussian;
  PriorKind prior_ = PriorKind::Normal;
  int dim_ = 0, latent_ = 0, eta_ = 0;
  bool images_ = true;
  double bandwidth_ = 1.0;
};

}  // namespace

std::unique_ptr<Model> make_aae() { return std::make_unique<AdversarialAutoencoder>(); }

Aae* as_aae(Model* m) { return dynamic_cast<Aae*>(m); }

bool aae_codes(Model& m, Tape& t, const Tensor& x, Rng* rng, Tensor z) {
  Aae* a = as_aae(&m);
  if (!a) return false;
  a->codes(t, x, rng, z);
  return true;
}

}  // namespace dgm
