// status.cpp - Status::Error formatting (see include/dgm/io/status.h).
#include "dgm/io/status.h"

#include <cstdarg>
#include <cstdio>

namespace dgm {

Status Status::Error(const char* format, ...) {
  Status s;
  s.ok = false;
  char buf[512];
  va_list args;
  va_start(args, format);
  int len = std::vsnprintf(buf, sizeof buf, format, args);
  va_end(args);
  if (len < 0) {
    s.message = "(unformattable error message)";
  } else if (static_cast<std::size_t>(len) < sizeof buf) {
    s.message.assign(buf, static_cast<std::size_t>(len));
  } else {  // longer than the stack buffer: format again into a string of the right size
    s.message.resize(static_cast<std::size_t>(len) + 1);
    va_start(args, format);
    std::vsnprintf(&s.message[0], s.message.size(), format, args);
    va_end(args);
    s.message.resize(static_cast<std::size_t>(len));
  }
  return s;
}

Status& Status::prefixed(const std::string& where) {
  if (!ok && !where.empty()) message = where + ": " + message;
  return *this;
}

}  // namespace dgm
