// vae.cpp - the variational autoencoder (Kingma & Welling 2014, "Auto-Encoding Variational Bayes").
//
// Follows [Utkin] "Вариационный автокодер" ... "Объединяем все вместе" and [Vesel] "1.3 Variacijski
// autoenkoder" (the estimators L^A and L^B, the minibatch estimator, the AEVB algorithm).
//
//   encoder q(z|x) = N(z; mu(x), diag exp(logvar(x)))   MLP dim -> hidden... -> 2J, sliced into
//                                                        mu = cols [0, J), logvar = cols [J, 2J)
//   prior   p(z)   = N(0, I)
//   decoder p(x|z)  Bernoulli: MLP J -> reversed hidden... -> dim logits l, p(x_j|z) = sigmoid(l_j)
//                   Gaussian:  MLP J -> reversed hidden... -> 2 dim, sliced into the mean
//                              (cols [0, dim)) and the log-variance (cols [dim, 2 dim)) of each
//                              pixel: "Декодер оценивает среднее и дисперсию p_theta(x|z)"
//                              ([Utkin] "Вариационный автокодер - основная идея").
//
// With the defaults (hidden 400, latent 20, relu) this is the PyTorch examples' VAE: fc1 784->400,
// fc21/fc22 400->20 (here one 400->40 layer, sliced: the same function and the same
// U(-1/sqrt(400), 1/sqrt(400)) initialisation), fc3 20->400, fc4 400->784.
//
// Loss of one datapoint x^(i), the negative of the estimator [Vesel] 1.3:
//   L^B:  -L~^B = 1/L sum_l -log p(x|z^(l))  +  KL(q(z|x) || p(z))          (closed-form KL)
//   L^A:  -L~^A = 1/L sum_l [ -log p(x|z^(l)) + log q(z^(l)|x) - log p(z^(l)) ]   (Monte Carlo KL)
// with z^(l) = mu + exp(logvar/2) * eps^(l), eps^(l) ~ N(0, I)  ([Utkin] "Репараметризация"),
// L = --samples. -log p(x|z) is summed over the pixels of the image; KL is summed over the J
// latent coordinates. Both are in nats per image.
//
// Minibatch estimator ([Vesel] 1.3): L(theta, phi; X) ~ N/M sum_{i=1}^M L~(theta, phi; x^(i)).
// We minimise the MEAN over the minibatch, 1/M sum_i -L~(x^(i)) = -(1/N) * [N/M sum_i L~(x^(i))]:
// the minibatch estimator divided by the constant N, so its gradient points the same way and the
// factor 1/N is absorbed by the learning rate (Adam is invariant to it anyway, up to its eps).
// PyTorch's example sums over the batch instead (another constant factor, M); its logged
// per-image loss, sum / M, is our "loss".
#include <cmath>
#include <vector>

#include "dgm/core/check.h"
#include "dgm/models/conv_vae.h"
#include "dgm/models/model.h"
#include "dgm/core/ops.h"
#include "dgm/backend/parallel.h"
#include "dgm/core/reparam.h"

namespace dgm {
namespace {

constexpr int kIwaeTasks = 8;  // test_iwae: row ranges per sample (a fixed split, any thread count)

class Vae : public Model {
 public:
  Status build(const ModelOptions& o, const DataInfo& d, Rng& rng) override {
    if (d.dim < 1) return Status::Error("vae: the data has %d features per example; expected at least 1", d.dim);
    dim_ = d.dim;
    J_ = o.latent;
    L_ = o.samples;
    k_ = o.iw;
    gaussian_ = o.decoder == Likelihood::Gaussian;
    mc_kl_ = o.estimator == KlEstimator::MonteCarlo;
    part_.name = "vae";
    conv_ = o.arch == Arch::Conv;
    if (conv_) {  // conv_vae.h: convolutional encoder and decoder, the same loss terms
      if (!d.images() || d.rows % 4 || d.cols % 4 || d.rows * d.cols != d.dim)
        return Status::Error("vae --arch conv: needs one-channel images with sides divisible by 4, got %dx%d", d.rows,
                             d.cols);
      cenc_ = make_conv_encoder(part_.params, d.rows, d.cols, 2 * J_);
      cdec_ = make_conv_decoder(part_.params, J_, d.rows, d.cols, gaussian_ ? 2 : 1);
      finish_part(part_, o.optim_with(o.lr), o.device, {}, rng);
      init_conv_coder(part_.params, cenc_, cdec_, rng);
    } else {
    enc_ = make_mlp(part_.params, "enc", mlp_sizes(dim_, o.hidden, 2 * J_), o.act, Act::None);
    dec_ = make_mlp(part_.params, "dec", mlp_sizes(J_, o.hidden, gaussian_ ? 2 * dim_ : dim_, true), o.act,
                    Act::None);
    finish_part(part_, o.optim_with(o.lr), o.device, {&enc_, &dec_}, rng);
    }
    scratch_arena_ = std::make_unique<Arena>(0, o.device);
    scratch_ = std::make_unique<Tape>(*scratch_arena_);
    return Status::Ok();
  }

