// ae.cpp - the autoencoder and the denoising autoencoder.
//
// Follows [Vesel] "1.1 Autoenkoder": an encoder E and a decoder D with E(x) = y, D(y) ~ x, hidden
// layers that shrink on the encoder side and grow on the decoder side; for denoising the network
// learns to produce clean images from corrupted ones. [MIPT] "Пример: автокодировщик" /
// "Автокодировщик: порождающая модель?" (Alain & Bengio: noise of level sigma on the encoder's
// input; the reconstruction error then estimates the score d log p(x) / dx).
//
//   encoder  z = E(x~)   MLP dim -> hidden... -> J (no output activation, no noise on z)
//   decoder  l = D(z)    MLP J -> reversed hidden... -> dim outputs: Bernoulli logits (the
//                        reconstruction is sigmoid(l)) or, --decoder gaussian, the mean itself
//   x~ = x for the AE; for the DAE (--corrupt, --noise):
//     gaussian  x~ = x + noise * eps,  eps ~ N(0, I)
//     mask      x~_j = 0 with probability noise, x_j otherwise (masking noise)
//
// Loss, per example: the negative log-likelihood of the CLEAN x under the decoder, --decoder
//   bernoulli (pixels in [0, 1]; the default for images):
//     recon_i = sum_j softplus(l_j) - x_j l_j                       (summed over the pixels j)
//   gaussian (real-valued data; the default for ring, grid, gauss1d): N(x; l, I), the
//   constant-variance Gaussian whose NLL is least squares ([Utkin] "Объединяем все вместе":
//   "метод наим. квад. для постоянной дисперсии", with sigma^2 = 1; [MIPT] "Пример:
//   автокодировщик": ||sigma(W_d H) - X||_2^2 -> min):
//     recon_i = sum_j 1/2 (x_j - l_j)^2 + D/2 log(2 pi)             (summed over the D features j)
//   the constant D/2 log(2 pi) (0.919 nats per feature) makes it the exact -log p(x|z), never
//   below it; then the mean over the minibatch: loss = 1/M sum_i recon_i.
//
// generate(z): an autoencoder has no prior; sample_latent draws z ~ N(0, I) anyway (the Model
// default), so the samples show what the unregularised code space decodes to: mostly not
// clothes. That is the VAE's motivation ([Utkin] "Подход VAE": make z follow N(0, I)).
#include "dgm/core/check.h"
#include "dgm/models/model.h"
#include "dgm/core/ops.h"

namespace dgm {
namespace {

class Autoencoder : public Model {
 public:
  explicit Autoencoder(bool denoising) : denoising_(denoising) {}

  Status build(const ModelOptions& o, const DataInfo& d, Rng& rng) override {
    if (d.dim < 1) return Status::Error("%s: the data has %d features per example; expected at least 1", name(), d.dim);
    dim_ = d.dim;
    J_ = o.latent;
    mask_ = o.corrupt == Corruption::Mask;
    gaussian_ = o.decoder == Likelihood::Gaussian;
    noise_ = o.noise;
    part_.name = "ae";
    enc_ = make_mlp(part_.params, "enc", mlp_sizes(dim_, o.hidden, J_), o.act, Act::None);
    dec_ = make_mlp(part_.params, "dec", mlp_sizes(J_, o.hidden, dim_, true), o.act, Act::None);
    finish_part(part_, o.optim_with(o.lr), o.device, {&enc_, &dec_}, rng);
    return Status::Ok();
  }

  std::vector<Part*> parts() override { return {&part_}; }
  int latent_dim() const override { return J_; }

  void train_step(Tape& t, const Batch& b, Rng& rng, StepLog& log) override {
    Var x = t.constant(b.x);  // clean data: the target, no gradient
    Var input = denoising_ ? t.constant(corrupt(t, b.x, rng)) : x;
    // recon_i = -log p(x_i | D(E(x~_i))), summed over pixels; loss = mean over the minibatch
    Var recon = nll(t, decode(t, encode(t, input)), x);  // (M, 1)
    Var loss = mean(t, recon);
    t.backward(loss);
    part_.opt.step_and_zero_grad(part_.params);
    log.add("recon", scalar(t, loss));
  }

