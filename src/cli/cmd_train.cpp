// cmd_train.cpp - `dgm train`, and the verbs that open its checkpoints: `dgm sample`, `dgm eval`,
// `dgm export`.
#include <algorithm>
#include <csignal>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <system_error>
#include <vector>

#if defined(__unix__) || defined(__APPLE__)
#include <unistd.h>
#endif

#include "cli.h"
#include "dgm/core/checked.h"
#include "dgm/run/checkpoint.h"
#include "dgm/run/evaluate.h"
#include "dgm/run/export.h"
#include "dgm/io/fileio.h"
#include "dgm/io/flags.h"
#include "dgm/io/image.h"
#include "dgm/run/limits.h"
#include "dgm/run/outputs.h"
#include "dgm/io/plot.h"
#include "dgm/run/progress.h"
#include "dgm/run/run_files.h"
#include "dgm/run/train.h"
#include "dgm/run/views.h"
#include "dgm/run/ebm_run.h"
#include "dgm/run/charrnn_run.h"
#include "dgm/models/kinds.h"

namespace dgm {
namespace {

int fail(const char* verb, const Status& s) {
  std::fprintf(stderr, "dgm %s: %s\n", verb, s.message.c_str());
  return 2;
}

// SIGINT / SIGTERM during `dgm train`: the first sets the flag the trainer reads after every step
// (it ends the step, writes the checkpoint and returns); the second stops the process at once,
// leaving the last checkpoint whole (it is only ever replaced by a rename). Only async-signal-safe
// work here: a sig_atomic_t, write(2), _Exit.
volatile std::sig_atomic_t g_stop = 0;

void say(const char* msg, std::size_t n) {
#if defined(__unix__) || defined(__APPLE__)
  ssize_t ignored = write(2, msg, n);
  (void)ignored;
#else
  (void)msg, (void)n;
#endif
}

extern "C" void on_stop_signal(int) {
  if (g_stop) {
    static const char m[] = "\ndgm train: interrupted again: stopping now (the last checkpoint is intact)\n";
    say(m, sizeof m - 1);
    std::_Exit(130);
  }
  g_stop = 1;
  static const char m[] = "\ndgm train: interrupted: finishing this step and writing the checkpoint "
                          "(interrupt again to stop at once)\n";
  say(m, sizeof m - 1);
}

void catch_stop_signals() {
#if defined(__unix__) || defined(__APPLE__)
  struct sigaction sa;
  std::memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_stop_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;  // reads and writes in progress continue
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
#else
  std::signal(SIGINT, on_stop_signal);
  std::signal(SIGTERM, on_stop_signal);
#endif
}

// A word for the shell: quoted unless it is plain.
std::string shell_word(const std::string& w) {
  bool plain = !w.empty();
  for (char ch : w) plain = plain && (std::isalnum(static_cast<unsigned char>(ch)) || std::strchr("/._-+=:,", ch));
  if (plain) return w;
  std::string q = "'";
  for (char ch : w) q += ch == '\'' ? std::string("'\\''") : std::string(1, ch);
  return q + "'";
}

// dgm sample's output: a grid image (.png, .pgm) or one sample per row (.csv, .npy, with a comment
// line saying what the values are); rows (n x the data's dim) are the model's outputs.
Status write_samples(const char* out, std::vector<float>* rows_in, int n, int cols, bool raw, Model& m, const Config& c,
                     const TrainState& ts, const char* ckpt) {
  std::vector<float>& rows = *rows_in;
  const std::string ext = path_extension(out);
  if (ext == "png" || ext == "pgm") {
    if (ts.info.rows == 0) return Status::Error("%s: a %d-dim model makes no images; use .csv or .npy", out, ts.info.dim);
    GridOptions g;
    g.lo = m.scale() == PixelScale::kSigned ? -1.f : 0.f;
    const int c_ = cols, r_ = (n + cols - 1) / cols;
    // The grid's sides in checked arithmetic (tiles of rows x cols pixels and a 1-pixel border):
    // both must fit an int, as make_grid and the PNG writer count pixels in int.
    std::uint64_t gw = 0, gh = 0;
    if (!checked_mul(static_cast<std::uint64_t>(c_), static_cast<std::uint64_t>(ts.info.cols) + 1, &gw) ||
        !checked_mul(static_cast<std::uint64_t>(r_), static_cast<std::uint64_t>(ts.info.rows) + 1, &gh) ||
        gw >= 0x7fffffffu || gh >= 0x7fffffffu)
      return Status::Error("%s: a grid of %d x %d images of %d x %d pixels is too large for an image; "
                           "use .csv or .npy", out, r_, c_, ts.info.rows, ts.info.cols);
    return write_image(out, make_grid(rows.data(), n, ts.info.rows, ts.info.cols, r_, c_, g));
  }
  if (ext == "csv" || ext == "npy") {
    std::string what;
    if (!ts.info.images()) {
      what = "points in the data's units";
    } else if (raw) {
      what = m.scale() == PixelScale::kSigned ? "raw generator output (tanh), in [-1, 1], -1 black"
                                              : "raw decoder output (means), unclamped, 0 black";
    } else {
      what = "pixels in [0, 1], 0 black, 1 white";
      for (float& v : rows) v = unit_pixel(v, m.scale());
    }
    const std::string data = ts.info.images() ? std::to_string(ts.info.rows) + "x" + std::to_string(ts.info.cols) + " images"
                                              : "synthetic data";
    const std::string head = "dgm sample: " + std::to_string(n) + " samples of a " + c.model + " (" + data + ") from " +
                             ckpt + (ts.has_train_state ? ", step " + std::to_string(ts.step) : std::string(", weights only")) + "; " + std::to_string(ts.info.dim) +
                             " values per row: " + what;
    return write_rows(out, rows.data(), n, ts.info.dim, head);
  }
  return Status::Error("%s: unknown output type '.%s' (png, pgm, csv, npy)", out, ext.c_str());
}

}  // namespace

int cmd_train(int argc, char** argv) {
  const bool help = wants_help(argc, argv);
  std::string model = argc > 0 && argv[0][0] != '-' ? argv[0] : "";
  if (!model.empty()) --argc, ++argv;
  const char* data = peek_flag(argc, argv, "data");
  if (help) {
    std::printf("usage: dgm train MODEL [flags]\n"
                "Trains MODEL (%s) and writes a run folder: config.txt, metrics.csv,\n"
                "samples/, recon.png, codes.svg (aae), model.safetensors; rbm, dbn, dbm (binarized\n"
                "Fashion-MNIST) write samples.png, filters.png, likelihood.txt (AIS) instead of samples/ and\n"
                "recon.png (include/dgm/run/ebm_run.h). Defaults depend on the model and\n"
                "the data; shown here for %s on %s:\n%s"
                "MODEL charrnn: a character-level LSTM on text (--data: the shipped fortunes-ru excerpt,\n"
                "full = /usr/share/games/fortunes/ru, or a UTF-8 file); it uses --hidden (LSTM widths)\n"
                "--embed --bptt --grad-norm --batch --lr --optim --iters --seed --log-every and writes\n"
                "config.txt, metrics.csv (train and held-out bits per character), model.safetensors.\n",
                model_names(), model.empty() ? "vae" : model.c_str(), data ? data : "the Fashion-MNIST subset",
                flags_help(config_defaults(model.empty() ? "vae" : model, data ? data : "")).c_str());
    std::printf("\n%s", resume_help().c_str());
    return 0;
  }
  if (model.empty()) {
    std::fprintf(stderr, "dgm train: which model? (%s; dgm train --help)\n", model_names());
    return 2;
  }
  Config c = config_defaults(model, data ? data : "");
  Config given = c;  // the flags alone, to know whether --resume / --force / --out were given
  Status st = parse_flags(argc, argv, &given);
  if (!st) return fail("train", st);
  const std::string out = run_folder(given);
  const std::string ckpt = join_path(out, "model.safetensors");
  if (given.resume && is_energy_based(model))
    return fail("train", Status::Error("--resume: %s runs have no resumable state; train again with --force", model.c_str()));
  if (given.resume) {
    // Start from the stored config, so `dgm train MODEL --out DIR --resume --epochs N` is enough.
    std::error_code ec;
    if (!std::filesystem::exists(ckpt, ec))
      return fail("train", Status::Error("--resume: %s holds no checkpoint (model.safetensors) to continue; "
                                         "train without --resume to start a run there", out.c_str()));
    st = read_checkpoint_config(ckpt, &c);
    if (!st) return fail("train", st.prefixed("--resume"));
    if (c.model != model)
      return fail("train", Status::Error("--resume %s: the run there is a %s, not a %s", out.c_str(), c.model.c_str(),
                                         model.c_str()));
  }
  st = parse_flags(argc, argv, &c);
  if (!st) return fail("train", st);
  c.model = model;
  st = validate(c);
  if (!st) return fail("train", st);
  if (!c.resume && !c.force) {
    const std::vector<std::string> found = run_outputs(out);
    if (!found.empty()) {
      std::string list;
      for (std::size_t i = 0; i < found.size() && i < 3; ++i) list += (i ? ", " : "") + found[i];
      if (found.size() > 3) list += ", " + std::to_string(found.size() - 3) + " more";
      return fail("train", Status::Error("%s already holds a run (%s): --resume continues it, --force starts over "
                                         "(deleting only the files dgm wrote there), or give another --out",
                                         out.c_str(), list.c_str()));
    }
  }
  catch_stop_signals();
  if (is_energy_based(model)) {  // the energy-based models have their own run (ebm_run.h)
    st = train_ebm(c, false, &g_stop);
    if (!st) std::fprintf(stderr, "dgm train: %s\n", st.message.c_str());
    return st ? 0 : g_stop ? 130 : 2;
  }
  TrainReport r;
  st = c.model == "charrnn" ? train_charrnn(c, &r, false, &g_stop) : train(c, &r, false, &g_stop);
  if (!st) {
    std::fprintf(stderr, "dgm train: %s\n", st.message.c_str());
    return r.diverged ? 1 : 2;  // 1: the training failed; 2: bad flags or input files
  }
  if (r.interrupted) {
    std::printf("to continue: dgm train %s --out %s --resume\n", model.c_str(), shell_word(out).c_str());
    return 130;
  }
  return 0;
}

namespace {

// dgm sample --help.
void print_sample_help() {
  std::printf("usage: dgm sample --ckpt F --out F [--n N] [--label Y] [--seed S] [--cols C] [--raw] [--device D]\n"
              "       dgm sample --ckpt F --out F --interp A,B [--n N] [--data DIR]   [--max-memory M]\n"
              "Generates N samples from a checkpoint (the config is read from it). An rbm/dbn\n"
              "checkpoint gives p(v|h) after 1000 block Gibbs steps from random states (dbn: in\n"
              "the top RBM, then the downward pass), .png/.pgm only, seed default 1.\n"
              "  --ckpt F    a model.safetensors (dgm train, or a PyTorch state_dict: docs/checkpoint.md)\n"
              "  --out F     .png or .pgm: a grid of images (image models);\n"
              "              .csv or .npy: one sample per row (any model), float32. Image models\n"
              "              write pixels in [0, 1] (0 black, 1 white; a VAE's/AE's Bernoulli means,\n"
              "              a GAN's tanh output t as (t + 1) / 2; clamped to [0, 1] as in the\n"
              "              PNG), the same for every model;\n"
              "              synthetic data: points in the data's own units. The .csv's first line\n"
              "              is a '# ...' comment saying which (np.loadtxt skips it)\n"
              "  --raw       .csv/.npy of an image model: the network's own output, unclamped\n"
              "              ([0, 1] means for vae, ae, dae, aae; [-1, 1] tanh for gan, cgan, wgan;\n"
              "              a Gaussian decoder's means as they are)\n"
              "  --n N       number of samples (default 100)\n"
              "  --label Y   cgan: generate class Y only (default: class i %% 10 for sample i)\n"
              "  --seed S    seed of z (default: the run's seed, i.e. the training grids' z)\n"
              "  --cols C    grid columns (default 10)\n"
              "  --device D  cpu (default) or cuda (a `make CUDA=1` build with a GPU)\n"
              "  --interp A,B  vae, ae, dae, aae: decode N points (default 10) on the straight\n"
              "              line z(t) = (1 - t) z_A + t z_B, t = 0, 1/(N-1), ..., 1, between the\n"
              "              codes (the encoder's mean) of test images A and B (0-based indices\n"
              "              into the test split of the run's data, or of --data DIR); the first\n"
              "              and last are the reconstructions of A and B. Grids default to one row.\n"
              "  --max-memory M  refuse to need more, e.g. 8G (default: half of physical memory)\n"
              "A charrnn checkpoint prints text instead: dgm sample --ckpt F --help lists its flags\n"
              "(--temperature T, --prime \"text\", --n N characters, --seed S, --out F.txt).\n");
}

// What `dgm sample` was asked (its flags, with their defaults filled in).
struct SampleArgs {
  std::string ckpt, out, interp, data, max_memory, device = "cpu";
  bool has_interp = false, has_data = false, has_seed = false, raw = false;
  int n = 0, label = -1, cols = 0;
  int ia = -1, ib = -1;  // --interp A,B
  std::uint64_t seed = 0;
};

Status parse_sample_flags(int argc, char** argv, SampleArgs* a) {
  FlagTable f({});
  f.str("ckpt", &a->ckpt, "").str("out", &a->out, "").str("interp", &a->interp, "").str("data", &a->data, "");
  f.integer("n", &a->n, 1, 1000000, "").str("max-memory", &a->max_memory, "").integer("label", &a->label, 0, 1000, "");
  f.u64("seed", &a->seed, "").integer("cols", &a->cols, 1, 1000, "").str("device", &a->device, "").sw("raw", &a->raw, "");
  Status st = f.parse(argc, argv);
  if (!st) return st;
  a->has_interp = f.given("interp"), a->has_data = f.given("data"), a->has_seed = f.given("seed");
  if (!f.given("n")) a->n = a->has_interp ? 10 : 100;
  if (!f.given("cols")) a->cols = a->has_interp ? std::min(a->n, 1000) : 10;
  if (!f.given("ckpt") || !f.given("out")) return Status::Error("--ckpt and --out are required (dgm sample --help)");
  if (a->has_interp) {
    char tail = 0;
    if (std::sscanf(a->interp.c_str(), "%d,%d%c", &a->ia, &a->ib, &tail) != 2 || a->ia < 0 || a->ib < 0)
      return Status::Error("--interp expects two test image indices A,B (e.g. 0,1), got '%s'", a->interp.c_str());
  } else if (a->has_data) {
    return Status::Error("--data is only used with --interp (the test images to encode)");
  }
  return Status::Ok();
}

}  // namespace

int cmd_sample(int argc, char** argv) {
  const char* text_ckpt = peek_flag(argc, argv, "ckpt");
  if (text_ckpt && is_charrnn_checkpoint(text_ckpt)) return cmd_sample_text(argc, argv);
  if (wants_help(argc, argv)) {
    print_sample_help();
    return 0;
  }
  SampleArgs a;
  Status st = parse_sample_flags(argc, argv, &a);
  if (!st) return fail("sample", st);
  const char* ckpt = a.ckpt.c_str();
  const char* out = a.out.c_str();
  const char* interp = a.has_interp ? a.interp.c_str() : nullptr;
  const char* data = a.has_data ? a.data.c_str() : nullptr;
  const int n = a.n, cols = a.cols, label = a.label;
  std::uint64_t seed = a.seed;
  if (is_ebm_checkpoint(ckpt)) {  // rbm, dbn: 1000 Gibbs steps (ebm_run.h)
    st = interp ? Status::Error("--interp: an rbm/dbn has no encoder") : sample_ebm(ckpt, n, 1000, a.has_seed ? seed : 1, cols, out);
    if (!st) return fail("sample", st);
    std::printf("wrote %s: %d samples after 1000 Gibbs steps\n", out, n);
    return 0;
  }
  const int ia = a.ia, ib = a.ib;
  Config c;
  c.max_memory = a.max_memory;
  std::unique_ptr<Model> m;
  TrainState ts;
  st = open_checkpoint(ckpt, &c, &m, &ts, 0, a.device);
  if (!st) return fail("sample", st);
  st = check_run_memory(c, ts.info, n);  // n rows at once, before they are allocated
  if (!st) return fail("sample", st.prefixed("--n " + std::to_string(n)));
  if (label >= 0 && (!m->conditional() || label >= ts.info.classes))
    return fail("sample", Status::Error("--label %d: this %s %s", label, c.model.c_str(),
                                        m->conditional() ? "has fewer classes" : "is not conditional"));
  if (!a.has_seed) seed = c.seed;
  Arena arena(0, model_device(*m));
  std::vector<float> rows(static_cast<std::size_t>(n) * ts.info.dim);
  if (interp) {
    if (data) c.data = data;
    RunData d;
    st = load_run_data(c, &d);
    if (st && d.info.dim != ts.info.dim)
      st = Status::Error("%s has %d-dim data, the model was trained on %d-dim data", d.where.c_str(), d.info.dim,
                         ts.info.dim);
    if (st) st = interpolate(*m, arena, d, ia, ib, n, &rows);
    if (!st) return fail("sample", st);
  } else {
    FixedLatent fl = make_fixed_latent(*m, ts.info, seed, n, label);
    generate_rows(*m, arena, fl, ts.info.dim, rows.data());
  }
  st = write_samples(out, &rows, n, cols, a.raw, *m, c, ts, ckpt);
  if (!st) return fail("sample", st);
  const std::string when = ts.has_train_state ? "step " + std::to_string(ts.step) : "weights only";
  if (interp)
    std::printf("wrote %d points on the line between the codes of test images %d and %d of %s (%s) to %s\n",
                n, ia, ib, ckpt, when.c_str(), out);
  else
    std::printf("wrote %d samples of %s (%s, seed %llu) to %s\n", n, ckpt, when.c_str(),
                static_cast<unsigned long long>(seed), out);
  return 0;
}

int cmd_eval(int argc, char** argv) {
  std::string ckpt_s, data_s, max_memory, device = "cpu";
  int seed = 1, iw = 0;
  FlagTable f({});
  f.str("ckpt", &ckpt_s, "a model.safetensors (dgm train, or a PyTorch state_dict)", "F");
  f.str("data", &data_s, "test data folder (default: the one the run trained on)", "DIR");
  f.integer("seed", &seed, 0, 2147483647LL, "seed of the samples drawn (default 1)", "S");
  f.integer("iw", &iw, 1, kMaxImportance, "vae: importance samples for test_iwae, 1..5000 (default: the run's --iw)", "K");
  f.str("device", &device, "cpu (default) or cuda (a `make CUDA=1` build with a GPU)", "D");
  f.str("max-memory", &max_memory, "refuse to need more, e.g. 8G (default: half of physical memory)", "M");
  const int done = help_or_parse("eval", "usage: dgm eval --ckpt F [--data DIR] [--seed S] [--iw K] [--device D] [--max-memory M]\n"
                "Prints one 'name value' line per metric of a checkpoint on the test split (on a\n"
                "terminal, a progress line with ETA on stderr while it works):\n"
                "  vae: test_loss (negative ELBO per test image, one z sample, nats) and test_iwae\n"
                "       (importance-weighted bound with k samples: --iw K, default the run's --iw);\n"
                "  made: test_nll (the exact -log p(x) per test image, nats);\n"
                "  ae/dae: test_recon; aae: test_recon, mmd_codes_prior, mmd_prior_prior;\n"
                "  synthetic data: modes_covered, high_quality (2-D) or sample_mean, sample_std (1-D);\n"
                "  rbm/dbn: test_log_likelihood (the bound for a dbn) by AIS with ais_se and data_se,\n"
                "       pseudo_likelihood, recon_error, on the binarized test split;\n"
                "  dbm: recon_error and test_log_likelihood_bound (the mean-field bound, log Z by AIS).\n"
                "  a run trained with --binarize (made's default) is evaluated on the binarized test set.\n%s",
                14, f, argc, argv);
  if (done >= 0) return done;
  const char* ckpt = f.given("ckpt") ? ckpt_s.c_str() : nullptr;
  const char* data = f.given("data") ? data_s.c_str() : nullptr;
  Status st;
  if (!ckpt) return fail("eval", Status::Error("--ckpt is required (dgm eval --help)"));
  if (is_ebm_checkpoint(ckpt)) {  // rbm, dbn: AIS (ebm_run.h)
    st = eval_ebm(ckpt, data ? data : "", static_cast<std::uint64_t>(seed));
    return st ? 0 : fail("eval", st);
  }
  Config c;
  c.max_memory = max_memory;
  std::unique_ptr<Model> m;
  TrainState ts;
  st = open_checkpoint(ckpt, &c, &m, &ts, iw, device);
  if (!st) return fail("eval", st);
  if (data) c.data = data;
  RunData d;
  st = load_run_data(c, &d);
  if (!st) return fail("eval", st);
  if (d.info.dim != ts.info.dim)
    return fail("eval", Status::Error("%s has %d-dim data, the model was trained on %d-dim data", d.where.c_str(),
                                      d.info.dim, ts.info.dim));
  StepLog out;
  ProgressLine bar(is_terminal(stderr), 0);  // on a terminal only: "[===>   ] 40% test 400/1000 ETA 0:03"
  evaluate_model(*m, d, static_cast<std::uint64_t>(seed), &out, [&](int done, int n) { bar.update(done, n, "test", ""); });
  bar.clear();
  if (ts.has_train_state)
    std::printf("model %s\nstep %lld\n", c.model.c_str(), static_cast<long long>(ts.step));
  else  // a weights-only file (e.g. a PyTorch state_dict): no step to report
    std::printf("model %s\nstep none (weights only)\n", c.model.c_str());
  std::printf("data %s\n", d.where.c_str());
  for (int i = 0; i < out.n; ++i) std::printf("%s %.6g\n", out.name[i], out.value[i]);
  return 0;
}

int cmd_export(int argc, char** argv) {
  std::string ckpt_s, out_s;
  ExportOptions o;
  FlagTable f({});
  f.str("ckpt", &ckpt_s, "a model.safetensors written by dgm train", "F");
  f.str("out", &out_s, "the header to write (.h)", "F");
  f.str("name", &o.prefix, "C identifier prefix of everything in it (default dgm)", "PREFIX");
  f.str("weights", &o.weights, "float (default: the trained weights, exactly) or int8 (one int8\n"
                               "per weight and a float scale per output row: 4x less flash; the\n"
                               "change of the outputs on the self-test rows is printed)", "W");
  f.integer("test-rows", &o.test_rows, 1, 1000, "latent rows of the self-test (default 4)", "N");
  const int done = help_or_parse("export", "usage: dgm export --ckpt F --out F.h [--name PREFIX] [--weights float|int8] [--test-rows N]\n"
                "Writes the model's decoder (vae, ae, dae, aae) or generator (gan, cgan, wgan), MLP or\n"
                "--arch conv, as one self-contained C99 header for a microcontroller: the weights as\n"
                "static const float arrays (torch's layout for transposed convolutions),\n"
                "PREFIX_decode(z, y, x, scratch) (no allocation; needs only <math.h>) and\n"
                "PREFIX_self_test(x, scratch) against the library's own output. The header's comment\n"
                "documents the layout (README.md, \"Porting a decoder\").\n"
                "%s", 18, f, argc, argv);
  if (done >= 0) return done;
  const char* ckpt = f.given("ckpt") ? ckpt_s.c_str() : nullptr;
  const char* out = f.given("out") ? out_s.c_str() : nullptr;
  Status st;
  if (!ckpt || !out) return fail("export", Status::Error("--ckpt and --out are required (dgm export --help)"));
  Config c;
  std::unique_ptr<Model> m;
  TrainState ts;
  st = open_checkpoint(ckpt, &c, &m, &ts);
  if (!st) return fail("export", st);
  o.source = ckpt;
  std::string text;
  ExportReport r;
  st = export_c_header(*m, c, ts.info, o, &text, &r);
  if (st) st = write_text_atomic(out, text);
  if (!st) return fail("export", st);
  std::printf("wrote %s (%zu bytes): the %s's network from %s, %s; %s weights, %zu bytes of arrays\n", out,
              text.size(), c.model.c_str(), ckpt,
              ts.has_train_state ? ("step " + std::to_string(ts.step)).c_str() : "weights only", o.weights.c_str(),
              r.weight_bytes);
  if (o.weights == "int8")
    std::printf("int8 vs float outputs on 1000 latent rows: max |diff| %.3g, mean %.3g\n", r.quant_max, r.quant_mean);
  return 0;
}

}  // namespace dgm
