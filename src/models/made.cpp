// made.cpp - MADE (Germain, Gregor, Murray, Larochelle 2015, "MADE: Masked Autoencoder for
// Distribution Estimation", ICML) on binary images; [MIPT] "Как строить порождающие модели?",
// method 1: an explicit likelihood decomposed into small parts (autoregressive models).
//
// Why MADE and not NADE (Larochelle & Murray 2011, AISTATS): both give the exact log-likelihood
// log p(x) = sum_d log p(x_d | x_<d). NADE shares one weight matrix across the D conditionals and
// computes them with a running sum a_d = c + W_{:,<d} x_<d, a loop over d that needs its own
// sequential op; MADE gets the same D conditionals from ONE masked MLP pass, i.e. two GEMMs per
// layer, which is what dgm's tape, GEMM and optimizers already do fast. The price: sampling is
// D passes either way, and MADE's hidden units are shared among the conditionals only through
// the masks.
//
// The masks (Germain et al. 2015, section 4, eq. 11-13). Every unit gets a degree m(k): the
// largest input index it may depend on.
//   inputs      m^0(d) = d, d = 1..D (raster order: row by row, left to right)
//   hidden l    m^l(k) ~ uniform integer in [min_k' m^{l-1}(k'), D - 1]   (drawn once, from the
//               run's seed: Rng(seed, 31), so a checkpoint rebuilds the same masks)
//   hidden mask M^{W^l}_{k,k'} = 1[m^l(k) >= m^{l-1}(k')]                        (eq. 12)
//   output mask M^V_{d,k}      = 1[d > m^L(k)]                                   (eq. 13)
// Then the logit of pixel d is a function of hidden units of degree < d, each of which depends
// on inputs of degree <= its own: l_d depends on x_<d only (the autoregressive property;
// test/test_made.cpp perturbs x_j and checks that l_d moves only for d > j). l_1 has no input
// at all: p(x_1) comes from the output bias alone.
//
//   h^0 = x;   h^l = relu(b^l + h^{l-1} (W^l (.) M^{W^l})^T);   l = c + h^L (V (.) M^V)^T  (eq. 9-10)
//   -log p(x) = sum_d softplus(l_d) - x_d l_d        (bce_with_logits: Bernoulli, from logits)
// Loss: the mean over the minibatch of -log p(x), nats per image: the exact negative
// log-likelihood, no bound. Sampling: for d = 1..D, x_d = 1[u_d < sigmoid(l_d(x_<d))] with
// u ~ U(0, 1)^D, so z = u is the model's "latent" and a fixed u gives a fixed sample grid.
#include "dgm/models/made.h"

#include <algorithm>
#include <cmath>

#include "dgm/core/check.h"
#include "dgm/core/ops.h"
#include "dgm/core/ops_masked.h"

namespace dgm {
namespace {

class MadeImpl : public Made {
 public:
  Status build(const ModelOptions& o, const DataInfo& d, Rng& rng) override {
    if (d.dim < 2) return Status::Error("made: the data has %d features per example; expected at least 2", d.dim);
    if (o.device != Device::CPU)
      return Status::Error("made: --device cuda: MADE's masked layers run on the CPU only (use --device cpu)");
    D_ = d.dim;
    part_.name = "made";
    net_ = make_mlp(part_.params, "net", mlp_sizes(D_, o.hidden, D_), Act::ReLU, Act::None);
    make_masks(o.hidden, o.seed);
    finish_part(part_, o.optim_with(o.lr), o.device, {&net_}, rng);
    scratch_ = std::make_unique<Tape>(scratch_arena_);
    return Status::Ok();
  }

  std::vector<Part*> parts() override { return {&part_}; }
  int latent_dim() const override { return D_; }
  void sample_latent(Rng& rng, Tensor z) override { rng.fill_uniform(z, 0.f, 1.f); }

  Var logits(Tape& t, Var x) override {
    const ParamStore& p = part_.params;
    for (std::size_t l = 0; l < net_.layers.size(); ++l) {
      const Linear& L = net_.layers[l];
      x = masked_linear(t, x, p.var(t, L.W), masks_[l], p.var(t, L.b));
      if (l + 1 < net_.layers.size()) x = relu(t, x);
    }
    return x;  // (rows, D)
  }

