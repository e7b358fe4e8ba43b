// test_aae.cpp - the adversarial autoencoder (src/models/aae.cpp) and its priors (src/models/prior.cpp).
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "alloc_counter.h"
#include "dgm/run/config.h"
#include "dgm/models/aae.h"
#include "dgm/core/ops.h"
#include "dgm/models/prior.h"
#include "dgm/data/quality.h"

using namespace dgm;

namespace {

constexpr double kPi = 3.14159265358979323846;

std::vector<float> draw(PriorKind k, int n, int d, std::uint64_t seed) {
  std::vector<float> v(static_cast<std::size_t>(n) * d);
  Tensor t = make_shape(n, d);
  t.data = v.data();
  Rng rng(seed);
  sample_prior(k, rng, t);
  return v;
}

// A small AAE: 16 "pixels" (a 4 x 4 image) or 2-D points, one hidden layer of 32.
std::unique_ptr<Model> small_aae(const char* encoder, const char* prior, bool images, int latent = 2,
                                 std::uint64_t seed = 1) {
  Config c = config_defaults("aae", images ? "" : "ring");
  c.encoder = encoder;
  c.prior = prior;
  c.latent = latent;
  c.hidden = {32};
  c.act = "relu";
  c.lr = 1e-2f;  // a few hundred steps on a tiny problem
  c.lr_g = c.lr_d = 2e-3f;
  DataInfo d;
  d.dim = images ? 16 : 2;
  if (images) d.rows = d.cols = 4;
  std::unique_ptr<Model> m = make_aae();
  Rng rng(seed);
  Status s = m->build(model_options(c), d, rng);
  REQUIRE(s.ok);
  return m;
}

// 64 images made of 4 random binary prototypes, 16 copies each (in caller memory).
std::vector<float> prototypes(std::uint64_t seed) {
  Rng rng(seed);
  float proto[4][16];
  for (auto& p : proto)
    for (float& v : p) v = rng.uniform() < 0.5f ? 0.f : 1.f;
  std::vector<float> x(64 * 16);
  for (int i = 0; i < 64; ++i) std::memcpy(&x[static_cast<std::size_t>(i) * 16], proto[i % 4], sizeof proto[0]);
  return x;
}

Tensor view(std::vector<float>& v, int rows, int cols) {
  Tensor t = make_shape(rows, cols);
  t.data = v.data();
  return t;
}

std::vector<float> weights(const Part& p) { return std::vector<float>(p.params.data(), p.params.data() + p.params.size()); }
bool same(const std::vector<float>& a, const Part& p) {
  return a.size() == p.params.size() && std::memcmp(a.data(), p.params.data(), a.size() * sizeof(float)) == 0;
}
bool grads_zero(const Part& p) {
  for (std::size_t i = 0; i < p.params.size(); ++i)
    if (p.params.grads()[i] != 0.f) return false;
  return true;
}
double logged(const StepLog& log, const char* key) {
  for (int i = 0; i < log.n; ++i)
    if (!std::strcmp(log.name[i], key)) return log.value[i];
  FAIL("no log entry " << key);
  return 0;
}

}  // namespace

TEST_CASE("aae prior normal: mean 0, variance 1, uncorrelated columns") {
  const int n = 20000, d = 3;
  std::vector<float> z = draw(PriorKind::Normal, n, d, 3);
  for (int j = 0; j < d; ++j) {
    double s = 0, q = 0, c = 0;
    for (int i = 0; i < n; ++i) {
      const double v = z[static_cast<std::size_t>(i) * d + j], w = z[static_cast<std::size_t>(i) * d + (j + 1) % d];
      s += v, q += v * v, c += v * w;
    }
    // 5 standard errors: mean 1/sqrt(n) = 0.0071, variance sqrt(2/n) = 0.010, covariance 1/sqrt(n)
    CHECK(std::fabs(s / n) < 5.0 / std::sqrt(n));
    CHECK(std::fabs(q / n - 1.0) < 5.0 * std::sqrt(2.0 / n));
    CHECK(std::fabs(c / n) < 5.0 / std::sqrt(n));
  }
}

