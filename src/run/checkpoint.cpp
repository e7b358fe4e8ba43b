// checkpoint.cpp - saving and restoring a run (see include/dgm/run/checkpoint.h).
#include "dgm/run/checkpoint.h"

#include <algorithm>
#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <limits>

#include "dgm/backend/device.h"
#include "dgm/run/limits.h"
#include "dgm/io/safetensors.h"

namespace dgm {
namespace {

const char* const kFormat = "dgm-checkpoint-2";
const char* const kFormatV1 = "dgm-checkpoint-1";  // read, never written (load_v1)

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

// The tensors a checkpoint holds, each once: the parameters of every part under their own names
// ("enc.0.weight"); a part that mirrors another's tensors (the AAE's enc_reg: the same names,
// kept equal to enc's) reads them and writes nothing.
struct Slot {
  Part* part;
  int h;
  int same_as;  // the index of the earlier slot with this name (a mirror), or -1
};
std::vector<Slot> slots(Model& m) {
  std::vector<Slot> out;
  for (Part* p : m.parts())
    for (int h = 0; h < p->params.count(); ++h) {
      int same_as = -1;
      for (std::size_t i = 0; i < out.size() && same_as < 0; ++i)
        if (out[i].part->params.name(out[i].h) == p->params.name(h)) same_as = static_cast<int>(i);
      out.push_back(Slot{p, h, same_as});
    }
  return out;
}

std::string optim_name(const Part& p, int h, const char* state) {
  return "optim." + p.name + "." + p.params.name(h) + "." + state;
}

// step, epoch and rng: all three, or none (a weights-only file).
Status read_train_state(const SafetensorsFile& f, const std::string& path, TrainState* s) {
  const std::string *step = f.meta("step"), *epoch = f.meta("epoch"), *rng = f.meta("rng");
  s->has_train_state = step || epoch || rng;
  if (!s->has_train_state) return Status::Ok();
  std::int64_t st = 0, ep = 0;
  if (!parse_i64(step, &st) || !parse_i64(epoch, &ep))
    return Status::Error("%s: metadata \"step\" or \"epoch\" missing or not an integer", path.c_str());
  if (!rng || !parse_rng(*rng, &s->rng))
    return Status::Error("%s: metadata \"rng\" missing or malformed", path.c_str());
  const std::string* order_rng = f.meta("order_rng");
  s->mid_epoch = order_rng != nullptr;
  if (order_rng && !parse_rng(*order_rng, &s->order_rng))
    return Status::Error("%s: metadata \"order_rng\" malformed", path.c_str());
  s->step = st;
  s->epoch = static_cast<int>(ep);
  return Status::Ok();
}

Status read_data(const SafetensorsFile& f, const std::string& path, DataInfo* info) {
  const std::string* data = f.meta("data");
  char tail = 0;
  if (!data || std::sscanf(data->c_str(), "%d %d %d %d %c", &info->dim, &info->rows, &info->cols, &info->classes,
                           &tail) != 4)
    return Status::Error("%s: metadata \"data\" missing or malformed (expected 4 integers: dim rows cols classes, "
                         "e.g. \"784 28 28 10\")", path.c_str());
  Status st = check_data_info(*info);  // rows x cols == dim, counts within their limits
  if (!st) return st.prefixed(path + ": metadata \"data\" \"" + *data + "\"");
  return Status::Ok();
}

// Format 1 (dgm before tensors took PyTorch's names): "<part>.<net>.<i>.W", "<part>.<net>.<i>.b"
// of shape (1, out), the optimizer state as whole padded buffers "<part>.opt.s1" / ".s2" and
// "<part>.opt.t". Read so that old runs still sample, evaluate and resume; written never.
Status load_v1(const SafetensorsFile& f, const std::string& path, Model& m, TrainState* s) {
  Status st;
  for (Part* p : m.parts()) {
    for (int h = 0; h < p->params.count(); ++h) {
      std::string name = p->params.name(h);
      const Tensor v = p->params.host_value(h);
      std::vector<std::int64_t> shape = dims(v);
      if (name.size() > 7 && name.compare(name.size() - 7, 7, ".weight") == 0) {
        name.replace(name.size() - 7, 7, ".W");
      } else if (name.size() > 5 && name.compare(name.size() - 5, 5, ".bias") == 0) {
        name.replace(name.size() - 5, 5, ".b");
        shape.insert(shape.begin(), 1);
      }
      st = f.read(p->name + "." + name, shape, v.data);
      if (!st) return st.prefixed(path);
    }
    const std::int64_t n = static_cast<std::int64_t>(p->params.size());
    if (!p->opt.s1.empty() && !(st = f.read(p->name + ".opt.s1", {n}, p->opt.s1.data()))) return st.prefixed(path);
    if (!p->opt.s2.empty() && !(st = f.read(p->name + ".opt.s2", {n}, p->opt.s2.data()))) return st.prefixed(path);
    if (!parse_i64(f.meta(p->name + ".opt.t"), &p->opt.t))
      return Status::Error("%s: metadata \"%s.opt.t\" missing or not an integer", path.c_str(), p->name.c_str());
  }
  s->has_optimizer = true;
  return read_train_state(f, path, s);
}

// Format 2 (include/dgm/run/checkpoint.h): the weights are required; the optimizer state and the
// training state are each all there or all absent; any other tensor is an error.
Status load_v2(const SafetensorsFile& f, const std::string& path, Model& m, TrainState* s) {
  std::vector<std::string> expected;
  Status st;
  for (const Slot& sl : slots(m)) {
    expected.push_back(sl.part->params.name(sl.h));
    if (!(st = f.read(expected.back(), sl.part->params.host_value(sl.h)))) return st.prefixed(path);
  }
  bool any = false;  // the optimizer state: every part's, or none (a weights-only file, e.g. from PyTorch)
  for (const TensorEntry& e : f.tensors()) any = any || e.name.compare(0, 6, "optim.") == 0;
  for (const auto& kv : f.metadata()) any = any || kv.first.compare(0, 6, "optim.") == 0;
  s->has_optimizer = any;
  for (Part* p : m.parts()) {
    if (!any) break;
    for (int slot = 0; slot < 2; ++slot) {
      std::vector<float>& buf = slot == 0 ? p->opt.s1 : p->opt.s2;
      const char* state = optim_state_name(p->opt.cfg.kind, slot);
      if (buf.empty() || !state) continue;
      std::fill(buf.begin(), buf.end(), 0.f);  // the padding between tensors holds zeros
      for (int h = 0; h < p->params.count(); ++h) {
        expected.push_back(optim_name(*p, h, state));
        st = f.read(expected.back(), dims(p->params.host_value(h)), buf.data() + p->params.offset(h));
        if (!st) return st.prefixed("the optimizer state (a file holds all of it or none)");
      }
    }
    if (!parse_i64(f.meta("optim." + p->name + ".t"), &p->opt.t))
      return Status::Error("%s: metadata \"optim.%s.t\" missing or not an integer", path.c_str(), p->name.c_str());
  }
  for (const TensorEntry& e : f.tensors()) {
    bool known = false;
    for (const std::string& x : expected) known = known || x == e.name;
    if (!known)
      return Status::Error("%s: tensor \"%s\" is not part of this model (docs/checkpoint.md lists the names of "
                           "each kind of model)", path.c_str(), e.name.c_str());
  }
  return read_train_state(f, path, s);
}

}  // namespace

Status save_checkpoint(const std::string& path, const Config& c, Model& m, const TrainState& s) {
  std::vector<NamedTensor> tensors;
  Metadata meta;
  meta["format"] = kFormat;
  meta["config"] = config_to_text(c, true);
  // The training state, when s holds one: a generator's state has an odd increment. A state
  // without one (default, or loaded from a weights-only file) is written weights-only again:
  // writing its zero rng would make a file that load_checkpoint refuses.
  if (s.rng.inc & 1) {
    meta["step"] = std::to_string(s.step);
    meta["epoch"] = std::to_string(s.epoch);
    meta["rng"] = rng_text(s.rng);
    if (s.mid_epoch) meta["order_rng"] = rng_text(s.order_rng);
  } else if (s.step != 0 || s.epoch != 0 || s.mid_epoch) {
    return Status::Error("%s: not written: step %lld, epoch %d without the generator's state (rng)", path.c_str(),
                         static_cast<long long>(s.step), s.epoch);
  }
  meta["device"] = c.device;  // where it was trained (a record only: any device can load it)
  meta["data"] = std::to_string(s.info.dim) + " " + std::to_string(s.info.rows) + " " +
                 std::to_string(s.info.cols) + " " + std::to_string(s.info.classes);
  for (Part* p : m.parts()) {
    p->params.to_host();  // device parts: refresh the host copies that are written
    p->opt.to_host();
  }
  const std::vector<Slot> all = slots(m);
  for (const Slot& sl : all) {  // the weights, each tensor once
    const Tensor v = sl.part->params.host_value(sl.h);
    if (sl.same_as < 0) {
      tensors.push_back(NamedTensor{sl.part->params.name(sl.h), dims(v), v.data});
      continue;
    }
    const Slot& first = all[static_cast<std::size_t>(sl.same_as)];  // a mirror must equal what is written
    const Tensor w = first.part->params.host_value(first.h);
    if (w.size() != v.size() || std::memcmp(w.data, v.data, v.size() * sizeof(float)) != 0)
      return Status::Error("%s: not written: part %s's %s differs from part %s's (a mirror out of sync)", path.c_str(),
                           sl.part->name.c_str(), sl.part->params.name(sl.h).c_str(), first.part->name.c_str());
  }
  for (Part* p : m.parts()) {  // each part's optimizer state, per tensor at the tensor's shape
    for (int slot = 0; slot < 2; ++slot) {
      const std::vector<float>& buf = slot == 0 ? p->opt.s1 : p->opt.s2;
      const char* state = optim_state_name(p->opt.cfg.kind, slot);
      if (buf.empty() || !state) continue;
      for (int h = 0; h < p->params.count(); ++h)
        tensors.push_back(NamedTensor{optim_name(*p, h, state), dims(p->params.host_value(h)),
                                      buf.data() + p->params.offset(h)});
    }
    meta["optim." + p->name + ".t"] = std::to_string(p->opt.t);
  }
  return save_safetensors(path, tensors, meta);
}

Status read_checkpoint_config(const std::string& path, Config* c) {
  SafetensorsFile f;
  Status st = f.load(path);
  if (!st) return st;
  const std::string* fmt = f.meta("format");
  if (!fmt || (*fmt != kFormat && *fmt != kFormatV1))
    return Status::Error("%s: not a dgm checkpoint (metadata \"format\" is %s, expected %s; docs/checkpoint.md "
                         "says what a file needs)", path.c_str(), fmt ? fmt->c_str() : "missing", kFormat);
  const std::string* text = f.meta("config");
  if (!text) return Status::Error("%s: checkpoint has no \"config\" metadata", path.c_str());
  return config_from_text(*text, c).prefixed(path);
}

Status validate_checkpoint(const SafetensorsFile& f, const std::string& path, Model& m, TrainState* s) {
  auto bad = [&](const char* what) { return Status::Error("%s: metadata %s", path.c_str(), what); };
  const std::string* fmt = f.meta("format");
  const bool v1 = fmt && *fmt == kFormatV1;
  // ---- the metadata, each value on its own ----
  Status st = read_data(f, path, &s->info);
  if (!st) return st;
  // The training state (step, epoch, rng): all three or none (a weights-only file).
  s->has_train_state = f.meta("step") || f.meta("epoch") || f.meta("rng");
  std::int64_t step = 0, epoch = 0;
  if (s->has_train_state) {
    if (!parse_i64(f.meta("step"), &step) || !parse_i64(f.meta("epoch"), &epoch))
      return bad("\"step\" or \"epoch\" missing or not an integer");
    if (step < 0 || epoch < 0 || epoch > std::numeric_limits<int>::max())
      return Status::Error("%s: metadata step %lld, epoch %lld: step must not be negative and epoch must be in 0..%d",
                           path.c_str(), static_cast<long long>(step), static_cast<long long>(epoch),
                           std::numeric_limits<int>::max());
    const std::string* rng = f.meta("rng");
    if (!rng || !parse_rng(*rng, &s->rng) || s->rng.has_spare > 1 || (s->rng.inc & 1) == 0)
      return bad("\"rng\" missing or malformed (4 words: state, odd increment, spare flag 0 or 1, spare bits)");
    // The values against each other: a checkpoint is written at the end of an epoch (image data:
    // step = epoch x steps per epoch, epoch >= 1), inside one on an interrupt (image data with
    // "order_rng": step > epoch x steps per epoch, which train() checks against the data), or at
    // a sampling point (synthetic data: epoch 0).
    const bool mid_epoch = f.meta("order_rng") != nullptr;
    if (s->info.images() ? (mid_epoch ? step < epoch : epoch == 0 ? step != 0 : step == 0 || step % epoch != 0)
                         : epoch != 0 || mid_epoch)
      return Status::Error("%s: metadata step %lld and epoch %lld disagree (%s)", path.c_str(),
                           static_cast<long long>(step), static_cast<long long>(epoch),
                           s->info.images() ? "image data: step must be epoch x the steps per epoch"
                                            : "synthetic data: epoch must be 0");
    s->step = step;
    s->epoch = static_cast<int>(epoch);
  }
  // Each part's optimizer step count t, where the file has one: a part steps once or
  // batches_per_step() times (a GAN's D: k) per training step.
  for (Part* p : m.parts()) {
    const std::string key = v1 ? p->name + ".opt.t" : "optim." + p->name + ".t";
    const std::string* text = f.meta(key);
    if (!text) continue;  // format 2 without optimizer state; load_v1/load_v2 say what is missing
    std::int64_t t = 0;
    if (!parse_i64(text, &t))
      return Status::Error("%s: metadata \"%s\" is not an integer", path.c_str(), key.c_str());
    const std::int64_t most = step * std::max(1, m.batches_per_step());
    if (t < 0 || (s->has_train_state && t > most))
      return Status::Error("%s: metadata %s = %lld optimizer steps; after %lld training steps it must be in "
                           "0..%lld", path.c_str(), key.c_str(), static_cast<long long>(t),
                           static_cast<long long>(step), static_cast<long long>(most));
  }
  if (v1) return Status::Ok();  // format 1: load_v1 reads every tensor at its shape
  // ---- the tensors (format 2): every weight the model holds, with its shape; nothing else ----
  for (const Slot& sl : slots(m)) {
    if (sl.same_as >= 0) continue;  // a mirror (the AAE's enc_reg) reads the same tensor
    const std::string name = sl.part->params.name(sl.h);
    const TensorEntry* e = f.find(name);
    const std::vector<std::int64_t> want = dims(sl.part->params.host_value(sl.h));
    if (!e) return Status::Error("%s: tensor %s %s missing (the config's model has it)", path.c_str(), name.c_str(),
                                 shape_text(want).c_str());
    if (e->shape != want)
      return Status::Error("%s: tensor %s has shape %s, the config's model %s", path.c_str(), name.c_str(),
                           shape_text(e->shape).c_str(), shape_text(want).c_str());
  }
  for (const TensorEntry& e : f.tensors()) {
    bool known = false;
    for (const Slot& sl : slots(m)) known = known || sl.part->params.name(sl.h) == e.name;
    for (Part* p : m.parts())
      for (int h = 0; h < p->params.count() && !known; ++h)
        for (int slot = 0; slot < 2; ++slot) {
          const char* state = optim_state_name(p->opt.cfg.kind, slot);
          known = known || (state && optim_name(*p, h, state) == e.name);
        }
    if (!known)
      return Status::Error("%s: tensor %s %s is not part of the config's model (docs/checkpoint.md lists the names "
                           "of each kind of model)", path.c_str(), e.name.c_str(), shape_text(e.shape).c_str());
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
  const std::string* fmt = f.meta("format");
  st = fmt && *fmt == kFormatV1 ? load_v1(f, path, m, &loaded) : load_v2(f, path, m, &loaded);
  if (!st) return st;
  for (Part* p : m.parts()) {
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
  return read_data(f, path, info);
}

Status open_checkpoint(const std::string& path, Config* c, std::unique_ptr<Model>* m, TrainState* s, int iw,
                       const std::string& device) {
  Status st = check_device(device);  // before the file: a bad flag is named first
  if (!st) return st;
  st = read_checkpoint_config(path, c);
  if (!st) return st;
  if (iw > 0) c->iw = iw;
  c->device = device;
  st = validate(*c);  // the stored sizes against their limits too (dgm/run/limits.h)
  if (!st) return st.prefixed(path);
  DataInfo info;
  st = read_data_info(path, &info);
  if (!st) return st;
  st = check_run_memory(*c, info);  // before build() allocates anything
  if (!st) return st.prefixed(path);
  *m = make_model(c->model, &st);
  if (!st) return st.prefixed(path);
  Rng rng(c->seed);
  ModelOptions mo;
  st = model_options(*c, &mo);
  if (!st) return st.prefixed(path);
  st = (*m)->build(mo, info, rng);
  if (!st) return st.prefixed(path);
  return load_checkpoint(path, **m, s);
}

}  // namespace dgm
