// ae.cpp - the autoencoder and the denoising autoencoder.
//
// Follows [Vesel] "1.1 Autoenkoder": an encoder E and a decoder D with E(x) = y, D(y) ~ x, hidden
// layers that shrink on the encoder side and grow on the decoder side; for denoising the network
// learns to produce clean images from corrupted ones. [MIPT] "Пример: автокодировщик" /
// "Автокодировщик: порождающая модель?" (Alain & Bengio: noise of level sigma on the encoder's
// input; the reconstruction error then estimates the score d log p(x) / dx).
//
//   encoder  z = E(x~)   MLP dim -> hidden... -> J (no output activation, no noise on z)
//   decoder  l = D(z)    MLP J -> reversed hidden... -> dim logits; the reconstruction is sigmoid(l)
//   x~ = x for the AE; for the DAE (--corrupt, --noise):
//     gaussian  x~ = x + noise * eps,  eps ~ N(0, I)
//     mask      x~_j = 0 with probability noise, x_j otherwise (masking noise)
//
// Loss, per image: the Bernoulli negative log-likelihood of the CLEAN x under sigmoid(l),
//   recon_i = sum_j softplus(l_j) - x_j l_j   (summed over the pixels j),
// then the mean over the minibatch: loss = 1/M sum_i recon_i.
//
// generate(z): an autoencoder has no prior; sample_latent draws z ~ N(0, I) anyway (the Model
// default), so the samples show what the unregularised code space decodes to: mostly not
// clothes. That is the VAE's motivation ([Utkin] "Подход VAE": make z follow N(0, I)).
#include "dgm/check.h"
#include "dgm/models/model.h"
#include "dgm/ops.h"

namespace dgm {
namespace {

class Autoencoder : public Model {
 public:
  explicit Autoencoder(bool denoising) : denoising_(denoising) {}

  Status build(const Config& c, const DataInfo& d, Rng& rng) override {
    if (d.dim < 1) return Status::Error("%s: the data has %d features per example; expected at least 1", name(), d.dim);
    dim_ = d.dim;
    J_ = c.latent;
    mask_ = c.corrupt == "mask";
    noise_ = c.noise;
    part_.name = "ae";
    const Act act = config_act(c);
    enc_ = make_mlp(part_.params, "enc", mlp_sizes(dim_, c.hidden, J_), act, Act::None);
    dec_ = make_mlp(part_.params, "dec", mlp_sizes(J_, c.hidden, dim_, true), act, Act::None);
    finish_part(part_, c, c.lr, {&enc_, &dec_}, rng);
    return Status::Ok();
  }

  std::vector<Part*> parts() override { return {&part_}; }
  int latent_dim() const override { return J_; }

  void train_step(Tape& t, const Batch& b, Rng& rng, StepLog& log) override {
    Var x = t.constant(b.x);  // clean data: the target, no gradient
    Var input = denoising_ ? t.constant(corrupt(t, b.x, rng)) : x;
    // recon_i = -log p(x_i | D(E(x~_i))), summed over pixels; loss = mean over the minibatch
    Var recon = bce_with_logits(t, decode(t, encode(t, input)), x);  // (M, 1)
    Var loss = mean(t, recon);
    t.backward(loss);
    part_.opt.step_and_zero_grad(part_.params);
    log.add("recon", scalar(t, loss));
  }

  void generate(Tape& t, const Tensor& z, const Tensor& y, Tensor out) override {
    (void)y;
    write(t, sigmoid(t, decode(t, t.constant(z))), out);
  }

  // What generate() runs: sigmoid of the decoder's logits.
  DecoderNet decoder_net() override { return {&part_.params, &dec_, 0.f, dim_, Act::Sigmoid}; }

  // sigmoid(D(E(x))) of the clean x.
  bool reconstruct(Tape& t, const Tensor& x, Tensor out) override {
    write(t, sigmoid(t, decode(t, encode(t, t.constant(x)))), out);
    return true;
  }

  // test_recon: mean over the batch of the per-image summed BCE of D(E(x)) against x (clean input).
  // DAE also: test_denoise, the same with the encoder fed the corrupted x~ (what it was trained on).
  void evaluate(Tape& t, const Batch& b, Rng& rng, StepLog& out) override {
    Var x = t.constant(b.x);
    out.add("test_recon", mean_rows(t, bce_with_logits(t, decode(t, encode(t, x)), x)));
    if (denoising_) {
      Var xt = t.constant(corrupt(t, b.x, rng));
      out.add("test_denoise", mean_rows(t, bce_with_logits(t, decode(t, encode(t, xt)), x)));
    }
  }

 private:
  const char* name() const { return denoising_ ? "dae" : "ae"; }
  Var encode(Tape& t, Var x) { return forward(t, part_.params, enc_, x); }
  Var decode(Tape& t, Var z) { return forward(t, part_.params, dec_, z); }

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
  bool mask_ = false;
  float noise_ = 0.f;
};

}  // namespace

std::unique_ptr<Model> make_ae(bool denoising) { return std::make_unique<Autoencoder>(denoising); }

}  // namespace dgm
