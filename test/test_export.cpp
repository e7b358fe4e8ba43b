// test_export.cpp - the C header of `dgm export` (src/export.cpp): every weight of the exported
// network reads back from the text bit for bit, in the documented layout (W (out, in) row-major,
// then b); the self-test rows are the library's own output; bad prefixes and diverged weights
// give errors. (test/cli_smoke.sh compiles such headers with the C compiler and runs their
// self-test: the C forward pass against the library's.)
#include <doctest/doctest.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "dgm/arena.h"
#include "dgm/export.h"
#include "dgm/outputs.h"

using namespace dgm;

namespace {

struct Built {
  Config c;
  DataInfo d;
  std::unique_ptr<Model> m;
};

Built build(const char* model, const char* data, int dim, int classes, int rows) {
  Built b;
  b.c = config_defaults(model, data);
  b.c.hidden = {6, 5};
  b.c.latent = 3;
  b.d.dim = dim;
  b.d.classes = classes;
  b.d.rows = rows;
  b.d.cols = rows ? dim / rows : 0;
  Status st;
  b.m = make_model(model, &st);
  REQUIRE(st.ok);
  Rng rng(5);
  REQUIRE(b.m->build(b.c, b.d, rng).ok);
  return b;
}

// The numbers of `static const float NAME[n] = { ... };` in text, parsed back with strtof.
std::vector<float> read_array(const std::string& text, const std::string& name) {
  const std::string key = "static const float " + name + "[";
  const std::size_t at = text.find(key);
  REQUIRE_MESSAGE(at != std::string::npos, name);
  const std::size_t open = text.find('{', at), close = text.find('}', at);
  std::vector<float> v;
  const char* s = text.c_str() + open + 1;
  const char* end = text.c_str() + close;
  while (s < end) {
    char* next = nullptr;
    const float x = std::strtof(s, &next);
    if (next == s) {
      ++s;  // a separator: ',', 'f', white space
      continue;
    }
    v.push_back(x);
    s = next;
  }
  return v;
}

bool same_bits(const std::vector<float>& a, const float* b, std::size_t n) {
  return a.size() == n && (n == 0 || std::memcmp(a.data(), b, n * sizeof(float)) == 0);
}

}  // namespace

TEST_CASE("export: the header's weights are the network's, bit for bit, in the documented layout") {
  for (const char* model : {"vae", "gan", "cgan", "aae", "ae"}) {
    const std::string name = model;
    CAPTURE(name);
    Built b = build(model, "", 12, 4, 3);
    DecoderNet net = b.m->decoder_net();
    REQUIRE(net.net);
    std::string text;
    ExportOptions o;
    o.prefix = "mcu";
    REQUIRE(export_c_header(*b.m, b.c, b.d, o, &text).ok);
    CHECK(text.find("#define MCU_LATENT 3\n") != std::string::npos);
    CHECK(text.find("#define MCU_OUT 12\n") != std::string::npos);
    CHECK(text.find(std::string("#define MCU_CLASSES ") + (std::strcmp(model, "cgan") ? "0" : "4")) != std::string::npos);
    // --hidden 6,5: a generator is latent [+ 4 labels] -> 6 -> 5 -> 12; a decoder mirrors the
    // encoder, 3 -> 5 -> 6 -> 12.
    const bool generator = name == "gan" || name == "cgan";
    const std::vector<int> widths = generator ? std::vector<int>{name == "cgan" ? 7 : 3, 6, 5, 12}
                                              : std::vector<int>{3, 5, 6, 12};
    REQUIRE(net.net->layers.size() == 3);
    for (std::size_t k = 0; k < 3; ++k) {
      const Linear& l = net.net->layers[k];
      CHECK(l.in == widths[k]);
      CHECK(l.out == widths[k + 1]);
      const Tensor W = net.params->host_value(l.W), bias = net.params->host_value(l.b);
      CHECK(same_bits(read_array(text, "mcu_W" + std::to_string(k)), W.data, W.size()));
      CHECK(same_bits(read_array(text, "mcu_b" + std::to_string(k)), bias.data, bias.size()));
    }
  }
}