TEST_CASE("aae prior ring: radius 1 + ||z||/10 with ||z|| Rayleigh(1); uniform angle; extra dims N(0,1)") {
  const int n = 20000, d = 3;
  std::vector<float> z = draw(PriorKind::Ring, n, d, 4);
  std::vector<float> r(n);
  double cs = 0, sn = 0, e = 0, e2 = 0;
  for (int i = 0; i < n; ++i) {
    const float* p = &z[static_cast<std::size_t>(i) * d];
    r[i] = std::sqrt(p[0] * p[0] + p[1] * p[1]);
    cs += p[0] / r[i], sn += p[1] / r[i];
    e += p[2], e2 += p[2] * p[2];
  }
  double mean = 0, sd = 0;
  mean_std(r.data(), n, &mean, &sd);
  // Rayleigh(1): mean sqrt(pi/2), variance (4 - pi)/2.
  const double want_mean = 1.0 + std::sqrt(kPi / 2) / 10, want_sd = std::sqrt((4 - kPi) / 2) / 10;
  MESSAGE("ring radius mean " << mean << " (want " << want_mean << "), std " << sd << " (want " << want_sd << ")");
  CHECK(std::fabs(mean - want_mean) < 5 * want_sd / std::sqrt(n));  // 5 standard errors of the mean
  CHECK(std::fabs(sd / want_sd - 1) < 0.03);  // std error of a std ~ 1/sqrt(2n) = 0.5%, Rayleigh tails: 6 x that
  CHECK(std::fabs(cs / n) < 5 / std::sqrt(2.0 * n));  // cos of a uniform angle: variance 1/2
  CHECK(std::fabs(sn / n) < 5 / std::sqrt(2.0 * n));
  CHECK(std::fabs(e / n) < 5 / std::sqrt(n));
  CHECK(std::fabs(e2 / n - 1) < 5 * std::sqrt(2.0 / n));
}

TEST_CASE("aae prior mixture: 10 balanced components of std kMixtureStd around centres on a circle") {
  const int n = 20000, d = 2;
  std::vector<float> z = draw(PriorKind::Mixture, n, d, 5);
  int count[kMixtureModes] = {};
  double sq = 0;
  for (int i = 0; i < n; ++i) {
    const float* p = &z[static_cast<std::size_t>(i) * d];
    const int k = nearest_mixture_centre(p[0], p[1]);
    ++count[k];
    float c[2];
    mixture_centre(k, c);
    CHECK(std::fabs(std::sqrt(c[0] * c[0] + c[1] * c[1]) - kMixtureRadius) < 1e-5);
    sq += (p[0] - c[0]) * (p[0] - c[0]) + (p[1] - c[1]) * (p[1] - c[1]);
  }
  // Each count ~ Binomial(n, 1/10): std sqrt(n 0.1 0.9) = 42; 5 std. A point crosses to a
  // neighbour's cell with probability 2 (1 - Phi(2.47)) = 1.4%, symmetric, so counts stay balanced.
  const double sd = std::sqrt(n * 0.1 * 0.9);
  for (int k = 0; k < kMixtureModes; ++k) CHECK(std::fabs(count[k] - n / 10.0) < 5 * sd);
  // E |z - c|^2 = 2 std^2 for an isotropic 2-D Gaussian; the few crossings make it slightly
  // smaller. 5% covers both (std error of the mean of a chi^2_2 / n: 1/sqrt(n) = 0.7%).
  CHECK(std::fabs(sq / n / (2 * kMixtureStd * kMixtureStd) - 1) < 0.05);
}