  void generate(Tape& t, const Tensor& z, const Tensor& y, Tensor out) override {
    (void)y;
    write(t, mean_of(t, decode(t, t.constant(z))), out);
  }

  // What generate() runs: the decoder, then sigmoid (Bernoulli) or nothing (Gaussian mean).
  DecoderNet decoder_net() override {
    return {&part_.params, &dec_, 0.f, dim_, gaussian_ ? Act::None : Act::Sigmoid};
  }

  // The decoder's mean at E(x) of the clean x.
  bool reconstruct(Tape& t, const Tensor& x, Tensor out) override {
    write(t, mean_of(t, decode(t, encode(t, t.constant(x)))), out);
    return true;
  }

  // E(x) of the clean x.
  bool encode(Tape& t, const Tensor& x, Tensor z) override {
    write(t, encode(t, t.constant(x)), z);
    return true;
  }

  // test_recon: mean over the batch of the per-example NLL (recon above) of x under D(E(x)).
  // DAE also: test_denoise, the same with the encoder fed the corrupted x~ (what it was trained on).
  void evaluate(Tape& t, const Batch& b, Rng& rng, StepLog& out) override {
    Var x = t.constant(b.x);
    out.add("test_recon", mean_rows(t, nll(t, decode(t, encode(t, x)), x)));
    if (denoising_) {
      Var xt = t.constant(corrupt(t, b.x, rng));
      out.add("test_denoise", mean_rows(t, nll(t, decode(t, encode(t, xt)), x)));
    }
  }

 private:
  const char* name() const { return denoising_ ? "dae" : "ae"; }
  Var encode(Tape& t, Var x) { return forward(t, part_.params, enc_, x); }
  Var decode(Tape& t, Var z) { return forward(t, part_.params, dec_, z); }
  Var mean_of(Tape& t, Var l) { return gaussian_ ? l : sigmoid(t, l); }

  // -log p(x | l) per row (rows, 1), summed over the features (see the header).
  Var nll(Tape& t, Var l, Var x) {
    if (!gaussian_) return bce_with_logits(t, l, x);  // sum_j softplus(l_j) - x_j l_j
    // gaussian_nll with log sigma^2 = 0: sum_j 1/2 [log 2 pi + (x_j - l_j)^2]
    Tensor zero = t.host_alloc(t.value(l));  // made on the host, uploaded on a device tape
    fill(zero, 0.f);
    return gaussian_nll(t, x, l, t.constant(t.upload(zero)));
  }

  // x~ from x ([Vesel] 1.1: "iz nepopolnih (manjkajočih, šumnatih) slik"), made on the host
  // (in the arena on a CPU tape; a download of x and an upload of x~ on a device tape).
  Tensor corrupt(Tape& t, const Tensor& x_in, Rng& rng) {
    const Tensor x = t.host_copy(x_in);
    Tensor xt = t.host_alloc(x);
    const std::size_t n = x.size();
    if (mask_) {
      for (std::size_t i = 0; i < n; ++i) xt.data[i] = rng.uniform() < noise_ ? 0.f : x.data[i];
    } else {
      rng.fill_normal(xt, 0.f, noise_);
      for (std::size_t i = 0; i < n; ++i) xt.data[i] += x.data[i];
    }
    return t.upload(xt);
  }

  void write(Tape& t, Var v, Tensor out) {
    const Tensor s = t.value(v);
    DGM_CHECK(out.size() == s.size() && out.rows() == s.rows(), "%s: output %s should be %s", name(),
              shape_str(out).text, shape_str(s).text);
    copy(out, s);
  }

  bool denoising_;
  Part part_;
  MLP enc_, dec_;
  int dim_ = 0, J_ = 0;
  bool mask_ = false, gaussian_ = false;
  float noise_ = 0.f;
};

}  // namespace

std::unique_ptr<Model> make_ae(bool denoising) { return std::make_unique<Autoencoder>(denoising); }

}  // namespace dgm
