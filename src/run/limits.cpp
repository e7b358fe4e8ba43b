// limits.cpp - size limits and the memory plan of a run (see include/dgm/run/limits.h).
//
// Why each limit (a limit refuses a typo or a hostile file before any arithmetic; what bounds
// the combinations is the memory check):
// - hidden width 65536: a 784 x 65536 layer is already 51 M weights (205 MB, 820 MB with its
//   gradient and Adam state); the lectures' nets are 32 to 1024 wide.
// - 64 hidden layers: the lectures' MLPs have 1 to 3; a plain MLP (no residual connections, no
//   normalisation) of 64 layers no longer trains.
// - latent 4096: the lectures' codes have 1 to 256 dimensions (256: the GAN grid protocol); 4096
//   is 16 times that and 5 times Fashion-MNIST's 784 pixels, more than any code can use.
// - batch 65536: the whole Fashion-MNIST test set is 10,000 images.
// - --k / --n-critic 100: Goodfellow et al. take k = 1, the WGAN n_critic = 5; a step holds k
//   minibatches and k passes of G and D, so k multiplies its memory.
// - --samples 1000: Kingma & Welling take L = 1 for batches of 100 or more ([Vesel] AEVB); a
//   step runs the decoder on batch x L rows.
// - --iw 5000: Burda et al. (2016) evaluate the IWAE bound with k = 5000, the largest in use;
//   `dgm eval` runs the decoder k times per test batch, so its time grows linearly with k.
// - dim 2^20: a 1024 x 1024 image, 1337 times Fashion-MNIST's 784 features.
// - 1000 classes: ImageNet's; Fashion-MNIST has 10.
#include "dgm/run/limits.h"
#include "dgm/run/outputs.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "dgm/core/arena.h"
#include "dgm/core/checked.h"
#include "dgm/core/tape.h"
#include "dgm/models/kinds.h"
#include "dgm/models/model.h"

#if defined(__unix__) || defined(__APPLE__)
#include <unistd.h>
#endif

