// step_log.cpp - StepLog (include/dgm/models/step_log.h).
#include "dgm/models/step_log.h"

#include <cstring>

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

double StepLog::get(const char* key, double missing) const {
  for (int i = 0; i < n; ++i)
    if (!std::strcmp(name[i], key)) return value[i];
  return missing;
}

}  // namespace dgm
