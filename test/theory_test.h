// theory_test.h - runs one registered theory check silently, for the doctest suite: every check
// of `dgm theory` is also a test case.
#pragma once
#include <doctest/doctest.h>

#include "dgm/theory/report.h"

// True when the check exists, made at least one comparison, and every comparison passed.
inline bool run_theory_silently(const char* name) {
  const dgm::TheoryCheck* c = dgm::find_theory_check(name);
  REQUIRE(c != nullptr);
  return dgm::run_theory_check(*c, nullptr);
}
