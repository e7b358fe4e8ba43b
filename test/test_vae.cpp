// test_vae.cpp - the VAE (src/models/vae.cpp): the loss falls; the logged training loss and the
// evaluation numbers equal the formulas recomputed here in double from the weights and the same
// noise; L^A's Monte Carlo KL averages to L^B's closed form; the importance-weighted bound is
// below the ELBO and equal to it in expectation for k = 1; outputs are in range; train_step
// allocates nothing in steady state; same seed, same bits.
#include <doctest/doctest.h>

#include "built_model.h"

#include <cmath>
#include <cstring>
#include <vector>

#include "alloc_counter.h"
#include "dgm/run/config.h"
#include "dgm/core/ops.h"
#include "dgm/backend/parallel.h"
#include "model_ref.h"

using namespace dgm;

namespace {

constexpr double kLog2Pi = 1.8378770664093453;

struct Fixture {
  Config c = config_defaults("vae", "");
  DataInfo d;
  std::unique_ptr<Model> m;
  Arena arena;
  Tape t{arena};
  Fixture(int dim, std::vector<int> hidden, int latent, void (*tweak)(Config&) = nullptr,
          std::uint64_t seed = 1) {
    c.hidden = hidden;
    c.latent = latent;
    if (tweak) tweak(c);
    if (c.lr > 0) REQUIRE(validate(c).ok);  // lr 0 (frozen weights) is for tests only
    d.dim = dim;
    m = built_model("vae", c, d, seed);
  }
  ParamStore& p() { return m->parts()[0]->params; }
};

// The negative ELBO terms of every row, recomputed in double from the weights, the data and the
// noise eps (rows, J) that the model drew. Returns per-row recon (-log p(x|z)), closed-form KL and
// Monte Carlo KL (log q(z|x) - log p(z)) at z = mu + exp(logvar/2) eps.
struct RefTerms {
  std::vector<double> recon, kl_closed, kl_mc, log_w;  // log_w = log p(x,z) - log q(z|x)
};
RefTerms reference(Fixture& f, const std::vector<float>& x, const std::vector<float>& eps) {
  const int dim = f.d.dim, J = f.c.latent, B = static_cast<int>(x.size()) / dim;
  const bool gauss = f.c.decoder == "gaussian";
  std::vector<double> xd(x.begin(), x.end());
  std::vector<double> h = ref::mlp(f.p(), "enc", xd, B, Act::ReLU);  // (B, 2J)
  std::vector<double> z(static_cast<std::size_t>(B) * J);
  RefTerms out;
  for (int r = 0; r < B; ++r) {
    double klc = 0, klm = 0;
    for (int j = 0; j < J; ++j) {
      const double mu = h[r * 2 * J + j], lv = h[r * 2 * J + J + j], e = eps[r * J + j];
      const double zj = mu + std::exp(lv / 2) * e;
      z[r * J + j] = zj;
      klc += -0.5 * (1 + lv - mu * mu - std::exp(lv));
      // log q(z|x) - log p(z) written out in full: N(z; mu, e^lv) against N(z; 0, 1)
      const double logq = -0.5 * (kLog2Pi + lv + (zj - mu) * (zj - mu) / std::exp(lv));
      const double logp = -0.5 * (kLog2Pi + zj * zj);
      klm += logq - logp;
    }
    out.kl_closed.push_back(klc);
    out.kl_mc.push_back(klm);
  }
  std::vector<double> o = ref::mlp(f.p(), "dec", z, B, Act::ReLU);
  for (int r = 0; r < B; ++r) {
    double nll = 0;
    if (!gauss) {
      nll = ref::bce_row(o, x.data(), r, dim);
    } else {
      for (int j = 0; j < dim; ++j) {
        const double m = o[r * 2 * dim + j], v = o[r * 2 * dim + dim + j], dx = x[r * dim + j] - m;
        nll += 0.5 * (kLog2Pi + v + dx * dx * std::exp(-v));
      }
    }
    out.recon.push_back(nll);
    out.log_w.push_back(-nll - out.kl_mc[static_cast<std::size_t>(r)]);
  }
  return out;
}

std::vector<float> draw(Rng& r, int n) {
  std::vector<float> v(static_cast<std::size_t>(n));
  for (float& e : v) e = r.normal();
  return v;
}

double mean(const std::vector<double>& v) {
  double s = 0;
  for (double x : v) s += x;
  return s / v.size();
}

}  // namespace

