// test_checkpoint.cpp - the checkpoint file as other tools see it (include/dgm/run/checkpoint.h,
// docs/checkpoint.md): tensors named and shaped as a PyTorch state_dict, optimizer state per
// tensor at its real shape, a weights-only file (what PyTorch's safetensors writer gives) that
// evaluates and samples but does not resume, format-1 files of older dgm still read, and the
// exact parameter count.
#include <filesystem>
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "small_run.h"
#include "dgm/core/arena.h"
#include "dgm/run/checkpoint.h"
#include "dgm/run/evaluate.h"
#include "dgm/io/fileio.h"
#include "dgm/run/outputs.h"
#include "dgm/run/run_data.h"
#include "dgm/io/safetensors.h"
#include "dgm/run/train.h"

using namespace dgm;

namespace {

std::vector<std::int64_t> dims_of(const Tensor& t) {
  std::vector<std::int64_t> d;
  for (int i = 0; i < t.ndim; ++i) d.push_back(t.dim[i]);
  return d;
}

using Shapes = std::map<std::string, std::vector<std::int64_t>>;

// The state_dict of an MLP "<net>.<i>" with layer sizes {in, h1, ..., out}, as PyTorch names it.
void add_mlp(Shapes* s, const std::string& net, const std::vector<std::int64_t>& sizes) {
  for (std::size_t i = 0; i + 1 < sizes.size(); ++i) {
    (*s)[net + "." + std::to_string(i) + ".weight"] = {sizes[i + 1], sizes[i]};
    (*s)[net + "." + std::to_string(i) + ".bias"] = {sizes[i + 1]};
  }
}

// Adam's m and v for every tensor of `weights` that part `part` steps.
void add_adam(Shapes* s, const std::string& part, const Shapes& weights, const std::string& prefix) {
  for (const auto& kv : weights)
    if (kv.first.compare(0, prefix.size(), prefix) == 0)
      for (const char* state : {".m", ".v"}) (*s)["optim." + part + "." + kv.first + state] = kv.second;
}

Shapes file_shapes(const std::string& path) {
  SafetensorsFile f;
  Status st = f.load(path);
  REQUIRE_MESSAGE(st.ok, st.message);
  Shapes s;
  for (const TensorEntry& e : f.tensors()) s[e.name] = e.shape;
  return s;
}

std::vector<std::uint8_t> bytes_of(const std::string& path) {
  std::vector<std::uint8_t> b;
  Status st = read_file(path, &b);
  REQUIRE_MESSAGE(st.ok, st.message);
  return b;
}

Config toy(const std::string& model, const std::string& out) {
  Config c = test_run::small_run(model, "ring", {8, 6}, 2, 16, out);
  c.iters = 3;
  return c;
}

// A 784-32-(2 x 4) / 4-32-784 VAE's state_dict, written by this test as PyTorch would write it:
// names and shapes of nn.Linear, values from our own generator, no optimizer or trainer state.
struct StateDict {
  std::vector<std::string> names;
  std::vector<std::vector<std::int64_t>> shapes;
  std::vector<std::vector<float>> values;
  const std::vector<float>& at(const std::string& name) const {
    for (std::size_t i = 0; i < names.size(); ++i)
      if (names[i] == name) return values[i];
    FAIL("no tensor " << name);
    return values[0];
  }
};
StateDict vae_state_dict() {
  StateDict d;
  Rng rng(7);
  const std::vector<std::pair<std::string, std::vector<int>>> nets = {{"enc", {784, 32, 8}}, {"dec", {4, 32, 784}}};
  for (const auto& net : nets)
    for (std::size_t i = 0; i + 1 < net.second.size(); ++i) {
      const int in = net.second[i], out = net.second[i + 1];
      const float bound = 1.f / std::sqrt(static_cast<float>(in));
      for (int bias = 0; bias < 2; ++bias) {
        d.names.push_back(net.first + "." + std::to_string(i) + (bias ? ".bias" : ".weight"));
        d.shapes.push_back(bias ? std::vector<std::int64_t>{out} : std::vector<std::int64_t>{out, in});
        d.values.emplace_back(static_cast<std::size_t>(bias ? out : out * in));
        for (float& v : d.values.back()) v = bound * (2.f * rng.uniform() - 1.f);
      }
    }
  return d;
}
Status write_state_dict(const StateDict& d, const std::string& path, const std::vector<NamedTensor>& extra = {}) {
  std::vector<NamedTensor> t;
  for (std::size_t i = 0; i < d.names.size(); ++i) t.push_back(NamedTensor{d.names[i], d.shapes[i], d.values[i].data()});
  t.insert(t.end(), extra.begin(), extra.end());
  // The metadata docs/checkpoint.md asks of a converted file: format, the settings that shape the
  // model (the rest take their defaults), the data's shape.
  Metadata meta;
  meta["format"] = "dgm-checkpoint-2";
  meta["config"] = "model = vae\nlatent = 4\nhidden = 32\nact = relu\ndecoder = bernoulli\n";
  meta["data"] = "784 28 28 10";
  return save_safetensors(path, t, meta);
}

}  // namespace

