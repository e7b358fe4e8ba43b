// status.h - the result of anything that reads input (files, flags): ok, or a message.
//
// Input errors are not programmer errors: a truncated download or a wrong --data flag must give
// the user a sentence and a non-zero exit, never an abort. Library functions that read input
// return a Status; the message says what was expected, what was found, and where, e.g.
//   "datasets/x/train-images-idx3-ubyte.gz: gzip CRC mismatch: trailer says 0x1234abcd,
//    data gives 0x0badf00d"
// The caller (the `dgm` command) prints it and exits; the library never exits.
// [[nodiscard]]: ignoring a returned Status is a compiler warning (an error with -Werror).
#pragma once
#include <string>

namespace dgm {

struct [[nodiscard]] Status {
  bool ok = true;
  std::string message;  // empty when ok

  static Status Ok() { return Status(); }
  // printf-style message; the result has ok == false.
  static Status Error(const char* format, ...)
#if defined(__GNUC__)
      __attribute__((format(printf, 1, 2)))
#endif
      ;

  // "where: message" (no change when ok). Returns *this, so `return s.prefixed(path);` works.
  Status& prefixed(const std::string& where);

  explicit operator bool() const { return ok; }
};

}  // namespace dgm