TEST_CASE("vae: the loss falls on a small fixed batch (Bernoulli and Gaussian decoders, L^A and L^B)") {
  const std::vector<float> x = ref::binary_images(32, 64, 3);
  void (*variants[])(Config&) = {
      nullptr,
      [](Config& c) { c.estimator = "A"; c.samples = 2; },
      [](Config& c) { c.decoder = "gaussian"; },
  };
  for (auto tweak : variants) {
    Fixture f(64, {32}, 4, tweak);
    Rng rng(5);
    const double first = ref::get(ref::train_step(*f.m, f.t, x, 64, rng), "loss");
    double last = 0;
    for (int s = 1; s <= 300; ++s) {
      StepLog log = ref::train_step(*f.m, f.t, x, 64, rng);
      if (s > 290) last += ref::get(log, "loss") / 10;  // mean of the last 10 steps
      REQUIRE(std::isfinite(ref::get(log, "loss")));
    }
    MESSAGE(f.c.decoder << " " << f.c.estimator << ": loss " << first << " -> " << last);
    // Bernoulli: from ~44 nats (random logits on 64 pixels) to ~20 (the 10% flips are noise the
    // model cannot predict: 64 * H(0.1) = 21 nats). A 25% drop is far beyond step-to-step noise.
    if (f.c.decoder == "bernoulli") CHECK(last < 0.75 * first);
    else CHECK(last < first - 20);  // Gaussian NLL can go negative: compare by a margin in nats
  }
}

TEST_CASE("vae: the logged loss, recon and kl equal -ELBO recomputed in double (L^B and L^A, L = 2)") {
  const std::vector<float> x = ref::binary_images(5, 6, 9);
  void (*variants[])(Config&) = {
      [](Config& c) { c.samples = 2; },
      [](Config& c) { c.samples = 2; c.estimator = "A"; },
      [](Config& c) { c.samples = 2; c.decoder = "gaussian"; },
  };
  for (auto tweak : variants) {
    Fixture f(6, {5}, 3, tweak);
    Rng rng(11);
    // The model draws eps (B, J) once per sample l; draw the same numbers from a copy of rng.
    Rng copy = rng;
    double recon = 0, kl = 0;
    for (int l = 0; l < 2; ++l) {
      RefTerms r = reference(f, x, draw(copy, 5 * 3));
      recon += mean(r.recon) / 2;
      kl += (f.c.estimator == "A" ? mean(r.kl_mc) : mean(r.kl_closed)) / 2;
    }
    StepLog log = ref::train_step(*f.m, f.t, x, 6, rng);
    // Tolerance: float forward with sums of <= 6 terms vs double; values are O(10) nats, float
    // rounding gives ~1e-6 relative. 1e-4 absolute is 100x that and far below any formula error.
    CHECK(std::fabs(ref::get(log, "recon") - recon) < 1e-4);
    CHECK(std::fabs(ref::get(log, "kl") - kl) < 1e-4);
    CHECK(std::fabs(ref::get(log, "loss") - (recon + kl)) < 1e-4);
  }
}

