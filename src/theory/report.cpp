// report.cpp - printing and counting for the theory checks (see include/dgm/theory/report.h).
#include "dgm/theory/report.h"

#include <cmath>
#include <cstdarg>

namespace dgm {

bool Report::record(bool ok) {
  ++comparisons_;
  if (!ok) ++failures_;
  return ok;
}

bool Report::close(const char* what, double lhs, double rhs, double tol) {
  double diff = std::fabs(lhs - rhs);
  bool ok = diff <= tol;  // false for NaN
  if (out_)
    std::fprintf(out_, "    %-52s %.9g vs %.9g  |diff| %.3g <= %.3g  %s\n", what, lhs, rhs, diff, tol,
                 ok ? "PASS" : "FAIL");
  return record(ok);
}

bool Report::close_rel(const char* what, double lhs, double rhs, double rel_tol) {
  double diff = std::fabs(lhs - rhs);
  double scale = std::fmax(std::fabs(lhs), std::fabs(rhs));
  bool ok = diff <= rel_tol * scale;
  if (out_)
    std::fprintf(out_, "    %-52s %.9g vs %.9g  rel diff %.3g <= %.3g  %s\n", what, lhs, rhs,
                 scale > 0 ? diff / scale : 0.0, rel_tol, ok ? "PASS" : "FAIL");
  return record(ok);
}

bool Report::at_most(const char* what, double lhs, double rhs, double tol) {
  bool ok = lhs <= rhs + tol;
  if (out_)
    std::fprintf(out_, "    %-52s %.9g <= %.9g (+%.3g)  %s\n", what, lhs, rhs, tol, ok ? "PASS" : "FAIL");
  return record(ok);
}

bool Report::holds(const char* what, bool condition) {
  if (out_) std::fprintf(out_, "    %-52s %s\n", what, condition ? "PASS" : "FAIL");
  return record(condition);
}

void Report::skip(const char* what, const char* why) {
  ++skipped_;
  if (out_) std::fprintf(out_, "    %-52s SKIPPED (%s)\n", what, why);
}

void Report::note(const char* format, ...) {
  if (!out_) return;
  std::fprintf(out_, "    ");
  va_list args;
  va_start(args, format);
  std::vfprintf(out_, format, args);
  va_end(args);
  std::fprintf(out_, "\n");
}

}  // namespace dgm