TEST_CASE("checkpoint: tensors are a PyTorch state_dict (weight (out, in), bias (out)); Adam's m, v per tensor") {
  REQUIRE(make_dirs("build/test-runs").ok);
  TrainReport r;
  for (const char* model : {"gan", "aae"}) {
    CAPTURE(std::string(model));
    const std::string out = std::string("build/test-runs/ckpt-names-") + model;
    Status st = train(toy(model, out), &r, true);
    REQUIRE_MESSAGE(st.ok, st.message);
    Shapes want, weights;
    if (std::string(model) == "gan") {  // G: 2-8-6-2, D: 2-6-8-1 (mirrored widths)
      add_mlp(&weights, "G", {2, 8, 6, 2});
      add_mlp(&weights, "D", {2, 6, 8, 1});
      add_adam(&want, "G", weights, "G.");
      add_adam(&want, "D", weights, "D.");
    } else {  // enc 2-8-6-(2 x 2) (Gaussian encoder), dec 2-6-8-2, D 2-8-6-1; enc_reg steps enc
      add_mlp(&weights, "enc", {2, 8, 6, 4});
      add_mlp(&weights, "dec", {2, 6, 8, 2});
      add_mlp(&weights, "D", {2, 8, 6, 1});
      add_adam(&want, "enc", weights, "enc.");
      add_adam(&want, "dec", weights, "dec.");
      add_adam(&want, "D", weights, "D.");
      add_adam(&want, "enc_reg", weights, "enc.");
    }
    want.insert(weights.begin(), weights.end());
    const std::string path = out + "/model.safetensors";
    CHECK(file_shapes(path) == want);  // every name and shape, nothing else (no padding)
    SafetensorsFile f;
    REQUIRE(f.load(path).ok);
    REQUIRE(f.meta("format"));
    CHECK(*f.meta("format") == "dgm-checkpoint-2");
    CHECK(f.meta(std::string("optim.") + (std::string(model) == "gan" ? "G" : "enc") + ".t"));
    // The values are the model's: each tensor and its Adam state at the right place.
    auto [c, m, ts] = test_run::reopen(path);
    CHECK(ts.resumable());
    for (Part* p : m->parts())
      for (int h = 0; h < p->params.count(); ++h) {
        const Tensor v = p->params.value(h);
        std::vector<float> got(v.size()), m1(v.size());
        REQUIRE(f.read(p->params.name(h), dims_of(v), got.data()).ok);
        CHECK(std::vector<float>(v.data, v.data + v.size()) == got);
        REQUIRE(f.read("optim." + p->name + "." + p->params.name(h) + ".m", dims_of(v), m1.data()).ok);
        const float* s1 = p->opt.s1.data() + p->params.offset(h);
        CHECK(std::vector<float>(s1, s1 + v.size()) == m1);
      }
    if (std::string(model) == "aae") {  // the mirror is loaded from enc's tensors; out of sync, it is not saved
      Part* enc = m->parts()[0];
      Part* reg = m->parts()[3];
      REQUIRE(reg->name == "enc_reg");
      CHECK(std::memcmp(enc->params.data(), reg->params.data(), enc->params.size() * sizeof(float)) == 0);
      reg->params.data()[0] += 1.f;
      st = save_checkpoint(out + "/desync.safetensors", c, *m, ts);
      CHECK_FALSE(st.ok);
      CHECK(st.message.find("enc_reg's enc.0.weight differs") != std::string::npos);
    }
  }
}

