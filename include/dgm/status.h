// status.h - the result of an operation that can fail because of its input (a file, a flag).
//
// The core never throws. Functions that read files or parse flags return a Status: ok, or a
// message that says what was expected, what was found, and where.
#pragma once
#include <string>

namespace dgm {

struct Status {
  bool ok = true;
  std::string message;  // empty when ok

  static Status Ok() { return Status{}; }
  static Status Error(const char* format, ...)
#if defined(__GNUC__)
      __attribute__((format(printf, 1, 2)))
#endif
      ;
  explicit operator bool() const { return ok; }
};

}  // namespace dgm
