// main.cpp - doctest's main, with a DGM_CHECK handler that throws so that a failed check in the
// library becomes a test failure (or an expected exception in CHECK_THROWS tests).
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <stdexcept>

#include "dgm/core/check.h"

static void throwing_handler(const char* message) { throw std::runtime_error(message); }

int main(int argc, char** argv) {
  dgm::set_check_handler(throwing_handler);
  doctest::Context context(argc, argv);
  return context.run();
}
