// test_train.cpp - the trainer end to end on small configurations: bit-identical resume,
// checkpoint round trip, the sample grid is a valid PNG, and bad input gives a clear error.
#include <doctest/doctest.h>

#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "small_run.h"
#include "dgm/run/checkpoint.h"
#include "dgm/io/fileio.h"
#include "dgm/io/inflate.h"
#include "dgm/run/train.h"

using namespace dgm;

namespace {

std::vector<std::uint8_t> file_bytes(const std::string& path) {
  std::vector<std::uint8_t> b;
  Status s = read_file(path, &b);
  REQUIRE_MESSAGE(s.ok, s.message);
  return b;
}

// A small VAE on the shipped subset: a few hundred steps per epoch of a 784-32-4 model. Its
// test_iwae after each epoch uses k = 2 importance samples (the default 50 would make those
// evaluations, 2,000 test images x k decoder passes, most of these tests' time).
Config small_vae(const std::string& out) {
  Config c = test_run::small_run("vae", "", {32}, 4, 250, out);
  c.epochs = 2;
  c.iw = 2;
  return c;
}

std::uint32_t be32(const std::uint8_t* p) {
  return std::uint32_t(p[0]) << 24 | std::uint32_t(p[1]) << 16 | std::uint32_t(p[2]) << 8 | p[3];
}

}  // namespace

TEST_CASE("train: 2 + 2 epochs with --resume write the same checkpoint bytes as 4 epochs") {
  TrainReport r;
  Config four = small_vae("build/test-runs/vae-4");
  four.epochs = 4;
  r = test_run::train_ok(four);
  Config two = small_vae("build/test-runs/vae-2+2");
  r = test_run::train_ok(two);
  two.epochs = 4;
  two.resume = true;
  two.threads = 1;  // and another thread count: results do not depend on it
  r = test_run::train_ok(two);
  const auto a = file_bytes("build/test-runs/vae-4/model.safetensors");
  const auto b = file_bytes("build/test-runs/vae-2+2/model.safetensors");
  CHECK(a.size() == b.size());
  CHECK(a == b);
  // And the checkpoint reads back into a model with every tensor and the training state.
  auto [c, m, ts] = test_run::reopen("build/test-runs/vae-4/model.safetensors");
  CHECK(c.model == "vae");
  CHECK(c.hidden == std::vector<int>{32});
  CHECK(ts.epoch == 4);
  CHECK(ts.step == 4 * (10000 / 250));
  CHECK(ts.info.dim == 784);
  CHECK(ts.info.classes == 10);
  // Saving the reloaded model again gives the same bytes.
  Status s = save_checkpoint("build/test-runs/vae-4/again.safetensors", c, *m, ts);
  REQUIRE_MESSAGE(s.ok, s.message);
  CHECK(file_bytes("build/test-runs/vae-4/again.safetensors") == a);
}

TEST_CASE("train: resume on synthetic data (iterations) is bit-identical too") {
  TrainReport r;
  Config c = test_run::small_run("gan", "ring", {16, 16}, 4, 64, "build/test-runs/gan-60");
  c.iters = 60;
  c.sample_every = 30;
  r = test_run::train_ok(c);
  c.out = "build/test-runs/gan-30+30";
  c.iters = 30;
  r = test_run::train_ok(c);
  c.iters = 60;
  c.resume = true;
  r = test_run::train_ok(c);
  CHECK(file_bytes("build/test-runs/gan-60/model.safetensors") ==
        file_bytes("build/test-runs/gan-30+30/model.safetensors"));
}

TEST_CASE("train: the sample grid is a valid PNG of a 10 x 10 grid of 28 x 28 images") {
  TrainReport r;
  Config c = small_vae("build/test-runs/vae-png");
  c.epochs = 1;
  r = test_run::train_ok(c);
  const auto png = file_bytes("build/test-runs/vae-png/samples/epoch_001.png");
  REQUIRE(png.size() > 33);
  const std::uint8_t sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  CHECK(std::memcmp(png.data(), sig, 8) == 0);
  CHECK(std::memcmp(png.data() + 12, "IHDR", 4) == 0);
  const std::uint32_t w = be32(png.data() + 16), h = be32(png.data() + 20);
  CHECK(w == 10 * 29 + 1);  // 10 tiles of 28 pixels, a 1-pixel border between and around
  CHECK(h == 10 * 29 + 1);
  CHECK(png[24] == 8);  // bit depth
  CHECK(png[25] == 0);  // grayscale
  // Gather the IDAT chunks and inflate them with our own zlib decoder: every scanline is a
  // filter byte and w pixels.
  std::vector<std::uint8_t> z, raw;
  for (std::size_t p = 8; p + 12 <= png.size();) {
    const std::uint32_t len = be32(png.data() + p);
    if (std::memcmp(png.data() + p + 4, "IDAT", 4) == 0) z.insert(z.end(), png.begin() + p + 8, png.begin() + p + 8 + len);
    p += 12 + len;
  }
  Status s = zlib_uncompress(z.data(), z.size(), &raw);
  REQUIRE_MESSAGE(s.ok, s.message);
  CHECK(raw.size() == h * (w + 1));
  CHECK(file_bytes("build/test-runs/vae-png/recon.png").size() > 33);
  CHECK(file_bytes("build/test-runs/vae-png/metrics.csv").size() > 10);
}

