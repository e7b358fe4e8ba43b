// rng.h - the project's own seeded random number generator.
//
// Algorithm: PCG32 (O'Neill 2014, "PCG: A Family of Simple Fast Space-Efficient Statistically Good
// Algorithms for Random Number Generation"), XSH-RR output on a 64-bit LCG state. Same seed, same
// stream -> the same bits on every machine and compiler. Normals by the Box-Muller transform.
// The whole state (including a cached second normal) is plain data, saved in checkpoints.
#pragma once
#include <cstdint>

#include "dgm/backend/pcg.h"
#include "dgm/core/tensor.h"

namespace dgm {

class Rng {
 public:
  explicit Rng(std::uint64_t seed = 42, std::uint64_t stream = 54);
  std::uint32_t next_u32();
  float uniform();            // [0, 1), 24 random bits
  double uniform_double();    // [0, 1), 53 random bits
  float uniform(float lo, float hi);
  float normal();             // N(0, 1)
  double normal_double();     // N(0, 1) in double precision (theory checks)
  std::uint32_t below(std::uint32_t n);  // uniform integer in [0, n), unbiased
  void fill_uniform(Tensor t, float lo, float hi);
  void fill_normal(Tensor t, float mean = 0.f, float stddev = 1.f);

  RngState state() const { return s_; }
  void set_state(const RngState& s) { s_ = s; }

 private:
  RngState s_;
};

}  // namespace dgm