TEST_CASE("aae prior: dimension checks, names, and a median-heuristic bandwidth") {
  PriorKind k;
  CHECK(parse_prior("ring", &k).ok);
  CHECK(k == PriorKind::Ring);
  CHECK_FALSE(parse_prior("uniform", &k).ok);
  CHECK_FALSE(check_prior_dim(PriorKind::Mixture, 1).ok);
  CHECK(check_prior_dim(PriorKind::Normal, 1).ok);
  // For N(0, I_d) |a - b|^2 ~ 2 chi^2_d, whose median is near 2 (d - 2/3): sqrt of that.
  for (int d : {2, 8, 32}) {
    const double bw = prior_bandwidth(PriorKind::Normal, d), want = std::sqrt(2.0 * (d - 2.0 / 3));
    CHECK(std::fabs(bw / want - 1) < 0.1);
    CHECK(bw == prior_bandwidth(PriorKind::Normal, d));  // fixed seed: the same every time
  }
}

TEST_CASE("aae: MMD^2 between two prior samples is near 0; codes of an untrained encoder are far") {
  // 256 random images -> 256 distinct codes per batch (an untrained encoder maps them to a small
  // cloud near its output bias, far narrower than the prior).
  const int n = 256;
  Rng data_rng(10);
  std::vector<float> x(static_cast<std::size_t>(n) * 16);
  for (float& v : x) v = data_rng.uniform();
  for (const char* prior : {"normal", "mixture", "ring"}) {
    std::unique_ptr<Model> m = small_aae("det", prior, true, 2);
    Arena arena;
    Tape t(arena);
    Batch b;
    Rng rng(9);
    // 4 evaluations -> per-batch estimates; the prior-prior ones show the estimator's noise.
    double worst_pp = 0, least_cp = 1e9;
    for (int rep = 0; rep < 4; ++rep) {
      t.reset();
      b.x = view(x, n, 16);
      StepLog log;
      m->evaluate(t, b, rng, log);
      worst_pp = std::max(worst_pp, std::fabs(logged(log, "mmd_prior_prior")));
      least_cp = std::min(least_cp, logged(log, "mmd_codes_prior"));
      CHECK(logged(log, "test_recon") > 0);
    }
    MESSAGE(std::string(prior) << ": untrained codes MMD^2 >= " << least_cp << ", prior vs prior |MMD^2| <= " << worst_pp);
    CHECK(least_cp > 4 * worst_pp);
    // The unbiased estimate's std is O(1/n) for kernel values in [0, 1]: 0.02 is ~5/n.
    CHECK(worst_pp < 0.02);
  }
}

TEST_CASE("aae: each phase changes only the parameters it should; gradients are left zero") {
  for (const char* enc : {"det", "gauss", "universal"}) {
    CAPTURE(enc);
    std::unique_ptr<Model> m = small_aae(enc, "mixture", true);
    Aae* a = as_aae(m.get());
    REQUIRE(a != nullptr);
    std::vector<float> x = prototypes(12);
    Arena arena;
    Tape t(arena);
    Rng rng(13);
    StepLog log;
    CHECK(same(weights(a->enc()), a->enc_reg()));  // the mirror starts equal

    std::vector<float> e0 = weights(a->enc()), d0 = weights(a->dec()), D0 = weights(a->disc());
    a->reconstruction_phase(t, view(x, 64, 16), rng, log);
    CHECK_FALSE(same(e0, a->enc()));
    CHECK_FALSE(same(d0, a->dec()));
    CHECK(same(D0, a->disc()));
    CHECK(same(weights(a->enc()), a->enc_reg()));
    CHECK(a->enc().opt.t == 1);
    CHECK(a->dec().opt.t == 1);
    CHECK(a->disc().opt.t == 0);
    CHECK(a->enc_reg().opt.t == 0);

    t.reset();
    std::vector<float> e1 = weights(a->enc()), d1 = weights(a->dec());
    a->discriminator_phase(t, view(x, 64, 16), rng, log);
    CHECK(same(e1, a->enc()));
    CHECK(same(d1, a->dec()));
    CHECK_FALSE(same(D0, a->disc()));
    CHECK(a->disc().opt.t == 1);

    t.reset();
    std::vector<float> D2 = weights(a->disc());
    a->regularisation_phase(t, view(x, 64, 16), rng, log);
    CHECK_FALSE(same(e1, a->enc()));
    CHECK(same(d1, a->dec()));
    CHECK(same(D2, a->disc()));
    CHECK(same(weights(a->enc()), a->enc_reg()));
    CHECK(a->enc().opt.t == 1);  // the reconstruction optimizer did not step again
    CHECK(a->enc_reg().opt.t == 1);

    for (Part* p : m->parts()) {
      CHECK(grads_zero(*p));
      CHECK(p->params.trainable());
    }
    for (const char* key : {"recon", "loss_d", "d_prior", "d_code", "loss_g"}) CHECK(std::isfinite(logged(log, key)));
  }
}

