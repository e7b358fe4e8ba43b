// pcg.h - the state of PCG32 (O'Neill 2014; include/dgm/core/rng.h is the generator) and the
// arithmetic on it that the CPU's Rng and the GPU's fills share: the output of a step and the
// jump-ahead of the state. Plain data and DGM_HD functions: the backend (src/backend/gpu.h,
// kernels_hd.h) uses them without the core's Rng, so the backend includes nothing above it.
#pragma once
#include <cstdint>

#include "dgm/backend/compiler.h"  // DGM_HD

namespace dgm {

struct RngState {
  std::uint64_t state = 0;
  std::uint64_t inc = 0;
  std::uint32_t has_spare = 0;  // Box-Muller makes normals in pairs; the second one waits here
  float spare = 0.f;
};

namespace hd {

constexpr std::uint64_t kPcgMult = 6364136223846793005ULL;

// The output of the step that leaves `old` (Rng::next_u32's XSH-RR).
DGM_HD inline std::uint32_t pcg_output(std::uint64_t old) {
  const std::uint32_t xorshifted = static_cast<std::uint32_t>(((old >> 18u) ^ old) >> 27u);
  const std::uint32_t rot = static_cast<std::uint32_t>(old >> 59u);
  return (xorshifted >> rot) | (xorshifted << ((32u - rot) & 31u));
}

// The LCG state after `delta` steps of s <- a s + inc, in O(log delta) (Brown 1994, "Random
// number generation with arbitrary strides"): a step is the affine map (a, inc); squaring it
// (a, c) o (a, c) = (a^2, (a + 1) c) doubles the stride, and the bits of delta pick the strides.
DGM_HD inline std::uint64_t pcg_advance(std::uint64_t state, std::uint64_t inc, std::uint64_t delta) {
  std::uint64_t cur_mult = kPcgMult, cur_plus = inc, acc_mult = 1u, acc_plus = 0u;
  while (delta > 0) {
    if (delta & 1u) {
      acc_mult *= cur_mult;
      acc_plus = acc_plus * cur_mult + cur_plus;
    }
    cur_plus = (cur_mult + 1u) * cur_plus;
    cur_mult *= cur_mult;
    delta >>= 1u;
  }
  return acc_mult * state + acc_plus;
}

}  // namespace hd
}  // namespace dgm
