// test_conv_vae.cpp - the VAE with --arch conv (src/models/conv_vae.cpp inside src/models/vae.cpp):
// torch.nn names and shapes, the loss falls on a fixed batch, both decoders, evaluation.
#include <doctest/doctest.h>

#include "built_model.h"

#include <cmath>
#include <cstring>
#include <string>

#include "dgm/run/config.h"
#include "dgm/models/model.h"

using namespace dgm;

namespace {
double value_of(const StepLog& log, const char* name) {
  for (int i = 0; i < log.n; ++i)
    if (!std::strcmp(log.name[i], name)) return log.value[i];
  FAIL("no " << name);
  return 0;
}
// 15 training steps of m on one fixed batch of 8 images (top half bright, bottom half dark); the
// logged term `key` after the first step and after the last, in *first and *last, and every
// step's log in *each (for terms a caller checks at every step).
template <class F>
void steps_on_fixed_batch(Model& m, Rng& rng, const char* key, double* first, double* last, F each) {
  Arena arena;
  Tape t(arena);
  StepLog log;
  for (int step = 0; step < 15; ++step) {
    t.reset();
    Batch b;
    b.x = t.alloc(make_shape(8, 784));
    for (std::size_t i = 0; i < b.x.size(); ++i) b.x[i] = (i / 28) % 28 < 14 ? 0.9f : 0.1f;
    log.clear();
    m.train_step(t, b, rng, log);
    (step == 0 ? *first : *last) = value_of(log, key);
    each(log);
  }
}
// The model's defaults on images with --arch conv and an 8-dim code.
Config conv_config(const char* model) {
  Config c = config_defaults(model, "");
  c.arch = "conv";
  c.latent = 8;
  return c;
}

}  // namespace

TEST_CASE("conv vae: names and shapes, the loss falls on a fixed batch, Bernoulli and Gaussian decoders") {
  for (const char* decoder : {"bernoulli", "gaussian"}) {
    INFO(decoder);
    Config c = conv_config("vae");
    c.decoder = decoder;
    c.iw = 2;  // test_iwae below with k = 2 conv decoder passes per image, not 50
    REQUIRE(validate(c).ok);
    Rng rng(1);
    std::unique_ptr<Model> m = built_model("vae", c, DataInfo{784, 10, 28, 28}, rng);
    const ParamStore& p = m->parts()[0]->params;
    CHECK(std::string(shape_str(p.value(p.find("enc.conv1.weight"))).text) == "(32, 1, 4, 4)");
    CHECK(std::string(shape_str(p.value(p.find("enc.fc.weight"))).text) == "(16, 3136)");
    CHECK(std::string(shape_str(p.value(p.find("dec.up1.weight"))).text) == "(64, 32, 4, 4)");
    const bool gaussian = std::string(decoder) == "gaussian";
    CHECK(std::string(shape_str(p.value(p.find("dec.up2.weight"))).text) == (gaussian ? "(32, 2, 4, 4)" : "(32, 1, 4, 4)"));
    double first = 0, last = 0;
    steps_on_fixed_batch(*m, rng, "loss", &first, &last, [](const StepLog&) {});
    Arena arena;
    Tape t(arena);
    StepLog log;
    CHECK(std::isfinite(last));
    CHECK(last < first);
    t.reset();
    Batch b;
    b.x = t.alloc(make_shape(4, 784));
    fill(b.x, 0.5f);
    log.clear();
    m->evaluate(t, b, rng, log);
    CHECK(std::isfinite(value_of(log, "test_loss")));
    CHECK(std::isfinite(value_of(log, "test_iwae")));
    Tensor out = t.alloc(make_shape(4, 784));
    CHECK(m->reconstruct(t, b.x, out));
    CHECK(m->decoder_net().net == nullptr);  // the exporter's steps come from the conv decoder
    CHECK(m->decoder_net().conv != nullptr);
  }
}

TEST_CASE("conv aae: the conv VAE's encoder and decoder in the AAE, an MLP D on codes; the recon loss falls; universal refused") {
  for (const char* encoder : {"det", "gauss"}) {
    INFO(encoder);
    Config c = conv_config("aae");
    c.encoder = encoder;
    REQUIRE(validate(c).ok);
    Rng rng(1);
    std::unique_ptr<Model> m = built_model("aae", c, DataInfo{784, 10, 28, 28}, rng);
    const std::vector<Part*> parts = m->parts();  // enc, dec, D, enc_reg
    REQUIRE(parts.size() == 4);
    const ParamStore &e = parts[0]->params, &d = parts[1]->params, &r = parts[3]->params;
    const bool gauss = std::string(encoder) == "gauss";
    CHECK(std::string(shape_str(e.value(e.find("enc.conv1.weight"))).text) == "(32, 1, 4, 4)");
    CHECK(std::string(shape_str(e.value(e.find("enc.fc.weight"))).text) == (gauss ? "(16, 3136)" : "(8, 3136)"));
    CHECK(std::string(shape_str(d.value(d.find("dec.up2.weight"))).text) == "(32, 1, 4, 4)");
    CHECK(parts[2]->params.find("D.0.weight") >= 0);
    REQUIRE(r.size() == e.size());  // the regularisation optimizer's mirror holds the same weights
    CHECK(std::memcmp(r.data(), e.data(), e.size() * sizeof(float)) == 0);
    double first = 0, last = 0;
    steps_on_fixed_batch(*m, rng, "recon", &first, &last, [](const StepLog& log) {
      CHECK(std::isfinite(value_of(log, "loss_d")));
      CHECK(std::isfinite(value_of(log, "loss_g")));
    });
    Arena arena;
    Tape t(arena);
    CHECK(last < first);
    CHECK(std::memcmp(r.data(), e.data(), e.size() * sizeof(float)) == 0);  // still mirrored after the steps
    t.reset();
    Tensor x = t.alloc(make_shape(4, 784)), out = t.alloc(make_shape(4, 784));
    fill(x, 0.5f);
    CHECK(m->reconstruct(t, x, out));
    for (std::size_t i = 0; i < out.size(); ++i) CHECK((out[i] >= 0.f && out[i] <= 1.f));
    CHECK(m->decoder_net().net == nullptr);  // the exporter's steps come from the conv decoder
    CHECK(m->decoder_net().conv != nullptr);
  }
  Config u = config_defaults("aae", "");
  u.arch = "conv";
  u.encoder = "universal";
  Status st;
  std::unique_ptr<Model> m = make_model("aae", &st);
  Rng rng(1);
  const Status b = m->build(model_options(u), DataInfo{784, 10, 28, 28}, rng);
  CHECK_FALSE(b.ok);
  CHECK(b.message.find("--encoder universal") != std::string::npos);
}
