// test_export.cpp - the C header of `dgm export` (src/run/export.cpp): every weight of the exported
// network reads back from the text bit for bit, in the documented layout (W (out, in) row-major,
// then b); the self-test rows are the library's own output; bad prefixes and diverged weights
// give errors. (test/cli_smoke.sh compiles such headers with the C compiler and runs their
// self-test: the C forward pass against the library's.)
#include <doctest/doctest.h>

#include "built_model.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "dgm/core/arena.h"
#include "dgm/core/ops_conv.h"
#include "dgm/models/conv_vae.h"
#include "dgm/run/export.h"
#include "dgm/run/outputs.h"

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
  b.m = built_model(model, b.c, b.d, 5);
  return b;
}

// The numbers of `static const TYPE NAME[n] = { ... };` in text, parsed back with strtof.
std::vector<float> read_array(const std::string& text, const std::string& name, const char* type = "float") {
  const std::string key = std::string("static const ") + type + " " + name + "[";
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
  b.m = built_model("vae", b.c, b.d, 1);
  std::string text;
  REQUIRE(export_c_header(*b.m, b.c, b.d, ExportOptions{}, &text).ok);
  CHECK(text.find("#define DGM_OUT 5\n") != std::string::npos);
  CHECK(read_array(text, "dgm_W1").size() == 10 * 6);  // the last layer gives mean and log-variance
  CHECK(read_array(text, "dgm_test_x").size() == 4 * 5);
}

TEST_CASE("export: --arch conv decoders and the DCGAN generator: every array is the network's, in torch's layout") {
  // 8x8 images (conv nets need sides divisible by 4): the decoder is fc -> (64, 2, 2) -> up1 ->
  // (32, 4, 4) -> up2 -> (channels, 8, 8); DCGAN's G is fc -> (128, 2, 2) -> BN -> up1 -> (64, 4, 4)
  // -> BN -> up2 -> (1, 8, 8).
  struct Case {
    const char* model;
    const char* decoder;
    int classes;
  } cases[] = {{"vae", "bernoulli", 0}, {"vae", "gaussian", 0}, {"aae", "bernoulli", 0}, {"gan", "", 0},
               {"cgan", "", 4}, {"wgan", "", 0}};
  for (const Case& k : cases) {
    const std::string name = std::string(k.model) + " " + k.decoder;
    CAPTURE(name);
    Built b;
    b.c = config_defaults(k.model, "");
    b.c.arch = "conv";
    b.c.latent = 3;
    if (k.decoder[0]) b.c.decoder = k.decoder;
    b.d.dim = 64, b.d.rows = 8, b.d.cols = 8, b.d.classes = k.classes;
    Status st;
    b.m = make_model(k.model, &st);
    REQUIRE(st.ok);
    Rng rng(3);
    REQUIRE_MESSAGE(b.m->build(model_options(b.c), b.d, rng).ok, name);
    const DecoderNet net = b.m->decoder_net();
    REQUIRE((net.conv != nullptr) != (net.dcgan != nullptr));
    REQUIRE(net.net == nullptr);
    // Running statistics other than the initial 0 and 1, so the folded g = gamma / sqrt(var + eps)
    // and the mean are tested with values that matter.
    if (net.dcgan)
      for (const BatchNormLayer* bn : {&net.dcgan->bn0, &net.dcgan->bn1}) {
        Tensor m = net.params->value(bn->mean), v = net.params->value(bn->var);
        for (std::size_t c = 0; c < m.size(); ++c) m.data[c] = 0.1f * static_cast<float>(c % 7) - 0.3f;
        for (std::size_t c = 0; c < v.size(); ++c) v.data[c] = 0.5f + 0.25f * static_cast<float>(c % 5);
      }
    std::string text;
    REQUIRE(export_c_header(*b.m, b.c, b.d, ExportOptions{}, &text).ok);
    const ParamStore& p = *net.params;
    auto same = [&](const std::string& array, int id) {
      const Tensor v = p.value(id);
      return same_bits(read_array(text, array), v.data, v.size());
    };
    CHECK(text.find(std::string("#define DGM_CLASSES ") + std::to_string(k.classes) + "\n") != std::string::npos);
    CHECK(text.find("#define DGM_OUT 64\n") != std::string::npos);
    if (net.conv) {
      const ConvDecoder& c = *net.conv;
      CHECK(text.find("#define DGM_LAYERS 3\n") != std::string::npos);
      CHECK(text.find("#define DGM_SCRATCH 1024\n") != std::string::npos);  // 2 x (32, 4, 4)
      CHECK(same("dgm_W0", c.fc.W));
      CHECK(same("dgm_b0", c.fc.b));
      CHECK(same("dgm_W1", c.up1.W));  // (in, out, k, k), as ConvTranspose2d stores it
      CHECK(same("dgm_b1", c.up1.b));
      CHECK(same("dgm_W2", c.up2.W));
      CHECK(same("dgm_b2", c.up2.b));
      CHECK(read_array(text, "dgm_W2").size() == 32u * (std::strcmp(k.decoder, "gaussian") ? 1 : 2) * 16);
    } else {
      const DcganG& g = *net.dcgan;
      CHECK(text.find("#define DGM_LAYERS 5\n") != std::string::npos);
      CHECK(text.find("#define DGM_SCRATCH 2048\n") != std::string::npos);  // 2 x (64, 4, 4)
      CHECK(same("dgm_W0", g.fc.W));
      CHECK(same("dgm_b0", g.fc.b));
      CHECK(same("dgm_W2", g.up1.W));
      CHECK(text.find("dgm_b2") == std::string::npos);  // up1 has no bias (BN follows)
      CHECK(same("dgm_W4", g.up2.W));
      CHECK(same("dgm_b4", g.up2.b));
      int step = 1;
      for (const BatchNormLayer* bn : {&g.bn0, &g.bn1}) {
        const std::string at = "dgm_bn" + std::to_string(step);
        CHECK(same(at + "_mean", bn->mean));
        CHECK(same(at + "_beta", bn->beta));
        const Tensor gamma = p.value(bn->gamma), var = p.value(bn->var);
        std::vector<float> folded(gamma.size());
        for (std::size_t c = 0; c < folded.size(); ++c)
          folded[c] = static_cast<float>(gamma.data[c] / std::sqrt(static_cast<double>(var.data[c]) + 1e-5));
        CHECK(same_bits(read_array(text, at + "_g"), folded.data(), folded.size()));
        step += 2;
      }
    }
    // The self-test rows are the library's own output for the sample grids' z.
    const FixedLatent fl = make_fixed_latent(*b.m, b.d, b.c.seed, 4);
    std::vector<float> x(4 * 64);
    Arena arena;
    generate_rows(*b.m, arena, fl, 64, x.data());
    CHECK(same_bits(read_array(text, "dgm_test_x"), x.data(), x.size()));
  }
}

