// run_state.cpp - fuzz targets for what a run reads back: checkpoints (src/run/checkpoint.cpp), the
// config text stored in config.txt and in a checkpoint, and the command-line flags
// (src/run/config.cpp); see targets.h.
//   checkpoint: byte 0 picks a model kind (ae dae vae gan cgan aae wgan), a variant (the VAE's
//     decoder, the AAE's encoder) and an optimizer; the rest is the file, loaded into that model
//     built small (4-dim data, hidden 3, latent 2). A file that loads, saved and loaded into a
//     fresh model, saves to the same bytes. Every input also goes through read_checkpoint_config
//     and, when the stored model is small (see open_bound), open_checkpoint.
//   config text: parse(print(parse(x))) == parse(x), compared as printed text.
//   flags: the input split at NUL bytes is argv; accepted flags give a config whose text round
//     trips as above (what train writes to config.txt and the checkpoint, read back by resume).
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <vector>

#include "dgm/run/checkpoint.h"
#include "dgm/io/safetensors.h"
#include "targets.h"

namespace dgm {
namespace fuzz {
namespace {

std::string rejected(const Status& st) { return st.message.empty() ? "rejected with an empty message" : ""; }

// $TMPDIR, else /dev/shm (a memory file system: creating files on ext4's /tmp made each
// execution take 5 ms), else /tmp.
std::string temp_path(const char* what) {
  const char* dir = std::getenv("TMPDIR");
  const std::string base = dir && *dir ? dir : access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
  return base + "/dgm-fuzz-" + std::to_string(getpid()) + "-" + what;
}

struct TempFile {  // removed when the execution ends, whichever way it returns
  std::string path;
  explicit TempFile(const char* what) : path(temp_path(what)) {}
  ~TempFile() { std::remove(path.c_str()); }
};

bool write_bytes(const std::string& path, const std::uint8_t* d, std::size_t n) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) return false;
  const bool ok = std::fwrite(d, 1, n, f) == n;
  return std::fclose(f) == 0 && ok;
}

bool read_bytes(const std::string& path, std::vector<std::uint8_t>* out) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) return false;
  out->clear();
  std::uint8_t buf[4096];
  std::size_t k;
  while ((k = std::fread(buf, 1, sizeof buf, f)) > 0) out->insert(out->end(), buf, buf + k);
  std::fclose(f);
  return true;
}

const char* const kKinds[] = {"ae", "dae", "vae", "gan", "cgan", "aae", "wgan"};
const char* const kOptims[] = {"sgd", "adagrad", "rmsprop", "adam"};

Config small_config(std::uint8_t pick) {
  Config c = config_defaults(kKinds[pick % 7], "");
  const int variant = pick / 7 % 3;
  c.decoder = variant == 1 ? "gaussian" : "bernoulli";
  c.encoder = variant == 0 ? "det" : variant == 1 ? "gauss" : "universal";
  c.optim = kOptims[pick / 21 % 4];
  c.momentum = pick / 84 % 2 ? 0.9f : 0.f;  // SGD with momentum keeps a velocity
  c.hidden = {3};
  c.latent = 2;
  return c;
}

const DataInfo kSmallData = [] {
  DataInfo d;
  d.dim = 4, d.classes = 2, d.rows = 2, d.cols = 2;
  return d;
}();

std::unique_ptr<Model> build_small(const Config& c, std::string* why) {
  Status st;
  std::unique_ptr<Model> m = make_model(c.model, &st);
  Rng rng(1);
  ModelOptions mo;
  if (st) st = model_options(c, &mo);
  if (st) st = m->build(mo, kSmallData, rng);
  if (!st) *why = "the harness's small " + c.model + " does not build: " + st.message;
  return st ? std::move(m) : nullptr;
}

// The small model for `pick`, built once (copy 0 or 1). Reusing it is sound: a load that
// succeeds sets every value that is saved (each parameter, optimizer state vector and step count).
Model* small_model(std::uint8_t pick, int copy, std::string* why) {
  static std::unique_ptr<Model> cache[256][2];
  std::unique_ptr<Model>& m = cache[pick][copy];
  if (!m) m = build_small(small_config(pick), why);
  return m.get();
}

