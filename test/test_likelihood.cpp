// test_likelihood.cpp - the likelihood p(x|z) of the autoencoder family follows the data:
// Bernoulli for pixels in [0, 1], the Gaussian for real-valued points (ring, grid, gauss1d);
// a Bernoulli decoder on real-valued data is refused; the AE's Gaussian reconstruction loss is
// the constant-variance Gaussian NLL ([Utkin] "Объединяем все вместе", [MIPT] "Пример:
// автокодировщик"); a VAE with a 2-D code learns all 8 modes of the ring.
#include <doctest/doctest.h>

#include "built_model.h"

#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "dgm/run/checkpoint.h"
#include "dgm/run/evaluate.h"
#include "dgm/io/fileio.h"
#include "dgm/run/run_data.h"
#include "dgm/run/train.h"
#include "model_ref.h"

using namespace dgm;

TEST_CASE("likelihood: the default decoder follows the data; bernoulli on real-valued data is refused") {
  for (const char* model : {"ae", "dae", "vae"}) {
    CHECK(config_defaults(model, "").decoder == "bernoulli");
    for (const char* data : {"ring", "grid", "gauss1d"}) {
      Config c = config_defaults(model, data);
      CHECK(c.decoder == "gaussian");
      CHECK(validate(c).ok);
      c.decoder = "bernoulli";
      const Status s = validate(c);
      CHECK_FALSE(s.ok);
      CHECK(s.message.find("--decoder bernoulli") != std::string::npos);
      CHECK(s.message.find(data) != std::string::npos);
    }
  }
}

TEST_CASE("likelihood: the AE's Gaussian recon is sum_j 1/2 (x_j - m_j)^2 + D/2 log 2 pi, mean over rows") {
  Config c = config_defaults("ae", "ring");
  c.hidden = {5};
  c.latent = 3;
  REQUIRE(validate(c).ok);
  DataInfo d;
  d.dim = 2;
  Rng rng(1);
  std::unique_ptr<Model> m = built_model("ae", c, d, rng);
  // Points far outside [0, 1], as on the ring (radius 2).
  const std::vector<float> x = {2.f, 0.f, -1.4f, 1.4f, 0.f, -2.f, 1.5f, -1.3f};
  const int B = 4;
  std::vector<double> in(x.begin(), x.end());
  const ParamStore& p = m->parts()[0]->params;
  std::vector<double> mean = ref::mlp(p, "dec", ref::mlp(p, "enc", in, B, Act::ReLU), B, Act::ReLU);
  double expect = 0;
  for (int r = 0; r < B; ++r) {
    double s = 2 * 0.5 * std::log(2 * 3.14159265358979323846);  // D/2 log 2 pi, D = 2
    for (int j = 0; j < 2; ++j) s += 0.5 * (x[r * 2 + j] - mean[r * 2 + j]) * (x[r * 2 + j] - mean[r * 2 + j]);
    expect += s / B;
  }
  Arena arena;
  Tape t(arena);
  StepLog ev = ref::evaluate(*m, t, x, 2, rng);
  CHECK(ref::get(ev, "test_recon") == doctest::Approx(expect).epsilon(1e-5));
  CHECK(ref::get(ev, "test_recon") >= 2 * 0.9189);  // an NLL of a unit-variance Gaussian: never negative
  // reconstruct() gives the mean itself (no sigmoid squashing it into (0, 1)).
  Tensor xt = t.alloc(make_shape(B, 2));
  for (int i = 0; i < 2 * B; ++i) xt.data[i] = x[static_cast<std::size_t>(i)];
  Tensor rec = t.alloc(make_shape(B, 2));
  REQUIRE(m->reconstruct(t, xt, rec));
  for (int i = 0; i < 2 * B; ++i) CHECK(rec.data[i] == doctest::Approx(mean[static_cast<std::size_t>(i)]).epsilon(1e-4));
  StepLog tr = ref::train_step(*m, t, x, 2, rng);
  CHECK(ref::get(tr, "recon") == doctest::Approx(expect).epsilon(1e-5));  // the step's loss, before its update
}

TEST_CASE("likelihood: a VAE with a 2-D code on the ring covers 8 of 8 modes (default Gaussian decoder)") {
  Config c = config_defaults("vae", "ring");
  c.latent = 2;
  c.iters = 2000;
  c.out = "build/test-runs/likelihood-vae-ring";
  for (const char* f : {"model.safetensors", "config.txt", "metrics.csv"}) std::remove(join_path(c.out, f).c_str());
  TrainReport r;
  Status st = train(c, &r, true);
  REQUIRE_MESSAGE(st.ok, st.message);
  Config cc;
  std::unique_ptr<Model> m;
  TrainState ts;
  REQUIRE(open_checkpoint(join_path(c.out, "model.safetensors"), &cc, &m, &ts).ok);
  RunData d;
  REQUIRE(load_run_data(cc, &d).ok);
  StepLog ev;
  evaluate_model(*m, d, 1, &ev);
  MESSAGE("vae ring: modes " << ref::get(ev, "modes_covered") << " of 8, high quality " << ref::get(ev, "high_quality"));
  CHECK(ref::get(ev, "modes_covered") == 8);
  CHECK(ref::get(ev, "high_quality") > 0.05);
  CHECK(ref::get(ev, "test_loss") > -10);  // the Bernoulli decoder reached -302,268 here
}
