// test_gan.cpp - GAN, cGAN, WGAN (src/models/gan.cpp, cgan.cpp, wgan.cpp, adversarial.cpp) and the
// cGAN's judge, the MLP classifier (src/run/classifier.cpp). Small networks and batches so the
// suite stays fast; batches are built here from our Rng (no data files).
#include <doctest/doctest.h>

#include "built_model.h"

#include <cmath>
#include <cstring>
#include <vector>

#include "alloc_counter.h"
#include "dgm/run/config.h"
#include "dgm/run/classifier.h"
#include "dgm/models/adversarial.h"
#include "dgm/core/ops.h"

using namespace dgm;

namespace {

// A small adversarial config on 2-D (or 1-D) data.
Config small_config(const std::string& model, const std::string& data) {
  Config c = config_defaults(model, data);
  c.hidden = {32, 32};
  c.latent = data == "gauss1d" ? 1 : 8;
  c.batch = 64;
  return c;
}

std::unique_ptr<AdversarialModel> build(const Config& c, const DataInfo& d, std::uint64_t seed) {
  std::unique_ptr<Model> m = built_model(c.model, c, d, seed);
  return std::unique_ptr<AdversarialModel>(static_cast<AdversarialModel*>(m.release()));
}

// Real data: rows ~ N(centre, std^2 I).
void real_batch(Rng& rng, Tensor x, float centre, float stddev) { rng.fill_normal(x, centre, stddev); }

double log_value(const StepLog& log, const char* name) {
  for (int i = 0; i < log.n; ++i)
    if (!std::strcmp(log.name[i], name)) return log.value[i];
  FAIL("no value named " << name << " in the step log");
  return 0.0;
}

// Mean of n generated samples (1-D model).
double generated_mean(AdversarialModel& m, Rng& rng, int n) {
  Arena a;
  Tape t(a);
  Tensor z = t.alloc(make_shape(n, m.latent_dim()));
  m.sample_latent(rng, z);
  Tensor out = t.alloc(make_shape(n, 1));
  m.generate(t, z, Tensor{}, out);
  double s = 0;
  for (int i = 0; i < n; ++i) s += out.data[i];
  return s / n;
}

}  // namespace

TEST_CASE("gan/cgan/wgan: registry, pixel scale, steps per generator step") {
  for (const char* name : {"gan", "cgan", "wgan"}) {
    Status st;
    auto m = make_model(name, &st);
    REQUIRE(m);
    CHECK(m->scale() == PixelScale::kSigned);  // tanh generator: pixels in [-1, 1]
  }
  Config c = small_config("gan", "ring");
  c.k = 3;
  DataInfo d{2, 0, 0, 0};
  CHECK(build(c, d, 1)->batches_per_step() == 3);
  Config w = small_config("wgan", "ring");
  w.n_critic = 4;
  CHECK(build(w, d, 1)->batches_per_step() == 4);
  CHECK(!build(c, d, 1)->conditional());
}

TEST_CASE("gan: with G frozen, the discriminator's loss falls") {
  Config c = small_config("gan", "ring");
  c.lr_g = 1e-30f;  // G's Adam step lr * m/sqrt(v) is ~1e-30: frozen
  c.lr_d = 1e-3f;
  DataInfo d{2, 0, 0, 0};
  auto m = build(c, d, 3);
  const std::vector<float> g0(m->gen().params.data(), m->gen().params.data() + m->gen().params.size());
  Arena arena;
  Tape t(arena);
  Rng rng(4);
  double first = 0, last = 0, d_real = 0, d_fake = 0;
  const int steps = 200;
  for (int s = 0; s < steps; ++s) {
    t.reset();
    Batch b;
    b.x = t.alloc(make_shape(c.batch, 2));
    real_batch(rng, b.x, 2.f, 0.1f);  // real data around (2, 2); the untrained G outputs near 0
    StepLog log;
    m->train_step(t, b, rng, log);
    if (s < 10) first += log_value(log, "loss_d") / 10;
    if (s >= steps - 10) last += log_value(log, "loss_d") / 10;
    d_real = log_value(log, "d_real");
    d_fake = log_value(log, "d_fake");
    CHECK(std::isfinite(log_value(log, "grad_g")));
    CHECK(log_value(log, "grad_d") > 0);
  }
  // At the start D knows nothing: loss_d ~ 2 log 2 = 1.386 (-log 1/2 for each term). A frozen G
  // far from the data is easy to reject: D's loss should fall to a small fraction of that.
  CHECK(first > 1.0);
  CHECK(last < 0.3 * first);
  CHECK(d_real > 0.8);
  CHECK(d_fake < 0.2);
  for (std::size_t i = 0; i < g0.size(); ++i) REQUIRE(std::fabs(m->gen().params.data()[i] - g0[i]) < 1e-12f);
}

