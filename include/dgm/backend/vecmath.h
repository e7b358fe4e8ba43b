// vecmath.h - exp, log, tanh, sigmoid, softplus, sin/cos and sqrt in a form the compiler
// vectorizes: straight-line float arithmetic, no library calls, no branches (selects only).
//
// Why: the C library's expf/tanhf/log1pf are calls, so a loop over them runs one element at a
// time (tanhf alone was half of the GAN's training time), and GCC at -O2 does not vectorize
// std::sqrt (it keeps the errno path). The functions here are inline, so a loop over a block of
// kBlock elements with a constant trip count (see the element-wise kernels in src/backend/cpu_kernels.cpp)
// compiles to AVX-512/AVX2 code. Plain IEEE float operations in a fixed order: the same bits on
// every machine with the same instruction set, whatever the thread count (no -ffast-math).
//
// Accuracy, measured against the double-precision C library over every 7th float of the range
// (test/test_vecmath.cpp is the reference test): fast_exp <= 1 ulp, fast_log <= 2 ulp,
// fast_tanh <= 3 ulp, fast_sigmoid <= 3 ulp, fast_softplus <= 4 ulp, fast_sincos_2pi <= 2 x 2^-24
// absolute. (GCC may contract a * b + c into one fused multiply-add, its default for C++; that
// moves a last bit between builds, e.g. exp 1.1 ulp at -O1, but not between thread counts.) Subnormal results of fast_exp are exact powers of two times
// the polynomial, as in the library; NaN in gives NaN out.
//
// Method (the textbook one; Muller, "Elementary Functions", ch. 11):
//   exp(x) = 2^n e^r,  n = round(x / ln 2),  r = x - n ln 2 in [-ln2/2, ln2/2] (ln 2 split in a
//            high part with trailing zero bits and a low part, so n * ln2_hi is exact), e^r by its
//            Taylor polynomial of degree 7 (remainder r^8/8! < 2^-30), 2^n built from its bits.
//   log(x) = k ln 2 + log(m),  x = 2^k m, m in [sqrt(1/2), sqrt(2)),
//            log(m) = 2 atanh(s) = 2 (s + s^3/3 + ... + s^11/11),  s = (m - 1)/(m + 1), |s| < 0.172.
//   tanh(x) = sign(x) (1 - e) / (1 + e), e = exp(-2|x|), for |x| >= 0.3; below, the odd Taylor
//            series to x^13 (the 1 - e would cancel).
#pragma once
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>

#if (defined(__AVX__) || defined(__SSE2__)) && !defined(__CUDACC__)
#include <immintrin.h>
#endif

#include "dgm/backend/compiler.h"  // DGM_HD, DGM_INLINE, DGM_RESTRICT

