// nn.h - Linear layers and a multi-layer perceptron built from them.
//
// Initialisation (same as PyTorch's nn.Linear, so our runs compare with PyTorch's): every weight
// and bias ~ U(-1/sqrt(in), 1/sqrt(in)), where `in` is the layer's fan-in.
#pragma once
#include <string>
#include <vector>

#include "dgm/core/params.h"
#include "dgm/core/rng.h"
#include "dgm/core/tape.h"

namespace dgm {

enum class Act { None, ReLU, LeakyReLU, Tanh, Sigmoid };
// "none" | "relu" | "leaky" | "tanh" | "sigmoid" (one table, nn.cpp); false on an unknown name.
bool parse_act(const std::string& name, Act* out);
const char* act_name(Act a);
// Whether --act may choose a (a hidden layer's: relu, leaky, tanh), and those names as a message
// lists them ("relu, leaky or tanh").
bool hidden_act(Act a);
const char* hidden_act_names();
Var activate(Tape& t, Var x, Act a);  // LeakyReLU slope 0.2

struct Linear {
  int W = -1;  // W: (out, in)
  int b = -1;  // b: (out)
  int in = 0, out = 0;
};
// Declares W and b in the store as "<name>.weight" (out, in) and "<name>.bias" (out): the names
// and shapes of PyTorch's nn.Linear, so a checkpoint reads as a PyTorch state_dict.
Linear make_linear(ParamStore& p, const std::string& name, int in, int out);
void init_linear(ParamStore& p, const Linear& l, Rng& rng);
Var forward(Tape& t, const ParamStore& p, const Linear& l, Var x);  // x: (B, in) -> (B, out)

struct MLP {
  std::vector<Linear> layers;
  Act hidden = Act::ReLU;  // after every layer but the last
  Act output = Act::None;  // after the last layer
};
// sizes = {in, h1, ..., out}; layers named "<name>.0", "<name>.1", ...
MLP make_mlp(ParamStore& p, const std::string& name, const std::vector<int>& sizes, Act hidden,
             Act output);
void init_mlp(ParamStore& p, const MLP& m, Rng& rng);
Var forward(Tape& t, const ParamStore& p, const MLP& m, Var x);

}  // namespace dgm