TEST_CASE("gan on gauss1d: uniform noise in [noise_lo, noise_hi]; the generated mean moves towards -1") {
  Config c = small_config("gan", "gauss1d");
  c.lr_g = c.lr_d = 2e-3f;
  DataInfo d{1, 0, 0, 0};
  auto m = build(c, d, 5);
  {  // [Utkin]: z ~ uniform(0, 1) for the 1-D example
    Rng r(1);
    Tensor z = make_shape(1000, 1);
    std::vector<float> buf(1000);
    z.data = buf.data();
    m->sample_latent(r, z);
    double mean = 0;
    for (float v : buf) {
      REQUIRE(v >= c.noise_lo);
      REQUIRE(v < c.noise_hi);
      mean += v / 1000;
    }
    CHECK(std::fabs(mean - 0.5) < 0.05);  // U(0,1) mean 1/2, std of the mean 0.29/sqrt(1000) = 0.009
  }
  Rng eval(9);
  const double before = generated_mean(*m, eval, 2000);
  Arena arena;
  Tape t(arena);
  Rng rng(6);
  for (int s = 0; s < 400; ++s) {
    t.reset();
    Batch b;
    b.x = t.alloc(make_shape(c.batch, 1));
    real_batch(rng, b.x, -1.f, 1.f);  // p_data = N(-1, 1)
    StepLog log;
    m->train_step(t, b, rng, log);
  }
  const double after = generated_mean(*m, eval, 2000);
  MESSAGE("generated mean before " << before << ", after 400 steps " << after);
  // Halving the distance to the target mean is a conservative reading of "moves towards -1".
  CHECK(std::fabs(after + 1) < 0.5 * std::fabs(before + 1));
}

TEST_CASE("wgan: critic weights stay within [-c, c]; the critic's loss falls with G frozen") {
  Config c = small_config("wgan", "ring");
  c.n_critic = 2;
  c.lr_g = 1e-30f;
  DataInfo d{2, 0, 0, 0};
  auto m = build(c, d, 7);
  auto in_box = [&] {
    const ParamStore& p = m->disc().params;
    for (std::size_t i = 0; i < p.size(); ++i)
      if (std::fabs(p.data()[i]) > c.clip) return false;
    return true;
  };
  CHECK(in_box());  // clipped at build as well
  Arena arena;
  Tape t(arena);
  Rng rng(8);
  double first = 0, last = 0;
  for (int s = 0; s < 300; ++s) {
    t.reset();
    Batch b;
    b.x = t.alloc(make_shape(c.n_critic * c.batch, 2));
    b.minibatches = c.n_critic;
    real_batch(rng, b.x, 2.f, 0.1f);
    StepLog log;
    m->train_step(t, b, rng, log);
    REQUIRE(in_box());
    const double w = log_value(log, "w_estimate");
    // w_estimate = E f(x) - E f(G(z)) = -loss_d up to the rounding of float vs double sums
    // (single D sub-step logged for w, mean of 2 for loss_d: compare signs only here).
    if (s < 10) first += log_value(log, "loss_d") / 10;
    if (s >= 290) last += log_value(log, "loss_d") / 10;
    CHECK(std::isfinite(w));
  }
  MESSAGE("wgan critic loss: first 10 steps " << first << ", last 10 " << last);
  CHECK(last < first);
  CHECK(last < 0);  // the critic separates the data: E f(x) > E f(G(z))
}

