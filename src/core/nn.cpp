// nn.cpp - Linear layers, activations, and the MLP (see include/dgm/core/nn.h).
#include "dgm/core/nn.h"

#include <cmath>

#include "dgm/core/check.h"
#include "dgm/core/names.h"
#include "dgm/core/ops.h"

namespace dgm {

namespace {

// The one table of activation names; `hidden`: --act may choose it.
struct ActName {
  Act act;
  const char* name;
  bool hidden;
};
constexpr ActName kActs[] = {
    {Act::None, "none", false},  {Act::ReLU, "relu", true},         {Act::LeakyReLU, "leaky", true},
    {Act::Tanh, "tanh", true},   {Act::Sigmoid, "sigmoid", false},
};

}  // namespace

bool parse_act(const std::string& name, Act* out) {
  for (const ActName& a : kActs)
    if (name == a.name) {
      *out = a.act;
      return true;
    }
  return false;
}

const char* act_name(Act a) {
  for (const ActName& e : kActs)
    if (e.act == a) return e.name;
  return "?";
}

bool hidden_act(Act a) {
  for (const ActName& e : kActs)
    if (e.act == a) return e.hidden;
  return false;
}

const char* hidden_act_names() {
  static const std::string list = [] {
    std::vector<const char*> n;
    for (const ActName& e : kActs)
      if (e.hidden) n.push_back(e.name);
    return name_list(n.data(), static_cast<int>(n.size()));
  }();
  return list.c_str();
}

Var activate(Tape& t, Var x, Act a) {
  switch (a) {
    case Act::None: return x;
    case Act::ReLU: return relu(t, x);
    case Act::LeakyReLU: return leaky_relu(t, x, 0.2f);
    case Act::Tanh: return tanh(t, x);
    case Act::Sigmoid: return sigmoid(t, x);
  }
  return x;
}

Linear make_linear(ParamStore& p, const std::string& name, int in, int out) {
  DGM_CHECK(in > 0 && out > 0, "make_linear(%s): sizes must be positive, got in %d out %d", name.c_str(),
            in, out);
  Linear l;
  l.in = in;
  l.out = out;
  l.W = p.add(name + ".weight", make_shape(out, in));
  l.b = p.add(name + ".bias", make_shape(out));
  return l;
}

// W, b ~ U(-1/sqrt(in), 1/sqrt(in)), as PyTorch's nn.Linear (kaiming_uniform with a = sqrt(5)).
void init_linear(ParamStore& p, const Linear& l, Rng& rng) {
  const float bound = 1.f / std::sqrt(static_cast<float>(l.in));
  rng.fill_uniform(p.value(l.W), -bound, bound);
  rng.fill_uniform(p.value(l.b), -bound, bound);
}

Var forward(Tape& t, const ParamStore& p, const Linear& l, Var x) {
  return linear(t, x, p.var(t, l.W), p.var(t, l.b));
}

MLP make_mlp(ParamStore& p, const std::string& name, const std::vector<int>& sizes, Act hidden,
             Act output) {
  DGM_CHECK(sizes.size() >= 2, "make_mlp(%s): need at least input and output sizes, got %zu",
            name.c_str(), sizes.size());
  MLP m;
  m.hidden = hidden;
  m.output = output;
  for (std::size_t i = 0; i + 1 < sizes.size(); ++i)
    m.layers.push_back(make_linear(p, name + "." + std::to_string(i), sizes[i], sizes[i + 1]));
  return m;
}

void init_mlp(ParamStore& p, const MLP& m, Rng& rng) {
  for (const Linear& l : m.layers) init_linear(p, l, rng);
}

Var forward(Tape& t, const ParamStore& p, const MLP& m, Var x) {
  for (std::size_t i = 0; i < m.layers.size(); ++i) {
    x = forward(t, p, m.layers[i], x);
    x = activate(t, x, i + 1 < m.layers.size() ? m.hidden : m.output);
  }
  return x;
}

}  // namespace dgm
