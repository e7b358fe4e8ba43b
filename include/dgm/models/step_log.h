// step_log.h - the named scalars of one training step or one evaluation (losses, D(x), D(G(z)),
// gradient norms), as a model reports them to the trainer, metrics.csv and the evaluator.
#pragma once
#include <limits>

namespace dgm {

// Fixed capacity, no allocation; names are string literals. add() of a name already there
// replaces its value.
struct StepLog {
  static constexpr int kMax = 16;
  const char* name[kMax];
  double value[kMax];
  int n = 0;
  void add(const char* key, double v);
  // The value logged as key, or `missing` when there is none.
  double get(const char* key, double missing = std::numeric_limits<double>::quiet_NaN()) const;
  void clear() { n = 0; }
};

}  // namespace dgm