  std::vector<Part*> parts() override { return {&part_}; }
  int latent_dim() const override { return J_; }

  // One AEVB step ([Vesel] 1.3, Algorithm 2): minibatch x (M, dim), noise eps, gradient of the
  // minibatch estimator, one optimizer update.
  void train_step(Tape& t, const Batch& b, Rng& rng, StepLog& log) override {
    const int M = b.x.rows();
    Var x = t.constant(b.x);  // data: no gradient is computed for it
    Var h = encoder(t, x);          // (M, 2J)
    Var mu = slice_cols(t, h, 0, J_);        // (M, J)
    Var logvar = slice_cols(t, h, J_, 2 * J_);  // (M, J), log sigma^2
    // sigma = exp(logvar / 2)  ([Utkin] "Репараметризация": z = mu + sigma (.) eps)
    Var sigma = exp(t, dgm::scale(t, logvar, 0.5f));
    Var recon{}, kl{};  // each (M, 1): summed over l, divided by L below
    for (int l = 0; l < L_; ++l) {
      Tensor eps = t.alloc(make_shape(M, J_));  // eps^(l) ~ N(0, I)
      rng.fill_normal(eps);
      Var z = reparametrize(t, mu, sigma, eps);  // (M, J)
      Var nll = decoder_nll(t, z, x);  // -log p(x|z^(l)), summed over pixels: (M, 1)
      recon = l ? add(t, recon, nll) : nll;
      if (mc_kl_) {
        Var kl_l = mc_kl(t, z, logvar, eps);
        kl = l ? add(t, kl, kl_l) : kl_l;
      }
    }
    if (L_ > 1) {  // 1/L sum_l (the Monte Carlo average of [Utkin] "Вычисление качества реконструкции")
      recon = dgm::scale(t, recon, 1.f / static_cast<float>(L_));
      if (mc_kl_) kl = dgm::scale(t, kl, 1.f / static_cast<float>(L_));
    }
    // L^B: KL(q(z|x) || N(0, I)) = -1/2 sum_j (1 + logvar_j - mu_j^2 - exp(logvar_j))
    //      ([Utkin] "Вычисление регуляризации"), summed over the J latent coordinates: (M, 1)
    if (!mc_kl_) kl = kl_normal_std(t, mu, logvar);
    // loss = 1/M sum_i [recon_i + kl_i]: the negative ELBO per image, mean over the minibatch
    Var loss = mean(t, add(t, recon, kl));
    t.backward(loss);
    part_.opt.step_and_zero_grad(part_.params);  // = opt.step(params); params.zero_grad()
    log.add("loss", scalar(t, loss));
    log.add("recon", mean_rows(t, recon));
    log.add("kl", mean_rows(t, kl));
  }

  void generate(Tape& t, const Tensor& z, const Tensor& y, Tensor out) override {
    (void)y;
    Var o = decoder(t, t.constant(z));
    write_mean(t, o, out);
  }

  // What generate() runs: the decoder (MLP or --arch conv), then sigmoid (Bernoulli) or the mean
  // columns (Gaussian).
  DecoderNet decoder_net() override {
    DecoderNet d{&part_.params, conv_ ? nullptr : &dec_, 0.f, dim_, gaussian_ ? Act::None : Act::Sigmoid};
    if (conv_) d.conv = &cdec_;
    return d;
  }

  // Decoder mean at z = mu(x) (no noise).
  bool reconstruct(Tape& t, const Tensor& x, Tensor out) override {
    Var h = encoder(t, t.constant(x));
    Var o = decoder(t, slice_cols(t, h, 0, J_));
    write_mean(t, o, out);
    return true;
  }

  // mu(x): the encoder's mean, the z reconstruct() decodes.
  bool encode(Tape& t, const Tensor& x, Tensor z) override {
    const Tensor v = t.value(slice_cols(t, encoder(t, t.constant(x)), 0, J_));
    DGM_CHECK(z.rows() == v.rows() && z.cols() == J_, "vae: code %s should be (%d, %d)", shape_str(z).text, v.rows(), J_);
    copy(z, v);
    return true;
  }

