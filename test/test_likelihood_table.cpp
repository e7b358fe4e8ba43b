// test_likelihood_table.cpp - the likelihood table's parts (src/run/likelihood_table.cpp) on a tiny
// binary image set: test_metric is the test-set mean of a model's metric; the Theis et al. row's
// NLL is the per-image mixture 0.01 p_best + 0.99 uniform noise, recomputed here, at most log 100
// above p_best's, with about 99% noise samples; binary samples are binary.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdio>
#include <unistd.h>

#include "dgm/run/config.h"
#include "dgm/run/evaluate.h"
#include "dgm/run/likelihood_table.h"
#include "dgm/io/fileio.h"
#include "dgm/models/dbm_ais.h"
#include "dgm/models/made.h"
#include "dgm/run/ebm_run.h"
#include "dgm/run/sample_quality.h"

using namespace dgm;

namespace {

// 4x4 binary images of two classes (prototypes with 10% of the pixels flipped).
ImageSet tiny_set(int n, std::uint64_t seed) {
  Rng rng(seed);
  ImageSet s;
  s.n = n;
  s.rows = s.cols = 4;
  for (int i = 0; i < n; ++i) {
    const int c = i % 2;
    s.labels.push_back(static_cast<std::uint8_t>(c));
    for (int j = 0; j < 16; ++j) {
      const bool on = c ? (j % 4) < 2 : j < 8;
      s.pixels.push_back((rng.uniform() < 0.1f) != on ? 255 : 0);
    }
  }
  return s;
}

// The two tiny sets as a run's data (16 pixels, 4x4, 2 classes).
RunData tiny_data(int n_train, std::uint64_t train_seed, int n_test, std::uint64_t test_seed) {
  RunData d;
  d.images.train = tiny_set(n_train, train_seed);
  d.images.test = tiny_set(n_test, test_seed);
  d.info.dim = 16;
  d.info.rows = d.info.cols = 4;
  d.info.classes = 2;
  return d;
}

// The table's judge (train_judge: 256-256 hidden units) made small, 32-16: the Fréchet column
// diagonalises two F x F covariances per row (O(F^3)), and with F = 256 that was nearly all of
// these tests' time (13 s with Jacobi rotations, and minutes under qemu) while F = 16 checks the same.
void small_judge(Classifier* judge, const RunData& d, Rng& rng) {
  ClassifierOptions o;
  o.epochs = 2;
  o.hidden = {32, 16};
  o.scale = PixelScale::kUnit;  // as train_judge: the samples are binary images in {0, 1}
  judge->build(d.info.dim, d.info.classes, o, rng);
  judge->train(d.images.train, rng);
}

}  // namespace

TEST_CASE("likelihood table: test_metric, the Theis et al. row, binary samples") {
  const RunData d = tiny_data(400, 1, 1000, 2);
  Config c = config_defaults("made", "");
  c.hidden = {16};
  Status st;
  std::unique_ptr<Model> m = make_model("made", &st);
  Rng rng(3);
  REQUIRE(m->build(model_options(c), d.info, rng).ok);

  double mean = 0, se = 0, secs = 0;
  test_metric(*m, d, 1000, 100, "test_nll", 1, &mean, &se, &secs);
  StepLog all;
  evaluate_model(*m, d, 1, &all);
  REQUIRE(all.n == 1);
  CHECK(std::fabs(mean - all.value[0]) < 1e-6 * mean);
  CHECK(se > 0);
  CHECK(se < 0.5);  // 10 batch means of 100 images each of an NLL near 11 nats

  const std::vector<float> s = binary_samples(*m, 16, 2000, rng);
  for (float v : s) REQUIRE((v == 0.f || v == 1.f));

  Classifier judge;
  small_judge(&judge, d, rng);
  double gap = 0, noise = 0;
  const LikelihoodRow r = theis_row(*m, "MADE", s, judge, d, 1000, rng, &gap, &noise);
  // The mixture's NLL recomputed from MADE's exact per-image log p.
  Arena arena;
  Tape t(arena);
  Tensor x = t.alloc(make_shape(1000, 16));
  for (std::size_t i = 0; i < x.size(); ++i) x.data[i] = d.images.test.pixels[i] ? 1.f : 0.f;
  std::vector<double> lp(1000);
  as_made(m.get())->log_px(t, x, lp.data());
  double nll_best = 0, nll_mix = 0;
  for (double v : lp) {
    nll_best -= v / 1000;
    nll_mix -= std::log(0.01 * std::exp(v) + 0.99 * std::exp(-16 * std::log(2.0))) / 1000;
  }
  CHECK(std::fabs(r.nll - nll_mix) < 1e-9 * nll_mix);
  CHECK(std::fabs(gap - (nll_mix - nll_best)) < 1e-9);
  CHECK(gap <= std::log(100.0));
  CHECK(std::fabs(noise - 0.99) < 0.01);  // 2000 draws: se 0.0022
  CHECK(r.entropy >= 0);
  CHECK(r.cas >= 0);
  CHECK(r.cas <= 1);
}