TEST_CASE("aae: the reconstruction loss falls well below what a code-free decoder can reach") {
  std::vector<float> x = prototypes(21);
  // The best decoder that ignores z predicts each pixel's batch mean p_j; its loss is
  // sum_j H(p_j) (entropy in nats). Using the code, the AAE must go far below it.
  double baseline = 0;
  for (int j = 0; j < 16; ++j) {
    double p = 0;
    for (int i = 0; i < 64; ++i) p += x[static_cast<std::size_t>(i) * 16 + j];
    p /= 64;
    if (p > 0 && p < 1) baseline -= p * std::log(p) + (1 - p) * std::log(1 - p);
  }
  REQUIRE(baseline > 1);
  // The level reached is the median of the last 50 steps' losses, not their mean: training at
  // lr 1e-2 has rare one-to-five-step spikes (recon 0.003 -> 97 nats -> 0.002 for the universal
  // encoder, whose noise input eta now and then sends a code far out; Adam's step is large when
  // its v has decayed). A mean of the last 10 steps that catches one fails by luck: measured over
  // 300 seed triples per encoder (build, data, batch rng), it failed 21 universal and 1 det
  // cases on x86 and the default seeds on aarch64 (found on aarch64: the platforms' last-bit
  // rounding differs, FMA contraction and libm, so the spike falls elsewhere). The median passed
  // all 900 on x86 (largest 0.24 nats) and 30 of 30 on aarch64. A decoder that ignores z cannot go
  // below `baseline` at any step, so its median cannot pass either.
  for (const char* enc : {"det", "gauss", "universal"}) {
    std::unique_ptr<Model> m = small_aae(enc, "normal", true);
    Arena arena;
    Tape t(arena);
    Rng rng(22);
    double first = 0;
    std::vector<double> tail;  // the last 50 steps' losses
    for (int step = 0; step < 300; ++step) {
      t.reset();
      Batch b;
      b.x = view(x, 64, 16);
      StepLog log;
      m->train_step(t, b, rng, log);
      const double r = logged(log, "recon");
      if (step < 10) first += r / 10;
      if (step >= 250) tail.push_back(r);
    }
    std::nth_element(tail.begin(), tail.begin() + 25, tail.end());
    const double last = tail[25];  // the median
    MESSAGE(std::string(enc) << ": recon " << first << " -> " << last << " nats, median of the last 50 steps"
                             << " (code-free decoder: " << baseline << ")");
    CHECK(last < 0.25 * baseline);
    CHECK(last < first);
  }
}

TEST_CASE("aae: with the encoder frozen the discriminator learns to tell codes from prior samples") {
  std::unique_ptr<Model> m = small_aae("det", "normal", true);
  Aae* a = as_aae(m.get());
  std::vector<float> x = prototypes(31);
  Arena arena;
  Tape t(arena);
  Rng rng(32);
  const std::vector<float> e0 = weights(a->enc());
  StepLog log;
  double first = 0;
  for (int step = 0; step < 400; ++step) {
    t.reset();
    a->discriminator_phase(t, view(x, 64, 16), rng, log);
    if (step == 0) first = logged(log, "loss_d");
  }
  CHECK(same(e0, a->enc()));
  // Chance: D = 1/2 everywhere gives L_D = 2 log 2 = 1.386 ([MSU] C(G) = 2 JS - log 4: the loss
  // at the best D is 2 log 2 - 2 JS(p || q), below chance exactly when p != q). The untrained
  // encoder's codes sit in a small region, so the best D is far better than chance. Measured
  // on a fresh batch of prior samples and codes.
  t.reset();
  Batch b;
  b.x = view(x, 64, 16);
  StepLog ev;
  a->discriminator_phase(t, b.x, rng, ev);
  const double loss = logged(ev, "loss_d");
  MESSAGE("loss_d " << first << " -> " << loss << "; D(prior) " << logged(ev, "d_prior") << ", D(code) "
                    << logged(ev, "d_code"));
  CHECK(std::fabs(first - 2 * std::log(2.0)) < 0.2);
  CHECK(loss < 0.6 * 2 * std::log(2.0));
  CHECK(logged(ev, "d_prior") - logged(ev, "d_code") > 0.4);
}