TEST_CASE("export: a path with */ in it does not end the header's comment early") {
  Built b = build("gan", "ring", 2, 0, 0);
  b.c.data = "odd*/dir";
  ExportOptions o;
  o.source = "runs/*/model.safetensors";
  std::string text;
  REQUIRE(export_c_header(*b.m, b.c, b.d, o, &text).ok);
  const std::size_t end = text.find("*/");
  REQUIRE(end != std::string::npos);
  CHECK(text.compare(end, 3, "*/\n") == 0);               // the first "*/" closes the top comment...
  CHECK(text.find("#ifndef DGM_EXPORT_H") > end);         // ...which ends before the code
  CHECK(text.find("runs/* /model.safetensors") < end);
  CHECK(text.find("odd* /dir") < end);
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
  CHECK(st.message.find("dec.1.weight holds a NaN or Inf") != std::string::npos);
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

TEST_CASE("export: quantize_rows, symmetric int8 with one scale per output row") {
  // Row 0 by hand: max |W| = 1.27, so s = 0.01 and q = round(W / s).
  // Row 1 is all zeros: s = 0, q = 0 (no division by zero).
  const float W[] = {0.5f, -1.27f, 0.f, 0.004f, 0.f, 0.f, 0.f, 0.f};
  std::int8_t q[8];
  float s[2];
  quantize_rows(W, 2, 4, q, s);
  CHECK(s[0] == doctest::Approx(0.01f).epsilon(1e-6));
  CHECK(q[0] == 50);
  CHECK(q[1] == -127);
  CHECK(q[2] == 0);
  CHECK(q[3] == 0);  // 0.4 rounds to 0
  CHECK(s[1] == 0.f);
  for (int i = 4; i < 8; ++i) CHECK(q[i] == 0);

  // Random rows: the largest weight of each row maps to +-127, and every weight is within half a
  // step of its dequantized value: |W_ji - s_j q_ji| <= s_j / 2.
  Rng rng(3);
  const int out = 7, in = 33;
  std::vector<float> w(static_cast<std::size_t>(out) * in);
  Tensor t = make_shape(out, in);
  t.data = w.data();
  rng.fill_normal(t);
  for (int j = 0; j < out; ++j) w[static_cast<std::size_t>(j) * in] *= static_cast<float>(j + 1);  // rows of different ranges
  std::vector<std::int8_t> qq(w.size());
  std::vector<float> ss(out);
  quantize_rows(w.data(), out, in, qq.data(), ss.data());
  for (int j = 0; j < out; ++j) {
    int qmax = 0;
    for (int i = 0; i < in; ++i) {
      const std::size_t e = static_cast<std::size_t>(j) * in + i;
      qmax = std::max(qmax, std::abs(static_cast<int>(qq[e])));
      CHECK(std::fabs(w[e] - ss[j] * qq[e]) <= ss[j] * 0.5f * (1 + 1e-5f));
    }
    CHECK(qmax == 127);
  }
}

TEST_CASE("export: int8 weights: the header holds q and s, its self-test rows are the dequantized network's output, "
          "and the model's own weights are left as they were") {
  Built b = build("vae", "", 12, 0, 3);
  DecoderNet net = b.m->decoder_net();
  const std::vector<float> before(net.params->data(), net.params->data() + net.params->size());
  ExportOptions o;
  o.weights = "int8";
  std::string text;
  ExportReport r;
  REQUIRE(export_c_header(*b.m, b.c, b.d, o, &text, &r).ok);
  CHECK(std::memcmp(before.data(), net.params->data(), before.size() * sizeof(float)) == 0);
  CHECK(text.find("#include <stdint.h>") != std::string::npos);

  // The reference: every W replaced by s q in a copy of the model's weights, decoded by generate().
  std::size_t bytes = 0;
  for (std::size_t k = 0; k < net.net->layers.size(); ++k) {
    const Linear& l = net.net->layers[k];
    const Tensor W = net.params->value(l.W);
    std::vector<std::int8_t> q(W.size());
    std::vector<float> s(static_cast<std::size_t>(l.out));
    quantize_rows(W.data, l.out, l.in, q.data(), s.data());
    const std::vector<float> qf(q.begin(), q.end());
    CHECK(read_array(text, "dgm_W" + std::to_string(k), "int8_t") == qf);
    CHECK(same_bits(read_array(text, "dgm_s" + std::to_string(k)), s.data(), s.size()));
    for (std::size_t e = 0; e < W.size(); ++e) W.data[e] = s[e / static_cast<std::size_t>(l.in)] * q[e];
    bytes += q.size() + 4 * s.size() + 4 * static_cast<std::size_t>(l.out);
  }
  CHECK(r.weight_bytes == bytes);
  const FixedLatent fl = make_fixed_latent(*b.m, b.d, b.c.seed, o.test_rows);
  std::vector<float> xq(static_cast<std::size_t>(o.test_rows) * 12);
  Arena arena;
  generate_rows(*b.m, arena, fl, 12, xq.data());
  CHECK(same_bits(read_array(text, "dgm_test_x"), xq.data(), xq.size()));
  // The report's |x_int8 - x_float|: 1000 other latent rows (seed + 1), each network's output.
  const FixedLatent fq = make_fixed_latent(*b.m, b.d, b.c.seed + 1, 1000);
  std::vector<float> yq(1000 * 12), yf(yq.size());
  generate_rows(*b.m, arena, fq, 12, yq.data());
  std::copy(before.begin(), before.end(), net.params->data());
  generate_rows(*b.m, arena, fq, 12, yf.data());
  double worst = 0, mean = 0;
  for (std::size_t i = 0; i < yq.size(); ++i) {
    const double e = std::fabs(static_cast<double>(yq[i]) - yf[i]);
    worst = std::max(worst, e);
    mean += e / static_cast<double>(yq.size());
  }
  CHECK(r.quant_max == doctest::Approx(worst).epsilon(1e-12));
  CHECK(r.quant_mean == doctest::Approx(mean).epsilon(1e-9));
  CHECK(r.quant_max > 0);
}
