// wgan.cpp - the Wasserstein GAN (Arjovsky, Chintala, Bottou 2017), the remedy [HSE] points to
// after the GAN's problems (the slide "Wasserstein GAN / Martin Arjovsky, ..." following
// Немного о коллапсе моды: with the optimal D the -log D loss is KL(Q||P) - 2 JS(P, Q), which
// gives G no useful gradient when the supports of P and Q do not overlap).
//
// The critic f (D's network with no sigmoid: its output is a real number) estimates the
// Earth-Mover distance by the Kantorovich-Rubinstein duality
//   W(P, Q) = sup_{||f||_L <= 1} E_{x~P} f(x) - E_{x~Q} f(x),
// the Lipschitz bound enforced (up to a constant) by clipping every critic weight to [-c, c]
// after each critic update (--clip, default 0.01). RMSProp, lr 5e-5, n_critic = 5 critic steps
// per generator step (--n-critic), as in the paper (config_defaults).
//
// Reductions: each E is the mean over the m = --batch rows of the minibatch.
#include "dgm/models/adversarial.h"
#include "dgm/core/ops.h"

namespace dgm {
namespace {

class Wgan : public AdversarialModel {
 public:
  Status build(const ModelOptions& o, const DataInfo& d, Rng& rng) override {
    clip_ = o.clip;
    Status st = AdversarialModel::build(o, d, rng);
    if (st) after_d_step();  // start inside the clipping box as well
    return st;
  }

 protected:
  int d_steps_from(const ModelOptions& o) const override { return o.n_critic; }

  // Critic: maximise the estimate E_x f(x) - E_z f(G(z)), i.e. minimise
  //   loss_d = mean_b f(G(z_b)) - mean_b f(x_b)
  Var d_loss(Tape& t, Var real_f, Var fake_f) override {
    Var e_fake = mean(t, fake_f);  // E_z f(G(z))
    Var e_real = mean(t, real_f);  // E_x f(x)
    return sub(t, e_fake, e_real);
  }
  // Generator: minimise -E_z f(G(z)) = -mean_b f(G(z_b))  (the E_x f(x) term does not depend on G)
  Var g_loss(Tape& t, Var fake_f) override { return dgm::scale(t, mean(t, fake_f), -1.f); }

  // w <- clip(w, -c, c) for every critic weight and bias, after every critic step.
  void after_d_step() override { disc().params.clamp(-clip_, clip_); }

  // w_estimate = mean_b f(x_b) - mean_b f(G(z_b)) = -loss_d, before this critic update.
  void log_d(Tape& t, Var r, Var f, StepLog& log) override { log.add("w_estimate", estimate(t, r, f)); }
  void log_eval(Tape& t, Var r, Var f, StepLog& log) override { log.add("test_w_estimate", estimate(t, r, f)); }

 private:
  static double estimate(Tape& t, Var r, Var f) {
    const Tensor a = t.host_copy(t.value(r));
    const Tensor b = t.host_copy(t.value(f));
    double sr = 0.0, sf = 0.0;
    for (std::size_t i = 0; i < a.size(); ++i) sr += a.data[i];
    for (std::size_t i = 0; i < b.size(); ++i) sf += b.data[i];
    return sr / static_cast<double>(a.size()) - sf / static_cast<double>(b.size());
  }
  float clip_ = 0.01f;
};

}  // namespace

std::unique_ptr<Model> make_wgan() { return std::make_unique<Wgan>(); }

}  // namespace dgm
