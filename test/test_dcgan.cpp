// test_dcgan.cpp - the DCGAN networks (src/models/dcgan.cpp) inside the GAN and the WGAN with
// --arch conv: torch's state_dict names and shapes, training steps, batch norm's two modes, the
// flag's validation. Small batches of synthetic 28x28 images so the suite stays fast.
#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "dgm/run/config.h"
#include "dgm/models/adversarial.h"
#include "dgm/run/outputs.h"

using namespace dgm;

namespace {

std::unique_ptr<AdversarialModel> build_conv(const std::string& model, int batch, std::uint64_t seed) {
  Config c = config_defaults(model, "");
  c.arch = "conv";
  c.batch = batch;
  REQUIRE(validate(c).ok);
  Status st;
  std::unique_ptr<Model> m = make_model(model, &st);
  REQUIRE(st.ok);
  Rng rng(seed);
  Status b = m->build(model_options(c), DataInfo{784, 10, 28, 28}, rng);
  REQUIRE_MESSAGE(b.ok, b.message);
  return std::unique_ptr<AdversarialModel>(static_cast<AdversarialModel*>(m.release()));
}

std::string shape_of(const ParamStore& p, const char* name) {
  const int h = p.find(name);
  return h < 0 ? std::string("missing") : shape_str(p.value(h)).text;
}

}  // namespace

TEST_CASE("dcgan: the cGAN's label joins G's input and D's features") {
  auto m = build_conv("cgan", 8, 1);
  CHECK(shape_of(m->gen().params, "G.fc.weight") == "(6272, 110)");
  CHECK(shape_of(m->disc().params, "D.fc.weight") == "(1, 6282)");
  CHECK(m->conditional());
}

TEST_CASE("dcgan: parameter names and shapes are torch.nn's state_dict (Linear, BatchNorm2d, Conv(Transpose)2d)") {
  auto m = build_conv("gan", 8, 1);
  const ParamStore& G = m->gen().params;
  const ParamStore& D = m->disc().params;
  CHECK(shape_of(G, "G.fc.weight") == "(6272, 100)");
  CHECK(shape_of(G, "G.fc.bias") == "(6272)");
  CHECK(shape_of(G, "G.bn0.weight") == "(128)");
  CHECK(shape_of(G, "G.bn0.running_mean") == "(128)");
  CHECK(shape_of(G, "G.bn0.running_var") == "(128)");
  CHECK(shape_of(G, "G.up1.weight") == "(128, 64, 4, 4)");  // ConvTranspose2d: (in, out, kh, kw)
  CHECK(G.find("G.up1.bias") < 0);                         // BN follows: no bias
  CHECK(shape_of(G, "G.bn1.bias") == "(64)");
  CHECK(shape_of(G, "G.up2.weight") == "(64, 1, 4, 4)");
  CHECK(shape_of(D, "D.conv1.weight") == "(64, 1, 4, 4)");  // Conv2d: (out, in, kh, kw)
  CHECK(shape_of(D, "D.conv2.weight") == "(128, 64, 4, 4)");
  CHECK(shape_of(D, "D.fc.weight") == "(1, 6272)");
  // Radford et al. 2016 init: weights N(0, 0.02^2), BN gamma N(1, 0.02^2), running var 1.
  Tensor w = G.value(G.find("G.fc.weight"));
  double s2 = 0;
  for (std::size_t i = 0; i < w.size(); ++i) s2 += static_cast<double>(w[i]) * w[i];
  CHECK(std::sqrt(s2 / static_cast<double>(w.size())) == doctest::Approx(0.02).epsilon(0.02));
  CHECK(G.value(G.find("G.bn1.running_var"))[5] == 1.f);
  CHECK(std::fabs(G.value(G.find("G.bn1.weight"))[5] - 1.f) < 0.1f);
}

