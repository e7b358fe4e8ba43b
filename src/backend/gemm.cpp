// gemm.cpp - matrix multiply: the reference triple loop and the cache-blocked, threaded kernel.
//
// The blocked gemm follows the usual BLIS/GotoBLAS plan, kept as plain C++ that the compiler
// vectorizes (no intrinsics):
//   1. pack op(A) into row panels of MR rows, stored k-major:   Ap[panel][k][0..MR)
//      pack op(B) into column panels of NR columns, k-major:   Bp[panel][k][0..NR)
//      (zero-padded past the edges, so the micro-kernel never branches);
//   2. split C into tiles of MC x NC; one task computes one tile: for each block of kc values of
//      k (in increasing order), for each NR-panel, for each MR-panel, the micro-kernel adds the
//      (MR x kc) * (kc x NR) product into C.
// The micro-kernel keeps an MR x NR block of C in registers (MR*NR/16 = 16 zmm registers with
// AVX-512): per k it loads NR floats of B and broadcasts MR floats of A, i.e. MR*NR fused
// multiply-adds per MR+NR loads.
//
// Determinism: tiles, k-blocks and the order of every sum depend only on (M, N, K), never on the
// thread count or on which thread runs a tile, so the result is bitwise the same for 1, 2 or 64
// threads. Per element, C = ((C0 + s_0) + s_1) + ... where s_b is the sum over k-block b in
// increasing k, accumulated with fused multiply-adds when the target has them (__FMA__).
//
// Memory: the packed panels live in two buffers owned by this file, grown when a larger problem
// comes and otherwise reused, so steady-state calls do not touch the heap. Consequently gemm is
// not reentrant: call it from one thread at a time (it parallelizes internally).
#include "dgm/gemm.h"

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "dgm/check.h"
#include "dgm/parallel.h"

#if defined(__GNUC__)
#define DGM_RESTRICT __restrict
#else
#define DGM_RESTRICT
#endif

namespace dgm {

void gemm_naive(bool trans_a, bool trans_b, int M, int N, int K, const float* A, int lda,
                const float* B, int ldb, float* C, int ldc, bool accumulate) {
  DGM_CHECK(M >= 0 && N >= 0 && K >= 0, "gemm_naive: negative size M=%d N=%d K=%d", M, N, K);
  for (int i = 0; i < M; ++i) {
    for (int j = 0; j < N; ++j) {
      float s = 0.0f;  // sum over k = 0..K-1 in increasing order
      for (int k = 0; k < K; ++k) {
        const float a = trans_a ? A[static_cast<std::size_t>(k) * lda + i]
                                : A[static_cast<std::size_t>(i) * lda + k];
        const float b = trans_b ? B[static_cast<std::size_t>(j) * ldb + k]
                                : B[static_cast<std::size_t>(k) * ldb + j];
        s += a * b;
      }
      float& c = C[static_cast<std::size_t>(i) * ldc + j];
      c = accumulate ? c + s : s;
    }
  }
}

namespace {

// Register tile of the micro-kernel: MR rows x NR columns of C.
constexpr int MR = 8;
constexpr int NR = 32;
// Cache blocking: a task owns an MC x NC tile of C; k is taken in blocks of at most KC so that
// the B micro-panel (KC x NR floats, 32 KiB) stays near L1 and the tile's slice of Ap
// (MC x KC floats, 64 KiB) in L2 while it is reused.
constexpr int KC = 256;
constexpr int MC = 64;   // multiple of MR
constexpr int NC = 128;  // multiple of NR
// Below this many multiply-adds (M*N*K) a call runs on the calling thread only: waking the
// workers would cost more than it saves. Does not change results (same tiles either way).
constexpr double kMinParallelWork = 1 << 20;

inline float madd(float a, float b, float c) {
#if defined(__FMA__)
  return std::fma(a, b, c);  // one rounding; compiles to vfmadd
#else
  return a * b + c;
#endif
}

// C (MR, NR) = [C +] a (kc, MR)^T * b (kc, NR): a and b are packed panels (k-major).
void micro_kernel(int kc, const float* DGM_RESTRICT a, const float* DGM_RESTRICT b,
                  float* DGM_RESTRICT c, int ldc, bool add) {
  float acc[MR][NR] = {};
  for (int p = 0; p < kc; ++p) {
    const float* ap = a + p * MR;
    const float* bp = b + p * NR;
#pragma GCC unroll 16
    for (int i = 0; i < MR; ++i) {
      const float ai = ap[i];
#pragma GCC unroll 32
      for (int j = 0; j < NR; ++j) acc[i][j] = madd(ai, bp[j], acc[i][j]);
    }
  }
  for (int i = 0; i < MR; ++i) {
    float* ci = c + static_cast<std::size_t>(i) * ldc;
    if (add) {
      for (int j = 0; j < NR; ++j) ci[j] += acc[i][j];
    } else {
      for (int j = 0; j < NR; ++j) ci[j] = acc[i][j];
    }
  }
}

// A growable 64-byte-aligned float buffer that is never shrunk.
struct Buffer {
  void* raw = nullptr;
  float* data = nullptr;
  std::size_t capacity = 0;  // floats