  // On one test batch (means over its rows), in nats per image:
  //   test_loss = -ELBO with ONE z sample: -log p(x|z) + KL(q(z|x) || p(z)) in closed form (for
  //               either estimator: it is the exact KL, the lower-variance choice)
  //   test_iwae = -log 1/k sum_{i=1}^k p(x, z_i) / q(z_i|x), z_i ~ q(z|x), k = --iw
  //               (Burda et al. 2016): an upper bound on -log p(x) that tightens as k grows; it is
  //               <= test_loss in expectation and equals it in expectation for k = 1.
  // Random draws: eps (B, J) for test_loss from rng, then one 64-bit seed from rng for a separate
  // generator that draws the k eps (B, J) of test_iwae; so rng advances by the same amount per
  // batch whatever k is, and test_loss does not depend on --iw.
  // The per-row sums in double run on the host (on a device tape: on downloaded copies of the
  // encoder and decoder outputs; eps and z are made on the host and z is uploaded).
  void evaluate(Tape& t, const Batch& b, Rng& rng, StepLog& out) override {
    const int B = b.x.rows();
    Var x = t.constant(b.x);
    Var h = encoder(t, x);
    const Tensor H = t.host_copy(t.value(h));  // (B, 2J): mu | logvar
    // test_loss: one sample, through the same ops as training.
    Tensor eps = t.host_alloc(make_shape(B, J_));
    rng.fill_normal(eps);
    Tensor z = t.host_alloc(make_shape(B, J_));
    reparametrize_rows(H, eps, z);
    Var nll = decoder_nll(t, t.constant(t.upload(z)), x);
    Var kl = kl_normal_std(t, slice_cols(t, h, 0, J_), slice_cols(t, h, J_, 2 * J_));
    out.add("test_loss", mean_rows(t, nll) + mean_rows(t, kl));

    // test_iwae: log w_i = log p(x|z_i) + log p(z_i) - log q(z_i|x) per row, in double, combined by
    // a running log-sum-exp (max m and sum s of exp(log w - m)). Each sample's decoder pass runs on
    // a scratch tape that is reset every sample, so memory does not grow with k.
    if (static_cast<int>(lse_max_.size()) < B) {
      lse_max_.resize(static_cast<std::size_t>(B));
      lse_sum_.resize(static_cast<std::size_t>(B));
    }
    Rng iw_rng((std::uint64_t{rng.next_u32()} << 32) | rng.next_u32());
    Tape& s = *scratch_;
    for (int i = 0; i < k_; ++i) {
      s.reset();
      Tensor e = s.host_alloc(make_shape(B, J_));
      iw_rng.fill_normal(e);
      Tensor zi = s.host_alloc(make_shape(B, J_));
      reparametrize_rows(H, e, zi);
      // -log p(x|z_i) per row (B, 1) through the training loss's own op (decoder_nll: the pixel
      // terms in float, vectorized, summed in double per row); the rest of log w_i in double.
      const Tensor nll = s.host_copy(s.value(decoder_nll(s, s.constant(s.upload(zi)), s.constant(b.x))));
      // Rows are independent: split into a fixed number of ranges (not by thread count), so the
      // sums are bitwise the same for any number of threads.
      auto rows = [&](int task) {
        const int r0 = task * B / kIwaeTasks, r1 = (task + 1) * B / kIwaeTasks;
        for (int r = r0; r < r1; ++r) {
          const double lw = -static_cast<double>(nll.data[r]) - log_q_minus_log_p(H, e, zi, r);
          double& m = lse_max_[static_cast<std::size_t>(r)];
          double& sum = lse_sum_[static_cast<std::size_t>(r)];
          if (i == 0) {
            m = lw;
            sum = 1.0;
          } else if (lw > m) {
            sum = sum * std::exp(m - lw) + 1.0;
            m = lw;
          } else {
            sum += std::exp(lw - m);
          }
        }
      };
      parallel_for(kIwaeTasks, rows);
    }
    s.reset();
    double iwae = 0.0;
    for (int r = 0; r < B; ++r)
      iwae += -(lse_max_[static_cast<std::size_t>(r)] + std::log(lse_sum_[static_cast<std::size_t>(r)]) -
                std::log(static_cast<double>(k_)));
    out.add("test_iwae", iwae / B);
  }

 private:
  // The encoder (x -> mu | logvar, (rows, 2J)) and decoder (z -> logits or mean | logvar) of --arch.
  Var encoder(Tape& t, Var x) {
    return conv_ ? forward(t, part_.params, cenc_, x) : forward(t, part_.params, enc_, x);
  }
  Var decoder(Tape& t, Var z) {
    return conv_ ? forward(t, part_.params, cdec_, z) : forward(t, part_.params, dec_, z);
  }

