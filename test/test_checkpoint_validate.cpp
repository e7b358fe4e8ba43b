// test_checkpoint_validate.cpp - an untrusted checkpoint is checked as a whole before anything
// is sized or read from it (defects once: out-of-bounds reads, aborts): crafted files, written here, each give
// a Status that names the path and the value, never an out-of-bounds read, bad_alloc or abort.
#include <doctest/doctest.h>

#include "built_model.h"

#include <string>
#include <vector>

#include "dgm/run/checkpoint.h"
#include "dgm/io/fileio.h"
#include "dgm/io/safetensors.h"

using namespace dgm;

namespace {

const std::string kDir = "build/test-runs/ckpt-validate";

// A tiny model of `model` on Fashion-MNIST-shaped data (or 2-D points), saved without training.
std::string write_checkpoint(const std::string& name, const std::string& model, bool images) {
  REQUIRE(make_dirs(kDir).ok);
  Config c = config_defaults(model, images ? "" : "ring");
  c.hidden = {8};
  c.latent = 3;
  DataInfo d;
  d.dim = images ? 784 : 2;
  d.rows = d.cols = images ? 28 : 0;
  d.classes = images ? 10 : 0;
  Rng rng(c.seed);
  std::unique_ptr<Model> m = built_model(model, c, d, rng);
  TrainState s;
  s.info = d;
  s.step = images ? 6 : 40;  // image data: epoch 2 of 3 steps each
  s.epoch = images ? 2 : 0;
  s.rng = rng.state();
  const std::string path = kDir + "/" + name + ".safetensors";
  Status w = save_checkpoint(path, c, *m, s);
  REQUIRE_MESSAGE(w.ok, w.message);
  return path;
}

// The file with one metadata value replaced (or a tensor added): the crafted input.
void rewrite(const std::string& path, const std::string& key, const std::string& value, bool add_tensor = false) {
  SafetensorsFile f;
  REQUIRE(f.load(path).ok);
  std::vector<std::vector<float>> data;
  std::vector<NamedTensor> tensors;
  for (const TensorEntry& e : f.tensors()) {
    data.emplace_back(e.count());
    REQUIRE(f.read(e.name, e.shape, data.back().data()).ok);
  }
  for (std::size_t i = 0; i < f.tensors().size(); ++i)
    tensors.push_back(NamedTensor{f.tensors()[i].name, f.tensors()[i].shape, data[i].data()});
  std::vector<float> extra(4, 1.f);
  if (add_tensor) tensors.push_back(NamedTensor{key, {4}, extra.data()});
  Metadata meta = f.metadata();
  if (!add_tensor) meta[key] = value;
  REQUIRE(save_safetensors(path, tensors, meta).ok);
}

std::string replace(std::string s, const std::string& from, const std::string& to) {
  const std::size_t at = s.find(from);
  REQUIRE_MESSAGE(at != std::string::npos, from);
  return s.replace(at, from.size(), to);
}

// open_checkpoint's message, "" if it opened.
std::string open_error(const std::string& path, const std::string& max_memory = "") {
  Config c;
  c.max_memory = max_memory;  // a run-control setting: kept, the stored config applies on top
  std::unique_ptr<Model> m;
  TrainState ts;
  Status s;
  CHECK_NOTHROW(s = open_checkpoint(path, &c, &m, &ts));
  return s.ok ? "" : s.message;
}

std::string config_of(const std::string& path) {
  SafetensorsFile f;
  REQUIRE(f.load(path).ok);
  return *f.meta("config");
}

}  // namespace

TEST_CASE("checkpoint: a valid checkpoint opens, with its step, epoch and data shape") {
  const std::string path = write_checkpoint("valid", "vae", true);
  Config c;
  std::unique_ptr<Model> m;
  TrainState ts;
  Status s = open_checkpoint(path, &c, &m, &ts);
  REQUIRE_MESSAGE(s.ok, s.message);
  CHECK(ts.step == 6);
  CHECK(ts.epoch == 2);
  CHECK(ts.info.rows * ts.info.cols == ts.info.dim);
  CHECK(open_error(write_checkpoint("valid-gan-ring", "gan", false)) == "");
}