TEST_CASE("train: an AAE run writes codes.svg (codes over prior samples); other models do not") {
  TrainReport r;
  Config c = test_run::small_run("aae", "", {32}, 4, 250, "build/test-runs/aae-codes");
  c.epochs = 1;
  c.prior = "ring";
  r = test_run::train_ok(c);
  const auto b = file_bytes("build/test-runs/aae-codes/codes.svg");
  const std::string svg(b.begin(), b.end());
  int circles = 0;
  for (std::size_t p = svg.find("<circle"); p != std::string::npos; p = svg.find("<circle", p + 1)) ++circles;
  CHECK(circles == 2 * 2000);  // 2,000 test codes and 2,000 prior samples (the subset has 2,000 test images)
  CHECK(svg.find("prior ring") != std::string::npos);
  // The VAE run of the test above has no codes plot.
  std::vector<std::uint8_t> none;
  CHECK_FALSE(read_file("build/test-runs/vae-png/codes.svg", &none).ok);
}

TEST_CASE("train: bad flags and bad files are errors that say what is wrong") {
  Config c = config_defaults("vae", "");
  char a1[] = "--epochs", a2[] = "ten";
  char* bad_num[] = {a1, a2};
  Status s = parse_flags(2, bad_num, &c);
  CHECK_FALSE(s.ok);
  CHECK(s.message == "--epochs expects an integer, got 'ten'");
  char b1[] = "--epoch", b2[] = "3";
  char* unknown[] = {b1, b2};
  s = parse_flags(2, unknown, &c);
  CHECK(s.message == "unknown flag --epoch; did you mean --epochs? (see --help)");
  char u1[] = "--temperature", u2[] = "3";
  char* far[] = {u1, u2};
  s = parse_flags(2, far, &c);
  CHECK(s.message == "unknown flag --temperature (see --help)");  // nothing near: no guess
  c.act = "swish";
  s = validate(c);
  CHECK(s.message.find("--act: unknown activation 'swish'") == 0);
  c = config_defaults("vae", "");
  c.data = "build/test-runs/no-such-folder";
  TrainReport r;
  s = train(c, &r, true);
  CHECK_FALSE(s.ok);
  CHECK(s.message.find("no-such-folder") != std::string::npos);
  // A truncated checkpoint: a clear error, not a crash.
  Config small = small_vae("build/test-runs/vae-trunc");
  small.epochs = 1;
  r = test_run::train_ok(small);
  const auto good = file_bytes("build/test-runs/vae-trunc/model.safetensors");
  Status w = write_file_atomic("build/test-runs/truncated.safetensors", good.data(), good.size() / 2);
  REQUIRE(w.ok);
  std::unique_ptr<Model> m;
  TrainState ts;
  s = open_checkpoint("build/test-runs/truncated.safetensors", &c, &m, &ts);
  CHECK_FALSE(s.ok);
  CHECK(s.message.find("truncated.safetensors") != std::string::npos);
}

TEST_CASE("config: floats are written as the shortest text that reads back as the same float") {
  Config c = config_defaults("gan", "grid");
  c.lr_g = 1e-3f;                   // "0.001", not "0.00100000005"
  c.lr_d = 0.1f + 0.2f;             // needs more digits to round-trip
  c.clip = 3.4028235e38f;           // the largest float
  c.beta1 = 1.17549435e-38f;        // the smallest normal float
  const std::string text = config_to_text(c);
  CHECK(text.find("lr-g = 0.001\n") != std::string::npos);
  Config back = config_defaults("vae", "");
  Status s = config_from_text(text, &back);
  REQUIRE_MESSAGE(s.ok, s.message);
  CHECK(back.lr_g == c.lr_g);  // exact float equality: the text must round-trip bit for bit
  CHECK(back.lr_d == c.lr_d);
  CHECK(back.clip == c.clip);
  CHECK(back.beta1 == c.beta1);
}