// A checkpoint whose stored model has at most this many units per layer and data of at most
// kOpenDim features is also opened the way `dgm sample` opens one. The bound is the harness's
// own, to keep each execution fast.
constexpr int kOpenWidth = 64, kOpenDim = 256;
bool open_bound(const std::string& path) {
  Config c;
  if (!read_checkpoint_config(path, &c)) return false;
  if (c.latent > kOpenWidth || c.samples > 4 || c.iw > 4) return false;
  for (int h : c.hidden)
    if (h > kOpenWidth) return false;
  if (c.hidden.size() > 4) return false;
  SafetensorsFile f;
  if (!f.load(path)) return false;
  const std::string* data = f.meta("data");
  int dim = 0, rows = 0, cols = 0, classes = 0;
  return data && std::sscanf(data->c_str(), "%d %d %d %d", &dim, &rows, &cols, &classes) == 4 && dim <= kOpenDim &&
         classes <= kOpenDim;
}

std::string config_round_trip(const Config& c) {
  const std::string t1 = config_to_text(c);
  Config c2;
  Status st = config_from_text(t1, &c2);
  if (!st) return "the config's own text does not read back: " + st.message;
  if (config_to_text(c2) != t1) return "the config's text reads back as another config";
  return "";
}

}  // namespace

std::string checkpoint(const std::uint8_t* d, std::size_t n) {
  if (n < 1) return "";
  const TempFile in("in.safetensors"), out("out.safetensors");
  const std::string &path = in.path, &path2 = out.path;
  if (!write_bytes(path, d + 1, n - 1)) return "";  // no temporary file: nothing to test
  const Config c = small_config(d[0]);
  std::string why;
  Model* m = small_model(d[0], 0, &why);
  Model* m2 = small_model(d[0], 1, &why);
  if (!m || !m2) return why;

  TrainState s, s2;
  Status st = load_checkpoint(path, *m, &s);
  if (st) {
    std::vector<std::uint8_t> a, b;
    st = save_checkpoint(path2, c, *m, s);
    if (!st || !read_bytes(path2, &a)) return "a loaded checkpoint cannot be saved: " + st.message;
    st = load_checkpoint(path2, *m2, &s2);
    if (!st) return "a checkpoint saved from a loaded one does not load: " + st.message;
    st = save_checkpoint(path2, c, *m2, s2);
    if (!st || !read_bytes(path2, &b)) return "a reloaded checkpoint cannot be saved: " + st.message;
    if (a != b) return "load, save, load, save: the two saved files differ";
  } else if (st.message.empty()) {
    return "rejected with an empty message";
  }

  Config stored;
  st = read_checkpoint_config(path, &stored);
  if (st) {
    (void)validate(stored);
    why = config_round_trip(stored);
    if (!why.empty()) return "the stored config: " + why;
  } else if (st.message.empty()) {
    return "read_checkpoint_config: rejected with an empty message";
  }
  if (open_bound(path)) {
    Config oc;
    std::unique_ptr<Model> om;
    TrainState os;
    st = open_checkpoint(path, &oc, &om, &os);
    if (!st && st.message.empty()) return "open_checkpoint: rejected with an empty message";
  }
  return "";
}

std::vector<std::uint8_t> checkpoint_seed(std::uint8_t pick) {
  const Config c = small_config(pick);
  std::string why;
  std::unique_ptr<Model> m = build_small(c, &why);
  const TempFile f("seed.safetensors");
  std::vector<std::uint8_t> bytes;
  TrainState s;
  s.step = 7, s.epoch = 1, s.info = kSmallData;
  s.rng = Rng(c.seed).state();  // a valid PCG state (odd increment): validate_checkpoint refuses the default one
  if (!m || !save_checkpoint(f.path, c, *m, s) || !read_bytes(f.path, &bytes)) return {};
  bytes.insert(bytes.begin(), pick);
  return bytes;
}

std::string config_text(const std::uint8_t* d, std::size_t n) {
  Config c;
  Status st = config_from_text(std::string(reinterpret_cast<const char*>(d), n), &c);
  if (!st) return rejected(st);
  (void)validate(c);
  return config_round_trip(c);
}

std::string flags(const std::uint8_t* d, std::size_t n) {
  std::vector<std::string> args(1);
  for (std::size_t i = 0; i < n; ++i) {
    if (d[i]) args.back() += static_cast<char>(d[i]);
    else if (args.size() < 64) args.emplace_back();
  }
  if (n == 0) args.clear();
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(&a[0]);
  Config c = config_defaults("vae", "");
  Status st = parse_flags(static_cast<int>(argv.size()), argv.data(), &c);
  if (!st) return rejected(st);
  st = validate(c);
  if (!st && st.message.empty()) return "validate: rejected with an empty message";
  return config_round_trip(c);
}

}  // namespace fuzz
}  // namespace dgm