TEST_CASE("aae: every encoder and prior builds, trains a few steps, samples, reconstructs, encodes") {
  for (bool images : {true, false})
    for (const char* enc : {"det", "gauss", "universal"})
      for (const char* prior : {"normal", "mixture", "ring"}) {
        CAPTURE(images);
        CAPTURE(enc);
        CAPTURE(prior);
        std::unique_ptr<Model> m = small_aae(enc, prior, images, 3);
        const int dim = images ? 16 : 2;
        Rng rng(41);
        std::vector<float> x(32 * static_cast<std::size_t>(dim));
        for (float& v : x) v = images ? rng.uniform() : 2 * rng.normal();
        Arena arena;
        Tape t(arena);
        for (int step = 0; step < 3; ++step) {
          t.reset();
          Batch b;
          b.x = view(x, 32, dim);
          StepLog log;
          m->train_step(t, b, rng, log);
          CHECK(log.n == 5);
          for (int i = 0; i < log.n; ++i) CHECK(std::isfinite(log.value[i]));
        }
        t.reset();
        Tensor z = t.alloc(make_shape(8, m->latent_dim())), out = t.alloc(make_shape(8, dim));
        m->sample_latent(rng, z);
        m->generate(t, z, Tensor{}, out);
        for (std::size_t i = 0; i < out.size(); ++i)
          CHECK((images ? out.data[i] >= 0 && out.data[i] <= 1 : std::isfinite(out.data[i])));
        CHECK(m->reconstruct(t, view(x, 8, dim), out));
        // Noise-free codes are a function of x: the same twice; sampled ones differ for gauss/universal.
        Tensor c1 = t.alloc(make_shape(8, 3)), c2 = t.alloc(make_shape(8, 3)), c3 = t.alloc(make_shape(8, 3));
        REQUIRE(aae_codes(*m, t, view(x, 8, dim), nullptr, c1));
        REQUIRE(aae_codes(*m, t, view(x, 8, dim), nullptr, c2));
        REQUIRE(aae_codes(*m, t, view(x, 8, dim), &rng, c3));
        CHECK(std::memcmp(c1.data, c2.data, c1.size() * sizeof(float)) == 0);
        CHECK((std::memcmp(c1.data, c3.data, c1.size() * sizeof(float)) == 0) == (std::strcmp(enc, "det") == 0));
      }
}

TEST_CASE("aae: build errors are statuses; other models are not AAEs") {
  Config c = config_defaults("aae", "");
  DataInfo d;
  d.dim = 16;
  Rng rng(1);
  c.prior = "ring";
  c.latent = 1;
  CHECK_FALSE(make_aae()->build(model_options(c), d, rng).ok);
  c.prior = "normal";
  c.encoder = "flow";  // an unknown name: the options do not parse (no model is built from it)
  ModelOptions bad;
  CHECK_FALSE(model_options(c, &bad).ok);
  c.encoder = "det";
  d.dim = 0;
  CHECK_FALSE(make_aae()->build(model_options(c), d, rng).ok);
  Status s;
  std::unique_ptr<Model> other = make_model("vae", &s);
  if (other) CHECK(as_aae(other.get()) == nullptr);
}