TEST_CASE("cgan: build fails clearly without labels; conditions G and D on y") {
  Config c = small_config("cgan", "ring");
  Status st;
  auto m = make_model("cgan", &st);
  Rng rng(1);
  Status b = m->build(model_options(c), DataInfo{2, 0, 0, 0}, rng);
  CHECK(!b.ok);
  CHECK(b.message.find("labels") != std::string::npos);

  // Labelled toy data: class 0 around (-2, 0), class 1 around (2, 0).
  c.lr_d = 1e-3f;
  auto cg = build(c, DataInfo{2, 2, 0, 0}, 2);
  CHECK(cg->conditional());
  CHECK(cg->gen().params.value(0).cols() == c.latent + 2);  // G's first W: (h, latent + classes)
  CHECK(cg->disc().params.value(0).cols() == 2 + 2);        // D's first W: (h, dim + classes)
  Arena arena;
  Tape t(arena);
  Rng r(3);
  for (int s = 0; s < 300; ++s) {
    t.reset();
    Batch bt;
    bt.x = t.alloc(make_shape(c.batch, 2));
    bt.y = arena.tensor_zero(make_shape(c.batch, 2));
    for (int i = 0; i < c.batch; ++i) {
      const int k = static_cast<int>(r.below(2));
      bt.y.data[i * 2 + k] = 1.f;
      bt.x.data[i * 2] = (k ? 2.f : -2.f) + 0.1f * r.normal();
      bt.x.data[i * 2 + 1] = 0.1f * r.normal();
    }
    StepLog log;
    cg->train_step(t, bt, r, log);
  }
  // After training, G(z, y) should put class 1 to the right of class 0.
  t.reset();
  const int n = 500;
  Tensor z = t.alloc(make_shape(2 * n, c.latent));
  cg->sample_latent(r, z);
  Tensor y = arena.tensor_zero(make_shape(2 * n, 2));
  for (int i = 0; i < 2 * n; ++i) y.data[i * 2 + (i < n ? 0 : 1)] = 1.f;
  Tensor out = t.alloc(make_shape(2 * n, 2));
  cg->generate(t, z, y, out);
  double m0 = 0, m1 = 0;
  for (int i = 0; i < n; ++i) m0 += out.data[i * 2] / n, m1 += out.data[(n + i) * 2] / n;
  MESSAGE("cgan: mean x of class 0 samples " << m0 << ", class 1 " << m1);
  CHECK(m1 - m0 > 1.0);  // the targets are 4 apart; an unconditioned G would give m1 - m0 ~ 0
}

// A plain re-implementation of the MLP forward from a store's tensors: layer l has W = value(2l)
// (out, in) and b = value(2l + 1); tanh on the hidden layers, the output linear (toy data).
std::vector<double> mlp_by_hand(const ParamStore& p, const std::vector<double>& in) {
  std::vector<double> h = in;
  const int layers = p.count() / 2;
  for (int l = 0; l < layers; ++l) {
    Tensor W = p.value(2 * l), b = p.value(2 * l + 1);
    REQUIRE(W.cols() == static_cast<int>(h.size()));
    std::vector<double> o(static_cast<std::size_t>(W.rows()));
    for (int j = 0; j < W.rows(); ++j) {
      double s = b.data[j];
      for (int i = 0; i < W.cols(); ++i)
        s += static_cast<double>(W.data[j * W.cols() + i]) * h[static_cast<std::size_t>(i)];
      o[static_cast<std::size_t>(j)] = l + 1 < layers ? std::tanh(s) : s;
    }
    h = o;
  }
  return h;
}

TEST_CASE("cgan: the one-hot label enters G scaled by sqrt(latent) and D by sqrt(dim)") {
  // G(z, y) = G(concat(z, sqrt(latent) y)), D(x, y) = D(concat(x, sqrt(dim) y)) (adversarial.cpp):
  // computed here by hand in double from the stores' weights and compared with the model's
  // float forward. Tolerance 1e-4: float rounding through three 32-wide layers with O(1)
  // activations is ~1e-6; an unscaled label (s = 1 instead of sqrt(8) or sqrt(2)) moves the
  // outputs by ~0.1 (checked below).
  Config c = small_config("cgan", "ring");
  REQUIRE(c.act == "tanh");
  const int classes = 3, dim = 2;
  auto cg = build(c, DataInfo{dim, classes, 0, 0}, 4);
  Arena arena;
  Tape t(arena);
  Rng r(9);
  Tensor z = t.alloc(make_shape(1, c.latent));
  cg->sample_latent(r, z);
  Tensor y = arena.tensor_zero(make_shape(1, classes));
  y.data[2] = 1.f;
  Tensor x = t.alloc(make_shape(1, dim));
  x.data[0] = 0.7f;
  x.data[1] = -1.3f;
  cg->gen().params.set_trainable(false);
  cg->disc().params.set_trainable(false);
  const Tensor g = t.value(cg->generator(t, t.constant(z), t.constant(y)));
  const Tensor dl = t.value(cg->discriminator(t, t.constant(x), t.constant(y)));
  for (const double s_g : {std::sqrt(static_cast<double>(c.latent)), 1.0}) {
    std::vector<double> in(z.data, z.data + c.latent);
    for (int k = 0; k < classes; ++k) in.push_back(s_g * y.data[k]);
    std::vector<double> want = mlp_by_hand(cg->gen().params, in);
    double diff = std::fabs(want[0] - g.data[0]) + std::fabs(want[1] - g.data[1]);
    if (s_g > 1.0) CHECK(diff < 1e-4);
    else CHECK(diff > 1e-3);  // the check can tell the scale apart
  }
  for (const double s_d : {std::sqrt(static_cast<double>(dim)), 1.0}) {
    std::vector<double> in{x.data[0], x.data[1]};
    for (int k = 0; k < classes; ++k) in.push_back(s_d * y.data[k]);
    const double diff = std::fabs(mlp_by_hand(cg->disc().params, in)[0] - dl.data[0]);
    if (s_d > 1.0) CHECK(diff < 1e-4);
    else CHECK(diff > 1e-3);
  }
}