  // One step: the exact NLL of the minibatch, mean over its rows, and one optimizer update.
  void train_step(Tape& t, const Batch& b, Rng& rng, StepLog& log) override {
    (void)rng;
    Var x = t.constant(b.x);
    // -log p(x) = sum_d softplus(l_d) - x_d l_d per row (M, 1); loss = mean over the M rows
    Var loss = mean(t, bce_with_logits(t, logits(t, x), x));
    t.backward(loss);
    part_.opt.step_and_zero_grad(part_.params);
    log.add("nll", scalar(t, loss));
  }

  // Pixel by pixel: x_d = 1[u_d < sigmoid(l_d(x_<d))] for d = 1..D, z = u (n, D) in [0, 1).
  void generate(Tape& t, const Tensor& z, const Tensor& y, Tensor out) override {
    (void)t, (void)y;
    DGM_CHECK(z.cols() == D_ && out.cols() == D_ && out.rows() == z.rows(), "made: z %s and out %s should be (n, %d)",
              shape_str(z).text, shape_str(out).text, D_);
    if (net_.layers.size() == 2) return generate_one_hidden(z, out);
    generate_passes(z, out);
  }

  // Any depth: D passes of the whole network, pass d fixes x_d (x_>=d still 0, unseen by l_d).
  // Each pass runs on a scratch tape reset every pixel, so memory does not grow with D.
  void generate_passes(const Tensor& z, Tensor out) {
    const int n = z.rows();
    std::fill(out.data, out.data + out.size(), 0.f);
    Tape& s = *scratch_;
    for (int d = 0; d < D_; ++d) {
      s.reset();
      const Tensor l = s.value(logits(s, s.constant(out)));  // only column d is used
      for (int r = 0; r < n; ++r) {
        const std::size_t i = static_cast<std::size_t>(r) * D_ + d;
        const double p = 1.0 / (1.0 + std::exp(-static_cast<double>(l.data[i])));  // p(x_d = 1 | x_<d)
        out.data[i] = z.data[i] < p ? 1.f : 0.f;
      }
    }
    s.reset();
  }

  // One hidden layer (the default): the same draws in O(D H) per sample instead of D passes of
  // O(D H). The hidden pre-activation a = b + (W (.) M^W) x grows by one column per fixed pixel,
  // a += (W (.) M^W)_{:,d} x_d, and l_d = c_d + (V (.) M^V)_{d,:} relu(a) needs only a at that
  // moment: x_>=d are still 0, the same inputs the full pass for pixel d sees.
  void generate_one_hidden(const Tensor& z, Tensor out) {
    const ParamStore& p = part_.params;
    const Linear& L1 = net_.layers[0];
    const Linear& L2 = net_.layers[1];
    const int H = L1.out;
    const float* W = p.value(L1.W).data;  // (H, D)
    const float* b = p.value(L1.b).data;  // (H)
    const float* V = p.value(L2.W).data;  // (D, H)
    const float* c = p.value(L2.b).data;  // (D)
    const float* MW = masks_[0].data;     // (H, D)
    const float* MV = masks_[1].data;     // (D, H)
    std::vector<float> a(static_cast<std::size_t>(H));
    for (int r = 0; r < z.rows(); ++r) {
      std::copy(b, b + H, a.begin());
      for (int d = 0; d < D_; ++d) {
        const std::size_t i = static_cast<std::size_t>(r) * D_ + d;
        float l = c[d];
        for (int k = 0; k < H; ++k) l += V[d * H + k] * MV[d * H + k] * std::max(a[static_cast<std::size_t>(k)], 0.f);
        const double pd = 1.0 / (1.0 + std::exp(-static_cast<double>(l)));  // p(x_d = 1 | x_<d)
        out.data[i] = z.data[i] < pd ? 1.f : 0.f;
        if (out.data[i] != 0.f)
          for (int k = 0; k < H; ++k) a[static_cast<std::size_t>(k)] += W[k * D_ + d] * MW[k * D_ + d];
      }
    }
  }

