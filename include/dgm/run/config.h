// config.h - every setting of a training run, and the one table of flags that parses them,
// prints them (--help, config.txt) and stores them in a checkpoint's metadata.
//
// A run's config is: the model's defaults for its data (config_defaults), then the flags given.
// Settings that do not change the result (out, resume, threads) are flagged `identity = false`
// and are left out of the checkpoint, so that a resumed run writes the same bytes as one that
// never stopped.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "dgm/backend/device.h"
#include "dgm/io/status.h"
#include "dgm/models/options.h"

namespace dgm {

struct Config {
  // ---- what and on what ----
  std::string model = "vae";  // ae | dae | vae | gan | cgan | aae | wgan | rbm | dbn | dbm | charrnn | made
  std::string data = "";      // fashion-mnist dir (empty: shipped subset) | ring | grid | gauss1d
  bool binarize = false;      // images binarized once by binarize() (data.h): made's default
  // ---- how long and how ----
  int epochs = 10;            // passes over the training images (image data)
  int iters = 0;              // generator/model steps (synthetic data; overrides epochs when > 0)
  int batch = 128;
  std::string optim = "adam"; // sgd | adagrad | rmsprop | adam
  float lr = 1e-3f;           // learning rate (non-adversarial models)
  float lr_g = 1e-3f;         // generator (and encoder-as-generator) learning rate
  float lr_d = 1e-3f;         // discriminator / critic learning rate
  float beta1 = 0.9f;         // Adam's first-moment decay
  float momentum = 0.f;       // SGD momentum
  // ---- architecture ----
  int latent = 20;            // dimension of z
  std::vector<int> hidden = {400};  // hidden layer widths (encoder; decoder/generator mirror it)
  std::string act = "relu";   // relu | leaky | tanh
  std::string arch = "mlp";   // mlp | conv (DCGAN networks for gan, cgan, wgan on images)
  // ---- model-specific ----
  int k = 1;                  // GAN: discriminator steps per generator step
  std::string gen_loss = "ns";      // GAN: ns (-log D(G(z))) | minimax (log(1 - D(G(z))))
  int n_critic = 5;           // WGAN: critic steps per generator step
  float clip = 0.01f;         // WGAN: weight clipping bound c
  std::string decoder = "bernoulli";  // VAE, AE, DAE: bernoulli | gaussian (toy data's default)
  std::string estimator = "B";      // VAE: A (Monte Carlo KL) | B (closed-form KL)
  int samples = 1;            // VAE: L, z samples per datapoint in training
  int iw = 50;                // VAE eval: k importance samples for test_iwae
  std::string corrupt = "gaussian"; // DAE: gaussian | mask
  float noise = 0.5f;         // DAE: corruption std (gaussian) or drop probability (mask)
  std::string encoder = "gauss";    // AAE: det | gauss | universal
  std::string prior = "normal";     // AAE: normal | mixture | ring
  std::string cd = "pcd";     // RBM, DBN: pcd (persistent CD) | cd (CD-k); k = --k Gibbs steps
  int ais = 1000;             // RBM, DBN, DBM: AIS intermediate distributions K at the end (0: no AIS)
  int ais_runs = 100;         // RBM, DBN, DBM: AIS runs M
  int pretrain = -1;          // DBM: epochs of pre-training of each modified RBM (-1: as --epochs; 0: none)
  int embed = 64;             // CharRNN: embedding width (the LSTM widths are --hidden)
  int bptt = 64;              // CharRNN: characters per truncated-BPTT chunk
  float grad_norm = 5.f;      // CharRNN: clip the gradient to this global L2 norm
  // ---- synthetic data (see data.h ToyParams) ----
  int modes = 8;
  float radius = 2.f;
  int side = 5;
  float spacing = 2.f;
  float stddev = -1.f;        // < 0: the set's own default
  float mean = -1.f;
  float noise_lo = 0.f, noise_hi = 1.f;
  // ---- run control (not part of the checkpoint's identity) ----
  std::uint64_t seed = 42;
  int threads = 0;            // 0: DGM_THREADS or all hardware threads
  std::string device = "cpu"; // cpu | cuda (a `make CUDA=1` build with a GPU); recorded in
                              // config.txt and the checkpoint, not part of its identity
  std::string out = "";       // run folder (empty: runs/<model>)
  bool resume = false;        // continue the run in out (a switch: --resume takes no value)
  bool force = false;         // `dgm train`: start over in an out that holds a run (run_folder.h)
  int log_every = 0;          // metrics.csv row every N steps (0: every step)
  int sample_every = 0;       // synthetic data: sample plot every N iterations (0: 10 per run)
  std::string max_memory = "";  // refuse a run needing more ("8G"; empty: half of physical memory;
                                // dgm/run/limits.h)
};

bool is_toy_data(const std::string& data);  // ring | grid | gauss1d

// The model's defaults on its data: e.g. gan on grid uses z 256, 2 x 128 tanh, Adam G 1e-3 /
// D 1e-4, beta1 0.5, batch 512, 25,000 iterations (bench-quality's protocol).
Config config_defaults(const std::string& model, const std::string& data);

// Parses `--name value` pairs (and `--flag` for booleans) onto c, by the one flag parser
// (dgm/io/flags.h) reading this file's table. Unknown flags, missing values
// and values that do not parse are errors naming the flag and what was expected; an unknown
// flag's message suggests the nearest one ("unknown flag --epoch; did you mean --epochs?").
// --batch-size and --log-interval (the PyTorch examples' spellings) are --batch and --log-every.
Status parse_flags(int argc, char** argv, Config* c);
// Checks value ranges and names (model, act, optim, ...); the message says what is allowed.
Status validate(const Config& c);
// --device NAME: "cpu", or "cuda" in a `make CUDA=1` build that finds a GPU; *out (if given) is
// set on success. The one check behind train, sample, eval and bench.
Status check_device(const std::string& name, Device* out = nullptr);

// The typed options a model is built from (dgm/models/options.h), every name parsed once
// (src/run/model_options.cpp); an error names a flag whose value is not one of its names.
Status model_options(const Config& c, ModelOptions* out);
// The same for a Config that validate() accepted (a failure is a DGM_CHECK).
ModelOptions model_options(const Config& c);
// Config::device as a Device ("cpu" unless "cuda"; validate() has checked it).
Device config_device(const Config& c);

// One "name = value" line per setting; with identity_only, only those that change the result.
std::string config_to_text(const Config& c, bool identity_only = false);
// Reads config_to_text's output back (unknown names are errors).
Status config_from_text(const std::string& text, Config* c);
// A string setting as config text writes it: '\\' '\n' '\r' '\t' and other control bytes or bytes
// outside well-formed UTF-8 as "\xHH", so that one setting is one line and any bytes round-trip
// (src/run/config_escape.cpp). unescape_config_value reverses it; a malformed escape is an error.
std::string escape_config_value(const std::string& value);
Status unescape_config_value(const std::string& text, std::string* value);
// Flag help for `dgm train --help`: one line per flag with its default (and its other spellings).
std::string flags_help(const Config& defaults);
// The settings of c that differ from defaults, as flags: "--epochs 1 --hidden 16" ("" if none;
// the model is left out). `dgm train` prints these first; config.txt keeps every setting.
std::string changed_flags_text(const Config& c, const Config& defaults);

// --resume: every flag that fixes what the stored step means (the model and its shape, the data,
// the batch, the optimizer, the loss, the seed) must have the checkpoint's value; the error
// names the flag, the stored and the new value. How long and how fast (--epochs, --iters, --lr,
// --lr-g, --lr-d), --iw and the settings outside the checkpoint (threads, device, out, log and
// sample cadence) may change. One column of the flag table decides (config.cpp).
Status check_resume(const Config& stored, const Config& now);
// The paragraph of `dgm train --help` on --resume, interrupts and --force, with both lists.
std::string resume_help();

}  // namespace dgm
