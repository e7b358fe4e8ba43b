// checkpoint.cpp - saving and restoring a run (see include/dgm/checkpoint.h).
#include "dgm/checkpoint.h"

#include <algorithm>
#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <limits>

#include "dgm/device.h"
#include "dgm/limits.h"
#include "dgm/safetensors.h"

namespace dgm {
namespace {

const char* const kFormat = "dgm-checkpoint-1";

std::vector<std::int64_t> dims(const Tensor& t) {
  std::vector<std::int64_t> d;
  for (int i = 0; i < t.ndim; ++i) d.push_back(t.dim[i]);
  return d;
}

std::string rng_text(const RngState& r) {
  std::uint32_t spare_bits;
  std::memcpy(&spare_bits, &r.spare, sizeof spare_bits);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%016" PRIx64 " %016" PRIx64 " %" PRIu32 " %08" PRIx32, r.state, r.inc,
                r.has_spare, spare_bits);
  return buf;
}

bool parse_rng(const std::string& s, RngState* r) {
  std::uint64_t st, inc;
  std::uint32_t has, bits;
  if (std::sscanf(s.c_str(), "%" SCNx64 " %" SCNx64 " %" SCNu32 " %" SCNx32, &st, &inc, &has, &bits) != 4)
    return false;
  r->state = st;
  r->inc = inc;
  r->has_spare = has;
  std::memcpy(&r->spare, &bits, sizeof bits);
  return true;
}

bool parse_i64(const std::string* s, std::int64_t* v) {
  if (!s) return false;
  char* end = nullptr;
  errno = 0;
  long long x = std::strtoll(s->c_str(), &end, 10);
  if (s->empty() || *end || errno) return false;  // ERANGE: "99999999999999999999"
  *v = x;
  return true;
}

}  // namespace

Status save_checkpoint(const std::string& path, const Config& c, Model& m, const TrainState& s) {
  std::vector<NamedTensor> tensors;
  Metadata meta;
  meta["format"] = kFormat;
  meta["config"] = config_to_text(c, true);
  meta["step"] = std::to_string(s.step);
  meta["epoch"] = std::to_string(s.epoch);
  meta["rng"] = rng_text(s.rng);
  meta["device"] = c.device;  // where it was trained (a record only: any device can load it)
  meta["data"] = std::to_string(s.info.dim) + " " + std::to_string(s.info.rows) + " " +
                 std::to_string(s.info.cols) + " " + std::to_string(s.info.classes);
  for (Part* p : m.parts()) {
    p->params.to_host();  // device parts: refresh the host copies that are written
    p->opt.to_host();
    for (int h = 0; h < p->params.count(); ++h)
      tensors.push_back(NamedTensor{p->name + "." + p->params.name(h), dims(p->params.host_value(h)),
                                    p->params.host_value(h).data});
    const std::int64_t n = static_cast<std::int64_t>(p->params.size());
    if (!p->opt.s1.empty()) tensors.push_back(NamedTensor{p->name + ".opt.s1", {n}, p->opt.s1.data()});
    if (!p->opt.s2.empty()) tensors.push_back(NamedTensor{p->name + ".opt.s2", {n}, p->opt.s2.data()});
    meta[p->name + ".opt.t"] = std::to_string(p->opt.t);
  }
  return save_safetensors(path, tensors, meta);
}

Status read_checkpoint_config(const std::string& path, Config* c) {
  SafetensorsFile f;
  Status st = f.load(path);
  if (!st) return st;
  const std::string* fmt = f.meta("format");
  if (!fmt || *fmt != kFormat)
    return Status::Error("%s: not a dgm checkpoint (metadata \"format\" is %s, expected %s)", path.c_str(),
                         fmt ? fmt->c_str() : "missing", kFormat);
  const std::string* text = f.meta("config");
  if (!text) return Status::Error("%s: checkpoint has no \"config\" metadata", path.c_str());
  return config_from_text(*text, c).prefixed(path);
}