  void log_px(Tape& t, const Tensor& x, double* logp) override {
    const Tensor l = t.value(logits(t, t.constant(x)));
    for (int r = 0; r < x.rows(); ++r) {
      const float* lr = l.data + static_cast<std::size_t>(r) * D_;
      const float* xr = x.data + static_cast<std::size_t>(r) * D_;
      double s = 0.0;  // log p(x) = sum_d -(softplus(l_d) - x_d l_d), softplus computed stably
      for (int d = 0; d < D_; ++d) {
        const double ld = lr[d];
        s -= std::fmax(ld, 0.0) + std::log1p(std::exp(-std::fabs(ld))) - xr[d] * ld;
      }
      logp[r] = s;
    }
  }

  // test_nll: -log p(x), exact, nats per image (mean over the batch's rows).
  void evaluate(Tape& t, const Batch& b, Rng& rng, StepLog& out) override {
    (void)rng;
    const int B = b.x.rows();
    std::vector<double> lp(static_cast<std::size_t>(B));
    log_px(t, b.x, lp.data());
    double s = 0.0;
    for (double v : lp) s -= v;
    out.add("test_nll", s / B);
  }

  const std::vector<std::vector<int>>& degrees() const override { return deg_; }

 private:
  // Degrees and masks of eq. 11-13 (see the top of the file). masks_[l]: (out, in) of layer l.
  void make_masks(const std::vector<int>& hidden, std::uint64_t seed) {
    Rng r(seed, 31);
    deg_.assign(1, std::vector<int>(static_cast<std::size_t>(D_)));
    for (int d = 0; d < D_; ++d) deg_[0][static_cast<std::size_t>(d)] = d + 1;  // m^0(d) = d
    for (int h : hidden) {
      const std::vector<int>& prev = deg_.back();
      const int lo = *std::min_element(prev.begin(), prev.end());  // m^l(k) in [lo, D - 1]
      std::vector<int> m(static_cast<std::size_t>(h));
      for (int& v : m) v = lo + static_cast<int>(r.below(static_cast<std::uint32_t>(D_ - lo)));
      deg_.push_back(m);
    }
    mask_data_.clear();
    for (std::size_t l = 0; l < net_.layers.size(); ++l) {
      const std::vector<int>& in = deg_[l];
      const bool output = l + 1 == net_.layers.size();
      const int rows = net_.layers[l].out, cols = net_.layers[l].in;
      std::vector<float> M(static_cast<std::size_t>(rows) * cols);
      for (int k = 0; k < rows; ++k)
        for (int j = 0; j < cols; ++j) {
          const int mk = output ? k + 1 : deg_[l + 1][static_cast<std::size_t>(k)];
          // hidden: 1[m^l(k) >= m^{l-1}(j)] (eq. 12); output d = k + 1: 1[d > m^L(j)] (eq. 13)
          const bool keep = output ? mk > in[static_cast<std::size_t>(j)] : mk >= in[static_cast<std::size_t>(j)];
          M[static_cast<std::size_t>(k) * cols + j] = keep ? 1.f : 0.f;
        }
      mask_data_.push_back(std::move(M));
    }
    masks_.clear();
    for (std::size_t l = 0; l < mask_data_.size(); ++l) {
      Tensor m = make_shape(net_.layers[l].out, net_.layers[l].in);
      m.data = mask_data_[l].data();
      masks_.push_back(m);
    }
  }

  Part part_;
  MLP net_;
  int D_ = 0;
  std::vector<std::vector<int>> deg_;
  std::vector<std::vector<float>> mask_data_;
  std::vector<Tensor> masks_;
  Arena scratch_arena_;
  std::unique_ptr<Tape> scratch_;
};

}  // namespace

Made* as_made(Model* m) { return dynamic_cast<Made*>(m); }

std::unique_ptr<Model> make_made() { return std::make_unique<MadeImpl>(); }

}  // namespace dgm
