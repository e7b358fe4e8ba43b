// kernels_hd.h - the per-thread bodies of the CUDA kernels that are worth checking on the CPU:
// the random fills (PCG32 jump-ahead, Box-Muller pairs) and the tiled GEMM. Each is a plain
// function of its thread's index, marked DGM_HD (__host__ __device__ under nvcc, nothing
// otherwise), so src/backend/cuda.cu runs them on the GPU and test/test_cuda_math.cpp runs the
// very same code on the CPU, over every index, against Rng and gemm_naive. That test runs in
// every build, with or without a GPU: it is how the GPU's indexing logic gets exercised in CI.
#pragma once
#include <cmath>
#include <cstdint>

#include "dgm/backend/pcg.h"
#include "dgm/backend/vecmath.h"

namespace dgm {
namespace hd {

// ---- PCG32 draws (dgm/backend/pcg.h: the step, its output, jump-ahead) ----
// Rng::uniform() from a 32-bit draw: 24 random bits in [0, 1).
DGM_HD inline float uniform_from(std::uint32_t u) { return static_cast<float>(u >> 8) * (1.0f / 16777216.0f); }

// Element j of Rng::fill_uniform(t, lo, hi) started from (state, inc): the j-th draw.
DGM_HD inline float fill_uniform_at(std::uint64_t state, std::uint64_t inc, std::uint64_t j, float lo, float hi) {
  return lo + (hi - lo) * uniform_from(pcg_output(pcg_advance(state, inc, j)));
}

DGM_HD inline float sqrt_hd(float x) {
#if defined(__CUDA_ARCH__)
  return sqrtf(x);  // IEEE correctly rounded (nvcc's default -prec-sqrt=true), as std::sqrt
#else
  return std::sqrt(x);
#endif
}

// Box-Muller pair k of a fill started from (state, inc) (Rng::normal / Rng::fill_normal): draws
// 2k and 2k + 1 are u1 = 1 - uniform(), u2 = uniform(); r = sqrt(-2 log u1);
// first = r cos(2 pi u2) (what normal() returns), second = r sin(2 pi u2) (the spare).
DGM_HD inline void normal_pair_at(std::uint64_t state, std::uint64_t inc, std::uint64_t k, float* first,
                                  float* second) {
  const std::uint64_t s0 = pcg_advance(state, inc, 2u * k);
  const float u1 = 1.0f - uniform_from(pcg_output(s0));
  const float u2 = uniform_from(pcg_output(s0 * kPcgMult + inc));
  const float r = sqrt_hd(-2.0f * fast_log(u1));
  float sn, cs;
  fast_sincos_2pi(u2, &sn, &cs);
  *first = r * cs;
  *second = r * sn;
}

// Element j of Rng::fill_normal(t, mean, stddev) started from state s (n elements):
// with a pending spare (s.has_spare), element 0 is it and the pairs start at element 1.
// Elements o + 2k and o + 2k + 1 (o = has_spare) are the two halves of pair k.
DGM_HD inline float fill_normal_at(const RngState& s, std::uint64_t j, float mean, float stddev) {
  if (s.has_spare && j == 0) return mean + stddev * s.spare;
  const std::uint64_t e = j - (s.has_spare ? 1u : 0u);
  float first, second;
  normal_pair_at(s.state, s.inc, e / 2u, &first, &second);
  return mean + stddev * ((e & 1u) ? second : first);
}

// The Rng state after fill_normal of n elements from s: every pair's two draws consumed, and
// the spare pending if the last pair's second half was not used.
inline RngState state_after_fill_normal(const RngState& s, std::uint64_t n) {
  RngState r = s;
  if (n == 0) return r;
  const std::uint64_t o = s.has_spare ? 1u : 0u;
  const std::uint64_t fresh = n - o, pairs = (fresh + 1u) / 2u;
  r.state = pcg_advance(s.state, s.inc, 2u * pairs);
  r.has_spare = 0;
  if (fresh & 1u) {
    float first, second;
    normal_pair_at(s.state, s.inc, pairs - 1u, &first, &second);
    r.has_spare = 1;
    r.spare = second;
  }
  return r;
}

// ---- the Bernoulli NLL term (src/backend/cpu_kernels.cpp, the CUDA bce kernels; formula in src/core/ops_loss.cpp) ----
// softplus(l) - x l, and sigmoid(l) into *sig, both from e = e^-|l| <= 1.
DGM_HD DGM_INLINE float bce_term(float l, float x, float* sig) {
  const float e = fast_exp(-std::fabs(l));
  const float inv = 1.f / (1.f + e);
  *sig = l >= 0.f ? inv : e * inv;
  return (l > 0.f ? l : 0.f) + fast_log1p01(e) - x * l;
}

// ---- tiled SGEMM: C (M, N) (+)= op(A) (M, K) op(B) (K, N), as dgm::gemm (include/dgm/backend/gemm.h) ----
// A block of 256 threads computes a 64 x 64 tile of C; thread tid = 16 ty + tx owns the 4 x 4
// elements (row0 + ty + 16 i, col0 + tx + 16 j), i, j in 0..3 (strided, so a warp's shared-memory
// reads of B are consecutive and its global stores of C are 16 consecutive floats). K is walked
// in slices of 16: the threads load op(A)'s (64, 16) and op(B)'s (16, 64) slices into shared
// memory (zeros outside the matrices), synchronise, and each adds its 4 x 4 outer products.
constexpr int kTileM = 64, kTileN = 64, kTileK = 16, kGemmThreads = 256;

struct GemmShared {
  float a[kTileK][kTileM + 4];  // a[k][m] = op(A)[row0 + m, k0 + k]  (+4: fewer bank conflicts on stores)
  float b[kTileK][kTileN];      // b[k][n] = op(B)[k0 + k, col0 + n]
};

struct GemmArgs {
  bool ta, tb;
  int M, N, K;
  const float* A;
  int lda;
  const float* B;
  int ldb;
  float* C;
  int ldc;
  bool accumulate;
  const float* bias;  // (N) added to every row when not accumulating (the linear layer), or null
};

// Phase 1 of a K slice, thread tid: 4 elements of each shared tile.
DGM_HD inline void gemm_load(GemmShared& sh, const GemmArgs& g, int tid, int row0, int col0, int k0) {
  for (int l = 0; l < 4; ++l) {
    const int idx = tid + l * kGemmThreads;  // 0 .. 1023
    // op(A) slice: along k for a row-major A (consecutive in memory), along m for A^T
    int m, k;
    if (!g.ta) m = idx / kTileK, k = idx % kTileK;
    else k = idx / kTileM, m = idx % kTileM;
    const int gm = row0 + m, gk = k0 + k;
    float va = 0.f;
    if (gm < g.M && gk < g.K) va = g.ta ? g.A[static_cast<long>(gk) * g.lda + gm] : g.A[static_cast<long>(gm) * g.lda + gk];
    sh.a[k][m] = va;
    // op(B) slice: along n for a row-major B, along k for B^T
    int n;
    if (!g.tb) k = idx / kTileN, n = idx % kTileN;
    else n = idx / kTileK, k = idx % kTileK;
    const int gn = col0 + n;
    const int gk2 = k0 + k;
    float vb = 0.f;
    if (gn < g.N && gk2 < g.K) vb = g.tb ? g.B[static_cast<long>(gn) * g.ldb + gk2] : g.B[static_cast<long>(gk2) * g.ldb + gn];
    sh.b[k][n] = vb;
  }
}

// Phase 2 of a K slice: acc[i][j] += sum_k a[k][ty + 16 i] b[k][tx + 16 j], k in order.
DGM_HD inline void gemm_accumulate(const GemmShared& sh, int tid, float acc[4][4]) {
  const int tx = tid % 16, ty = tid / 16;
  for (int k = 0; k < kTileK; ++k) {
    float av[4], bv[4];
    for (int i = 0; i < 4; ++i) av[i] = sh.a[k][ty + 16 * i];
    for (int j = 0; j < 4; ++j) bv[j] = sh.b[k][tx + 16 * j];
    for (int i = 0; i < 4; ++i)
      for (int j = 0; j < 4; ++j) acc[i][j] += av[i] * bv[j];
  }
}

// After the last slice: C = acc (+ bias), or C += acc.
DGM_HD inline void gemm_store(const GemmArgs& g, int tid, int row0, int col0, const float acc[4][4]) {
  const int tx = tid % 16, ty = tid / 16;
  for (int i = 0; i < 4; ++i) {
    const int r = row0 + ty + 16 * i;
    if (r >= g.M) continue;
    for (int j = 0; j < 4; ++j) {
      const int c = col0 + tx + 16 * j;
      if (c >= g.N) continue;
      float* dst = g.C + static_cast<long>(r) * g.ldc + c;
      if (g.accumulate) *dst += acc[i][j];
      else *dst = g.bias ? g.bias[c] + acc[i][j] : acc[i][j];
    }
  }
}

// Split K (for products with few output tiles and a long K, e.g. the VAE's x W^T: M 128, N 400,
// K 784 is only 14 tiles for 132 SMs): split s of S computes the same product over its own
// K range [s per, (s + 1) per) (per a multiple of kTileK) into its own (M, N) slice of ws;
// gemm_split_reduce then adds the S slices in order s = 0, 1, ... A fixed S for a given shape
// and a fixed order: the result does not depend on scheduling.
DGM_HD inline GemmArgs gemm_split(const GemmArgs& g, int s, int S, float* ws) {
  const int per = ((g.K + S - 1) / S + kTileK - 1) / kTileK * kTileK;
  const int kb = s * per < g.K ? s * per : g.K;
  const int ke = kb + per < g.K ? kb + per : g.K;
  GemmArgs p = g;
  p.K = ke - kb;
  p.A = g.ta ? g.A + static_cast<long>(kb) * g.lda : g.A + kb;  // op(A) columns kb.. = A^T rows kb..
  p.B = g.tb ? g.B + kb : g.B + static_cast<long>(kb) * g.ldb;
  p.C = ws + static_cast<long>(s) * g.M * g.N;
  p.ldc = g.N;
  p.accumulate = false;
  p.bias = nullptr;
  return p;
}

// Output element i (row-major over (M, N)): C = (C if accumulating, else bias or 0) + the sum of
// the S partial products, in split order.
DGM_HD inline void gemm_split_reduce(const GemmArgs& g, int S, const float* ws, long i) {
  const long mn = static_cast<long>(g.M) * g.N;
  float v = 0.f;
  for (int s = 0; s < S; ++s) v += ws[s * mn + i];
  const int r = static_cast<int>(i / g.N), c = static_cast<int>(i % g.N);
  float* dst = g.C + static_cast<long>(r) * g.ldc + c;
  const float base = g.accumulate ? *dst : (g.bias ? g.bias[c] : 0.f);
  *dst = base + v;
}

}  // namespace hd
}  // namespace dgm