TEST_CASE("dcgan: training steps run, move BN's running statistics; sampling uses them and leaves them alone") {
  for (const char* model : {"gan", "wgan", "cgan"}) {
    INFO(model);
    const bool labels = std::string(model) == "cgan";
    const int B = 8;
    auto m = build_conv(model, B, 2);
    Arena arena;
    Tape t(arena);
    Rng rng(3);
    StepLog log;
    const int k = m->batches_per_step();
    for (int step = 0; step < 3; ++step) {
      t.reset();
      Batch b;
      b.x = t.alloc(make_shape(k * B, 784));
      b.minibatches = k;
      for (std::size_t i = 0; i < b.x.size(); ++i) b.x[i] = (i % 28) < 14 ? 0.8f : -0.8f;  // striped "images"
      if (labels) {
        b.y = t.alloc(make_shape(k * B, 10));
        fill(b.y, 0.f);
        for (int r = 0; r < k * B; ++r) b.y[static_cast<std::size_t>(r) * 10 + r % 10] = 1.f;
      }
      log.clear();
      m->train_step(t, b, rng, log);
      for (int i = 0; i < log.n; ++i) CHECK(std::isfinite(log.value[i]));
    }
    ParamStore& G = m->gen().params;
    Tensor rm = G.value(G.find("G.bn1.running_mean"));
    double moved = 0;
    for (std::size_t i = 0; i < rm.size(); ++i) moved += std::fabs(rm[i]);
    CHECK(moved > 0);
    // Evaluation mode: a batch of one works (training statistics would need > 1 element), the
    // same z gives the same image, and sampling does not move the running statistics.
    std::vector<float> before(rm.data, rm.data + rm.size());
    t.reset();
    Tensor z = t.alloc(make_shape(1, m->latent_dim()));
    rng.fill_normal(z);
    Tensor a = t.alloc(make_shape(1, 784)), b = t.alloc(make_shape(1, 784));
    Tensor y1;
    if (labels) {
      y1 = t.alloc(make_shape(1, 10));
      fill(y1, 0.f);
      y1[3] = 1.f;
    }
    m->generate(t, z, y1, a);
    m->generate(t, z, y1, b);
    CHECK(std::memcmp(a.data, b.data, 784 * sizeof(float)) == 0);
    CHECK(std::memcmp(before.data(), rm.data, rm.size() * sizeof(float)) == 0);
    for (int i = 0; i < 784; ++i) CHECK((a[i] >= -1.f && a[i] <= 1.f));
  }
}

TEST_CASE("dcgan: --arch is validated with a clear message") {
  Config c = config_defaults("ae", "");  // (gan, cgan, wgan, vae and aae have conv networks)
  c.arch = "conv";
  CHECK_FALSE(validate(c).ok);
  c = config_defaults("gan", "ring");
  c.arch = "conv";
  CHECK_FALSE(validate(c).ok);
  c = config_defaults("gan", "");
  c.arch = "cnn";
  const Status s = validate(c);
  CHECK_FALSE(s.ok);
  CHECK(s.message.find("--arch") != std::string::npos);
  c.arch = "conv";
  CHECK(validate(c).ok);
  // A data set that is not images of sides divisible by 4 is refused by build, not crashed on.
  Status st;
  std::unique_ptr<Model> m = make_model("gan", &st);
  Rng rng(1);
  CHECK_FALSE(m->build(model_options(c), DataInfo{30, 0, 5, 6}, rng).ok);
}

// dgm sample --n 10000 of a DCGAN planned 45.5 GiB and was refused: generate_rows ran all n rows
// through one tape. It now runs kGenerateChunk rows per tape, so its arena stops growing with n,
// and the rows are those of one pass (each depends only on its own z; batch norm in evaluation).
TEST_CASE("dcgan: generate_rows runs chunks of kGenerateChunk rows: the arena does not grow with n, the rows match") {
  auto m = build_conv("gan", 8, 5);
  const DataInfo info{784, 10, 28, 28};
  const int small = kGenerateChunk, big = 3 * kGenerateChunk + 7;
  const FixedLatent fa = make_fixed_latent(*m, info, 11, small), fb = make_fixed_latent(*m, info, 11, big);
  std::vector<float> a(static_cast<std::size_t>(small) * 784), b(static_cast<std::size_t>(big) * 784);
  Arena arena_a, arena_b;
  generate_rows(*m, arena_a, fa, 784, a.data());
  generate_rows(*m, arena_b, fb, 784, b.data());
  CHECK(arena_b.high_water() <= arena_a.high_water());  // 3.0x more rows, the same memory
  // fb's first rows have fa's z (the same seed's draws), so the first chunk is the same pass
  REQUIRE(std::memcmp(fa.z.data(), fb.z.data(), fa.z.size() * sizeof(float)) == 0);
  CHECK(std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0);
  // the last, partial chunk: its rows one at a time give the same floats
  FixedLatent one = fb;
  one.n = 1;
  std::vector<float> row(784);
  for (int r : {3 * kGenerateChunk, big - 1}) {
    one.z.assign(fb.z.begin() + static_cast<std::ptrdiff_t>(r) * m->latent_dim(),
                 fb.z.begin() + static_cast<std::ptrdiff_t>(r + 1) * m->latent_dim());
    Arena ar;
    generate_rows(*m, ar, one, 784, row.data());
    for (int j = 0; j < 784; ++j) CHECK(row[static_cast<std::size_t>(j)] == doctest::Approx(b[static_cast<std::size_t>(r) * 784 + j]).epsilon(1e-5));
  }
}
