// rng.cpp - PCG32 and the samplers built on it (see include/dgm/core/rng.h).
#include "dgm/core/rng.h"

#include <cmath>

#include "dgm/core/check.h"
#include "dgm/backend/device.h"
#include "dgm/backend/kernels.h"
#include "dgm/backend/parallel.h"
#include "dgm/backend/pcg.h"
#include "dgm/backend/vecmath.h"

namespace dgm {

// PCG32 seeding as in the reference implementation (pcg32_srandom_r).
Rng::Rng(std::uint64_t seed, std::uint64_t stream) {
  s_.state = 0;
  s_.inc = (stream << 1u) | 1u;
  next_u32();
  s_.state += seed;
  next_u32();
}

// state' = state * 6364136223846793005 + inc; output = rotr32(((s >> 18) ^ s) >> 27, s >> 59) of the
// old state: the step and the output are dgm/backend/pcg.h's, shared with the GPU's fills.
std::uint32_t Rng::next_u32() {
  const std::uint64_t old = s_.state;
  s_.state = old * hd::kPcgMult + s_.inc;
  return hd::pcg_output(old);
}

float Rng::uniform() { return static_cast<float>(next_u32() >> 8) * (1.0f / 16777216.0f); }

double Rng::uniform_double() {
  std::uint64_t hi = next_u32() >> 5, lo = next_u32() >> 6;  // 27 + 26 = 53 bits
  return static_cast<double>(hi * 67108864ULL + lo) * (1.0 / 9007199254740992.0);
}

float Rng::uniform(float lo, float hi) { return lo + (hi - lo) * uniform(); }

// Box-Muller: for u1, u2 ~ U(0,1), r = sqrt(-2 log u1), z1 = r cos(2 pi u2), z2 = r sin(2 pi u2)
// are independent N(0,1). The second is kept for the next call.
double Rng::normal_double() {
  double u1 = 1.0 - uniform_double();  // (0, 1]: log is finite
  double u2 = uniform_double();
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
}

// The float version: r = sqrt(-2 log u1), (cos, sin)(2 pi u2) from dgm/backend/vecmath.h (fast_log,
// fast_sincos_2pi: within 2 ulp of the library, and vectorizable, so fill_normal can make
// normals in blocks). normal() and fill_normal() give the same numbers in the same order.
float Rng::normal() {
  if (s_.has_spare) {
    s_.has_spare = 0;
    return s_.spare;
  }
  const float u1 = 1.0f - uniform();  // (0, 1]: log is finite
  const float u2 = uniform();
  const float r = std::sqrt(-2.0f * fast_log(u1));
  float s, c;
  fast_sincos_2pi(u2, &s, &c);
  s_.spare = r * s;
  s_.has_spare = 1;
  return r * c;
}

std::uint32_t Rng::below(std::uint32_t n) {
  DGM_CHECK(n > 0, "Rng::below: n must be positive");
  // Lemire-free classic rejection: drop the top values that would bias the modulo.
  std::uint32_t threshold = (0u - n) % n;
  for (;;) {
    std::uint32_t r = next_u32();
    if (r >= threshold) return r % n;
  }
}

// Fills of a device tensor (CUDA builds) run on the GPU, through the CUDA kernel table: element j
// is computed from the j-th draw after the current state by jumping ahead (src/backend/kernels_hd.h),
// and the state here is advanced past the fill exactly as the loop below would have advanced it.
void Rng::fill_uniform(Tensor t, float lo, float hi) {
  const std::size_t n = t.size();
  if (on_device(t.data)) return kernels_for(Device::CUDA).fill_uniform(t.data, n, &s_, lo, hi);
  for (std::size_t i = 0; i < n; ++i) t.data[i] = uniform(lo, hi);
}

namespace {

constexpr std::size_t kFillChunk = 8192;  // normals per task of a parallel fill (a multiple of 2 kBlock)

// Normals of n_blocks blocks of kBlock Box-Muller pairs into y, drawn from (and advancing) s:
// u1, u2 per pair in the order Rng::normal() draws them; the logs, square roots and sines of
// a block computed in vector registers.
void normal_blocks(RngState& s, float* y, std::size_t n_blocks, float mean, float stddev) {
  auto uniform = [&s] {
    const std::uint64_t old = s.state;
    s.state = old * hd::kPcgMult + s.inc;
    return static_cast<float>(hd::pcg_output(old) >> 8) * (1.0f / 16777216.0f);
  };
  for (std::size_t b = 0; b < n_blocks; ++b, y += 2 * kBlock) {
    float u1[kBlock], u2[kBlock], r[kBlock], sn[kBlock], cs[kBlock];
    for (std::size_t k = 0; k < kBlock; ++k) {
      u1[k] = 1.0f - uniform();
      u2[k] = uniform();
    }
    for (std::size_t k = 0; k < kBlock; ++k) r[k] = -2.0f * fast_log(u1[k]);
    sqrt_block(r);
    for (std::size_t k = 0; k < kBlock; ++k) fast_sincos_2pi(u2[k], &sn[k], &cs[k]);
    for (std::size_t k = 0; k < kBlock; ++k) {
      y[2 * k] = mean + stddev * (r[k] * cs[k]);
      y[2 * k + 1] = mean + stddev * (r[k] * sn[k]);
    }
  }
}

}  // namespace

// t[i] = mean + stddev * normal(), i = 0, 1, ...: the same values as calling normal() n times
// (the uniforms are drawn in the same order), but the logs, square roots and sines of kBlock
// pairs at a time are computed in vector registers, and a large fill runs in chunks of
// kFillChunk normals on the worker threads: chunk c starts from the state 2 * c * (kFillChunk / 2)
// draws ahead (PCG32's jump-ahead, dgm/backend/pcg.h), so the numbers are those of the serial
// loop whatever the thread count (a GAN's z, 512 x 256, is 16 chunks).
void Rng::fill_normal(Tensor t, float mean, float stddev) {
  const std::size_t n = t.size();
  if (on_device(t.data)) return kernels_for(Device::CUDA).fill_normal(t.data, n, &s_, mean, stddev);
  float* y = t.data;
  std::size_t i = 0;
  if (n > 0 && s_.has_spare) y[i++] = mean + stddev * normal();  // the pending second normal
  const std::size_t blocks = (n - i) / (2 * kBlock), per_chunk = kFillChunk / (2 * kBlock);
  const RngState s0 = s_;
  auto chunks = [&](std::size_t b0, std::size_t b1) {
    RngState s = s0;
    s.state = hd::pcg_advance(s0.state, s0.inc, 2 * kBlock * b0);  // a pair of draws per pair of normals
    normal_blocks(s, y + i + 2 * kBlock * b0, b1 - b0, mean, stddev);
  };
  parallel_chunks(blocks, per_chunk, chunks);
  s_.state = hd::pcg_advance(s0.state, s0.inc, 2 * kBlock * blocks);
  for (i += 2 * kBlock * blocks; i < n; ++i) y[i] = mean + stddev * normal();
}

}  // namespace dgm