TEST_CASE("gan: minimax loss saturates where D confidently rejects, non-saturating does not") {
  // d/dl of the per-row terms, with D(G(z)) = sigmoid(l):
  //   minimax  log(1 - sigmoid(l))  ->  -sigmoid(l)       (-> 0 as l -> -inf)
  //   ns      -log sigmoid(l)       ->  -(1 - sigmoid(l)) (-> -1)
  // Checked on a logit column (mean over B rows: each gradient divided by B).
  Arena a;
  Tape t(a);
  const int B = 4;
  Tensor l = t.alloc(make_shape(B, 1));
  fill(l, -8.f);  // D(G(z)) = sigmoid(-8) = 3.4e-4: confidently rejected
  const double s = 1.0 / (1.0 + std::exp(8.0));
  for (bool ns : {false, true}) {
    Var lv = t.leaf(l);
    t.backward(gan_g_loss(t, lv, ns));
    const double expect = ns ? -(1.0 - s) / B : -s / B;
    for (int i = 0; i < B; ++i) CHECK(t.grad(lv).data[i] == doctest::Approx(expect).epsilon(1e-4));
  }
  // Through a generator: make D reject everything (last bias -8) and compare G's gradients.
  Config c = small_config("gan", "ring");
  auto m = build(c, DataInfo{2, 0, 0, 0}, 11);
  ParamStore& dp = m->disc().params;
  fill(dp.value(dp.find("D.2.weight")), 0.f);
  fill(dp.value(dp.find("D.2.bias")), -8.f);
  // D's output is now exactly -8 for every input, so d loss/d G is zero; give D a small input
  // dependence again so gradients reach G: W = 0.01.
  fill(dp.value(dp.find("D.2.weight")), 0.01f);
  double norm[2];
  for (int ns = 0; ns < 2; ++ns) {
    t.reset();
    Rng r(12);
    Tensor z = t.alloc(make_shape(64, c.latent));
    m->sample_latent(r, z);
    m->disc().params.set_trainable(false);
    Var loss = gan_g_loss(t, m->discriminator(t, m->generator(t, t.constant(z), Var{}), Var{}), ns != 0);
    t.backward(loss);
    norm[ns] = m->gen().params.grad_norm();
    m->gen().params.zero_grad();
    m->disc().params.set_trainable(true);
  }
  MESSAGE("|grad_G| minimax " << norm[0] << ", non-saturating " << norm[1]);
  // The ratio is (1 - D)/D at D ~ sigmoid(-8): e^8 ~ 3000; demand a factor 100.
  CHECK(norm[1] > 100 * norm[0]);
  CHECK(norm[0] > 0);
}

