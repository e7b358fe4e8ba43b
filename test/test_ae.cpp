// test_ae.cpp - the autoencoder and the denoising autoencoder (src/models/ae.cpp): the loss
// falls; test_recon and the DAE's test_denoise equal the Bernoulli NLL recomputed in double with
// the same corruption noise; outputs are in range; train_step allocates nothing in steady state.
#include <doctest/doctest.h>

#include "built_model.h"

#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "alloc_counter.h"
#include "model_ref.h"

using namespace dgm;

namespace {

struct AeFixture {
  Config c;
  DataInfo d;
  std::unique_ptr<Model> m;
  Arena arena;
  Tape t{arena};
  AeFixture(const char* model, int dim, std::vector<int> hidden, int latent, const char* corrupt = "gaussian",
            float noise = 0.5f) {
    c = config_defaults(model, "");
    c.hidden = hidden;
    c.latent = latent;
    c.corrupt = corrupt;
    c.noise = noise;
    REQUIRE(validate(c).ok);
    d.dim = dim;
    m = built_model(model, c, d, 1);
  }
  ParamStore& p() { return m->parts()[0]->params; }
};

// Mean over rows of sum_j softplus(l_j) - x_j l_j with l = D(E(input)), recomputed in double.
double ref_recon(AeFixture& f, const std::vector<float>& input, const std::vector<float>& x) {
  const int dim = f.d.dim, B = static_cast<int>(x.size()) / dim;
  std::vector<double> in(input.begin(), input.end());
  std::vector<double> z = ref::mlp(f.p(), "enc", in, B, Act::ReLU);
  std::vector<double> l = ref::mlp(f.p(), "dec", z, B, Act::ReLU);
  double s = 0;
  for (int r = 0; r < B; ++r) s += ref::bce_row(l, x.data(), r, dim) / B;
  return s;
}

}  // namespace

TEST_CASE("ae/dae: the reconstruction loss falls on a small fixed batch") {
  const std::vector<float> x = ref::binary_images(32, 64, 3);
  struct V {
    const char* model;
    const char* corrupt;
    float noise;
  } variants[] = {{"ae", "gaussian", 0.5f}, {"dae", "gaussian", 0.5f}, {"dae", "mask", 0.3f}};
  for (const V& v : variants) {
    AeFixture f(v.model, 64, {32}, 4, v.corrupt, v.noise);
    Rng rng(5);
    const double first = ref::get(ref::train_step(*f.m, f.t, x, 64, rng), "recon");
    double last = 0;
    for (int s = 1; s <= 300; ++s) {
      StepLog log = ref::train_step(*f.m, f.t, x, 64, rng);
      if (s > 290) last += ref::get(log, "recon") / 10;
    }
    const std::string name = std::string(v.model) + " " + v.corrupt;
    MESSAGE(name << ": recon " << first << " -> " << last);
    // From ~44 nats (random logits on 64 pixels) to ~15 (DAE) or less (the plain AE memorises
    // the 32 images in its 4-d code). A 25% drop is far beyond step-to-step noise.
    CHECK(last < 0.75 * first);
  }
}

TEST_CASE("ae/dae: test_recon and test_denoise equal the Bernoulli NLL recomputed in double") {
  const std::vector<float> x = ref::binary_images(5, 6, 9);
  for (const char* corrupt : {"gaussian", "mask"}) {
    AeFixture f("dae", 6, {5}, 3, corrupt, 0.4f);
    Rng rng(11), copy = rng;
    // The corruption ae.cpp draws: gaussian x + 0.4 eps (eps one normal per element, row-major);
    // mask: one uniform per element, pixel dropped when it is below 0.4.
    std::vector<float> xt(x.size());
    int dropped = 0;
    for (std::size_t i = 0; i < x.size(); ++i) {
      if (!std::strcmp(corrupt, "mask")) {
        const bool drop = copy.uniform() < 0.4f;
        dropped += drop;
        xt[i] = drop ? 0.f : x[i];
      } else {
        xt[i] = x[i] + 0.4f * copy.normal();
      }
    }
    if (!std::strcmp(corrupt, "mask")) CHECK(dropped > 0);  // the case tests a real corruption
    StepLog log = ref::evaluate(*f.m, f.t, x, 6, rng);
    // Float forward vs double, O(5) nats over 6 pixels: 1e-4 is ~100x float rounding.
    CHECK(std::fabs(ref::get(log, "test_recon") - ref_recon(f, x, x)) < 1e-4);
    CHECK(std::fabs(ref::get(log, "test_denoise") - ref_recon(f, xt, x)) < 1e-4);
  }
  AeFixture plain("ae", 6, {5}, 3);
  Rng rng(1);
  StepLog log = ref::evaluate(*plain.m, plain.t, x, 6, rng);
  CHECK(std::fabs(ref::get(log, "test_recon") - ref_recon(plain, x, x)) < 1e-4);
  CHECK(std::isnan(ref::get(log, "test_denoise")));  // only the DAE reports it
}

TEST_CASE("ae: the logged recon is the loss of the step, recomputed in double (AE: no noise)") {
  const std::vector<float> x = ref::binary_images(5, 6, 9);
  AeFixture f("ae", 6, {5}, 3);
  const double expect = ref_recon(f, x, x);
  Rng rng(1);
  StepLog log = ref::train_step(*f.m, f.t, x, 6, rng);
  CHECK(std::fabs(ref::get(log, "recon") - expect) < 1e-4);
}

TEST_CASE("ae: generate and reconstruct give (n, dim) in [0, 1]") {
  AeFixture f("ae", 64, {32}, 4);
  ref::check_outputs_in_unit_range(*f.m, f.t, 64, 4);
}

TEST_CASE("ae/dae: train_step allocates nothing in steady state") {
  const std::vector<float> x = ref::binary_images(32, 64, 3);
  for (const char* model : {"ae", "dae"}) {
    AeFixture f(model, 64, {32}, 4, "mask", 0.3f);
    Rng rng(5);
    check_no_allocation_per_step([&] { ref::train_step(*f.m, f.t, x, 64, rng); }, f.arena);
  }
}
