// common.cpp - small helpers every model uses (the table of models: kinds.cpp).
#include "dgm/models/model.h"

#include <cmath>

namespace dgm {

std::vector<int> mlp_sizes(int in, const std::vector<int>& hidden, int out, bool mirror) {
  std::vector<int> s{in};
  if (mirror)
    s.insert(s.end(), hidden.rbegin(), hidden.rend());
  else
    s.insert(s.end(), hidden.begin(), hidden.end());
  s.push_back(out);
  return s;
}

void finish_part(Part& p, const OptimConfig& opt, Device dev, std::initializer_list<const MLP*> nets, Rng& rng) {
  p.params.set_device(dev);
  p.params.finalize();
  for (const MLP* m : nets) init_mlp(p.params, *m, rng);  // on the device: the same draws (rng.cpp)
  p.opt = Optimizer(opt, p.params.size(), dev);
}

double scalar(Tape& t, Var v) { return static_cast<double>(t.host_copy(t.value(v)).data[0]); }

double mean_rows(Tape& t, Var v) {
  const Tensor h = t.host_copy(t.value(v));
  double s = 0.0;
  for (int r = 0; r < h.rows(); ++r) s += h.data[r];
  return s / h.rows();
}

double mean_sigmoid(Tape& t, Var logits) {
  const Tensor l = t.host_copy(t.value(logits));
  double s = 0.0;
  for (std::size_t i = 0; i < l.size(); ++i) s += 1.0 / (1.0 + std::exp(-static_cast<double>(l.data[i])));
  return l.size() ? s / static_cast<double>(l.size()) : 0.0;
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

}  // namespace dgm
