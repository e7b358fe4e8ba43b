// test_limits.cpp - sizes from flags and files against their limits, the memory plan against
// what the models really hold, and refusals that are Status messages, never bad_alloc or aborts
// (defects once: bad_alloc, aborts, signed overflow).
#include <doctest/doctest.h>

#include "built_model.h"

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "dgm/core/checked.h"
#include "dgm/run/config.h"
#include "dgm/run/limits.h"
#include "dgm/run/outputs.h"
#include "dgm/run/train.h"

using namespace dgm;

namespace {

constexpr std::uint64_t kMax64 = std::numeric_limits<std::uint64_t>::max();

DataInfo fashion() {
  DataInfo d;
  d.dim = 784;
  d.rows = d.cols = 28;
  d.classes = 10;
  return d;
}

std::size_t built_params(Model& m) {
  std::size_t n = 0;
  for (Part* p : m.parts()) n += p->params.size();
  return n;
}

// One training step the way the trainer makes it: the batch in the step's arena, then train_step.
std::size_t step_high_water(Model& m, const Config& c, const DataInfo& d, Rng& rng) {
  Arena arena;
  Tape t(arena);
  const int rows = c.batch * m.batches_per_step();
  Batch b;
  b.x = t.alloc(make_shape(rows, d.dim));
  b.minibatches = m.batches_per_step();
  rng.fill_uniform(b.x, -1.f, 1.f);
  if (d.classes > 0) {
    b.y = t.alloc(make_shape(rows, d.classes));
    fill(b.y, 0.f);
    for (int i = 0; i < rows; ++i) b.y.data[static_cast<std::size_t>(i) * d.classes + i % d.classes] = 1.f;
  }
  StepLog log;
  m.train_step(t, b, rng, log);
  return arena.high_water();
}

}  // namespace

TEST_CASE("checked: multiplication and addition report overflow; saturating ones stop at the maximum") {
  std::uint64_t r = 7;
  CHECK(checked_mul(std::uint64_t{1} << 32, std::uint64_t{1} << 31, &r));
  CHECK(r == std::uint64_t{1} << 63);
  r = 7;
  CHECK_FALSE(checked_mul(std::uint64_t{1} << 32, std::uint64_t{1} << 32, &r));
  CHECK(r == 7);  // left alone
  CHECK(checked_mul(std::uint64_t{0}, kMax64, &r));
  CHECK(r == 0);
  CHECK_FALSE(checked_add(kMax64, std::uint64_t{1}, &r));
  CHECK(sat_mul(kMax64 / 2, 3) == kMax64);
  CHECK(sat_add(kMax64 - 1, 5) == kMax64);
  int i = 0;
  CHECK(checked_mul(65536, 100, &i));  // --batch x --k at their limits
  CHECK(i == 6553600);
  CHECK_FALSE(checked_mul(128, 1000000000, &i));  // the B * per_step that --k 1000000000 once overflowed
  CHECK_FALSE(checked_mul(-1, 5, &i));
}

TEST_CASE("limits: every size from a flag is checked, and the message names the limit") {
  struct Case {
    const char* flag;
    const char* value;
    const char* message;
  } cases[] = {
      {"--hidden", "1000000", "hidden width 1000000 exceeds the limit 65536"},
      {"--hidden", "1000000,1000000", "hidden width 1000000 exceeds the limit 65536"},
      {"--latent", "65536", "latent dimension 65536 is outside 1..4096 (the limit)"},
      {"--samples", "100000", "--samples: 100000 z samples per datapoint is outside 1..1000 (the limit)"},
      {"--iw", "2000000000", "--iw: 2000000000 importance samples is outside 1..5000 (the limit)"},
      {"--k", "1000000000", "--k: 1000000000 discriminator steps per generator step is outside 1..100"},
      {"--n-critic", "0", "--n-critic: 0 critic steps"},
      {"--batch", "65537", "--batch: batch size 65537 is outside 1..65536"},
      {"--max-memory", "lots", "--max-memory expects a size such as 8G"},
  };
  for (const Case& k : cases) {
    CAPTURE(std::string(k.flag) + " " + k.value);
    Config c = config_defaults("gan", "");
    char f[64], v[64];
    std::snprintf(f, sizeof f, "%s", k.flag);
    std::snprintf(v, sizeof v, "%s", k.value);
    char* argv[] = {f, v};
    Status s = parse_flags(2, argv, &c);
    if (s) s = validate(c);
    CHECK_FALSE(s.ok);
    CHECK_MESSAGE(s.message.find(k.message) != std::string::npos, s.message);
  }
  std::string hidden;
  for (int i = 0; i <= kMaxLayers; ++i) hidden += i ? ",8" : "8";
  Config c = config_defaults("vae", "");
  CHECK(config_from_text("hidden = " + hidden + "\n", &c).ok);
  CHECK(validate(c).message == "--hidden: 65 hidden layers exceed the limit 64");
}

