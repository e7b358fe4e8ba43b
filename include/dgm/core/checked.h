// checked.h - size arithmetic that says when it overflows instead of wrapping (or, for signed
// integers, being undefined behaviour).
//
// Every size computed from an untrusted value (a flag, a file's header, a checkpoint's metadata)
// is multiplied and added with these: checked_mul / checked_add return false on overflow and
// leave *out alone; sat_mul / sat_add saturate at UINT64_MAX, for totals that are compared with a
// limit afterwards (a saturated total is above any limit, so it is refused, never wrapped).
// Header-only, no exceptions: the core (params, arena) uses it too.
#pragma once
#include <cstdint>
#include <limits>

namespace dgm {

inline bool checked_mul(std::uint64_t a, std::uint64_t b, std::uint64_t* out) {
  if (a != 0 && b > std::numeric_limits<std::uint64_t>::max() / a) return false;
  *out = a * b;
  return true;
}

inline bool checked_add(std::uint64_t a, std::uint64_t b, std::uint64_t* out) {
  if (b > std::numeric_limits<std::uint64_t>::max() - a) return false;
  *out = a + b;
  return true;
}

// a * b for non-negative ints (e.g. batch * k rows), false if either is negative or the product
// does not fit an int.
inline bool checked_mul(int a, int b, int* out) {
  if (a < 0 || b < 0) return false;
  const long long p = static_cast<long long>(a) * static_cast<long long>(b);  // exact: |a|, |b| < 2^31
  if (p > std::numeric_limits<int>::max()) return false;
  *out = static_cast<int>(p);
  return true;
}

inline std::uint64_t sat_mul(std::uint64_t a, std::uint64_t b) {
  std::uint64_t r;
  return checked_mul(a, b, &r) ? r : std::numeric_limits<std::uint64_t>::max();
}

inline std::uint64_t sat_add(std::uint64_t a, std::uint64_t b) {
  std::uint64_t r;
  return checked_add(a, b, &r) ? r : std::numeric_limits<std::uint64_t>::max();
}

}  // namespace dgm
