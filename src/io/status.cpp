// status.cpp - Status::Error formats its message printf-style (see include/dgm/status.h).
#include "dgm/status.h"

#include <cstdarg>
#include <cstdio>

namespace dgm {

Status Status::Error(const char* format, ...) {
  Status s;
  s.ok = false;
  va_list args;
  va_start(args, format);
  va_list again;
  va_copy(again, args);
  int n = std::vsnprintf(nullptr, 0, format, args);
  va_end(args);
  if (n > 0) {
    s.message.resize(static_cast<std::size_t>(n) + 1);
    std::vsnprintf(&s.message[0], s.message.size(), format, again);
    s.message.resize(static_cast<std::size_t>(n));
  } else if (n < 0) {
    s.message = format;  // an encoding error in the arguments: keep at least the format
  }
  va_end(again);
  if (s.message.empty()) s.message = "error";  // an error always says something
  return s;
}

}  // namespace dgm