namespace dgm {
namespace {

using u64 = std::uint64_t;

u64 padded(u64 n) { return sat_mul((sat_add(n, 15)) / 16, 16); }  // ParamStore's 16-float alignment

// Parameter floats of an MLP with layer sizes s[0..n]: W (out, in) and b (1, out) per layer.
u64 mlp_params(const std::vector<int>& s) {
  u64 n = 0;
  for (std::size_t i = 0; i + 1 < s.size(); ++i)
    n = sat_add(n, sat_add(padded(sat_mul(static_cast<u64>(s[i]), static_cast<u64>(s[i + 1]))),
                           padded(static_cast<u64>(s[i + 1]))));
  return n;
}

// Arena floats of one pass of `rows` rows through an MLP: the input, each layer's linear output
// and activation (2 nodes per layer), and with gradients a gradient of the same size per node.
u64 mlp_pass(const std::vector<int>& s, u64 rows, bool grads) {
  u64 width = static_cast<u64>(s[0]);
  for (std::size_t i = 1; i < s.size(); ++i) width = sat_add(width, sat_mul(2, static_cast<u64>(s[i])));
  return sat_mul(sat_mul(width, rows), grads ? 2 : 1);
}

// The networks of a model, as its build() makes them (src/models/*.cpp). test_limits.cpp
// checks the parameter count against every model actually built.
struct Nets {
  std::vector<std::vector<int>> param_nets;  // every MLP with its own parameters
  std::vector<int> enc, dec, d;              // encoder (empty for the GANs), decoder / G, D (empty: none)
};

Nets model_nets(const Config& c, const DataInfo& d) {
  Nets n;
  const int J = c.latent, dim = d.dim;
  if (c.model == "ae" || c.model == "dae") {
    n.enc = mlp_sizes(dim, c.hidden, J);
    n.dec = mlp_sizes(J, c.hidden, dim, true);
    n.param_nets = {n.enc, n.dec};
  } else if (c.model == "vae") {
    n.enc = mlp_sizes(dim, c.hidden, 2 * J);
    n.dec = mlp_sizes(J, c.hidden, c.decoder == "gaussian" ? 2 * dim : dim, true);
    n.param_nets = {n.enc, n.dec};
  } else if (c.model == "made") {  // one masked MLP dim -> hidden... -> dim (made.cpp)
    n.enc = n.dec = mlp_sizes(dim, c.hidden, dim);
    n.param_nets = {n.enc};
  } else if (c.model == "aae") {
    const int eta = c.encoder == "universal" ? J : 0;
    n.enc = mlp_sizes(dim + eta, c.hidden, c.encoder == "gauss" ? 2 * J : J);
    n.dec = mlp_sizes(J, c.hidden, dim, true);
    n.d = mlp_sizes(J, c.hidden, 1);
    n.param_nets = {n.enc, n.dec, n.d, n.enc};  // the last: the encoder's mirror (its own part)
  } else {  // gan, cgan, wgan
    const int classes = c.model == "cgan" ? d.classes : 0;
    n.dec = mlp_sizes(J + classes, c.hidden, dim);
    n.d = mlp_sizes(dim + classes, c.hidden, 1, true);
    n.param_nets = {n.dec, n.d};
  }
  return n;
}

}  // namespace

Status check_config_limits(const Config& c) {
  if (c.hidden.empty()) return Status::Error("--hidden: at least one hidden width is needed");
  if (c.hidden.size() > static_cast<std::size_t>(kMaxLayers))
    return Status::Error("--hidden: %zu hidden layers exceed the limit %d", c.hidden.size(), kMaxLayers);
  for (int w : c.hidden) {
    if (w < 1) return Status::Error("--hidden: hidden width %d must be at least 1", w);
    if (w > kMaxWidth) return Status::Error("--hidden: hidden width %d exceeds the limit %d", w, kMaxWidth);
  }
  if (c.latent < 1 || c.latent > kMaxLatent)
    return Status::Error("--latent: latent dimension %d is outside 1..%d (the limit)", c.latent, kMaxLatent);
  if (c.batch < 1 || c.batch > kMaxBatch)
    return Status::Error("--batch: batch size %d is outside 1..%d (the limit)", c.batch, kMaxBatch);
  if (c.k < 1 || c.k > kMaxDSteps)
    return Status::Error("--k: %d discriminator steps per generator step is outside 1..%d (the limit)", c.k, kMaxDSteps);
  if (c.n_critic < 1 || c.n_critic > kMaxDSteps)
    return Status::Error("--n-critic: %d critic steps per generator step is outside 1..%d (the limit)", c.n_critic,
                         kMaxDSteps);
  if (c.samples < 1 || c.samples > kMaxSamples)
    return Status::Error("--samples: %d z samples per datapoint is outside 1..%d (the limit)", c.samples, kMaxSamples);
  if (c.iw < 1 || c.iw > kMaxImportance)
    return Status::Error("--iw: %d importance samples is outside 1..%d (the limit)", c.iw, kMaxImportance);
  return Status::Ok();
}

Status check_data_info(const DataInfo& d) {
  if (d.dim < 1 || d.dim > kMaxDim)
    return Status::Error("data dimension %d is outside 1..%d (the limit)", d.dim, kMaxDim);
  if (d.classes < 0 || d.classes > kMaxClasses)
    return Status::Error("data classes %d is outside 0..%d (the limit)", d.classes, kMaxClasses);
  if (d.rows < 0 || d.cols < 0) return Status::Error("image size %d x %d is negative", d.rows, d.cols);
  if ((d.rows == 0) != (d.cols == 0))
    return Status::Error("image size %d x %d: rows and cols must both be 0 (no images) or both positive", d.rows,
                         d.cols);
  std::uint64_t pixels = 0;
  if (d.rows > 0 && (!checked_mul(static_cast<u64>(d.rows), static_cast<u64>(d.cols), &pixels) ||
                     pixels != static_cast<u64>(d.dim)))
    return Status::Error("image size %d x %d does not match the data dimension %d (rows x cols must equal it)", d.rows,
                         d.cols, d.dim);
  return Status::Ok();
}

std::uint64_t MemoryPlan::total() const {
  return sat_add(sat_add(sat_add(param_bytes, grad_bytes), sat_add(optim_bytes, step_arena_bytes)),
                 sample_arena_bytes);
}

// --arch conv: the MLP formulas below do not describe convolutional networks (their activations,
// im2col workspaces and batch-norm saves), so the plan is measured instead: a throwaway copy of the
// model (same options, its own rng) takes one training step on a fresh arena at kProbe and
// 2 kProbe examples of constant images, and the arena's high-water mark, affine in the batch,
// is extrapolated to the batch (for the step) and to the sampled rows (for sampling: a step is an
// upper bound of a forward pass), plus a quarter for what the probes' sizes do not show.
// Parameters are counted on the built copy. Cheap: two steps of a few examples.
constexpr int kProbe = 4;
static Status measure_conv_plan(const Config& c, const DataInfo& d, u64 sample_rows, MemoryPlan* plan) {
  ModelOptions mo;
  Status st = model_options(c, &mo);
  if (!st) return st;
  mo.device = Device::CPU;
  u64 hw[2] = {0, 0};
  for (int k = 0; k < 2; ++k) {
    std::unique_ptr<Model> m = make_model(c.model, &st);
    if (!st) return st;
    Rng rng(1);
    st = m->build(mo, d, rng);
    if (!st) return st;
    if (k == 0)
      for (Part* part : m->parts()) plan->params = sat_add(plan->params, part->params.size());
    const int B = kProbe << k, per = m->batches_per_step(), n = B * per;
    Arena arena;
    Tape t(arena);
    Batch b;
    b.minibatches = per;
    b.x = t.alloc(make_shape(n, d.dim));
    fill(b.x, 0.5f);
    if (d.classes > 0) {
      b.y = t.alloc(make_shape(n, d.classes));
      fill(b.y, 0.f);
      for (int r = 0; r < n; ++r) b.y.data[static_cast<std::size_t>(r) * d.classes] = 1.f;
    }
    StepLog log;
    m->train_step(t, b, rng, log);
    hw[k] = arena.high_water();
  }
  const u64 per_example = hw[1] > hw[0] ? (hw[1] - hw[0] + kProbe - 1) / kProbe : 0;
  const u64 fixed = hw[0] > per_example * kProbe ? hw[0] - per_example * kProbe : 0;
  // bytes of the arena at `rows` examples, plus a quarter
  auto at = [&](u64 rows) { return sat_mul(sat_mul(sat_add(fixed, sat_mul(per_example, rows)), sizeof(float)), 5) / 4; };
  const u64 per_step = is_adversarial(c.model) ? static_cast<u64>(c.model == "wgan" ? c.n_critic : c.k) : 1;
  plan->step_arena_bytes = at(sat_mul(static_cast<u64>(c.batch), per_step));
  // generate_rows runs kGenerateChunk rows per tape; the n rows out and their z, y beside it
  const u64 chunk = std::min<u64>(sample_rows, static_cast<u64>(kGenerateChunk));
  const u64 rows_out = sat_mul(sample_rows, static_cast<u64>(d.dim) + static_cast<u64>(c.latent) + static_cast<u64>(d.classes));
  plan->sample_arena_bytes = sat_add(at(chunk), sat_mul(rows_out, sizeof(float)));
  return Status::Ok();
}

Status plan_memory(const Config& c, const DataInfo& d, int sample_rows, MemoryPlan* plan) {
  Status st = check_config_limits(c);
  if (st) st = check_data_info(d);
  if (!st) return st;
  *plan = MemoryPlan{};
  if (c.arch == "conv" && d.images()) {
    st = measure_conv_plan(c, d, sample_rows > 0 ? static_cast<u64>(sample_rows) : 100, plan);
    if (!st) return st;
    const u64 P = sat_mul(plan->params, sizeof(float));
    plan->param_bytes = plan->grad_bytes = P;
    plan->optim_bytes = sat_mul(P, c.optim == "adam" ? 2 : 1);
    return Status::Ok();
  }
  const Nets n = model_nets(c, d);
  for (const auto& net : n.param_nets) plan->params = sat_add(plan->params, mlp_params(net));
  const u64 P = sat_mul(plan->params, sizeof(float));
  plan->param_bytes = P;
  plan->grad_bytes = P;  // on a device: the host copy of the values instead (the same size)
  plan->optim_bytes = sat_mul(P, c.optim == "adam" ? 2 : 1);

  // One training step: the batch (B x per_step rows of data and labels), then the passes the
  // model's train_step makes, each with its node gradients, and the loss terms (a few nodes of
  // rows x dim: targets, logits, the saved sigmoid, their gradients).
  const bool adversarial = is_adversarial(c.model);
  const u64 B = static_cast<u64>(c.batch), dim = static_cast<u64>(d.dim);
  const u64 per_step = adversarial ? static_cast<u64>(c.model == "wgan" ? c.n_critic : c.k) : 1;
  const u64 rows = sat_mul(B, per_step);
  u64 step = sat_mul(rows, sat_add(dim, static_cast<u64>(d.classes)));
  auto add = [&](u64 floats) { step = sat_add(step, floats); };
  if (adversarial) {  // k times: G on B, D on B real and B fake; then D on the B fakes for G
    const u64 one = sat_add(mlp_pass(n.dec, B, true), mlp_pass(n.d, sat_mul(2, B), true));
    add(sat_mul(per_step, one));
    add(mlp_pass(n.d, B, true));
    add(sat_mul(sat_mul(rows, 8), static_cast<u64>(c.latent)));  // z and the small loss nodes
  } else {
    const u64 L = c.model == "vae" ? static_cast<u64>(c.samples) : 1;
    add(mlp_pass(n.enc, B, true));
    add(mlp_pass(n.dec, sat_mul(B, L), true));
    add(sat_mul(sat_mul(sat_mul(B, L), 8), sat_add(dim, static_cast<u64>(c.latent))));  // z, eps, losses
    if (c.model == "aae")  // D on codes and prior samples, the regularisation phase's encoder and D
      add(sat_add(sat_mul(mlp_pass(n.d, B, true), 3), mlp_pass(n.enc, B, true)));
  }
  plan->step_arena_bytes = sat_mul(step, sizeof(float));

  // Sampling (the trainer's output arena, reset between uses, so the largest of): the decoder /
  // G on sample_rows rows and the rows copied out; for a model with an encoder, 20 test images
  // through both (recon.png); the AAE's codes of test images, 500 at a time (codes.svg).
  const u64 srows = sample_rows > 0 ? static_cast<u64>(sample_rows) : (d.images() ? 100 : 2500);
  const u64 z_y = static_cast<u64>(c.latent) + static_cast<u64>(d.classes);
  u64 sample = sat_add(mlp_pass(n.dec, std::min<u64>(srows, static_cast<u64>(kGenerateChunk)), false),
                       sat_mul(srows, sat_add(sat_mul(2, dim), z_y)));
  if (!n.enc.empty()) {
    const u64 recon = sat_add(sat_add(mlp_pass(n.enc, 20, false), mlp_pass(n.dec, 20, false)), 20 * 4 * dim);
    sample = std::max(sample, recon);
  }
  if (c.model == "aae") sample = std::max(sample, sat_add(mlp_pass(n.enc, 500, false), sat_mul(500, dim)));
  plan->sample_arena_bytes = sat_mul(sample, sizeof(float));
  return Status::Ok();
}

std::uint64_t physical_memory_bytes() {
#if defined(_SC_PHYS_PAGES) && defined(_SC_PAGE_SIZE)
  const long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGE_SIZE);
  if (pages > 0 && page > 0) return sat_mul(static_cast<u64>(pages), static_cast<u64>(page));
#endif
  return 0;
}