TEST_CASE("limits: a data shape is checked as a whole (rows x cols == dim, counts in range)") {
  CHECK(check_data_info(fashion()).ok);
  DataInfo toy;
  toy.dim = 2;
  CHECK(check_data_info(toy).ok);
  DataInfo d = fashion();
  d.rows = d.cols = 100;  // once: "784 100 100 10" read 100 x 100 floats per 784-float sample
  CHECK(check_data_info(d).message.find("image size 100 x 100 does not match the data dimension 784") == 0);
  d = fashion();
  d.rows = -28;
  CHECK(check_data_info(d).message == "image size -28 x 28 is negative");
  d = fashion();
  d.dim = 2000000000;
  CHECK(check_data_info(d).message == "data dimension 2000000000 is outside 1..1048576 (the limit)");
  d = fashion();
  d.classes = -1;
  CHECK_FALSE(check_data_info(d).ok);
  d = fashion();
  d.cols = 0;
  CHECK_FALSE(check_data_info(d).ok);
  d = fashion();
  d.rows = 65536;
  d.cols = 65536;  // rows x cols overflows an int: compared in 64 bits
  CHECK_FALSE(check_data_info(d).ok);
}

TEST_CASE("limits: the memory plan counts each model's parameters exactly and bounds its step arena") {
  struct Case {
    const char* model;
    const char* data;
    const char* option;  // one model option to vary
    const char* value;
    int batch = 32;  // (the convolutional nets at 8: their steps cost far more per example)
  } cases[] = {
      {"ae", "", "", ""},           {"dae", "", "", ""},           {"vae", "", "", ""},
      {"vae", "", "decoder", "gaussian"},                          {"vae", "", "samples", "3"},
      {"gan", "", "", ""},          {"gan", "", "k", "3"},         {"cgan", "", "", ""},
      {"wgan", "", "", ""},         {"aae", "", "encoder", "det"}, {"aae", "", "encoder", "gauss"},
      {"aae", "", "encoder", "universal"},                         {"gan", "ring", "", ""},
      {"made", "", "", ""},
      // --arch conv: the plan is measured on the nets (limits.cpp, measure_conv_plan), not a formula
      {"vae", "", "arch", "conv", 8}, {"gan", "", "arch", "conv", 8}, {"aae", "", "arch", "conv", 8},
  };
  for (const Case& k : cases) {
    CAPTURE(std::string(k.model) + " " + k.data + " " + k.option + " " + k.value);
    Config c = config_defaults(k.model, k.data);
    c.hidden = {24, 40};
    c.latent = 6;
    c.batch = k.batch;
    if (*k.option) {
      const std::string text = std::string(k.option) + " = " + k.value + "\n";
      REQUIRE(config_from_text(text, &c).ok);
    }
    DataInfo d = fashion();
    if (*k.data) {
      d = DataInfo{};
      d.dim = 2;
    }
    MemoryPlan plan;
    Status s = plan_memory(c, d, 0, &plan);
    REQUIRE_MESSAGE(s.ok, s.message);
    Rng rng(1);
    std::unique_ptr<Model> m = built_model(c.model, c, d, rng);
    CHECK(plan.params == built_params(*m));
    CHECK(plan.param_bytes == 4 * built_params(*m));
    std::size_t state = 0;
    for (Part* p : m->parts()) state += p->opt.s1.size() + p->opt.s2.size();
    CHECK(plan.optim_bytes == 4 * state);
    // The step arena: an upper estimate, and not a wild one (within 4 times what a step uses).
    const std::size_t used = 4 * step_high_water(*m, c, d, rng);
    CHECK(plan.step_arena_bytes >= used);
    CHECK(plan.step_arena_bytes <= 4 * used);
    // Sampling n rows at once (dgm sample --n 300; 30 for a conv net, whose rows cost far more,
    // most of all under qemu in make test-aarch64): also an upper estimate.
    const int n = std::string(k.value) == "conv" ? 30 : 300;
    REQUIRE(plan_memory(c, d, n, &plan).ok);
    Arena out;
    FixedLatent fl = make_fixed_latent(*m, d, 3, n);
    std::vector<float> rows(static_cast<std::size_t>(n) * static_cast<std::size_t>(d.dim));
    generate_rows(*m, out, fl, d.dim, rows.data());
    CHECK(plan.sample_arena_bytes >= 4 * out.high_water());
  }
}