TEST_CASE("train: the memory report counts parameters, gradients, optimizer state and the arenas") {
  // 784-32-(2 x 4) encoder and 4-32-784 decoder: weights and biases counted by hand, each tensor
  // rounded up to 16 floats as ParamStore lays them out (64-byte aligned): only the encoder's
  // last bias (8 floats) needs padding.
  auto padded = [](std::size_t n) { return (n + 15) / 16 * 16; };
  std::size_t floats = 0;
  for (std::size_t n : {784 * 32, 32, 32 * 8, 8, 4 * 32, 32, 32 * 784, 784}) floats += padded(n);
  CHECK(floats == (784 * 32 + 32) + (32 * 8 + 8) + (4 * 32 + 32) + (32 * 784 + 784) + 8);
  for (const char* optim : {"adam", "rmsprop"}) {
    CAPTURE(std::string(optim));
    Config c = small_vae(std::string("build/test-runs/vae-mem-") + optim);
    c.epochs = 1;
    c.optim = optim;
    TrainReport r = test_run::train_ok(c);
    CHECK(r.param_bytes == 4 * floats);
    CHECK(r.grad_bytes == 4 * floats);
    CHECK(r.optim_bytes == (std::string(optim) == "adam" ? 8 : 4) * floats);  // Adam keeps m and v
    CHECK(r.step_arena_bytes >= 4u * 250 * 784);  // at least the batch itself
    CHECK(r.out_arena_bytes >= 4u * 100 * 784);   // at least the 100 generated images of the grid
    // A second call with the same report describes that call alone (nothing accumulates).
    const TrainReport first = r;
    c.out += "-again";
    r = test_run::train_ok(c);
    CHECK(r.param_bytes == first.param_bytes);
    CHECK(r.optim_bytes == first.optim_bytes);
    CHECK(r.step_arena_bytes == first.step_arena_bytes);
    CHECK(r.steps == first.steps);
  }
}

TEST_CASE("config: --batch-size and --log-interval are the PyTorch examples' spellings of --batch, --log-every") {
  Config c = config_defaults("vae", "");
  char a1[] = "--batch-size", a2[] = "64", a3[] = "--log-interval=10", a4[] = "--batch_size", a5[] = "32";
  char* argv[] = {a1, a2, a3};
  Status s = parse_flags(3, argv, &c);
  REQUIRE_MESSAGE(s.ok, s.message);
  CHECK(c.batch == 64);
  CHECK(c.log_every == 10);
  char* underscore[] = {a4, a5};  // underscores read as dashes, as for every flag
  s = parse_flags(2, underscore, &c);
  REQUIRE_MESSAGE(s.ok, s.message);
  CHECK(c.batch == 32);
  const std::string help = flags_help(config_defaults("vae", ""));
  CHECK(help.find("minibatch size M (also --batch-size)\n") != std::string::npos);
  CHECK(help.find("(also --log-interval)\n") != std::string::npos);
  CHECK(config_to_text(c).find("batch = 32\n") != std::string::npos);  // config.txt: the one name
}

TEST_CASE("config: changed_flags_text lists exactly the settings that differ from the defaults") {
  const Config d = config_defaults("gan", "ring");
  CHECK(changed_flags_text(d, d) == "");
  Config c = d;
  c.iters = 20;
  c.hidden = {8, 8};
  c.out = "runs/my run";  // quoted: it holds a space
  c.resume = true;
  // A switch is printed as the flag alone: "--resume true" would not parse (the switch takes no
  // value, and "true" would be an unexpected argument).
  CHECK(changed_flags_text(c, d) == "--iters 20 --hidden 8,8 --out 'runs/my run' --resume");
  {
    Config b = config_defaults("vae", "");
    b.binarize = true;
    const std::string text = changed_flags_text(b, config_defaults("vae", ""));
    CHECK(text == "--binarize");
    char flag[] = "--binarize";
    char* argv[] = {flag};
    Config p = config_defaults("vae", "");
    REQUIRE(parse_flags(1, argv, &p).ok);
    CHECK(p.binarize);
  }
  c = d;
  c.lr_d = d.lr_d * 2;
  CHECK(changed_flags_text(c, d) == "--lr-d 0.0002");
}