Status parse_memory_size(const std::string& text, std::uint64_t* bytes) {
  const char* s = text.c_str();
  char* end = nullptr;
  errno = 0;
  const double x = std::strtod(s, &end);
  u64 unit = 1;
  if (end && *end) {
    switch (*end) {
      case 'K': case 'k': unit = u64{1} << 10; break;
      case 'M': case 'm': unit = u64{1} << 20; break;
      case 'G': case 'g': unit = u64{1} << 30; break;
      case 'T': case 't': unit = u64{1} << 40; break;
      default: unit = 0;
    }
    ++end;
    if (*end == 'B' || *end == 'b') ++end;  // "8GB"
  }
  if (text.empty() || end == s || unit == 0 || (end && *end) || errno || !(x > 0) || x * unit > 1.8e19)
    return Status::Error("--max-memory expects a size such as 8G, 512M or 1000000 (bytes), got '%s'", s);
  *bytes = static_cast<u64>(x * static_cast<double>(unit));
  return Status::Ok();
}

std::string bytes_text(std::uint64_t b) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  double v = static_cast<double>(b);
  int u = 0;
  while (v >= 1024 && u < 6) v /= 1024, ++u;
  char buf[32];
  if (u == 0) std::snprintf(buf, sizeof buf, "%llu B", static_cast<unsigned long long>(b));
  else std::snprintf(buf, sizeof buf, v < 10 ? "%.2f %s" : "%.1f %s", v, units[u]);
  return buf;
}