namespace dgm {

// Elementwise kernels walk their arrays in blocks of this many floats (one AVX-512 register),
// then finish the remainder one element at a time with the same function.
constexpr std::size_t kBlock = 16;

// body(i) for i in [0, n): blocks of kBlock with a constant trip count, which GCC vectorizes at
// -O2 when the body is straight-line and the arrays are declared __restrict, then the remainder
// one at a time with the same body.
template <class Body>
DGM_FLATTEN void for_blocks(std::size_t n, Body body) {
  std::size_t i = 0;
  for (; i + kBlock <= n; i += kBlock)
    for (std::size_t k = 0; k < kBlock; ++k) body(i + k);
  for (; i < n; ++i) body(i);
}

DGM_HD DGM_INLINE float bits_float(std::uint32_t u) {
#if defined(__CUDA_ARCH__)
  return __uint_as_float(u);
#else
  float f;
  std::memcpy(&f, &u, sizeof f);
  return f;
#endif
}
DGM_HD DGM_INLINE std::uint32_t float_bits(float f) {
#if defined(__CUDA_ARCH__)
  return __float_as_uint(f);
#else
  std::uint32_t u;
  std::memcpy(&u, &f, sizeof u);
  return u;
#endif
}

// e^x. Overflows to +inf above log(FLT_MAX) = 88.72, underflows to 0 (through subnormals) below -103.97.
DGM_HD DGM_INLINE float fast_exp(float x) {
  const float xc = x < -104.f ? -104.f : (x > 89.f ? 89.f : x);
  // n = round(x / ln 2) by the 1.5 * 2^23 trick (exact in round-to-nearest); its low bits are n.
  const float t = xc * 1.44269504088896341f + 12582912.f;
  const float n = t - 12582912.f;
  const std::int32_t ni = static_cast<std::int32_t>(float_bits(t)) - 0x4B400000;
  const float r = (xc - n * 0.693145751953125f) - n * 1.428606765330187e-06f;  // x - n ln 2
  float p = 1.f / 5040.f;  // e^r = sum_{k=0}^{7} r^k / k!, Horner
  p = p * r + 1.f / 720.f;
  p = p * r + 1.f / 120.f;
  p = p * r + 1.f / 24.f;
  p = p * r + 1.f / 6.f;
  p = p * r + 0.5f;
  p = p * r + 1.f;
  p = p * r + 1.f;
  // 2^n = 2^h 2^(n-h), both factors normal floats for n in [-150, 128]
  const std::int32_t h = ni / 2;
  const float s1 = bits_float(static_cast<std::uint32_t>(h + 127) << 23);
  const float s2 = bits_float(static_cast<std::uint32_t>(ni - h + 127) << 23);
  const float y = p * s1 * s2;  // overflows to inf, or underflows to 0, by itself at the ends
  return x != x ? x : y;
}

// log x for x > 0 and normal (the callers pass values in [2^-24, 2]); log 1 = 0 exactly.
DGM_HD DGM_INLINE float fast_log(float x) {
  const std::uint32_t u = float_bits(x);
  std::int32_t k = static_cast<std::int32_t>((u >> 23) & 0xff) - 127;
  float m = bits_float((u & 0x007fffffu) | 0x3f800000u);  // x = 2^k m, m in [1, 2)
  const bool hi = m > 1.41421356f;
  m = hi ? 0.5f * m : m;
  k = hi ? k + 1 : k;
  const float s = (m - 1.f) / (m + 1.f), s2 = s * s;
  float p = 1.f / 11.f;  // atanh(s) / s = sum_j s^(2j) / (2j + 1)
  p = p * s2 + 1.f / 9.f;
  p = p * s2 + 1.f / 7.f;
  p = p * s2 + 1.f / 5.f;
  p = p * s2 + 1.f / 3.f;
  const float lm = 2.f * s + 2.f * s * s2 * p;
  const float kf = static_cast<float>(k);
  return (kf * 0.693145751953125f + lm) + kf * 1.428606765330187e-06f;
}

// log(1 + x) for x in [0, 1]: log of u = 1 + x, plus the rounding error of 1 + x divided by u
// (log(u + c) ~ log u + c/u), which keeps full relative accuracy for tiny x.
DGM_HD DGM_INLINE float fast_log1p01(float x) {
  const float u = 1.f + x;
  const float c = (x - (u - 1.f)) / u;
  return fast_log(u) + c;
}

// tanh x. Odd; tanh(+-inf) = +-1; NaN stays NaN.
DGM_HD DGM_INLINE float fast_tanh(float x) {
  const float a = std::fabs(x);
  const float e = fast_exp(-2.f * a);
  const float big = (1.f - e) / (1.f + e);
  // tanh a = a - a^3/3 + 2a^5/15 - 17a^7/315 + 62a^9/2835 - 1382a^11/155925 + 21844a^13/6081075
  const float a2 = a * a;
  float p = 21844.f / 6081075.f;
  p = p * a2 - 1382.f / 155925.f;
  p = p * a2 + 62.f / 2835.f;
  p = p * a2 - 17.f / 315.f;
  p = p * a2 + 2.f / 15.f;
  p = p * a2 - 1.f / 3.f;
  const float small = a + a * a2 * p;
  const float r = a < 0.3f ? small : big;
  return x != x ? x : std::copysign(r, x);
}

// sigmoid(x) = 1 / (1 + e^-x), from e = e^-|x| <= 1 (never overflows):
//   x >= 0: 1 / (1 + e);   x < 0: e / (1 + e)
DGM_HD DGM_INLINE float fast_sigmoid(float x) {
  const float e = fast_exp(-std::fabs(x));
  const float r = 1.f / (1.f + e);
  return x >= 0.f ? r : e * r;
}

// softplus(x) = log(1 + e^x) = max(x, 0) + log1p(e^-|x|)
DGM_HD DGM_INLINE float fast_softplus(float x) {
  const float m = x > 0.f ? x : 0.f;
  return m + fast_log1p01(fast_exp(-std::fabs(x)));
}

// sin(2 pi u) and cos(2 pi u) for u in [0, 1] (Box-Muller's angle). 4u = q + f with q an integer
// and f in [-1/2, 1/2], both exact; a = f pi/2 in [-pi/4, pi/4], where the Taylor series to a^13
// (sin) and a^12 (cos) are within 2^-30; the quadrant q mod 4 swaps and negates them.
DGM_HD DGM_INLINE void fast_sincos_2pi(float u, float* s_out, float* c_out) {
  const float t = 4.f * u;
  const float qf = (t + 12582912.f) - 12582912.f;  // round(t)
  const std::int32_t q = static_cast<std::int32_t>(qf) & 3;
  const float a = (t - qf) * 1.57079632679489662f, a2 = a * a;
  float ps = -1.f / 6227020800.f;  // sin a = a (1 - a^2/3! + a^4/5! - ... - a^12/13!)
  ps = ps * a2 + 1.f / 39916800.f;
  ps = ps * a2 - 1.f / 362880.f;
  ps = ps * a2 + 1.f / 5040.f;
  ps = ps * a2 - 1.f / 120.f;
  ps = ps * a2 + 1.f / 6.f;
  const float sa = a - a * a2 * ps;
  float pc = 1.f / 479001600.f;  // cos a = 1 - a^2/2! + a^4/4! - ... + a^12/12!
  pc = pc * a2 - 1.f / 3628800.f;
  pc = pc * a2 + 1.f / 40320.f;
  pc = pc * a2 - 1.f / 720.f;
  pc = pc * a2 + 1.f / 24.f;
  pc = pc * a2 - 0.5f;
  const float ca = 1.f + a2 * pc;
  // angle = (q + f) pi/2:  q=0: (sa, ca)  q=1: (ca, -sa)  q=2: (-sa, -ca)  q=3: (-ca, sa)
  const float s = (q & 1) ? ca : sa;
  const float c = (q & 1) ? sa : ca;
  *s_out = (q == 2 || q == 3) ? -s : s;
  *c_out = (q == 1 || q == 2) ? -c : c;
}

// q[k] = sqrt(q[k]) for a block of kBlock floats. A loop over std::sqrt is not vectorized by GCC
// at -O2 (the errno path), so x86 builds use the vector square-root instruction. IEEE 754
// square roots are correctly rounded, so every branch gives the same bits as std::sqrt.
DGM_INLINE void sqrt_block(float* q) {
#if defined(__AVX__) && !defined(__CUDACC__)  // (also with AVX-512: GCC 12 warns falsely inside _mm512_sqrt_ps)
  for (std::size_t k = 0; k < kBlock; k += 8) _mm256_storeu_ps(q + k, _mm256_sqrt_ps(_mm256_loadu_ps(q + k)));
#elif defined(__SSE2__) && !defined(__CUDACC__)
  for (std::size_t k = 0; k < kBlock; k += 4) _mm_storeu_ps(q + k, _mm_sqrt_ps(_mm_loadu_ps(q + k)));
#else
  for (std::size_t k = 0; k < kBlock; ++k) q[k] = std::sqrt(q[k]);
#endif
}

}  // namespace dgm