TEST_CASE("vae: evaluate's test_loss and test_iwae equal the formulas recomputed in double") {
  const std::vector<float> x = ref::binary_images(4, 6, 13);
  for (const char* dec : {"bernoulli", "gaussian"}) {
    static const char* s_dec;
    s_dec = dec;
    Fixture f(6, {5}, 2, [](Config& c) { c.iw = 7; c.decoder = s_dec; });
    Rng rng(17);
    Rng copy = rng;
    // Order of draws (vae.cpp evaluate): eps (B, J) for test_loss from rng, then a seed from rng
    // for the generator of the k eps (B, J) of test_iwae.
    RefTerms one = reference(f, x, draw(copy, 4 * 2));
    double loss = 0;
    for (int r = 0; r < 4; ++r) loss += (one.recon[r] + one.kl_closed[r]) / 4;
    const std::uint64_t hi = copy.next_u32(), lo = copy.next_u32();
    Rng iw_rng((hi << 32) | lo);
    std::vector<std::vector<double>> lw;
    for (int i = 0; i < 7; ++i) lw.push_back(reference(f, x, draw(iw_rng, 4 * 2)).log_w);
    double iwae = 0;
    for (int r = 0; r < 4; ++r) {
      double s = 0;  // plain sum of exp: the values here are small enough not to overflow
      for (int i = 0; i < 7; ++i) s += std::exp(lw[i][r]);
      iwae += -std::log(s / 7) / 4;
    }
    StepLog log = ref::evaluate(*f.m, f.t, x, 6, rng);
    // Tolerances as above: float forward vs double, values O(10) nats.
    CHECK(std::fabs(ref::get(log, "test_loss") - loss) < 1e-4);
    CHECK(std::fabs(ref::get(log, "test_iwae") - iwae) < 1e-4);
  }
}

TEST_CASE("vae: evaluate's test_loss does not depend on k (--iw), and the next batch's draws neither") {
  const std::vector<float> x = ref::binary_images(4, 6, 13);
  Fixture f1(6, {5}, 2, [](Config& c) { c.iw = 1; });
  Fixture f9(6, {5}, 2, [](Config& c) { c.iw = 9; });
  std::memcpy(f9.p().data(), f1.p().data(), f1.p().size() * sizeof(float));
  Rng r1(5), r9(5);
  for (int batch = 0; batch < 3; ++batch) {  // as evaluate_model does over the test batches
    StepLog a = ref::evaluate(*f1.m, f1.t, x, 6, r1);
    StepLog b = ref::evaluate(*f9.m, f9.t, x, 6, r9);
    CHECK(ref::get(a, "test_loss") == ref::get(b, "test_loss"));  // same eps, same weights: same bits
    CHECK(ref::get(a, "test_iwae") != ref::get(b, "test_iwae"));
  }
}

TEST_CASE("vae: L^A's Monte Carlo KL averages to L^B's closed-form KL (same weights, lr 0)") {
  const std::vector<float> x = ref::binary_images(8, 16, 21);
  // lr 0: the optimizer step leaves the weights unchanged, so every step sees the same model.
  Fixture fa(16, {12}, 3, [](Config& c) { c.estimator = "A"; c.lr = 0; });
  Fixture fb(16, {12}, 3, [](Config& c) { c.lr = 0; });
  REQUIRE(std::memcmp(fa.p().data(), fb.p().data(), fa.p().size() * sizeof(float)) == 0);
  Rng ra(1), rb(2);
  std::vector<double> kla, lossa, lossb;
  double klb = 0;
  for (int s = 0; s < 2000; ++s) {
    StepLog la = ref::train_step(*fa.m, fa.t, x, 16, ra);
    StepLog lb = ref::train_step(*fb.m, fb.t, x, 16, rb);
    kla.push_back(ref::get(la, "kl"));
    lossa.push_back(ref::get(la, "loss"));
    lossb.push_back(ref::get(lb, "loss"));
    klb = ref::get(lb, "kl");  // deterministic: the closed form
  }
  double ma, sa, mla, sla, mlb, slb;
  ref::mean_se(kla, &ma, &sa);
  ref::mean_se(lossa, &mla, &sla);
  ref::mean_se(lossb, &mlb, &slb);
  MESSAGE("KL: Monte Carlo " << ma << " +- " << sa << ", closed form " << klb << "; loss A " << mla
                             << " +- " << sla << ", B " << mlb << " +- " << slb);
  CHECK(sa > 0);
  // 4 standard errors: a correct estimator fails this with probability ~6e-5.
  CHECK(std::fabs(ma - klb) < 4 * sa);
  CHECK(std::fabs(mla - mlb) < 4 * std::sqrt(sla * sla + slb * slb));
}