  float* reserve(std::size_t n) {
    if (n > capacity) {
      std::free(raw);
      raw = std::malloc(n * sizeof(float) + 64);
      DGM_CHECK(raw != nullptr, "gemm: out of memory packing %zu floats", n);
      const std::uintptr_t p = reinterpret_cast<std::uintptr_t>(raw);
      data = reinterpret_cast<float*>((p + 63) & ~static_cast<std::uintptr_t>(63));
      capacity = n;
    }
    return data;
  }
  ~Buffer() { std::free(raw); }
};

Buffer g_apack, g_bpack;

// Everything a task needs; tasks read it and write only their own part of Ap, Bp or C.
struct Job {
  bool trans_a, trans_b, accumulate;
  int M, N, K;
  const float* A;
  int lda;
  const float* B;
  int ldb;
  float* C;
  int ldc;
  float* Ap;  // m_panels x K x MR
  float* Bp;  // n_panels x K x NR
  int m_panels, n_panels;
  int a_group, b_group;        // panels packed per packing task
  int a_tasks, b_tasks;        // packing tasks
  int k_blocks, kc;            // K = k_blocks blocks of kc (the last may be shorter)
  int tiles_m, tiles_n;        // C tiles
};

// Packs rows [ip*MR, ip*MR+MR) of op(A) into Ap[ip] as (K, MR), zero rows past M.
void pack_a_panel(const Job& J, int ip) {
  const int i0 = ip * MR;
  const int rows = J.M - i0 < MR ? J.M - i0 : MR;
  float* dst = J.Ap + static_cast<std::size_t>(ip) * J.K * MR;
  if (J.trans_a) {  // A stored (K, M): row k holds op(A)[., k]
    for (int k = 0; k < J.K; ++k) {
      const float* src = J.A + static_cast<std::size_t>(k) * J.lda + i0;
      float* d = dst + static_cast<std::size_t>(k) * MR;
      for (int i = 0; i < rows; ++i) d[i] = src[i];
      for (int i = rows; i < MR; ++i) d[i] = 0.0f;
    }
  } else {  // A stored (M, K)
    for (int i = 0; i < MR; ++i) {
      if (i < rows) {
        const float* src = J.A + static_cast<std::size_t>(i0 + i) * J.lda;
        for (int k = 0; k < J.K; ++k) dst[static_cast<std::size_t>(k) * MR + i] = src[k];
      } else {
        for (int k = 0; k < J.K; ++k) dst[static_cast<std::size_t>(k) * MR + i] = 0.0f;
      }
    }
  }
}

// Packs columns [jp*NR, jp*NR+NR) of op(B) into Bp[jp] as (K, NR), zero columns past N.
void pack_b_panel(const Job& J, int jp) {
  const int j0 = jp * NR;
  const int cols = J.N - j0 < NR ? J.N - j0 : NR;
  float* dst = J.Bp + static_cast<std::size_t>(jp) * J.K * NR;
  if (J.trans_b) {  // B stored (N, K): a transpose, done in strips of 16 k for locality
    constexpr int KS = 16;
    for (int k0 = 0; k0 < J.K; k0 += KS) {
      const int kn = J.K - k0 < KS ? J.K - k0 : KS;
      for (int j = 0; j < NR; ++j) {
        float* d = dst + static_cast<std::size_t>(k0) * NR + j;
        if (j < cols) {
          const float* src = J.B + static_cast<std::size_t>(j0 + j) * J.ldb + k0;
          for (int k = 0; k < kn; ++k) d[k * NR] = src[k];
        } else {
          for (int k = 0; k < kn; ++k) d[k * NR] = 0.0f;
        }
      }
    }
  } else {  // B stored (K, N)
    for (int k = 0; k < J.K; ++k) {
      const float* src = J.B + static_cast<std::size_t>(k) * J.ldb + j0;
      float* d = dst + static_cast<std::size_t>(k) * NR;
      for (int j = 0; j < cols; ++j) d[j] = src[j];
      for (int j = cols; j < NR; ++j) d[j] = 0.0f;
    }
  }
}

void pack_task(void* ctx, int t) {
  const Job& J = *static_cast<const Job*>(ctx);
  if (t < J.a_tasks) {
    const int end = (t + 1) * J.a_group < J.m_panels ? (t + 1) * J.a_group : J.m_panels;
    for (int ip = t * J.a_group; ip < end; ++ip) pack_a_panel(J, ip);
  } else {
    t -= J.a_tasks;
    const int end = (t + 1) * J.b_group < J.n_panels ? (t + 1) * J.b_group : J.n_panels;
    for (int jp = t * J.b_group; jp < end; ++jp) pack_b_panel(J, jp);
  }
}

// Computes tile t of C (row-major order over the tile grid).
void tile_task(void* ctx, int t) {
  const Job& J = *static_cast<const Job*>(ctx);
  const int i0 = (t / J.tiles_n) * MC, j0 = (t % J.tiles_n) * NC;
  const int i1 = i0 + MC < J.M ? i0 + MC : J.M;
  const int j1 = j0 + NC < J.N ? j0 + NC : J.N;
  for (int kb = 0; kb < J.k_blocks; ++kb) {
    const int k0 = kb * J.kc;
    const int kc = J.K - k0 < J.kc ? J.K - k0 : J.kc;
    const bool add = J.accumulate || kb > 0;
    for (int j = j0; j < j1; j += NR) {
      const float* bp = J.Bp + (static_cast<std::size_t>(j / NR) * J.K + k0) * NR;
      const int nr = j1 - j < NR ? j1 - j : NR;
      for (int i = i0; i < i1; i += MR) {
        const float* ap = J.Ap + (static_cast<std::size_t>(i / MR) * J.K + k0) * MR;
        const int mr = i1 - i < MR ? i1 - i : MR;
        float* c = J.C + static_cast<std::size_t>(i) * J.ldc + j;
        if (mr == MR && nr == NR) {
          micro_kernel(kc, ap, bp, c, J.ldc, add);
        } else {  // edge: compute the full register tile, keep the part inside C
          float tmp[MR * NR];
          micro_kernel(kc, ap, bp, tmp, NR, false);
          for (int r = 0; r < mr; ++r) {
            float* cr = c + static_cast<std::size_t>(r) * J.ldc;
            for (int q = 0; q < nr; ++q) cr[q] = add ? cr[q] + tmp[r * NR + q] : tmp[r * NR + q];
          }
        }
      }
    }
  }
}

void run_tasks(bool parallel, int n, void (*fn)(void*, int), void* ctx) {
  if (parallel) {
    parallel_for(n, fn, ctx);
  } else {
    for (int t = 0; t < n; ++t) fn(ctx, t);
  }
}

inline int ceil_div(int a, int b) { return (a + b - 1) / b; }

}  // namespace

void gemm(bool trans_a, bool trans_b, int M, int N, int K, const float* A, int lda,
          const float* B, int ldb, float* C, int ldc, bool accumulate) {
  DGM_CHECK(M >= 0 && N >= 0 && K >= 0, "gemm: negative size M=%d N=%d K=%d", M, N, K);
  DGM_CHECK(lda >= (trans_a ? M : K), "gemm: lda=%d too small for A stored (%d, %d)", lda,
            trans_a ? K : M, trans_a ? M : K);
  DGM_CHECK(ldb >= (trans_b ? K : N), "gemm: ldb=%d too small for B stored (%d, %d)", ldb,
            trans_b ? N : K, trans_b ? K : N);
  DGM_CHECK(ldc >= N, "gemm: ldc=%d too small for C (%d, %d)", ldc, M, N);
  if (M == 0 || N == 0) return;
  if (K == 0) {  // empty sum: C = 0, or C unchanged when accumulating
    if (!accumulate)
      for (int i = 0; i < M; ++i)
        for (int j = 0; j < N; ++j) C[static_cast<std::size_t>(i) * ldc + j] = 0.0f;
    return;
  }

  Job J;
  J.trans_a = trans_a;
  J.trans_b = trans_b;
  J.accumulate = accumulate;
  J.M = M;
  J.N = N;
  J.K = K;
  J.A = A;
  J.lda = lda;
  J.B = B;
  J.ldb = ldb;
  J.C = C;
  J.ldc = ldc;
  J.m_panels = ceil_div(M, MR);
  J.n_panels = ceil_div(N, NR);
  J.Ap = g_apack.reserve(static_cast<std::size_t>(J.m_panels) * MR * K);
  J.Bp = g_bpack.reserve(static_cast<std::size_t>(J.n_panels) * NR * K);
  // About 32K floats per packing task.
  J.a_group = (1 << 15) / (MR * K) > 1 ? (1 << 15) / (MR * K) : 1;
  J.b_group = (1 << 15) / (NR * K) > 1 ? (1 << 15) / (NR * K) : 1;
  J.a_tasks = ceil_div(J.m_panels, J.a_group);
  J.b_tasks = ceil_div(J.n_panels, J.b_group);
  J.k_blocks = ceil_div(K, KC);
  J.kc = ceil_div(K, J.k_blocks);  // equal blocks: 784 = 4 x 196, not 3 x 256 + 16
  J.tiles_m = ceil_div(M, MC);
  J.tiles_n = ceil_div(N, NC);

  const bool parallel = static_cast<double>(M) * N * K >= kMinParallelWork;
  run_tasks(parallel, J.a_tasks + J.b_tasks, pack_task, &J);
  run_tasks(parallel, J.tiles_m * J.tiles_n, tile_task, &J);
}

std::size_t gemm_workspace_floats() { return g_apack.capacity + g_bpack.capacity; }

}  // namespace dgm