TEST_CASE("export: the self-test rows are the sample grids' z and the library's output for them") {
  Built b = build("cgan", "", 12, 4, 3);
  ExportOptions o;
  o.test_rows = 5;
  std::string text;
  REQUIRE(export_c_header(*b.m, b.c, b.d, o, &text).ok);
  const FixedLatent fl = make_fixed_latent(*b.m, b.d, b.c.seed, 5);
  std::vector<float> x(5 * 12);
  Arena arena;
  generate_rows(*b.m, arena, fl, 12, x.data());
  CHECK(same_bits(read_array(text, "dgm_test_z"), fl.z.data(), fl.z.size()));
  CHECK(same_bits(read_array(text, "dgm_test_y"), fl.y.data(), fl.y.size()));
  CHECK(same_bits(read_array(text, "dgm_test_x"), x.data(), x.size()));
  // Labels 0..4 mod 4, one-hot: row i has its 1 at column i % 4.
  for (int i = 0; i < 5; ++i) CHECK(fl.y[static_cast<std::size_t>(i) * 4 + i % 4] == 1.f);
}

TEST_CASE("export: a Gaussian decoder keeps the mean half of its outputs") {
  Built b;
  b.c = config_defaults("vae", "");
  b.c.hidden = {6};
  b.c.latent = 2;
  b.c.decoder = "gaussian";
  b.d.dim = 5;
  Status st;
  b.m = make_model("vae", &st);
  Rng rng(1);
  REQUIRE(b.m->build(b.c, b.d, rng).ok);
  std::string text;
  REQUIRE(export_c_header(*b.m, b.c, b.d, ExportOptions{}, &text).ok);
  CHECK(text.find("#define DGM_OUT 5\n") != std::string::npos);
  CHECK(read_array(text, "dgm_W1").size() == 10 * 6);  // the last layer gives mean and log-variance
  CHECK(read_array(text, "dgm_test_x").size() == 4 * 5);
}

TEST_CASE("export: errors for a bad prefix and for weights that are not finite") {
  Built b = build("vae", "", 12, 0, 3);
  std::string text;
  for (const char* bad : {"", "9lives", "has-dash", "sp ace"}) {
    ExportOptions o;
    o.prefix = bad;
    Status st = export_c_header(*b.m, b.c, b.d, o, &text);
    CHECK_FALSE(st.ok);
    CHECK(st.message.find("not a C identifier") != std::string::npos);
  }
  DecoderNet net = b.m->decoder_net();
  net.params->value(net.net->layers[1].W).data[3] = NAN;
  Status st = export_c_header(*b.m, b.c, b.d, ExportOptions{}, &text);
  CHECK_FALSE(st.ok);
  CHECK(st.message.find("dec.1.W holds a NaN or Inf") != std::string::npos);
}

TEST_CASE("export: every float literal is C and reads back exactly") {
  // Values %.9g prints without '.' or 'e' need one: "0f" or "1f" would not compile.
  Built b = build("gan", "ring", 2, 0, 0);
  DecoderNet net = b.m->decoder_net();
  float* w = net.params->value(net.net->layers[0].W).data;
  const float special[] = {0.f, 1.f, -3.f, 1e-30f, -2.5e20f, 0.1f, 16777216.f};
  for (std::size_t i = 0; i < sizeof special / sizeof special[0]; ++i) w[i] = special[i];
  std::string text;
  REQUIRE(export_c_header(*b.m, b.c, b.d, ExportOptions{}, &text).ok);
  CHECK(text.find(" 0.0f,") != std::string::npos);
  CHECK(text.find(" 1.0f,") != std::string::npos);
  CHECK(text.find(" -3.0f,") != std::string::npos);
  CHECK(text.find(" 16777216.0f,") != std::string::npos);
  const Tensor W = net.params->host_value(net.net->layers[0].W);
  CHECK(same_bits(read_array(text, "dgm_W0"), W.data, W.size()));
}