TEST_CASE("vae: test_iwae <= test_loss on average, and k = 1 has the ELBO's expectation") {
  const std::vector<float> x = ref::binary_images(16, 16, 23);
  Fixture f1(16, {12}, 3, [](Config& c) { c.iw = 1; });
  Fixture fk(16, {12}, 3, [](Config& c) { c.iw = 20; });
  // Train f1 a little so q(z|x) is not the initial one, then give fk the same weights.
  Rng rt(3);
  for (int s = 0; s < 100; ++s) ref::train_step(*f1.m, f1.t, x, 16, rt);
  std::memcpy(fk.p().data(), f1.p().data(), f1.p().size() * sizeof(float));
  Rng r1(4), rk(5);
  std::vector<double> loss1, iw1, lossk, iwk;
  for (int s = 0; s < 1000; ++s) {
    StepLog a = ref::evaluate(*f1.m, f1.t, x, 16, r1);
    loss1.push_back(ref::get(a, "test_loss"));
    iw1.push_back(ref::get(a, "test_iwae"));
    if (s < 200) {
      StepLog b = ref::evaluate(*fk.m, fk.t, x, 16, rk);
      lossk.push_back(ref::get(b, "test_loss"));
      iwk.push_back(ref::get(b, "test_iwae"));
    }
  }
  double ml, sl, mi, si, mlk, slk, mik, sik;
  ref::mean_se(loss1, &ml, &sl);
  ref::mean_se(iw1, &mi, &si);
  ref::mean_se(lossk, &mlk, &slk);
  ref::mean_se(iwk, &mik, &sik);
  MESSAGE("-ELBO " << ml << " +- " << sl << "; IWAE k=1 " << mi << " +- " << si << "; -ELBO " << mlk
                   << " +- " << slk << "; IWAE k=20 " << mik << " +- " << sik);
  // k = 1: -log p(x,z)/q(z|x) with one z is an unbiased estimate of -ELBO: equal means within
  // 4 combined standard errors (the two use independent noise).
  CHECK(std::fabs(mi - ml) < 4 * std::sqrt(sl * sl + si * si));
  // k = 20: a tighter bound, below -ELBO (Burda et al. 2016, Theorem 1), up to the same MC error.
  CHECK(mik < mlk + 4 * std::sqrt(slk * slk + sik * sik));
  CHECK(mik < mi);  // and below the k = 1 bound (the gap is many standard errors here)
}

TEST_CASE("vae: generate and reconstruct give (n, dim) in [0, 1]; wrong shapes are refused") {
  Fixture f(64, {32}, 4);
  ref::check_outputs_in_unit_range(*f.m, f.t, 64, 4);
}

TEST_CASE("vae: train_step allocates nothing in steady state (arena high water, operator new)") {
  const std::vector<float> x = ref::binary_images(32, 64, 3);
  for (const char* est : {"B", "A"}) {
    static const char* s_est;
    s_est = est;
    Fixture f(64, {32}, 4, [](Config& c) { c.estimator = s_est; c.samples = 2; });
    Rng rng(5);
    check_no_allocation_per_step([&] { ref::train_step(*f.m, f.t, x, 64, rng); }, f.arena);
  }
}

TEST_CASE("vae: same seed, same bits") {
  const std::vector<float> x = ref::binary_images(32, 64, 3);
  std::vector<float> w[2];
  for (int run = 0; run < 2; ++run) {
    Fixture f(64, {32}, 4);
    Rng rng(5);
    for (int s = 0; s < 20; ++s) ref::train_step(*f.m, f.t, x, 64, rng);
    w[run].assign(f.p().data(), f.p().data() + f.p().size());
  }
  CHECK(std::memcmp(w[0].data(), w[1].data(), w[0].size() * sizeof(float)) == 0);
}

TEST_CASE("vae: test_iwae is bitwise the same for 1, 2 and 3 threads (its rows are split in fixed ranges)") {
  const std::vector<float> x = ref::binary_images(37, 16, 29);  // 37 rows: ranges of unequal size
  Fixture f(16, {12}, 3, [](Config& c) { c.iw = 50; });
  const int saved = num_threads();
  double first = 0;
  for (int threads = 1; threads <= 3; ++threads) {
    set_num_threads(threads);
    Rng r(6);
    const double v = ref::get(ref::evaluate(*f.m, f.t, x, 16, r), "test_iwae");
    REQUIRE(std::isfinite(v));
    if (threads == 1) first = v;
    CHECK(std::memcmp(&v, &first, sizeof v) == 0);
  }
  set_num_threads(saved);
}