TEST_CASE("gan: train_step equals the slide's algorithm written out by hand (one step, k = 2)") {
  // Two identical models: A runs train_step; B is updated by an independent transcription of
  // [HSE] Общее описание алгоритма with fresh tapes, the same random numbers in the same order
  // and the same G(z) reused for the generator step. Same float operations in the same order,
  // so the weights must agree bitwise.
  Config c = small_config("gan", "ring");
  c.k = 2;
  DataInfo d{2, 0, 0, 0};
  auto A = build(c, d, 21);
  auto B = build(c, d, 21);
  const int M = c.batch;
  Rng data_rng(5);
  std::vector<float> xs(static_cast<std::size_t>(2 * M * 2));
  Tensor x = make_shape(2 * M, 2);
  x.data = xs.data();
  real_batch(data_rng, x, 1.f, 0.5f);
  {
    Arena arena;
    Tape t(arena);
    Rng rng(7);
    Batch b;
    b.x = x;
    b.minibatches = 2;  // k = 2 minibatches of M rows, stacked
    StepLog log;
    A->train_step(t, b, rng, log);
  }
  {
    Rng rng(7);
    Arena arena;
    Tape t(arena);
    Tensor z;
    for (int i = 0; i < 2; ++i) {
      t.reset();
      z = t.alloc(make_shape(M, c.latent));
      B->sample_latent(rng, z);
      B->gen().params.set_trainable(false);
      Var fake = B->generator(t, t.constant(z), Var{});
      Tensor xi = make_shape(M, 2);
      xi.data = xs.data() + i * M * 2;
      Var real_logit = B->discriminator(t, t.constant(xi), Var{});  // named: fixes the order of evaluation
      Var fake_logit = B->discriminator(t, fake, Var{});
      Var loss = gan_d_loss(t, real_logit, fake_logit);
      t.backward(loss);
      B->disc().opt.step(B->disc().params);
      B->disc().params.zero_grad();
      B->gen().params.set_trainable(true);
    }
    Tensor zl = z;  // the last D step's noise, reused by the generator step
    std::vector<float> zcopy(zl.data, zl.data + zl.size());
    t.reset();
    Tensor z2 = t.alloc(make_shape(M, c.latent));
    std::memcpy(z2.data, zcopy.data(), zcopy.size() * sizeof(float));
    B->disc().params.set_trainable(false);
    Var loss = gan_g_loss(t, B->discriminator(t, B->generator(t, t.constant(z2), Var{}), Var{}), true);
    t.backward(loss);
    B->gen().opt.step(B->gen().params);
    B->gen().params.zero_grad();
    B->disc().params.set_trainable(true);
  }
  for (Part* pa : A->parts()) {
    Part* pb = pa == &A->gen() ? &B->gen() : &B->disc();
    float maxdiff = 0;
    for (std::size_t i = 0; i < pa->params.size(); ++i) maxdiff = std::fmax(maxdiff, std::fabs(pa->params.data()[i] - pb->params.data()[i]));
    INFO(pa->name << " max |difference| " << maxdiff);
    CHECK(std::memcmp(pa->params.data(), pb->params.data(), pa->params.size() * sizeof(float)) == 0);
    CHECK(std::memcmp(pa->opt.s1.data(), pb->opt.s1.data(), pa->opt.s1.size() * sizeof(float)) == 0);
  }
  // And the step changed both networks (the comparison is not between two untouched models).
  auto C = build(c, d, 21);
  CHECK(std::memcmp(A->gen().params.data(), C->gen().params.data(), C->gen().params.size() * sizeof(float)) != 0);
  CHECK(std::memcmp(A->disc().params.data(), C->disc().params.data(), C->disc().params.size() * sizeof(float)) != 0);
}

TEST_CASE("gan/cgan/wgan: no heap allocation per training step in steady state") {
  for (const char* name : {"gan", "cgan", "wgan"}) {
    Config c = small_config(name, "ring");
    c.k = 2;
    c.n_critic = 3;
    const int classes = std::string(name) == "cgan" ? 3 : 0;
    auto m = build(c, DataInfo{2, classes, 0, 0}, 1);
    Arena arena;
    Tape t(arena);
    Rng rng(2);
    INFO(name);
    check_no_allocation_per_step(
        [&] {
          t.reset();
          Batch b;
          const int rows = m->batches_per_step() * c.batch;
          b.x = t.alloc(make_shape(rows, 2));
          b.minibatches = m->batches_per_step();
          rng.fill_normal(b.x);
          if (classes) {
            b.y = t.arena().tensor_zero(make_shape(rows, classes));
            for (int i = 0; i < rows; ++i) b.y.data[i * classes + i % classes] = 1.f;
          }
          StepLog log;
          m->train_step(t, b, rng, log);
        },
        arena);
  }
}

