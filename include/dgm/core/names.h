// names.h - a list of choices as a message names them: "a, b or c". Used by the tables of
// activations (nn.cpp), optimizers (optim.cpp), models (models/kinds.cpp) and the options of
// src/run/model_options.cpp, so each message lists the table it reads, not a copy of it.
#pragma once
#include <string>

namespace dgm {

inline std::string name_list(const char* const* names, int n) {
  std::string s;
  for (int i = 0; i < n; ++i) s += std::string(i == 0 ? "" : i + 1 == n ? " or " : ", ") + names[i];
  return s;
}

}  // namespace dgm
