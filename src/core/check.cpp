// check.cpp - the replaceable handler behind DGM_CHECK (see include/dgm/core/check.h).
#include "dgm/core/check.h"

#include <cstdarg>
#include <cstdio>
#include <cstdlib>

namespace dgm {
namespace {

void default_handler(const char* message) {
  std::fprintf(stderr, "dgm: check failed: %s\n", message);
  std::fflush(stderr);
  std::abort();
}

CheckHandler g_handler = default_handler;

}  // namespace

CheckHandler set_check_handler(CheckHandler handler) {
  CheckHandler old = g_handler;
  g_handler = handler ? handler : default_handler;
  return old;
}

void check_failed(const char* file, int line, const char* format, ...) {
  char message[512];
  int n = std::snprintf(message, sizeof message, "%s:%d: ", file, line);
  if (n < 0 || n >= static_cast<int>(sizeof message)) n = 0;
  va_list args;
  va_start(args, format);
  std::vsnprintf(message + n, sizeof message - static_cast<std::size_t>(n), format, args);
  va_end(args);
  g_handler(message);
  std::abort();  // a handler must not return
}

}  // namespace dgm