TEST_CASE("limits: a run above the memory limit is refused first, with its figure and the limit") {
  Config c = config_defaults("vae", "");
  c.hidden = {60000, 60000};  // 3.6e9 weights in the middle layer: 57 GB with Adam
  MemoryPlan plan;
  REQUIRE(plan_memory(c, fashion(), 0, &plan).ok);
  CHECK(plan.params > 3600000000ull);
  c.max_memory = "8G";
  Status s = check_memory(c, plan);
  CHECK(s.message.find("this vae needs 1") == 0);
  CHECK(s.message.find("above the memory limit 8.00 GiB (set by --max-memory 8G)") != std::string::npos);
  // train() refuses it before building anything (before: 6.4 GB, then std::bad_alloc).
  c.out = "build/test-runs/limits-huge";
  TrainReport r;
  CHECK_NOTHROW(s = train(c, &r, true));
  CHECK(s.message.find("above the memory limit 8.00 GiB") != std::string::npos);
  CHECK_FALSE(r.diverged);
  // The default limit is half of physical memory.
  c.max_memory = "";
  std::uint64_t limit = 0;
  REQUIRE(memory_limit(c, &limit).ok);
  if (physical_memory_bytes() > 0) CHECK(limit == physical_memory_bytes() / 2);
  // A small limit refuses even the default VAE, and a large enough one lets it through.
  c = config_defaults("vae", "");
  c.max_memory = "1M";
  REQUIRE(plan_memory(c, fashion(), 0, &plan).ok);
  CHECK_FALSE(check_memory(c, plan).ok);
  c.max_memory = "1G";
  CHECK(check_memory(c, plan).ok);
  // A plan whose arithmetic would overflow saturates: refused, never wrapped around to small.
  c = config_defaults("vae", "");
  c.batch = kMaxBatch;
  c.samples = kMaxSamples;
  c.hidden = {kMaxWidth};
  c.latent = kMaxLatent;
  DataInfo big = fashion();
  big.dim = kMaxDim;
  big.rows = big.cols = 1024;
  REQUIRE(plan_memory(c, big, 0, &plan).ok);
  CHECK(plan.total() > (std::uint64_t{1} << 40));
  CHECK_FALSE(check_memory(c, plan).ok);
}

TEST_CASE("limits: --k 1000000000 is an error, not a signed overflow in B * k and a 7 GB allocation") {
  Config c = config_defaults("gan", "ring");
  c.k = 1000000000;
  c.out = "build/test-runs/limits-k";
  TrainReport r;
  Status s = train(c, &r, true);
  CHECK(s.message == "--k: 1000000000 discriminator steps per generator step is outside 1..100 (the limit)");
}

TEST_CASE("limits: memory sizes parse with binary units") {
  std::uint64_t b = 0;
  CHECK(parse_memory_size("8G", &b).ok);
  CHECK(b == (std::uint64_t{8} << 30));
  CHECK(parse_memory_size("512M", &b).ok);
  CHECK(b == (std::uint64_t{512} << 20));
  CHECK(parse_memory_size("1.5G", &b).ok);
  CHECK(b == (std::uint64_t{3} << 29));
  CHECK(parse_memory_size("1000000", &b).ok);
  CHECK(b == 1000000);
  CHECK(parse_memory_size("16GB", &b).ok);
  for (const char* bad : {"", "G", "-1G", "0", "8X", "8GG", "1e30G", "nan"}) {
    CAPTURE(std::string(bad));
    CHECK_FALSE(parse_memory_size(bad, &b).ok);
  }
  CHECK(bytes_text(512) == "512 B");
  CHECK(bytes_text(std::uint64_t{3} << 29) == "1.50 GiB");
}