TEST_CASE("aae: no heap allocation per training step in steady state") {
  std::unique_ptr<Model> m = small_aae("universal", "ring", true);
  std::vector<float> x = prototypes(51);
  Arena arena;
  Tape t(arena);
  Rng rng(52);
  check_no_allocation_per_step(
      [&] {
        t.reset();
        Batch b;
        b.x = view(x, 64, 16);
        StepLog log;
        m->train_step(t, b, rng, log);
      },
      arena);
}

TEST_CASE("aae: all state is in the Parts: copying them (and the rng) resumes bit-identically") {
  // What the trainer's checkpoint stores: each Part's weights and optimizer state (s1, s2, t).
  // Both encoder optimizers must be among them, or the resumed run would drift.
  std::vector<float> x = prototypes(61);
  auto run = [&](Model& m, Rng& rng, int steps) {
    Arena arena;
    Tape t(arena);
    for (int i = 0; i < steps; ++i) {
      t.reset();
      Batch b;
      b.x = view(x, 64, 16);
      StepLog log;
      m.train_step(t, b, rng, log);
    }
  };
  std::unique_ptr<Model> a = small_aae("gauss", "mixture", true, 2, 1);
  Rng ra(70);
  run(*a, ra, 10);
  std::unique_ptr<Model> b = small_aae("gauss", "mixture", true, 2, 99);  // other initial weights
  std::vector<Part*> pa = a->parts(), pb = b->parts();
  REQUIRE(pa.size() == 4);
  for (std::size_t i = 0; i < pa.size(); ++i) {
    CHECK(pa[i]->name == pb[i]->name);
    std::memcpy(pb[i]->params.data(), pa[i]->params.data(), pa[i]->params.size() * sizeof(float));
    pb[i]->opt.s1 = pa[i]->opt.s1;
    pb[i]->opt.s2 = pa[i]->opt.s2;
    pb[i]->opt.t = pa[i]->opt.t;
  }
  Rng rb = ra;
  run(*a, ra, 5);
  run(*b, rb, 5);
  for (std::size_t i = 0; i < pa.size(); ++i) {
    CAPTURE(pa[i]->name);
    CHECK(std::memcmp(pa[i]->params.data(), pb[i]->params.data(), pa[i]->params.size() * sizeof(float)) == 0);
  }
}

TEST_CASE("aae: with D fixed, the regularisation phase moves the codes to where D says 'prior'") {
  // Phase 3 alone against a trained, fixed D: L_G = mean_i -log D(E(x_i)) is then a fixed
  // objective of the encoder, so the encoder's steps must lower it and raise the mean D(code).
  // A wrong sign, a D fed something other than the codes (no gradient reaches the encoder), or
  // a step not applied to the encoder that encodes the next batch would leave it flat or rising.
  std::unique_ptr<Model> m = small_aae("det", "normal", true, 2, 51);
  Aae* a = as_aae(m.get());
  std::vector<float> x = prototypes(52);
  Arena arena;
  Tape t(arena);
  Rng rng(53);
  StepLog log;
  for (int step = 0; step < 300; ++step) {  // D learns to reject the untrained codes (test above)
    t.reset();
    a->discriminator_phase(t, view(x, 64, 16), rng, log);
  }
  const std::vector<float> d0 = weights(a->disc());
  double first = 0, last = 0;
  for (int step = 0; step < 50; ++step) {
    t.reset();
    log.clear();
    a->regularisation_phase(t, view(x, 64, 16), rng, log);  // logs L_G before its own update
    (step == 0 ? first : last) = logged(log, "loss_g");
  }
  CHECK(same(d0, a->disc()));  // D really was fixed
  MESSAGE("L_G with D fixed: " << first << " -> " << last);
  // D(code) < 0.5 after D's training, so L_G starts above log 2; 50 encoder steps of lr-g
  // 2e-3 against a fixed D must get it below log 2 (D then takes the codes for prior samples).
  CHECK(first > std::log(2.0) + 0.2);
  CHECK(last < std::log(2.0));
}
