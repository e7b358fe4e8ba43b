// config.cpp - the flag table: one row per setting, used to parse flags, print --help and
// config.txt, and store/restore the config in a checkpoint (see include/dgm/run/config.h). The
// parsing itself is the one flag parser's (include/dgm/io/flags.h), as for every verb.
#include "dgm/run/config.h"

#include <cstring>
#include <sstream>

#include "dgm/backend/device.h"
#include "dgm/io/flags.h"
#include "dgm/io/suggest.h"
#include "dgm/models/kinds.h"
#include "dgm/run/limits.h"

namespace dgm {
namespace {

using Type = FlagKind;

struct Flag {
  const char* name;  // without the leading --
  Type type;
  void* ptr;
  const char* help;
  bool identity;     // part of what the run computes (stored in checkpoints)
  // An identity flag that may differ from the checkpoint's value on --resume: how long and how
  // fast (epochs, iters, learning rates) and evaluation-only settings. Every other identity flag
  // fixes what the stored step means (model, shape, data, batch, optimizer, loss, seed) and a
  // change is refused (check_resume). Flags outside the identity are never stored: always free.
  bool resumable = false;
  // The models an identity flag belongs to (space-separated), or null for all. For any other
  // model it is not stored (checkpoint, config text with identity_only) nor compared on --resume,
  // so a new model's settings leave the other models' checkpoints byte-identical (test/hashes.txt).
  const char* only = nullptr;
  // Stored in a checkpoint only when it differs from Config's default (a flag added after
  // test/hashes.txt was recorded, such as --binarize: a checkpoint without it reads back as the
  // default, and the checkpoints of runs that leave it alone stay byte-identical).
  bool omit_default = false;
};

bool applies(const Flag& f, const std::string& model) {
  if (!f.only) return true;
  const std::string list = std::string(" ") + f.only + " ";
  return list.find(" " + model + " ") != std::string::npos;
}

bool may_change_on_resume(const Flag& f) { return !f.identity || f.resumable; }

std::vector<Flag> flags(Config& c) {
  return {
      {"model", Type::Str, &c.model, "ae | dae | vae | gan | cgan | aae | wgan | rbm | dbn | dbm | charrnn | made", true},
      {"data", Type::Str, &c.data, "Fashion-MNIST folder (default: datasets/ subset, then /usr/share/datasets/fashion-mnist; 'full' = the latter) or ring | grid | gauss1d", true},
      {"binarize", Type::Bool, &c.binarize, "images binarized once, Bernoulli(p/255), seed 20261201 (data.h binarize(); made's default)", true, false,
       nullptr, /*omit_default=*/true},
      {"epochs", Type::Int, &c.epochs, "passes over the training images", true, true},
      {"iters", Type::Int, &c.iters, "training steps (synthetic data; > 0 overrides --epochs)", true, true},
      {"batch", Type::Int, &c.batch, "minibatch size M", true},
      {"optim", Type::Str, &c.optim, "sgd | adagrad | rmsprop | adam", true},
      {"lr", Type::Float, &c.lr, "learning rate (ae, dae, vae, aae reconstruction)", true, true},
      {"lr-g", Type::Float, &c.lr_g, "generator learning rate (gan, cgan, wgan, aae regularisation)", true, true},
      {"lr-d", Type::Float, &c.lr_d, "discriminator / critic learning rate", true, true},
      {"beta1", Type::Float, &c.beta1, "Adam beta1", true},
      {"momentum", Type::Float, &c.momentum, "SGD momentum", true},
      {"latent", Type::Int, &c.latent, "dimension of z", true},
      {"hidden", Type::IntList, &c.hidden, "hidden widths, comma-separated (e.g. 400 or 128,128)", true},
      {"act", Type::Str, &c.act, "hidden activation: relu | leaky | tanh", true},
      {"arch", Type::Str, &c.arch, "mlp | conv (images only; gan, cgan, wgan: the DCGAN networks of Radford et al. 2016; vae, aae: conv encoder and decoder; --hidden, --act unused there)", true,
       false, nullptr, /*omit_default=*/true},
      {"k", Type::Int, &c.k, "gan/cgan: discriminator steps per generator step; rbm/dbn: Gibbs steps of CD-k", true},
      {"gen-loss", Type::Str, &c.gen_loss, "gan/cgan: ns (-log D(G(z))) | minimax (log(1 - D(G(z))))", true},
      {"n-critic", Type::Int, &c.n_critic, "wgan: critic steps per generator step", true},
      {"clip", Type::Float, &c.clip, "wgan: weight clipping bound c", true},
      {"decoder", Type::Str, &c.decoder, "vae, ae, dae likelihood p(x|z): bernoulli (data in [0, 1]; default for images) | gaussian (default for ring, grid, gauss1d)", true},
      {"estimator", Type::Str, &c.estimator, "vae: A (Monte Carlo KL) | B (closed-form KL)", true},
      {"samples", Type::Int, &c.samples, "vae: L, z samples per datapoint", true},
      {"iw", Type::Int, &c.iw, "vae eval: k importance samples for test_iwae", true, true},
      {"corrupt", Type::Str, &c.corrupt, "dae: gaussian | mask", true},
      {"noise", Type::Float, &c.noise, "dae: corruption std (gaussian) or drop probability (mask)", true},
      {"encoder", Type::Str, &c.encoder, "aae: det | gauss | universal", true},
      {"prior", Type::Str, &c.prior, "aae: normal | mixture | ring", true},
      // rbm, dbn, dbm (src/run/ebm_run.cpp): outside the checkpoint's identity, so the other
      // models' checkpoints stay byte-identical (test/hashes.txt); config.txt records them.
      {"cd", Type::Str, &c.cd, "rbm/dbn: pcd (persistent CD) | cd (CD-k), with k = --k Gibbs steps", false},
      {"ais", Type::Int, &c.ais, "rbm/dbn/dbm: AIS intermediate distributions for the test log-likelihood (0: none)", false},
      {"ais-runs", Type::Int, &c.ais_runs, "rbm/dbn/dbm: AIS runs", false},
      {"pretrain", Type::Int, &c.pretrain, "dbm: epochs of greedy pre-training of each of its two modified RBMs (Salakhutdinov & Hinton 2009; -1: as --epochs, 0: none)", false},
      {"embed", Type::Int, &c.embed, "charrnn: embedding width (LSTM widths: --hidden)", true, false, "charrnn"},
      {"bptt", Type::Int, &c.bptt, "charrnn: characters per truncated-BPTT chunk", true, false, "charrnn"},
      {"grad-norm", Type::Float, &c.grad_norm, "charrnn: clip the gradient to this global L2 norm", true, false, "charrnn"},
      {"modes", Type::Int, &c.modes, "ring: number of Gaussians", true},
      {"radius", Type::Float, &c.radius, "ring: radius of the circle of centres", true},
      {"side", Type::Int, &c.side, "grid: side x side Gaussians", true},
      {"spacing", Type::Float, &c.spacing, "grid: distance between centres", true},
      {"std", Type::Float, &c.stddev, "ring/grid/gauss1d: std of each mode (< 0: the set's default)", true},
      {"mean", Type::Float, &c.mean, "gauss1d: mean of the data N(mean, std^2)", true},
      {"noise-lo", Type::Float, &c.noise_lo, "gauss1d: generator noise z ~ U(noise-lo, noise-hi)", true},
      {"noise-hi", Type::Float, &c.noise_hi, "gauss1d: upper end of the noise interval", true},
      {"seed", Type::U64, &c.seed, "random seed (data order, init, noise, fixed sample z)", true},
      {"threads", Type::Int, &c.threads, "worker threads (0: DGM_THREADS or all); results do not depend on it", false},
      {"device", Type::Str, &c.device, "cpu | cuda (needs a `make CUDA=1` build and a GPU)", false},
      {"out", Type::Str, &c.out, "run folder (default runs/<model>)", false},
      {"resume", Type::Bool, &c.resume, "continue the run in --out up to --epochs/--iters (see below)", false},
      {"force", Type::Bool, &c.force, "start over in an --out that holds a run: deletes the files dgm wrote there", false},
      {"log-every", Type::Int, &c.log_every, "metrics.csv row every N steps (0: every step)", false},
      {"sample-every", Type::Int, &c.sample_every, "synthetic data: sample plot every N iterations (0: 10 per run)", false},
      {"max-memory", Type::Str, &c.max_memory, "refuse a run that needs more memory, e.g. 8G (default: half of physical memory)", false},
  };
}

// Other spellings of a flag, as the PyTorch examples spell them (shown in --help).
const std::vector<FlagAlias> kAliases = {{"batch-size", "batch"}, {"log-interval", "log-every"}};

// The flag table as the flag parser (dgm/io/flags.h) reads it: name, kind, where, help.
FlagTable parser(const std::vector<Flag>& table) {
  std::vector<FlagSpec> specs;
  for (const Flag& f : table) specs.push_back({f.name, f.type, f.ptr, f.help});
  return FlagTable(specs, kAliases);
}

// in_text: the value as config text writes it (strings escaped), else as --help shows it.
std::string value_text(const Flag& f, bool in_text = true) {
  const std::string v = FlagTable::value_text({f.name, f.type, f.ptr, f.help});
  return in_text && f.type == Type::Str ? escape_config_value(v) : v;
}

// from_text: v is config text (strings escaped), else a command-line value (taken as is).
Status set_value(const Flag& f, const std::string& v, bool from_text = false) {
  if (from_text && f.type == Type::Str) {
    Status st = unescape_config_value(v, static_cast<std::string*>(f.ptr));
    return st ? st : st.prefixed(f.name);
  }
  return FlagTable::set({f.name, f.type, f.ptr, f.help}, v);
}

bool one_of(const std::string& v, std::initializer_list<const char*> names) {
  for (const char* n : names)
    if (v == n) return true;
  return false;
}

}  // namespace

bool is_toy_data(const std::string& data) { return one_of(data, {"ring", "grid", "gauss1d"}); }

namespace {

// The defaults of each model kind: the settings its paper (or our measurement, as cited) uses on
// the images.
void set_model_defaults(Config& c) {
  const std::string& model = c.model;
  if (is_adversarial(model)) {
    // DCGAN-style defaults for images: Adam 2e-4, beta1 0.5, leaky ReLU, tanh output.
    c.latent = 100;
    c.hidden = {256, 512};
    c.act = "leaky";
    c.lr_g = c.lr_d = 2e-4f;
    c.beta1 = 0.5f;
    c.epochs = 20;
  }
  if (is_energy_based(model)) {  // [HintonGuide]-style SGD; 500 hidden as [SM08]
    c.lr = model == "dbm" ? 0.001f : 0.05f, c.batch = 100, c.optim = "sgd";  // dbm: after pre-training (dbm_run.cpp)
    c.hidden = model == "rbm" ? std::vector<int>{500} : model == "dbn" ? std::vector<int>{500, 500} : std::vector<int>{500, 1000};
  }
  if (model == "cgan") {
    // 5 epochs on the full Fashion-MNIST (2,345 steps of 128): about 88% of samples already get
    // their label after one epoch (the label is scaled into G's and D's inputs, adversarial.cpp);
    // later epochs sharpen the images. bench-quality's cGAN part stays within a few minutes.
    c.epochs = 5;
  }
  if (model == "wgan") {  // Arjovsky et al.: RMSProp, lr 5e-5, c = 0.01, n_critic = 5
    c.optim = "rmsprop";
    c.lr_g = c.lr_d = 5e-5f;
    c.batch = 64;
  }
  if (model == "charrnn") {  // src/models/charrnn.cpp: one LSTM of 128, Adam 2e-3, 32 streams x 64 chars
    c.hidden = {128};
    c.batch = 32;
    c.lr = 2e-3f;
    c.iters = 1000;
  }
  if (model == "aae") {
    c.latent = 8;
    c.hidden = {512, 512};
    // Regularisation phase: D faster than the encoder's adversarial updates, both Adam with
    // beta1 0.5 (as for the GANs). Measured on the full Fashion-MNIST, 10 epochs
    // (docs/math.md, the AAE paragraph): with lr-g = lr-d = 1e-4, beta1 0.9, D stays ahead
    // (D(prior) 0.9, D(code) 0.1 by epoch 10), the reconstruction phase widens the codes (stds
    // 1.8-3.0) and
    // MMD^2(codes, prior) = 0.25; with lr-g 3e-4, lr-d 1e-3, beta1 0.5 it is 0.001 and the
    // per-coordinate means and stds of the codes are within 0.12 and 0.06 of the prior's.
    // An encoder much faster than D (lr-g 1e-3, lr-d 1e-4) chases D's blind spots instead:
    // D at chance (0.5 / 0.5) while the codes shrink to std 0.3-0.8.
    c.lr_g = 3e-4f;
    c.lr_d = 1e-3f;
    c.beta1 = 0.5f;
  }
  if (model == "made") {
    // Germain et al. 2015 on binarized MNIST: one hidden layer of 500 units, exact NLL 88.4 nats.
    c.hidden = {500};
    c.binarize = true;
  }
}

// The synthetic sets (ring, grid, gauss1d) override some of them: real-valued points in 1 or 2-D.
void set_toy_data_defaults(Config& c) {
  const std::string& model = c.model;
  const std::string& data = c.data;
  const bool adversarial = is_adversarial(model);
  // Real-valued points: a Gaussian likelihood (a Bernoulli one is only for data in [0, 1]).
  c.decoder = "gaussian";
  // A VAE's code as wide as the data (2 for ring and grid, 1 for gauss1d): with the image
  // default of 20, 18 unused coordinates of prior noise decode to the gaps between the modes
  // (vae on ring, 5,000 iterations: 2 of 8 modes covered with latent 20, 8 of 8 with 2).
  if (model == "vae") c.latent = data == "gauss1d" ? 1 : 2;
  c.epochs = 0;
  c.iters = 5000;
  c.batch = 256;
  if (adversarial || model == "aae") {
    // The grid protocol of `dgm bench-quality gan`: z 256-d N(0, I); G and D 2 x 128 tanh; Adam,
    // G lr 1e-3, D lr 1e-4, beta1 0.5; batch 512; 25,000 iterations.
    c.latent = data == "gauss1d" ? 1 : 256;
    c.hidden = {128, 128};
    c.act = "tanh";
    c.lr_g = 1e-3f;
    c.lr_d = 1e-4f;
    c.beta1 = 0.5f;
    c.batch = 512;
    c.iters = data == "grid" ? 25000 : 5000;
    if (data == "gauss1d" && model == "gan") {
      // The 1-D example ([Utkin] Возвращаясь к порождающим моделям (практика)), ours to choose:
      // the grid's settings collapse here (mean -0.17, std 0.09 after 5,000 iterations).
      // Leaky ReLU nets 2 x 32 (tanh units saturate, so D stops pushing back far-out fakes and
      // the std grows past 1.1), D twenty times faster than G (lr 1e-3 vs 5e-5): near the
      // equilibrium G's samples circle around it and a small G rate keeps the circles small
      // (G lr 1e-4: the mean swings +-0.15 every few hundred steps). The std reaches 1 near
      // 3,000 iterations and then creeps up (1.10 at 3,500 for 3 of 7 seeds), so we stop
      // there: 6 of 7 seeds within 0.1 on mean and std (docs/math.md, "1-D GAN"). A few seconds.
      c.hidden = {32, 32};
      c.act = "leaky";
      c.lr_g = 5e-5f;
      c.lr_d = 1e-3f;
      c.iters = 3000;
    }
  }
  if (model == "wgan") {
    c.optim = "rmsprop";
    c.lr_g = c.lr_d = 5e-5f;
    c.batch = 256;
  }
}

}  // namespace

Config config_defaults(const std::string& model, const std::string& data) {
  Config c;
  c.model = model;
  c.data = data;
  set_model_defaults(c);
  if (is_toy_data(data)) set_toy_data_defaults(c);
  return c;
}

Status parse_flags(int argc, char** argv, Config* c) { return parser(flags(*c)).parse(argc, argv); }

Status validate(const Config& c) {
  if (!find_model_kind(c.model))
    return Status::Error("--model: unknown model '%s' (%s)%s", c.model.c_str(), model_names(),
                         did_you_mean(c.model, model_kind_names()).c_str());
  if (is_energy_based(c.model)) {  // the energy-based models (src/run/ebm_run.cpp)
    if (is_toy_data(c.data)) return Status::Error("--data %s: %s needs binary images (Fashion-MNIST)", c.data.c_str(), c.model.c_str());
    if (!one_of(c.cd, {"cd", "pcd"})) return Status::Error("--cd: '%s' (cd or pcd)", c.cd.c_str());
    if (c.model == "rbm" && c.hidden.size() != 1) return Status::Error("--hidden: an rbm has one hidden layer (e.g. 500); dbn stacks several");
    if (c.model == "dbn" && c.hidden.size() < 2) return Status::Error("--hidden: a dbn needs two or more widths (e.g. 500,500)");
    if (c.model == "dbm" && c.hidden.size() != 2) return Status::Error("--hidden: a dbm has two hidden layers (e.g. 500,1000)");
    if (c.k < 1 || c.k > 1000) return Status::Error("--k: Gibbs steps of CD-k, 1..1000, got %d", c.k);
    if (c.ais < 0 || c.ais_runs < 2) return Status::Error("--ais %d (>= 0) and --ais-runs %d (>= 2)", c.ais, c.ais_runs);
    if (c.pretrain < -1) return Status::Error("--pretrain %d: epochs of pre-training (>= 0; -1: as --epochs)", c.pretrain);
  }
  if (c.model == "made" && is_toy_data(c.data))
    return Status::Error("--data %s: made models binary images (Fashion-MNIST, binarized), not synthetic points",
                         c.data.c_str());
  if (c.binarize && is_toy_data(c.data))
    return Status::Error("--binarize: binarizes Fashion-MNIST images; --data %s is a synthetic set", c.data.c_str());
  ModelOptions mo;  // every string choice (optim, act, arch, decoder, ...), parsed by its one table
  Status st = model_options(c, &mo);
  if (!st) return st;
  if (c.arch == "conv" && !(is_adversarial(c.model) || c.model == "vae" || c.model == "aae"))
    return Status::Error("--arch conv: only gan, cgan, wgan, vae and aae have convolutional networks so far, not '%s'",
                         c.model.c_str());
  if (c.arch == "conv" && is_toy_data(c.data))
    return Status::Error("--arch conv needs images (Fashion-MNIST), not --data %s", c.data.c_str());
  if (mo.decoder == Likelihood::Bernoulli && is_toy_data(c.data) &&
      (model_in(c.model, Family::Autoencoder) || model_in(c.model, Family::Vae)))
    return Status::Error("--decoder bernoulli: a Bernoulli likelihood scores values in [0, 1], but %s data are "
                         "real-valued points; use --decoder gaussian (the default for %s)", c.data.c_str(),
                         c.data.c_str());
  st = check_config_limits(c);  // every size against its limit (dgm/run/limits.h)
  if (!st) return st;
  if (c.epochs < 0 || c.iters < 0) return Status::Error("--epochs and --iters must not be negative");
  if (c.epochs == 0 && c.iters == 0) return Status::Error("nothing to do: --epochs and --iters are both 0");
  if (c.model == "charrnn" && (c.embed < 1 || c.embed > 4096 || c.bptt < 1 || c.bptt > 100000 || !(c.grad_norm > 0) || c.hidden.empty() || c.hidden.size() > 4))
    return Status::Error("charrnn: --embed must be in 1..4096, --bptt in 1..100000, --grad-norm above 0, and --hidden 1 to 4 "
                         "LSTM widths (got embed %d, bptt %d, grad-norm %g, %zu widths)", c.embed, c.bptt, c.grad_norm,
                         c.hidden.size());
  if (c.iters > 0 && !is_toy_data(c.data) && c.model != "charrnn")
    return Status::Error("--iters %d: iterations count steps on synthetic data (ring, grid, gauss1d); image data "
                         "trains for --epochs", c.iters);
  if (!(c.lr > 0) || !(c.lr_g > 0) || !(c.lr_d > 0)) return Status::Error("learning rates must be positive");
  if (!(c.beta1 >= 0 && c.beta1 < 1)) return Status::Error("--beta1 must be in [0, 1), got %g", c.beta1);
  if (!(c.clip > 0)) return Status::Error("--clip must be positive, got %g", c.clip);
  if (!(c.noise >= 0)) return Status::Error("--noise must not be negative, got %g", c.noise);
  if (c.corrupt == "mask" && !(c.noise < 1)) return Status::Error("--noise is a drop probability with --corrupt mask: it must be below 1, got %g", c.noise);
  if (c.threads < 0 || c.threads > 256) return Status::Error("--threads must be in 0..256, got %d", c.threads);
  std::uint64_t limit = 0;
  st = memory_limit(c, &limit);
  if (!st) return st;
  return check_device(c.device);
}

Status check_device(const std::string& name, Device* out) {
  Device dev;
  if (!parse_device(name.c_str(), &dev)) return Status::Error("--device must be cpu or cuda, got '%s'", name.c_str());
  const char* why = nullptr;
  if (dev == Device::CUDA && !cuda_available(&why)) return Status::Error("--device cuda: %s", why);
  if (out) *out = dev;
  return Status::Ok();
}

std::string config_to_text(const Config& c, bool identity_only) {
  Config copy = c, plain;
  std::string s;
  const std::vector<Flag> table = flags(copy), defaults = flags(plain);
  for (std::size_t i = 0; i < table.size(); ++i) {
    const Flag& f = table[i];
    const bool stored = f.identity && applies(f, c.model) && !(f.omit_default && value_text(f) == value_text(defaults[i]));
    if (stored || !identity_only) s += std::string(f.name) + " = " + value_text(f) + "\n";
  }
  return s;
}

Status config_from_text(const std::string& text, Config* c) {
  std::vector<Flag> table = flags(*c);
  std::stringstream ss(text);
  std::string line;
  int lineno = 0;
  while (std::getline(ss, line)) {
    ++lineno;
    if (line.empty() || line[0] == '#') continue;
    std::size_t eq = line.find(" = ");
    if (eq == std::string::npos) return Status::Error("config line %d: expected 'name = value', got '%s'", lineno, line.c_str());
    std::string name = line.substr(0, eq), value = line.substr(eq + 3);
    const Flag* f = nullptr;
    for (const Flag& g : table)
      if (name == g.name) f = &g;
    if (!f) return Status::Error("config line %d: unknown setting '%s'", lineno, name.c_str());
    Status s = set_value(*f, value, /*from_text=*/true);
    if (!s) return s.prefixed("config line " + std::to_string(lineno));
  }
  return Status::Ok();
}

Status check_resume(const Config& stored, const Config& now) {
  Config a = stored, b = now;
  std::vector<Flag> fa = flags(a), fb = flags(b);
  for (std::size_t i = 0; i < fa.size(); ++i) {
    if (may_change_on_resume(fa[i]) || !applies(fa[i], stored.model)) continue;
    const std::string was = value_text(fa[i]), is = value_text(fb[i]);
    if (was == is) continue;
    auto shown = [](const std::string& v) { return v.empty() ? std::string("'' (the default)") : v; };
    return Status::Error("--%s %s: the run was trained with --%s %s, and --%s may not change on --resume "
                         "(it fixes what the stored step means; dgm train --help lists what may). Leave it "
                         "out to continue the run, or start a new one (another --out, or --force)",
                         fa[i].name, shown(is).c_str(), fa[i].name, shown(was).c_str(), fa[i].name);
  }
  return Status::Ok();
}

std::string resume_help() {
  Config c;
  std::string free, fixed;
  for (const Flag& f : flags(c)) {
    std::string& list = may_change_on_resume(f) ? free : fixed;
    if (std::string(f.name) == "resume" || std::string(f.name) == "force") continue;
    list += std::string(list.empty() ? "" : " ") + "--" + f.name;
  }
  auto wrap = [](const std::string& words) {  // at 96 columns, indented by 4
    std::string out, line = "   ";
    std::size_t start = 0;
    while (start < words.size()) {
      std::size_t end = words.find(' ', start);
      if (end == std::string::npos) end = words.size();
      const std::string w = words.substr(start, end - start);
      if (line.size() + 1 + w.size() > 96) out += line + "\n", line = "   ";
      line += " " + w;
      start = end + 1;
    }
    return out + line + "\n";
  };
  return "--resume continues the run in --out from its checkpoint (all its settings come from there).\n"
         "  These may change on --resume:\n" + wrap(free) +
         "  All others are fixed by the run (they decide what its stored step means: the model and its\n"
         "  shape, the data, the batch, the optimizer, the loss and the seed); a different value is\n"
         "  refused (exit 2):\n" + wrap(fixed) +
         "  A run already at its --epochs/--iters says 'nothing to do' and exits 0. metrics.csv is cut\n"
         "  back to the checkpoint's step, so a run that was killed and resumed logs every step once.\n"
         "Ctrl-C (SIGINT) or SIGTERM: the step in progress ends, the checkpoint is written, the command\n"
         "  that resumes is printed, exit 130; a second Ctrl-C stops at once (the last checkpoint stays).\n"
         "An --out that already holds a run is refused: --resume continues it, --force starts over\n"
         "  (deleting only the files dgm train writes there: config.txt, metrics.csv, model.safetensors,\n"
         "  samples/epoch_*.png, samples/iter_*.svg, recon.png, codes.svg).\n";
}

std::string flags_help(const Config& defaults) {
  Config copy = defaults;
  return parser(flags(copy)).help();
}

std::string changed_flags_text(const Config& c, const Config& defaults) {
  Config a = c, b = defaults;
  const std::vector<Flag> fa = flags(a), fb = flags(b);
  std::string s;
  for (std::size_t i = 0; i < fa.size(); ++i) {
    const std::string v = value_text(fa[i]);
    if (v == value_text(fb[i]) || !std::strcmp(fa[i].name, "model")) continue;
    const bool quote = v.empty() || v.find_first_of(" \t'") != std::string::npos;
    if (fa[i].type == Type::Bool) {  // a switch takes no value: "--binarize" (false is the default)
      if (v == "true") s += std::string(s.empty() ? "" : " ") + "--" + fa[i].name;
      continue;
    }
    s += std::string(s.empty() ? "" : " ") + "--" + fa[i].name + " " + (quote ? "'" + v + "'" : v);
  }
  return s;
}

}  // namespace dgm