  // -log p(x|z) of the decoder at z, summed over the pixels of each row: (rows, 1).
  //   Bernoulli: sum_j softplus(l_j) - x_j l_j   ([Utkin] "Декодирование": Бернулли)
  //   Gaussian:  sum_j 1/2 [log 2 pi + v_j + (x_j - m_j)^2 e^{-v_j}]
  //              ([Utkin] "Объединяем все вместе": -log p(x|z) = sum 1/2 log sigma^2 + (x - mu)^2 / 2 sigma^2)
  Var decoder_nll(Tape& t, Var z, Var x) {
    Var o = decoder(t, z);
    if (!gaussian_) return bce_with_logits(t, o, x);
    return gaussian_nll(t, x, slice_cols(t, o, 0, dim_), slice_cols(t, o, dim_, 2 * dim_));
  }

  // The Monte Carlo KL of L^A at one sample ([Vesel] 1.3: log q(z|x) - log p(z)), per row (rows, 1):
  //   log q(z|x) = -1/2 sum_j [log 2 pi + logvar_j + eps_j^2]      ((z_j - mu_j)^2 / sigma_j^2 = eps_j^2)
  //   log p(z)   = -1/2 sum_j [log 2 pi + z_j^2]
  //   difference = 1/2 sum_j (z_j^2 - logvar_j) - 1/2 sum_j eps_j^2   (the log 2 pi terms cancel)
  // The last term does not depend on the parameters; it is a constant column, computed on the
  // host (on a device tape: from a downloaded eps, and uploaded).
  Var mc_kl(Tape& t, Var z, Var logvar, const Tensor& eps_in) {
    const int rows = eps_in.rows();
    const Tensor eps = t.host_copy(eps_in);
    Tensor c = t.host_alloc(make_shape(rows, 1));
    for (int r = 0; r < rows; ++r) {
      double s = 0.0;
      for (int j = 0; j < J_; ++j) s += static_cast<double>(eps.data[r * J_ + j]) * eps.data[r * J_ + j];
      c.data[r] = static_cast<float>(-0.5 * s);
    }
    Var half = dgm::scale(t, row_sum(t, sub(t, square(t, z), logvar)), 0.5f);
    return add(t, half, t.constant(t.upload(c)));
  }

  // z = mu + exp(logvar / 2) * eps on the host (evaluation: no gradient). H: (B, 2J), eps, z: (B, J)
  void reparametrize_rows(const Tensor& H, const Tensor& eps, Tensor z) const {
    for (int r = 0; r < eps.rows(); ++r)
      for (int j = 0; j < J_; ++j)
        z.data[r * J_ + j] = reparametrize(H.data[r * 2 * J_ + j], H.data[r * 2 * J_ + J_ + j], eps.data[r * J_ + j]);
  }

  // log q(z|x) - log p(z) for row r, in double (see mc_kl).
  double log_q_minus_log_p(const Tensor& H, const Tensor& eps, const Tensor& z, int r) const {
    double s = 0.0;
    for (int j = 0; j < J_; ++j) {
      const double zj = z.data[r * J_ + j], ej = eps.data[r * J_ + j], lv = H.data[r * 2 * J_ + J_ + j];
      s += 0.5 * (zj * zj - lv - ej * ej);
    }
    return s;
  }

  // The decoder's mean into out (n, dim): sigmoid(logits) (Bernoulli) or the mean columns (Gaussian).
  void write_mean(Tape& t, Var o, Tensor out) {
    const Tensor v = t.value(gaussian_ ? slice_cols(t, o, 0, dim_) : sigmoid(t, o));
    DGM_CHECK(out.rows() == v.rows() && out.size() == static_cast<std::size_t>(v.rows()) * dim_,
              "vae: output %s should be (%d, %d)", shape_str(out).text, v.rows(), dim_);
    copy(out, v);
  }

  Part part_;
  MLP enc_, dec_;
  bool conv_ = false;  // --arch conv: cenc_, cdec_ (conv_vae.h) instead of the MLPs
  ConvEncoder cenc_;
  ConvDecoder cdec_;
  int dim_ = 0, J_ = 0, L_ = 1, k_ = 1;
  bool gaussian_ = false, mc_kl_ = false;
  // Evaluation scratch: a tape reset for every importance sample (on the model's device, made
  // by build()), and the running log-sum-exp.
  std::unique_ptr<Arena> scratch_arena_;
  std::unique_ptr<Tape> scratch_;
  std::vector<double> lse_max_, lse_sum_;
};

}  // namespace

std::unique_ptr<Model> make_vae() { return std::make_unique<Vae>(); }

}  // namespace dgm
