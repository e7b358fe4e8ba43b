// train.cpp - the training loop and the run folder (see include/dgm/run/train.h).
#include "dgm/run/train.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <vector>

#include "dgm/core/checked.h"
#include "dgm/run/checkpoint.h"
#include "dgm/run/evaluate.h"
#include "dgm/io/fileio.h"
#include "dgm/run/limits.h"
#include "dgm/io/kill_point.h"
#include "dgm/run/outputs.h"
#include "dgm/backend/parallel.h"
#include "dgm/run/progress.h"
#include "dgm/run/run_data.h"
#include "dgm/run/version.h"
#include "dgm/run/run_files.h"

namespace dgm {
namespace {

using Clock = std::chrono::steady_clock;
double since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

// Running means of every logged term since the last clear().
struct Means {
  StepLog sum;
  long count = 0;
  void add(const StepLog& l) {
    for (int i = 0; i < l.n; ++i) {
      double prev = 0;
      for (int j = 0; j < sum.n; ++j)
        if (sum.name[j] == l.name[i]) prev = sum.value[j];
      sum.add(l.name[i], prev + l.value[i]);
    }
    ++count;
  }
  StepLog mean() const {
    StepLog m = sum;
    for (int i = 0; i < m.n; ++i) m.value[i] /= count > 0 ? static_cast<double>(count) : 1.0;
    return m;
  }
  void clear() {
    sum.clear();
    count = 0;
  }
};

std::string log_text(const StepLog& l) {
  std::string s;
  char buf[64];
  for (int i = 0; i < l.n; ++i) {
    std::snprintf(buf, sizeof buf, "%s%s %.4g", i ? "  " : "", l.name[i], l.value[i]);
    s += buf;
  }
  return s;
}

// The first parameter tensor holding a NaN or Inf, for the NaN guard's message.
std::string first_nonfinite(Model& m) {
  for (Part* p : m.parts()) {
    p->params.to_host();  // (device parameters: read their host copy)
    for (int h = 0; h < p->params.count(); ++h) {
      Tensor v = p->params.host_value(h);
      for (std::size_t i = 0; i < v.size(); ++i)
        if (!std::isfinite(v.data[i])) return p->name + "." + p->params.name(h);
    }
  }
  return "none (the parameters are finite)";
}

// ---- the pieces of train(), in the order it runs them ----

// On --resume with image data: the data's size decides the steps per epoch, so a checkpoint
// whose step is not in its epoch (or is inside one without the order's Rng) was trained on other
// data.
Status check_resume_fits(const TrainState& state, const RunData& d, const std::string& out, int spe, int B,
                         int per_step) {
  const std::int64_t in_epoch = state.step - static_cast<std::int64_t>(state.epoch) * spe;
  if (in_epoch < 0 || in_epoch >= spe || (in_epoch > 0 && !state.mid_epoch))
    return Status::Error("--resume %s: the checkpoint's step %lld and epoch %d do not fit %s (%d steps per "
                         "epoch of batch %d x %d): the data is not what the run was trained on",
                         out.c_str(), static_cast<long long>(state.step), state.epoch, d.where.c_str(), spe, B,
                         per_step);
  return Status::Ok();
}

// The first lines of a run: the flags that differ from the defaults (config.txt has every
// setting), the data, the seed and sizes, and where a resumed run starts.
void print_run_start(const Config& c, const RunData& d, Model& m, const TrainState& state, const MetricsCut& cut,
                     const std::string& out, const std::string& ckpt_path) {
  Config defaults = config_defaults(c.model, c.data);
  defaults.data = "";  // --data chose the defaults: show it
  const std::string changed = changed_flags_text(c, defaults);
  std::printf("dgm train %s%s%s   (dgm %s; the other settings are the defaults; all of them in %s)\n",
              c.model.c_str(), changed.empty() ? "" : " ", changed.c_str(), version_text(),
              join_path(out, "config.txt").c_str());
  std::printf("data: %s\n", describe_run_data(d).c_str());
  std::printf("seed %llu  parameters %zu  threads %d  device %s\n", static_cast<unsigned long long>(c.seed),
              parameter_count(m), num_threads(), c.device.c_str());
  if (c.resume) {
    std::printf("resumed from %s at step %lld, epoch %d%s\n", ckpt_path.c_str(), static_cast<long long>(state.step),
                state.epoch, state.mid_epoch ? " (inside the epoch: its order is drawn again)" : "");
    if (cut.rows_dropped > 0)
      std::printf("metrics.csv cut back to step %lld: %lld rows logged after the checkpoint dropped\n",
                  static_cast<long long>(state.step), static_cast<long long>(cut.rows_dropped));
  }
  std::fflush(stdout);
}

// metrics.csv: a header from the first step's names (unless a resumed file has one), then a row
// per logged step: step, epoch, every term, seconds (continuing across resumes).
struct MetricsFile {
  std::FILE* f = nullptr;
  bool header_done = false;
  double seconds_before = 0;  // the "seconds" column of the run before a resume
  MetricsFile() = default;
  MetricsFile(const MetricsFile&) = delete;
  MetricsFile& operator=(const MetricsFile&) = delete;
  ~MetricsFile() {
    if (f) std::fclose(f);
  }
  void header(const StepLog& log) {
    if (header_done) return;
    std::fprintf(f, "step,epoch");
    for (int i = 0; i < log.n; ++i) std::fprintf(f, ",%s", log.name[i]);
    std::fprintf(f, ",seconds\n");
    header_done = true;
  }
  void row(std::int64_t step, int epoch, const StepLog& log, double seconds) {
    std::fprintf(f, "%lld,%d", static_cast<long long>(step), epoch);
    for (int i = 0; i < log.n; ++i) std::fprintf(f, ",%.7g", log.value[i]);
    std::fprintf(f, ",%.3f\n", seconds_before + seconds);
  }
};

// The guard: a non-finite term, or a model that says it cannot go on (a saturated
// discriminator), stops the run without saving this state as a checkpoint. Ok() to go on; else
// the message names the step and the run's last checkpoint (checkpoint_step < 0: none yet).
Status guard(Model& m, const StepLog& log, std::int64_t step, const std::string& ckpt_path,
             std::int64_t checkpoint_step, bool toy) {
  auto last_good = [&]() {
    return checkpoint_step >= 0
               ? "Last checkpoint: " + ckpt_path + " (step " + std::to_string(checkpoint_step) + ")"
               : std::string("No checkpoint of this run exists yet (the first is written at the end of ") +
                     (toy ? "the first sampling interval)" : "epoch 1)");
  };
  for (int i = 0; i < log.n; ++i)
    if (!std::isfinite(log.value[i]))
      return Status::Error("step %lld: %s is %g; stopping. First non-finite parameter: %s. %s.",
                           static_cast<long long>(step), log.name[i], log.value[i], first_nonfinite(m).c_str(),
                           last_good().c_str());
  const std::string failure = m.failure();
  if (!failure.empty())
    return Status::Error("step %lld: %s; stopping. %s.", static_cast<long long>(step), failure.c_str(),
                         last_good().c_str());
  return Status::Ok();
}

// A sampling point on synthetic data: the fixed z's samples plotted over the data.
Status write_toy_mark(const Config& c, Model& m, Arena& out_arena, const RunData& d, const FixedLatent& fixed,
                      std::vector<float>* samples, std::int64_t step, const std::string& out) {
  generate_rows(m, out_arena, fixed, d.info.dim, samples->data());
  char name[64];
  std::snprintf(name, sizeof name, "samples/iter_%06lld.svg", static_cast<long long>(step));
  Rng plot_rng(c.seed, 11);
  char title[96];
  std::snprintf(title, sizeof title, "%s on %s, iteration %lld", c.model.c_str(), c.data.c_str(),
                static_cast<long long>(step));
  return write_toy_plot(d, samples->data(), fixed.n, plot_rng, title, join_path(out, name));
}

// The end of an epoch on images: the sample grid of the fixed z, the reconstructions, the AAE's codes.
Status write_epoch_outputs(Model& m, Arena& out_arena, const RunData& d, const FixedLatent& fixed, int epoch,
                           const std::string& out) {
  char name[64];
  std::snprintf(name, sizeof name, "samples/epoch_%03d.png", epoch);
  Status st = write_sample_grid(m, out_arena, d, fixed, 10, join_path(out, name));
  if (!st) return st;
  st = write_reconstructions(m, out_arena, d, join_path(out, "recon.png"));
  if (!st) return st;
  std::snprintf(name, sizeof name, "AAE codes (dims 0, 1) vs prior, epoch %d", epoch);
  return write_code_plot(m, out_arena, d, name, join_path(out, "codes.svg"));
}

// The run's memory: parameters, gradients, optimizer state, and the arenas' high-water marks.
void measure_memory(Model& m, const Arena& arena, const Arena& out_arena, TrainReport* report) {
  for (Part* p : m.parts()) {
    report->param_bytes += p->params.size() * sizeof(float);
    report->grad_bytes += p->params.size() * sizeof(float);
    report->optim_bytes += (p->opt.s1.size() + p->opt.s2.size()) * sizeof(float);
  }
  report->step_arena_bytes = arena.high_water() * sizeof(float);
  report->out_arena_bytes = out_arena.high_water() * sizeof(float);
}

// The last lines: memory, then where an interrupted run stopped, or the test-set figures of a
// finished one (computed as `dgm eval --ckpt <out>/model.safetensors` computes them).
void print_run_end(const Config& c, Model& m, const RunData& d, const TrainState& state, std::int64_t total_steps,
                   std::int64_t steps_here, const std::string& out, const std::string& ckpt_path,
                   TrainReport* report) {
  const double MB = 1024.0 * 1024.0;
  std::printf("memory: parameters %.2f MB, gradients %.2f MB, optimizer state %.2f MB; step arena %.2f MB "
              "(high-water, fixed after the first step), sample arena %.2f MB\n",
              report->param_bytes / MB, report->grad_bytes / MB, report->optim_bytes / MB,
              report->step_arena_bytes / MB, report->out_arena_bytes / MB);
  if (report->interrupted) {
    std::printf("interrupted after step %lld (%s): %lld steps in %.1f s; checkpoint %s\n",
                static_cast<long long>(state.step),
                d.toy ? ("iteration " + std::to_string(state.step) + " of " + std::to_string(total_steps)).c_str()
                      : ("epoch " + std::to_string(state.epoch + (state.mid_epoch ? 1 : 0)) + " of " +
                         std::to_string(c.epochs) + (state.mid_epoch ? ", inside it" : ", at its end")).c_str(),
                static_cast<long long>(steps_here), report->seconds, ckpt_path.c_str());
    return;  // no test-set figures: the run is not done
  }
  ProgressLine eval_bar(is_terminal(stderr), 0);
  evaluate_model(m, d, 1, &report->test, [&](int done, int n) { eval_bar.update(done, n, "test", ""); });
  eval_bar.clear();
  std::printf("test set (as dgm eval):");
  for (int i = 0; i < report->test.n; ++i) {
    const std::string unit = metric_unit(report->test.name[i], d);
    std::printf("  %s %.6g%s%s", report->test.name[i], report->test.value[i], unit.empty() ? "" : " ", unit.c_str());
  }
  std::printf("\ndone: %lld steps in %.1f s; run folder %s\n", static_cast<long long>(steps_here), report->seconds,
              out.c_str());
}

// ---- the run: what train() sets up before the first step, then the loop's bookkeeping ----

// Everything the steps need, set up (and checked) before anything is written.
struct Run {
  Config c;
  std::string out, ckpt_path, csv_path;
  RunData d;
  std::unique_ptr<Model> m;
  Rng rng;
  TrainState state;
  // The step plan: B rows x per_step minibatches per step; image data: spe steps per epoch.
  int B = 0, per_step = 0, rows_per_step = 0, spe = 0, sample_every = 0;
  std::int64_t total_steps = 0;
};

// The configuration checked, the data loaded, the model built and, with --resume, its
// checkpoint loaded (after the stored configuration is compared with this one). Nothing is written.
Status set_up_run(const Config& cfg_in, TrainReport* report, Run* r) {
  r->c = cfg_in;
  Config& c = r->c;
  Status st = validate(c);
  if (!st) return st;
  if (c.resume && c.force)
    return Status::Error("--resume continues the run in %s and --force starts it over: give one of them",
                         run_folder(c).c_str());
  if (c.threads > 0) set_num_threads(c.threads);
  r->out = run_folder(c);
  report->out = r->out;
  r->ckpt_path = join_path(r->out, "model.safetensors");
  r->csv_path = join_path(r->out, "metrics.csv");
  if (c.resume) {  // before anything is loaded: a changed flag is named first
    Config stored = c;
    st = read_checkpoint_config(r->ckpt_path, &stored);
    if (!st) return st.prefixed("--resume");
    st = check_resume(stored, c);
    if (!st) return st.prefixed("--resume " + r->out);
  }

  st = load_run_data(c, &r->d);
  if (!st) return st;
  st = check_run_memory(c, r->d.info);  // every size and the total, before build() allocates (limits.h)
  if (!st) return st;
  r->m = make_model(c.model, &st);
  if (!st) return st;
  r->rng = Rng(c.seed);
  ModelOptions mo;
  st = model_options(c, &mo);
  if (!st) return st;
  st = r->m->build(mo, r->d.info, r->rng);
  if (!st) return st;
  r->state.info = r->d.info;
  if (c.resume) {
    const TrainState& state = r->state;
    st = load_checkpoint(r->ckpt_path, *r->m, &r->state);
    if (!st) return st.prefixed("--resume");
    if (!state.resumable())
      return Status::Error("--resume: %s holds no %s (a weights-only file, e.g. converted from PyTorch); "
                           "it can be evaluated, sampled and exported, but training continues only from a "
                           "checkpoint dgm train wrote. Train a new run (without --resume, another --out)",
                           r->ckpt_path.c_str(), state.has_optimizer ? "training state (step, epoch, rng)"
                           : state.has_train_state ? "optimizer state" : "optimizer or training state");
    r->rng.set_state(state.rng);
  }
  report->step = r->state.step;
  report->epoch = r->state.epoch;
  return Status::Ok();
}

// The step plan: rows per step, steps per epoch (image data), the total and, on synthetic data,
// the sampling interval; a resumed run's step must fit its data.
Status plan_steps(Run* r) {
  const Config& c = r->c;
  const RunData& d = r->d;
  r->B = c.batch;
  r->per_step = r->m->batches_per_step();
  // B x per_step, within the limits validate() checked, but never overflowing
  if (!checked_mul(r->B, r->per_step, &r->rows_per_step))
    return Status::Error("--batch %d x %d minibatches per step overflows", r->B, r->per_step);
  r->spe = d.toy ? 0 : steps_per_epoch(d, r->B, r->per_step);
  if (!d.toy && r->spe < 1)
    return Status::Error("%s has %d training images, fewer than one step needs (batch %d x %d)", d.where.c_str(),
                         d.images.train.n, r->B, r->per_step);
  r->total_steps = d.toy ? c.iters : static_cast<std::int64_t>(r->spe) * c.epochs;
  r->sample_every = d.toy ? (c.sample_every > 0 ? c.sample_every : std::max(1, c.iters / 10)) : 0;
  if (c.resume && !d.toy) return check_resume_fits(r->state, d, r->out, r->spe, r->B, r->per_step);
  return Status::Ok();
}

// A resumed run already at (or past) its last step: nothing is trained or written.
void say_nothing_to_do(const Run& r) {
  if (r.d.toy)
    std::printf("nothing to do: at iteration %lld of %d (%s is there already; a larger --iters trains on)\n",
                static_cast<long long>(r.state.step), r.c.iters, r.out.c_str());
  else
    std::printf("nothing to do: at epoch %d of %d (%s is there already; a larger --epochs trains on)\n",
                r.state.epoch, r.c.epochs, r.out.c_str());
}

// Every check has passed: from here on the folder is written. A resumed run's metrics.csv is cut
// back to its checkpoint's step; a new run's old outputs are deleted. Then config.txt, and
// metrics.csv opened for the rows.
Status open_run_folder(const Run& r, MetricsCut* cut, MetricsFile* csv) {
  const Config& c = r.c;
  Status st = c.resume ? cut_metrics(r.csv_path, r.state.step, cut) : clear_run_outputs(r.out);
  if (!st) return st;
  st = make_dirs(join_path(r.out, "samples"));
  if (!st) return st;
  st = write_text_atomic(join_path(r.out, "config.txt"), config_to_text(c));
  if (!st) return st;
  csv->f = std::fopen(r.csv_path.c_str(), c.resume ? "a" : "w");
  if (!csv->f) return Status::Error("%s: cannot open metrics.csv for writing", r.out.c_str());
  csv->header_done = c.resume && cut->has_header;
  csv->seconds_before = cut->seconds;  // the "seconds" column continues across resumes
  return Status::Ok();
}

// The loop's bookkeeping: the running means since the last mark, the counts and times of this
// call (a resumed run counts from its checkpoint), and the step of the last checkpoint.
struct Progress {
  Means means;
  Clock::time_point t0 = Clock::now();
  std::int64_t steps_here = 0;
  int epochs_here = 0;
  double epoch_seconds = 0;
  std::int64_t checkpoint_step = -1;  // this run's last checkpoint, -1 before the first (the guard says which)
};

// A mark: the end of an epoch on images (sample grid, reconstructions, the epoch's means) or a
// sampling point on synthetic data (the fixed z's samples over the data).
Status write_mark(Run& r, Progress& p, Arena& out_arena, const FixedLatent& fixed, std::vector<float>* toy_samples,
                  int epoch, bool quiet, TrainReport* report) {
  const StepLog mean = p.means.mean();
  report->last_epoch = mean;
  if (r.d.toy) {
    Status st = write_toy_mark(r.c, *r.m, out_arena, r.d, fixed, toy_samples, r.state.step, r.out);
    if (!st) return st;
    if (!quiet)
      std::printf("iter %lld/%lld  %s  %.1f s\n", static_cast<long long>(r.state.step),
                  static_cast<long long>(r.total_steps), log_text(mean).c_str(), since(p.t0));
    p.means.clear();
    return Status::Ok();
  }
  r.state.epoch = epoch + 1;
  ++p.epochs_here;
  Status st = write_epoch_outputs(*r.m, out_arena, r.d, fixed, r.state.epoch, r.out);
  if (!st) return st;
  if (!quiet)
    std::printf("epoch %d/%d  %s  %.2f s/epoch  %.0f img/s\n", r.state.epoch, r.c.epochs, log_text(mean).c_str(),
                p.epoch_seconds, static_cast<double>(r.spe) * r.rows_per_step / p.epoch_seconds);
  report->seconds_per_epoch += p.epoch_seconds;
  p.epoch_seconds = 0;
  return Status::Ok();
}

// The checkpoint: metrics.csv holds every row up to this step before the checkpoint says it was
// reached (a kill in between: --resume cuts the extra rows); then the state, the Rng's included.
Status write_checkpoint(Run& r, Progress& p, MetricsFile& csv, bool epoch_end) {
  Status st = flush_to_disk(csv.f, r.csv_path);
  if (!st) return st;
  r.state.rng = r.rng.state();
  r.state.mid_epoch = !r.d.toy && !epoch_end;
  st = save_checkpoint(r.ckpt_path, r.c, *r.m, r.state);
  if (!st) return st;
  p.checkpoint_step = r.state.step;
  std::fflush(stdout);
  return Status::Ok();
}

}  // namespace

std::string run_folder(const Config& c) { return c.out.empty() ? "runs/" + c.model : c.out; }

Status train(const Config& cfg_in, TrainReport* report, bool quiet, const volatile std::sig_atomic_t* stop) {
  *report = TrainReport{};  // every field describes this call (a caller may reuse one report)
  Run r;
  Status st = set_up_run(cfg_in, report, &r);
  if (!st) return st;
  st = plan_steps(&r);
  if (!st) return st;
  if (r.c.resume && r.state.step >= r.total_steps) {
    report->nothing_to_do = true;
    if (!quiet) say_nothing_to_do(r);
    return Status::Ok();
  }
  MetricsCut cut;
  MetricsFile csv;
  st = open_run_folder(r, &cut, &csv);
  if (!st) return st;
  if (!quiet) print_run_start(r.c, r.d, *r.m, r.state, cut, r.out, r.ckpt_path);

  const Config& c = r.c;
  const bool toy = r.d.toy;
  const FixedLatent fixed = make_fixed_latent(*r.m, r.d.info, c.seed, toy ? 2500 : 100);
  std::vector<float> toy_samples(toy ? static_cast<std::size_t>(fixed.n) * r.d.info.dim : 0);
  // Device::CUDA: the step's activations and the sample grids' tapes in device memory.
  Arena arena(0, config_device(c)), out_arena(0, config_device(c));
  Tape t(arena);
  std::vector<int> order;
  StepLog log;
  Progress p;
  if (c.resume) p.checkpoint_step = r.state.step;
  ProgressLine bar(!quiet && is_terminal(stderr), r.state.step);
  bool stopping = false;
  if (!toy && r.state.mid_epoch) {  // resumed inside an epoch: the order it drew, drawn again
    Rng order_rng;
    order_rng.set_state(r.state.order_rng);
    epoch_order(r.d.images.train.n, order_rng, &order);
  }
  while (r.state.step < r.total_steps) {
    const int epoch = r.state.epoch;  // image data: the epoch in progress
    const int s_in_epoch = toy ? 0 : static_cast<int>(r.state.step % r.spe);
    if (!toy && s_in_epoch == 0) {
      r.state.order_rng = r.rng.state();
      epoch_order(r.d.images.train.n, r.rng, &order);
      p.means.clear();
    }
    const auto step_t0 = Clock::now();
    t.reset();
    const int* idx = toy ? nullptr : order.data() + static_cast<std::size_t>(s_in_epoch) * r.rows_per_step;
    Batch b = train_batch(t, r.d, idx, r.B, r.per_step, r.m->scale(), r.rng);
    log.clear();
    r.m->train_step(t, b, r.rng, log);
    ++r.state.step;
    ++p.steps_here;
    p.epoch_seconds += since(step_t0);
    st = guard(*r.m, log, r.state.step, r.ckpt_path, p.checkpoint_step, toy);
    if (!st) {
      bar.clear();
      report->diverged = true;
      return st;
    }
    p.means.add(log);
    csv.header(log);
    if (c.log_every <= 1 || r.state.step % c.log_every == 0)
      csv.row(r.state.step, epoch + (toy ? 0 : 1), log, since(p.t0));
    kill_point("step");  // test-only (kill_point.h)
    stopping = stop && *stop;
    if (bar.enabled()) bar.update(r.state.step, r.total_steps, "step", log_text(log));

    const bool epoch_end = !toy && r.state.step % r.spe == 0;
    const bool toy_mark = toy && (r.state.step % r.sample_every == 0 || r.state.step == r.total_steps);
    if (!epoch_end && !toy_mark && !stopping) continue;
    bar.clear();
    if (epoch_end || toy_mark) {  // (else: interrupted between marks; only the checkpoint)
      st = write_mark(r, p, out_arena, fixed, &toy_samples, epoch, quiet, report);
      if (!st) return st;
    }
    st = write_checkpoint(r, p, csv, epoch_end);
    if (!st) return st;
    if (stopping) break;
  }
  std::fclose(csv.f);
  csv.f = nullptr;
  report->interrupted = stopping && r.state.step < r.total_steps;
  report->step = r.state.step;
  report->epoch = r.state.epoch;
  report->steps = p.steps_here;
  report->seconds = since(p.t0);
  if (p.epochs_here > 0) report->seconds_per_epoch /= p.epochs_here;
  measure_memory(*r.m, arena, out_arena, report);
  if (!quiet)
    print_run_end(c, *r.m, r.d, r.state, r.total_steps, p.steps_here, r.out, r.ckpt_path, report);
  return Status::Ok();
}

}  // namespace dgm
