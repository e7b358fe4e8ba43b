// check.h - the one check macro for programmer errors (shape mismatch, bad index).
//
// The core never throws and never calls exit. A failed DGM_CHECK formats a message that names
// the op and the shapes involved and hands it to a replaceable handler. The default handler
// prints the message to stderr and aborts; tests install one that throws, so a bad shape becomes
// a test failure instead of undefined behaviour. If a handler returns, abort() is called.
#pragma once

namespace dgm {

// Called with "file:line: message". Must not return normally (throw, longjmp or abort).
using CheckHandler = void (*)(const char* message);

// Installs a handler and returns the previous one; nullptr restores the default (print + abort).
CheckHandler set_check_handler(CheckHandler handler);

// Formats the message printf-style and calls the handler. Never returns.
[[noreturn]] void check_failed(const char* file, int line, const char* format, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

}  // namespace dgm

// DGM_CHECK(condition, "op: what is wrong %s %s", shape_a, shape_b)
#define DGM_CHECK(cond, ...)                                          \
  do {                                                                \
    if (!(cond)) ::dgm::check_failed(__FILE__, __LINE__, __VA_ARGS__); \
  } while (0)