Status validate_checkpoint(const SafetensorsFile& f, const std::string& path, Model& m, TrainState* s) {
  auto bad = [&](const char* what) { return Status::Error("%s: metadata %s", path.c_str(), what); };
  // ---- the metadata, each value on its own ----
  std::int64_t step = 0, epoch = 0;
  if (!parse_i64(f.meta("step"), &step) || !parse_i64(f.meta("epoch"), &epoch))
    return bad("\"step\" or \"epoch\" missing or not an integer");
  if (step < 0 || epoch < 0 || epoch > std::numeric_limits<int>::max())
    return Status::Error("%s: metadata step %lld, epoch %lld: step must not be negative and epoch must be in 0..%d",
                         path.c_str(), static_cast<long long>(step), static_cast<long long>(epoch),
                         std::numeric_limits<int>::max());
  const std::string* rng = f.meta("rng");
  if (!rng || !parse_rng(*rng, &s->rng) || s->rng.has_spare > 1 || (s->rng.inc & 1) == 0)
    return bad("\"rng\" missing or malformed (4 words: state, odd increment, spare flag 0 or 1, spare bits)");
  const std::string* data = f.meta("data");
  char tail = 0;
  if (!data || std::sscanf(data->c_str(), "%d %d %d %d %c", &s->info.dim, &s->info.rows, &s->info.cols,
                           &s->info.classes, &tail) != 4)
    return bad("\"data\" missing or malformed (expected 4 integers: dim rows cols classes)");
  Status st = check_data_info(s->info);  // rows x cols == dim, counts within their limits
  if (!st) return st.prefixed(path + ": metadata \"data\" \"" + *data + "\"");
  // ---- the values against each other: a checkpoint is written at the end of an epoch (image
  // data: step = epoch x steps per epoch, epoch >= 1) or at a sampling point (synthetic data:
  // epoch 0) ----
  if (s->info.images() ? (epoch == 0 ? step != 0 : step == 0 || step % epoch != 0) : epoch != 0)
    return Status::Error("%s: metadata step %lld and epoch %lld disagree (%s)", path.c_str(),
                         static_cast<long long>(step), static_cast<long long>(epoch),
                         s->info.images() ? "image data: step must be epoch x the steps per epoch"
                                          : "synthetic data: epoch must be 0");
  s->step = step;
  s->epoch = static_cast<int>(epoch);
  // ---- the tensors: every one the model holds, with its shape; nothing else ----
  std::size_t expected = 0;
  for (Part* p : m.parts()) {
    for (int h = 0; h < p->params.count(); ++h) {
      ++expected;
      const std::string name = p->name + "." + p->params.name(h);
      const TensorEntry* e = f.find(name);
      const std::vector<std::int64_t> want = dims(p->params.host_value(h));
      if (!e) return Status::Error("%s: tensor %s %s missing (the config's model has it)", path.c_str(), name.c_str(),
                                   shape_text(want).c_str());
      if (e->shape != want)
        return Status::Error("%s: tensor %s has shape %s, the config's model %s", path.c_str(), name.c_str(),
                             shape_text(e->shape).c_str(), shape_text(want).c_str());
    }
    expected += (p->opt.s1.empty() ? 0 : 1) + (p->opt.s2.empty() ? 0 : 1);
    std::int64_t t = 0;
    if (!parse_i64(f.meta(p->name + ".opt.t"), &t))
      return Status::Error("%s: metadata \"%s.opt.t\" missing or not an integer", path.c_str(), p->name.c_str());
    // A part steps once or batches_per_step() times (a GAN's D: k) per training step.
    const std::int64_t most = step * std::max(1, m.batches_per_step());
    if (t < 0 || t > most)
      return Status::Error("%s: metadata %s.opt.t = %lld optimizer steps; after %lld training steps it must be in "
                           "0..%lld", path.c_str(), p->name.c_str(), static_cast<long long>(t),
                           static_cast<long long>(step), static_cast<long long>(most));
  }
  if (f.tensors().size() != expected)
    for (const TensorEntry& e : f.tensors()) {
      const std::size_t dot = e.name.find('.');
      bool known = false;
      for (Part* p : m.parts())
        if (dot != std::string::npos && e.name.compare(0, dot, p->name) == 0)
          known = known || p->params.find(e.name.substr(dot + 1)) >= 0 || e.name == p->name + ".opt.s1" ||
                  e.name == p->name + ".opt.s2";
      if (!known)
        return Status::Error("%s: tensor %s %s is not part of the config's model", path.c_str(), e.name.c_str(),
                             shape_text(e.shape).c_str());
    }
  return Status::Ok();
}