TEST_CASE("classifier: learns a synthetic 10-class image set; pixels scaled like the generator's") {
  // 10 classes of 6x6 "images": each class a random prototype of bytes, each image the
  // prototype plus uniform noise in [-40, 40], clamped to 0..255.
  Rng rng(31);
  std::vector<std::vector<int>> proto(10, std::vector<int>(36));
  for (auto& p : proto)
    for (int& v : p) v = static_cast<int>(rng.below(256));
  auto make = [&](int n, ImageSet* s) {
    s->n = n;
    s->rows = s->cols = 6;
    s->pixels.resize(static_cast<std::size_t>(n) * 36);
    s->labels.resize(static_cast<std::size_t>(n));
    for (int i = 0; i < n; ++i) {
      const int k = static_cast<int>(rng.below(10));
      s->labels[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(k);
      for (int j = 0; j < 36; ++j) {
        int v = proto[static_cast<std::size_t>(k)][static_cast<std::size_t>(j)] + static_cast<int>(rng.below(81)) - 40;
        s->pixels[static_cast<std::size_t>(i) * 36 + static_cast<std::size_t>(j)] = static_cast<std::uint8_t>(v < 0 ? 0 : v > 255 ? 255 : v);
      }
    }
  };
  ImageSet train, test;
  make(2000, &train);
  make(500, &test);
  // Pixel mapping: 0 -> -1, 255 -> 1 (kSigned); 0 -> 0, 255 -> 1 (kUnit).
  {
    ImageSet one;
    one.n = 1, one.rows = 1, one.cols = 2;
    one.pixels = {0, 255};
    one.labels = {0};
    float buf[2];
    Tensor x = make_shape(1, 2);
    x.data = buf;
    int idx = 0;
    image_batch(one, &idx, 1, PixelScale::kSigned, x);
    CHECK(buf[0] == -1.f);
    CHECK(buf[1] == 1.f);
    image_batch(one, &idx, 1, PixelScale::kUnit, x);
    CHECK(buf[0] == 0.f);
    CHECK(buf[1] == 1.f);
  }
  ClassifierOptions o;
  o.hidden = {32};
  o.epochs = 1;
  o.batch = 50;
  Classifier c;
  c.build(36, 10, o, rng);
  const double acc0 = c.accuracy(test);
  const double loss1 = c.train(train, rng);
  double loss = loss1;
  for (int e = 0; e < 4; ++e) loss = c.train(train, rng);
  const double acc = c.accuracy(test);
  MESSAGE("classifier: test accuracy " << acc0 << " untrained, " << acc << " after 5 epochs; loss " << loss1 << " -> " << loss);
  CHECK(acc0 < 0.4);  // chance is 0.1
  CHECK(acc > 0.95);  // prototypes are far apart relative to the noise: nearly separable
  CHECK(loss < loss1);
  // predict agrees with accuracy(): count by hand.
  std::vector<float> xb(static_cast<std::size_t>(test.n) * 36);
  std::vector<int> idx(static_cast<std::size_t>(test.n)), pred(static_cast<std::size_t>(test.n));
  for (int i = 0; i < test.n; ++i) idx[static_cast<std::size_t>(i)] = i;
  Tensor x = make_shape(test.n, 36);
  x.data = xb.data();
  image_batch(test, idx.data(), test.n, PixelScale::kSigned, x);
  c.predict(x, pred.data());
  int correct = 0;
  for (int i = 0; i < test.n; ++i) correct += pred[static_cast<std::size_t>(i)] == test.labels[static_cast<std::size_t>(i)];
  CHECK(static_cast<double>(correct) / test.n == doctest::Approx(acc));
}

TEST_CASE("classifier: label_entropy is -sum_c p_c log p_c of the label histogram") {
  std::vector<int> uniform(1000);
  for (int i = 0; i < 1000; ++i) uniform[static_cast<std::size_t>(i)] = i % 10;
  CHECK(label_entropy(uniform.data(), 1000, 10) == doctest::Approx(std::log(10.0)).epsilon(1e-12));
  std::vector<int> one(1000, 3);  // a collapsed generator: one class
  CHECK(label_entropy(one.data(), 1000, 10) == 0.0);
  // Two classes at 3/4 and 1/4: -(3/4 log 3/4 + 1/4 log 1/4)
  const int quarter[] = {0, 0, 0, 1};
  CHECK(label_entropy(quarter, 4, 10) == doctest::Approx(-(0.75 * std::log(0.75) + 0.25 * std::log(0.25))).epsilon(1e-12));
}