TEST_CASE("checkpoint: metadata \"data\" must describe the tensors (rows x cols == dim, counts in range)") {
  struct Case {
    const char* data;
    const char* message;
  } cases[] = {
      // Once `dgm sample` read 100 x 100 floats per 784-float sample (heap-buffer-overflow).
      {"784 100 100 10", "image size 100 x 100 does not match the data dimension 784"},
      {"784 -28 28 10", "image size -28 x 28 is negative"},  // was an abort in make_grid
      {"2000000000 0 0 0", "data dimension 2000000000 is outside 1..1048576"},  // was std::bad_alloc
      {"784 28 28 -3", "data classes -3 is outside 0..1000"},
      {"784 28 28", "metadata \"data\" missing or malformed"},
      {"784 28 28 10 5", "metadata \"data\" missing or malformed"},
      {"785 28 28 10", "does not match the data dimension 785"},
  };
  const std::string path = write_checkpoint("data", "vae", true);
  for (const Case& k : cases) {
    CAPTURE(std::string(k.data));
    const std::string p = kDir + "/data-crafted.safetensors";
    REQUIRE(write_file_atomic(p, std::vector<std::uint8_t>()).ok);
    std::vector<std::uint8_t> bytes;
    REQUIRE(read_file(path, &bytes).ok);
    REQUIRE(write_file_atomic(p, bytes).ok);
    rewrite(p, "data", k.data);
    const std::string e = open_error(p);
    CHECK_MESSAGE(e.find(k.message) != std::string::npos, e);
    CHECK(e.find("data-crafted.safetensors") != std::string::npos);
  }
}

TEST_CASE("checkpoint: the stored config's sizes are checked against the limits before building") {
  const std::string path = write_checkpoint("config", "vae", true);
  const std::string text = config_of(path);
  rewrite(path, "config", replace(text, "hidden = 8\n", "hidden = 1000000,1000000\n"));
  CHECK(open_error(path).find("hidden width 1000000 exceeds the limit 65536") != std::string::npos);  // was bad_alloc
  rewrite(path, "config", replace(text, "iw = 50\n", "iw = 2000000000\n"));
  CHECK(open_error(path).find("2000000000 importance samples is outside 1..5000") != std::string::npos);
  rewrite(path, "config", replace(text, "hidden = 8\n", "hidden = 60000,60000\n"));
  CHECK(open_error(path, "8G").find("above the memory limit 8.00 GiB") != std::string::npos);
  // A config whose model has other shapes than the tensors: named with both shapes.
  rewrite(path, "config", replace(text, "hidden = 8\n", "hidden = 9\n"));
  CHECK(open_error(path).find("tensor enc.0.weight has shape [8, 784], the config's model [9, 784]") !=
        std::string::npos);
}

TEST_CASE("checkpoint: step and epoch are integers in range and consistent with each other") {
  struct Case {
    const char* key;
    const char* value;
    const char* message;
  } cases[] = {
      {"epoch", "99999999999", "epoch must be in 0..2147483647"},
      {"step", "-5", "step must not be negative"},
      {"step", "99999999999999999999", "\"step\" or \"epoch\" missing or not an integer"},
      {"step", "7", "step 7 and epoch 2 disagree (image data: step must be epoch x the steps per epoch)"},
      {"step", "0", "step 0 and epoch 2 disagree"},
      {"epoch", "0", "step 6 and epoch 0 disagree"},
      {"rng", "1 2 0 0", "\"rng\" missing or malformed"},  // an even PCG increment
      {"rng", "1 3 2 0", "\"rng\" missing or malformed"},  // a spare flag that is not 0 or 1
      {"optim.vae.t", "7", "optim.vae.t = 7 optimizer steps; after 6 training steps it must be in 0..6"},
      {"optim.vae.t", "-1", "must be in 0..6"},
  };
  for (const Case& k : cases) {
    CAPTURE(std::string(k.key) + " = " + k.value);
    const std::string path = write_checkpoint("steps", "vae", true);
    rewrite(path, k.key, k.value);
    const std::string e = open_error(path);
    CHECK_MESSAGE(e.find(k.message) != std::string::npos, e);
  }
  // Synthetic data has no epochs: a checkpoint of one with epoch 1 is inconsistent.
  const std::string ring = write_checkpoint("steps-ring", "gan", false);
  rewrite(ring, "epoch", "1");
  CHECK(open_error(ring).find("synthetic data: epoch must be 0") != std::string::npos);
  // A GAN's D steps k times per step: optim.D.t up to k x step is consistent.
  const std::string gan = write_checkpoint("steps-gan", "gan", false);
  rewrite(gan, "optim.D.t", "41");
  CHECK(open_error(gan).find("optim.D.t = 41 optimizer steps; after 40 training steps it must be in 0..40") !=
        std::string::npos);
}

TEST_CASE("checkpoint: a tensor the config's model does not have is an error") {
  const std::string path = write_checkpoint("extra", "vae", true);
  rewrite(path, "enc.7.weight", "", /*add_tensor=*/true);
  CHECK(open_error(path).find("tensor enc.7.weight [4] is not part of the config's model") != std::string::npos);
}