TEST_CASE("checkpoint: a state_dict with no optimizer state evaluates and samples; --resume refuses it") {
  REQUIRE(make_dirs("build/test-runs/ckpt-weights-only").ok);
  const std::string path = "build/test-runs/ckpt-weights-only/model.safetensors";
  const StateDict d = vae_state_dict();
  Status st = write_state_dict(d, path);
  REQUIRE_MESSAGE(st.ok, st.message);
  auto [c, m, ts] = test_run::reopen(path);
  CHECK_FALSE(ts.has_optimizer);
  CHECK_FALSE(ts.has_train_state);
  CHECK(ts.info.dim == 784);
  CHECK(m->latent_dim() == 4);

  // dgm sample's path: decode the fixed latent rows; compare with the decoder written out here
  // from the state_dict's own arrays, x = sigmoid(W1 relu(W0 z + b0) + b1), in double.
  const FixedLatent fl = make_fixed_latent(*m, ts.info, 42, 5);
  std::vector<float> rows(5 * 784);
  Arena arena(0, model_device(*m));
  generate_rows(*m, arena, fl, 784, rows.data());
  const std::vector<float>&W0 = d.at("dec.0.weight"), &b0 = d.at("dec.0.bias"), &W1 = d.at("dec.1.weight"),
                    &b1 = d.at("dec.1.bias");
  double worst = 0;
  for (int r = 0; r < 5; ++r) {
    std::vector<double> h(32);
    for (int o = 0; o < 32; ++o) {
      double s = b0[o];
      for (int k = 0; k < 4; ++k) s += static_cast<double>(W0[o * 4 + k]) * fl.z[r * 4 + k];
      h[o] = s > 0 ? s : 0;
    }
    for (int o = 0; o < 784; ++o) {
      double s = b1[o];
      for (int k = 0; k < 32; ++k) s += W1[o * 32 + k] * h[k];
      worst = std::fmax(worst, std::fabs(1 / (1 + std::exp(-s)) - rows[r * 784 + o]));
    }
  }
  CHECK(worst < 1e-5);

  // dgm eval's path: the test split's metrics need no optimizer state.
  RunData data;
  st = load_run_data(c, &data);
  REQUIRE_MESSAGE(st.ok, st.message);
  // 200 test images: the VAE's default test_iwae (k = 50) over all 2,000 would be most of this
  // test's time, and any batch shows that no optimizer state is needed.
  data.images.test.n = std::min(data.images.test.n, 200);
  StepLog log;
  evaluate_model(*m, data, 1, &log);
  REQUIRE(log.n >= 1);
  CHECK(std::string(log.name[0]) == "test_loss");
  CHECK(std::isfinite(log.value[0]));
  CHECK(log.value[0] > 0);
  MESSAGE("weights-only VAE: test_loss " << log.value[0] << ", largest |decode - by hand| " << worst);

  // train --resume needs the optimizer and training state: a clear error, nothing trained.
  Config rc = config_defaults("vae", "");
  rc.hidden = {32};
  rc.latent = 4;
  rc.epochs = 1;
  rc.out = "build/test-runs/ckpt-weights-only";
  rc.resume = true;
  TrainReport r;
  st = train(rc, &r, true);
  CHECK_FALSE(st.ok);
  CHECK(st.message.find("holds no optimizer or training state") != std::string::npos);
  CHECK(bytes_of(path).size() > 0);  // the file is still there
}

TEST_CASE("checkpoint: part of the optimizer state, or a tensor the model lacks, is an error naming it") {
  REQUIRE(make_dirs("build/test-runs").ok);
  const StateDict d = vae_state_dict();
  const std::string path = "build/test-runs/ckpt-bad.safetensors";
  Config c;
  std::unique_ptr<Model> m;
  TrainState ts;
  std::vector<float> zeros(784 * 32, 0.f);
  REQUIRE(write_state_dict(d, path, {{"optim.vae.enc.0.weight.m", {32, 784}, zeros.data()}}).ok);
  Status st = open_checkpoint(path, &c, &m, &ts);
  CHECK_FALSE(st.ok);
  MESSAGE(st.message);
  CHECK(st.message.find("optim.vae.enc.0.bias.m") != std::string::npos);
  CHECK(st.message.find("all of it or none") != std::string::npos);
  REQUIRE(write_state_dict(d, path, {{"encoder.0.weight", {32, 784}, zeros.data()}}).ok);
  st = open_checkpoint(path, &c, &m, &ts);
  CHECK_FALSE(st.ok);
  CHECK(st.message.find("tensor encoder.0.weight [32, 784] is not part of the config's model") != std::string::npos);
  StateDict wrong = d;  // a bias saved as (1, out), as dgm's format 1 stored it
  wrong.shapes[1] = {1, 32};
  REQUIRE(write_state_dict(wrong, path).ok);
  st = open_checkpoint(path, &c, &m, &ts);
  CHECK_FALSE(st.ok);
  CHECK(st.message.find("enc.0.bias") != std::string::npos);
}