TEST_CASE("likelihood table: the RBM, DBN and DBM rows are their AIS figures, and the Fréchet column") {
  const RunData d = tiny_data(400, 4, 600, 5);
  Rng rng(6);
  Classifier judge;
  small_judge(&judge, d, rng);
  // The Fréchet distance of the test images to themselves is 0: the column compares like with like.
  std::vector<float> real(std::size_t(600) * 16);
  for (std::size_t i = 0; i < real.size(); ++i) real[i] = d.images.test.pixels[i] ? 1.f : 0.f;
  CHECK(std::fabs(images_frechet(judge, real, 600, d.images.test)) < 1e-6);
  double ent = 0, cas = 0, fr = -1;
  sample_quality(judge, d, real, 600, rng, &ent, &cas, &fr);
  CHECK(std::fabs(fr) < 1e-6);

  LikelihoodOptions o;
  o.ais_betas = 200, o.ais_runs = 20, o.gibbs = 20;
  AisOptions ao;
  ao.runs = 20, ao.betas = 200, ao.seed = 1;
  const std::string dir = "/tmp/dgm_test_likelihood_ebm_" + std::to_string(::getpid());
  REQUIRE(make_dirs(dir).ok);
  Rng w(7);
  for (const char* model : {"rbm", "dbn", "dbm"}) {
    Dbn net;
    Rbm a, b;
    rbm_init(&a, 16, 6, w, 0.5f);
    rbm_init(&b, 6, 4, w, 0.5f);
    net.layers.push_back(a);
    if (std::string(model) != "rbm") net.layers.push_back(b);
    Config c = config_defaults(model, "");
    const std::string path = dir + "/" + model + ".safetensors";
    REQUIRE(save_ebm(path, net, c).ok);
    LikelihoodRow r;
    REQUIRE(ebm_row(path, d, o, judge, 300, rng, &r).ok);
    LikelihoodEstimate e;
    if (std::string(model) == "rbm") e = rbm_test_log_likelihood(a, d.images.test, &d.images.train, ao);
    else if (std::string(model) == "dbn") e = dbn_test_bound(net, d.images.test, ao, 1);
    else e = dbm_test_bound(dbm_from_layers(net), d.images.test, &d.images.train, ao, o.mf_iters);
    INFO(model << ": " << r.nll << " " << r.se);
    CHECK(r.nll == doctest::Approx(-e.nats).epsilon(1e-12));
    CHECK(r.se == doctest::Approx(std::sqrt(e.ais_se * e.ais_se + e.data_se * e.data_se)).epsilon(1e-12));
    CHECK(r.n_test == 600);
    CHECK(r.entropy >= 0);
    CHECK(r.entropy <= std::log(2.0) + 1e-9);
    CHECK(r.frechet > 0);
    CHECK(std::isfinite(r.frechet));
  }
  LikelihoodRow bad;
  CHECK_FALSE(ebm_row(dir + "/none.safetensors", d, o, judge, 300, rng, &bad).ok);
  std::remove((dir + "/rbm.safetensors").c_str());
  std::remove((dir + "/dbn.safetensors").c_str());
  std::remove((dir + "/dbm.safetensors").c_str());
  std::remove(dir.c_str());
}
