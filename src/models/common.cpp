// common.cpp - small helpers every model uses, and the model registry.
#include <cstring>

#include "dgm/models/model.h"

namespace dgm {

void StepLog::add(const char* key, double v) {
  for (int i = 0; i < n; ++i)
    if (!std::strcmp(name[i], key)) {
      value[i] = v;
      return;
    }
  if (n < kMax) {
    name[n] = key;
    value[n] = v;
    ++n;
  }
}

OptimConfig optim_config(const Config& c, float lr) {
  OptimConfig o;
  parse_optim_kind(c.optim, &o.kind);
  o.lr = lr;
  o.beta1 = c.beta1;
  o.momentum = c.momentum;
  return o;
}

Act config_act(const Config& c) {
  Act a = Act::ReLU;
  parse_act(c.act, &a);
  return a;
}

std::vector<int> mlp_sizes(int in, const std::vector<int>& hidden, int out, bool mirror) {
  std::vector<int> s{in};
  if (mirror)
    s.insert(s.end(), hidden.rbegin(), hidden.rend());
  else
    s.insert(s.end(), hidden.begin(), hidden.end());
  s.push_back(out);
  return s;
}

void finish_part(Part& p, const Config& c, float lr, std::initializer_list<const MLP*> nets, Rng& rng) {
  const Device dev = config_device(c);
  p.params.set_device(dev);
  p.params.finalize();
  for (const MLP* m : nets) init_mlp(p.params, *m, rng);  // on the device: the same draws (rng.cpp)
  p.opt = Optimizer(optim_config(c, lr), p.params.size(), dev);
}

double scalar(Tape& t, Var v) { return static_cast<double>(t.host_copy(t.value(v)).data[0]); }

double mean_rows(Tape& t, Var v) {
  const Tensor h = t.host_copy(t.value(v));
  double s = 0.0;
  for (int r = 0; r < h.rows(); ++r) s += h.data[r];
  return s / h.rows();
}

Device model_device(Model& m) {
  const std::vector<Part*> parts = m.parts();
  return parts.empty() ? Device::CPU : parts[0]->params.device();
}

std::size_t parameter_count(Model& m) {
  std::size_t n = 0;
  std::vector<std::string> seen;
  for (Part* p : m.parts())
    for (int h = 0; h < p->params.count(); ++h) {
      const std::string& name = p->params.name(h);
      bool mirror = false;
      for (const std::string& s : seen) mirror = mirror || s == name;
      if (mirror) continue;
      seen.push_back(name);
      n += p->params.value(h).size();
    }
  return n;
}

Device config_device(const Config& c) { return c.device == "cuda" ? Device::CUDA : Device::CPU; }

const char* model_names() { return "ae, dae, vae, gan, cgan, aae, wgan, made"; }

std::unique_ptr<Model> make_model(const std::string& name, Status* st) {
  std::unique_ptr<Model> m;
  if (name == "ae") m = make_ae(false);
  else if (name == "dae") m = make_ae(true);
  else if (name == "vae") m = make_vae();
  else if (name == "gan") m = make_gan();
  else if (name == "cgan") m = make_cgan();
  else if (name == "wgan") m = make_wgan();
  else if (name == "aae") m = make_aae();
  else if (name == "made") m = make_made();
  if (!m) *st = Status::Error("unknown or unavailable model '%s' (models: %s)", name.c_str(), model_names());
  else *st = Status::Ok();
  return m;
}

}  // namespace dgm