Status memory_limit(const Config& c, std::uint64_t* bytes) {
  if (!c.max_memory.empty()) return parse_memory_size(c.max_memory, bytes);
  const u64 phys = physical_memory_bytes();
  *bytes = phys > 0 ? phys / 2 : u64{8} << 30;
  return Status::Ok();
}

Status check_memory(const Config& c, const MemoryPlan& p) {
  u64 limit = 0;
  Status st = memory_limit(c, &limit);
  if (!st) return st;
  if (p.total() <= limit) return Status::Ok();
  const std::string where =
      c.max_memory.empty()
          ? "half of the " + bytes_text(physical_memory_bytes()) + " of physical memory; --max-memory raises it"
          : "set by --max-memory " + c.max_memory;
  return Status::Error("this %s needs %s (%llu parameters: %s, gradients %s, optimizer state %s; step arena %s, "
                       "sample arena %s), above the memory limit %s (%s)",
                       c.model.c_str(), bytes_text(p.total()).c_str(), static_cast<unsigned long long>(p.params),
                       bytes_text(p.param_bytes).c_str(), bytes_text(p.grad_bytes).c_str(),
                       bytes_text(p.optim_bytes).c_str(), bytes_text(p.step_arena_bytes).c_str(),
                       bytes_text(p.sample_arena_bytes).c_str(), bytes_text(limit).c_str(), where.c_str());
}

Status check_run_memory(const Config& c, const DataInfo& d, int sample_rows) {
  MemoryPlan p;
  Status st = plan_memory(c, d, sample_rows, &p);
  if (!st) return st;
  return check_memory(c, p);
}

}  // namespace dgm