TEST_CASE("checkpoint: format 1 files (older dgm) load with every tensor and optimizer state, and resume") {
  std::filesystem::remove_all("build/test-runs/ckpt-v1");  // no earlier run's files: this test resumes there
  std::filesystem::remove_all("build/test-runs/ckpt-v2");
  REQUIRE(make_dirs("build/test-runs/ckpt-v1").ok);
  TrainReport r;
  Config c = toy("gan", "build/test-runs/ckpt-v2");
  r = test_run::train_ok(c);
  const std::string v2 = "build/test-runs/ckpt-v2/model.safetensors", v1 = "build/test-runs/ckpt-v1/model.safetensors";
  auto [cc, m, ts] = test_run::reopen(v2);
  // The same state in format 1: "<part>.<net>.<i>.W" / ".b" (1, out), whole padded buffers.
  SafetensorsFile f2;
  REQUIRE(f2.load(v2).ok);
  Metadata meta = f2.metadata();
  meta["format"] = "dgm-checkpoint-1";
  std::vector<NamedTensor> t;
  std::vector<std::string> keep;
  for (Part* p : m->parts()) {
    for (int h = 0; h < p->params.count(); ++h) {
      std::string name = p->params.name(h);
      const bool bias = name.size() > 5 && name.substr(name.size() - 5) == ".bias";
      name = p->name + "." + name.substr(0, name.rfind('.')) + (bias ? ".b" : ".W");
      std::vector<std::int64_t> shape = dims_of(p->params.value(h));
      if (bias) shape.insert(shape.begin(), 1);
      t.push_back(NamedTensor{name, shape, p->params.value(h).data});
    }
    const std::int64_t n = static_cast<std::int64_t>(p->params.size());
    t.push_back(NamedTensor{p->name + ".opt.s1", {n}, p->opt.s1.data()});
    t.push_back(NamedTensor{p->name + ".opt.s2", {n}, p->opt.s2.data()});
    meta[p->name + ".opt.t"] = std::to_string(p->opt.t);
    meta.erase("optim." + p->name + ".t");
  }
  REQUIRE(save_safetensors(v1, t, meta).ok);
  auto [c1, m1, ts1] = test_run::reopen(v1);
  CHECK(ts1.resumable());
  // Saved again, it is the format-2 file byte for byte: nothing was lost or moved.
  Status st = save_checkpoint("build/test-runs/ckpt-v1/again.safetensors", c1, *m1, ts1);
  REQUIRE_MESSAGE(st.ok, st.message);
  CHECK(bytes_of("build/test-runs/ckpt-v1/again.safetensors") == bytes_of(v2));
  // And it resumes: 3 more steps from the format-1 file equal 3 more from the format-2 one.
  c.iters = 6;
  c.resume = true;
  r = test_run::train_ok(c);
  c.out = "build/test-runs/ckpt-v1";
  st = train(c, &r, true);
  INFO(st.message);
  REQUIRE(st.ok);
  CHECK(bytes_of(v1) == bytes_of(v2));
}

TEST_CASE("checkpoint: the parameter count is exact (no padding; the AAE's mirror counted once)") {
  DataInfo info;
  info.dim = 784;
  info.rows = info.cols = 28;
  info.classes = 10;
  Config c = config_defaults("vae", "");  // 784-400-(2 x 20), 20-400-784
  Status st;
  std::unique_ptr<Model> vae = make_model("vae", &st);
  Rng rng(1);
  REQUIRE(vae->build(model_options(c), info, rng).ok);
  const std::size_t n_vae = (784 * 400 + 400) + (400 * 40 + 40) + (20 * 400 + 400) + (400 * 784 + 784);
  CHECK(n_vae == 652824);
  CHECK(parameter_count(*vae) == n_vae);
  CHECK(vae->parts()[0]->params.size() > n_vae);  // the buffer itself is padded
  Config a = toy("aae", "");
  std::unique_ptr<Model> aae = make_model("aae", &st);
  info.dim = 2;
  info.rows = info.cols = info.classes = 0;
  REQUIRE(aae->build(model_options(a), info, rng).ok);
  // enc 2-8-6-4, dec 2-6-8-2, D 2-8-6-1; the enc_reg part mirrors enc.
  const std::size_t n_aae = (16 + 8 + 48 + 6 + 24 + 4) + (12 + 6 + 48 + 8 + 16 + 2) + (16 + 8 + 48 + 6 + 6 + 1);
  CHECK(parameter_count(*aae) == n_aae);
}