Status load_checkpoint(const std::string& path, Model& m, TrainState* s) {
  SafetensorsFile f;
  Status st = f.load(path);
  if (!st) return st;
  TrainState loaded;
  st = validate_checkpoint(f, path, m, &loaded);  // all of it before anything is used
  if (!st) return st;
  for (Part* p : m.parts()) {
    for (int h = 0; h < p->params.count(); ++h) {
      st = f.read(p->name + "." + p->params.name(h), p->params.host_value(h));
      if (!st) return st.prefixed(path);
    }
    const std::int64_t n = static_cast<std::int64_t>(p->params.size());
    if (!p->opt.s1.empty()) {
      st = f.read(p->name + ".opt.s1", {n}, p->opt.s1.data());
      if (!st) return st.prefixed(path);
    }
    if (!p->opt.s2.empty()) {
      st = f.read(p->name + ".opt.s2", {n}, p->opt.s2.data());
      if (!st) return st.prefixed(path);
    }
    std::int64_t t = 0;
    (void)parse_i64(f.meta(p->name + ".opt.t"), &t);  // checked by validate_checkpoint
    p->opt.t = t;
    p->params.to_device();  // device parts: send the loaded host copies up
    p->opt.to_device();
    p->params.zero_grad();
  }
  *s = loaded;
  return Status::Ok();
}

// The data shape alone, to build the model before loading its weights; checked against the
// limits (rows x cols == dim, ...) before anything is sized from it.
static Status read_data_info(const std::string& path, DataInfo* info) {
  SafetensorsFile f;
  Status st = f.load(path);
  if (!st) return st;
  const std::string* data = f.meta("data");
  char tail = 0;
  if (!data || std::sscanf(data->c_str(), "%d %d %d %d %c", &info->dim, &info->rows, &info->cols, &info->classes,
                           &tail) != 4)
    return Status::Error("%s: metadata \"data\" missing or malformed (expected 4 integers: dim rows cols classes)",
                         path.c_str());
  st = check_data_info(*info);
  if (!st) return st.prefixed(path + ": metadata \"data\" \"" + *data + "\"");
  return Status::Ok();
}

Status open_checkpoint(const std::string& path, Config* c, std::unique_ptr<Model>* m, TrainState* s, int iw,
                       const std::string& device) {
  Status st = check_device(device);  // before the file: a bad flag is named first
  if (!st) return st;
  st = read_checkpoint_config(path, c);
  if (!st) return st;
  if (iw > 0) c->iw = iw;
  c->device = device;
  st = validate(*c);  // the stored sizes against their limits too (dgm/limits.h)
  if (!st) return st.prefixed(path);
  DataInfo info;
  st = read_data_info(path, &info);
  if (!st) return st;
  st = check_run_memory(*c, info);  // before build() allocates anything
  if (!st) return st.prefixed(path);
  *m = make_model(c->model, &st);
  if (!st) return st.prefixed(path);
  Rng rng(c->seed);
  st = (*m)->build(*c, info, rng);
  if (!st) return st.prefixed(path);
  return load_checkpoint(path, **m, s);
}

}  // namespace dgm
