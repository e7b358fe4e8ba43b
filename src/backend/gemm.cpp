// gemm.cpp - matrix multiply: the reference triple loop and the cache-blocked, threaded kernel.
//
// The blocked gemm follows the usual BLIS/GotoBLAS plan, kept as plain C++ that the compiler
// vectorizes (no intrinsics). C is split into blocks (tasks) by a rule that looks only at the
// shape: column blocks of 1 to 4 NR-column panels, aiming at 8 or more tasks, and row blocks
// only when N alone gives too few. One task computes one block of C:
//   for each block of kc values of k, in increasing order:
//     pack op(B)[k-block, the task's columns] into NR-column panels, k-major, zero-padded past
//       the last column, in this thread's own buffer (written and read by the same core);
//     for each MR-row panel of A, for each NR-panel: the micro-kernel adds the
//       (MR x kc) * (kc x NR) product into C.
// op(A) is read in place (the kernel broadcasts single elements, so any stride will do), except
// a last panel of fewer than MR rows, which the caller copies into a zero-padded (K, MR) buffer.
// The micro-kernel keeps an MR x NR block of C in registers (8 x 32 = 16 zmm registers with
// AVX-512): per k it loads NR floats of B and broadcasts MR floats of A, i.e. MR*NR fused
// multiply-adds per MR+NR loads. Check with objdump -d that it compiled to vfmadd231ps on zmm.
//
// Determinism: tiles, k-blocks and the order of every sum depend only on (M, N, K), never on the
// thread count or on which thread runs a tile, so the result is bitwise the same for 1, 2 or 64
// threads. Per element, C = ((C0 + s_0) + s_1) + ... where s_b is the sum over k-block b in
// increasing k, accumulated with fused multiply-adds when the target has them (__FMA__). The
// order does not depend on MR or NR either, so AVX2 and AVX-512 builds agree bit for bit; a
// build without FMA (PORTABLE=1 on plain x86-64) rounds differently.
//
// Memory: the packed blocks live in buffers owned by this file (one per thread, at most
// KC x 4*NR floats each, plus MR x K for a partial panel of A), grown when a larger problem comes
// and otherwise reused, so steady-state calls do not touch the heap. Consequently gemm is not
// reentrant: call it from one thread at a time (it parallelizes internally).
#include "dgm/gemm.h"

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <vector>

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

// Register tile of the micro-kernel: MR rows x NR columns of C, sized so that the MR*NR
// accumulators fill about half the vector registers (measured best on this Zen 4 for each
// instruction set; any values are correct, since the tests only compare results).
#if defined(__AVX512F__)
constexpr int MR = 8, NR = 32;  // 16 zmm accumulators
#elif defined(__AVX__)
constexpr int MR = 4, NR = 24;  // 12 ymm accumulators
#else
constexpr int MR = 6, NR = 8;  // 12 xmm accumulators (SSE2)
#endif
// Cache blocking: k is taken in blocks of at most KC, and a task's packed block of B, at most
// KC x (kMaxPanels * NR) floats (128 KiB with AVX-512), stays in L2 while every MR-row panel of
// A streams past it.
constexpr int KC = 256;
constexpr int kMaxPanels = 4;  // NR-panels per task
constexpr int kMinTasks = 8;   // split C into at least this many tasks when the shape allows
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

// C (MR, NR) = [C +] a (MR, kc) * b (kc, NR). a[i][p] is a[i * a_rs + p * a_ks], so a is
// read in place from op(A) whether or not A is transposed; b is a packed panel (k-major).
void micro_kernel(int kc, const float* DGM_RESTRICT a, std::ptrdiff_t a_rs, std::ptrdiff_t a_ks,
                  const float* DGM_RESTRICT b, float* DGM_RESTRICT c, int ldc, bool add) {
  float acc[MR][NR] = {};
  for (int p = 0; p < kc; ++p) {
    const float* ap = a + p * a_ks;
    const float* bp = b + p * NR;
#pragma GCC unroll 16
    for (int i = 0; i < MR; ++i) {
      const float ai = ap[i * a_rs];
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

  Buffer() = default;
  Buffer(const Buffer&) = delete;
  Buffer& operator=(const Buffer&) = delete;
  Buffer(Buffer&& o) noexcept : raw(o.raw), data(o.data), capacity(o.capacity) {
    o.raw = nullptr;
    o.data = nullptr;
    o.capacity = 0;
  }
  ~Buffer() { std::free(raw); }

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
};

// Packed B blocks, one buffer per thread (indexed by worker_index()): a block is written and
// read by the same core, which matters when the two cores do not share a cache.
std::vector<Buffer> g_bpack;
Buffer g_apack;  // the last, partial MR-row panel of op(A), packed by the calling thread

// Everything a task needs; tasks read it and write only their own block of C.
struct Job {
  bool trans_a, trans_b, accumulate;
  int M, N, K;
  const float* A;
  int lda;
  const float* B;
  int ldb;
  float* C;
  int ldc;
  const float* Ap;         // (K, MR): rows [M / MR * MR, M) of op(A), zero-padded; or null
  int k_blocks, kc;        // K = k_blocks blocks of kc (the last may be shorter)
  int task_cols;           // columns of C per task (a multiple of NR)
  int task_rows;           // rows of C per task (a multiple of MR)
  int tasks_n, tasks_m;    // the task grid; task t is block (t / tasks_n, t % tasks_n)
};

// Packs op(B)[k0 : k0+kc, j0 : j0+cols) into dst as NR-column panels, each (kc, NR), zero
// columns past `cols`.
void pack_b(const Job& J, int k0, int kc, int j0, int cols, float* DGM_RESTRICT dst) {
  for (int q = 0; q * NR < cols; ++q, dst += static_cast<std::size_t>(kc) * NR) {
    const int jq = j0 + q * NR;
    const int n = cols - q * NR < NR ? cols - q * NR : NR;
    if (J.trans_b && n == NR) {  // B stored (N, K): a transpose, one k (NR strided loads) at a time
      const float* src = J.B + static_cast<std::size_t>(jq) * J.ldb + k0;
      const std::size_t ldb = static_cast<std::size_t>(J.ldb);
      for (int k = 0; k < kc; ++k) {
        float* d = dst + static_cast<std::size_t>(k) * NR;
        for (int j = 0; j < NR; ++j) d[j] = src[j * ldb + k];
      }
    } else if (J.trans_b) {  // the last, partial panel of a transposed B
      for (int j = 0; j < NR; ++j) {
        float* d = dst + j;
        const float* src = J.B + static_cast<std::size_t>(jq + j) * J.ldb + k0;
        for (int k = 0; k < kc; ++k) d[static_cast<std::size_t>(k) * NR] = j < n ? src[k] : 0.0f;
      }
    } else if (n == NR) {  // B stored (K, N), a full panel: fixed-length copies (vectorized)
      for (int k = 0; k < kc; ++k) {
        const float* src = J.B + static_cast<std::size_t>(k0 + k) * J.ldb + jq;
        float* d = dst + static_cast<std::size_t>(k) * NR;
        for (int j = 0; j < NR; ++j) d[j] = src[j];
      }
    } else {  // the last, partial panel
      for (int k = 0; k < kc; ++k) {
        const float* src = J.B + static_cast<std::size_t>(k0 + k) * J.ldb + jq;
        float* d = dst + static_cast<std::size_t>(k) * NR;
        for (int j = 0; j < NR; ++j) d[j] = j < n ? src[j] : 0.0f;
      }
    }
  }
}

// Packs rows [i0, M) of op(A), fewer than MR, into dst as (K, MR) with zero rows below.
void pack_a_edge(const Job& J, int i0, float* dst) {
  const int rows = J.M - i0;
  for (int k = 0; k < J.K; ++k) {
    float* d = dst + static_cast<std::size_t>(k) * MR;
    for (int i = 0; i < MR; ++i)
      d[i] = i >= rows     ? 0.0f
             : J.trans_a ? J.A[static_cast<std::size_t>(k) * J.lda + i0 + i]
                         : J.A[static_cast<std::size_t>(i0 + i) * J.lda + k];
  }
}

// Computes one block of C: for each k-block (in increasing k), pack that slice of B into this
// thread's buffer, then for each MR-row panel of A and each NR-panel of B, the micro-kernel.
void gemm_task(void* ctx, int t) {
  const Job& J = *static_cast<const Job*>(ctx);
  const int i0 = (t / J.tasks_n) * J.task_rows, j0 = (t % J.tasks_n) * J.task_cols;
  const int i1 = i0 + J.task_rows < J.M ? i0 + J.task_rows : J.M;
  const int j1 = j0 + J.task_cols < J.N ? j0 + J.task_cols : J.N;
  float* bpack = g_bpack[static_cast<std::size_t>(worker_index())].data;
  // op(A)[i][k] = A[i * a_rs + k * a_ks]
  const std::ptrdiff_t a_rs = J.trans_a ? 1 : J.lda, a_ks = J.trans_a ? J.lda : 1;
  for (int kb = 0; kb < J.k_blocks; ++kb) {
    const int k0 = kb * J.kc;
    const int kc = J.K - k0 < J.kc ? J.K - k0 : J.kc;
    const bool add = J.accumulate || kb > 0;
    pack_b(J, k0, kc, j0, j1 - j0, bpack);
    for (int i = i0; i < i1; i += MR) {
      const int mr = i1 - i < MR ? i1 - i : MR;
      const float* a = J.A + i * a_rs + k0 * a_ks;
      std::ptrdiff_t rs = a_rs, ks = a_ks;
      if (mr < MR) {  // only at the bottom of C: the zero-padded copy
        a = J.Ap + static_cast<std::size_t>(k0) * MR;
        rs = 1;
        ks = MR;
      }
      for (int j = j0; j < j1; j += NR) {
        const float* bp = bpack + static_cast<std::size_t>((j - j0) / NR) * kc * NR;
        const int nr = j1 - j < NR ? j1 - j : NR;
        float* c = J.C + static_cast<std::size_t>(i) * J.ldc + j;
        if (mr == MR && nr == NR) {
          micro_kernel(kc, a, rs, ks, bp, c, J.ldc, add);
        } else {  // edge: compute the full register tile, keep the part inside C
          float tmp[MR * NR];
          micro_kernel(kc, a, rs, ks, bp, tmp, NR, false);
          for (int r = 0; r < mr; ++r) {
            float* cr = c + static_cast<std::size_t>(r) * J.ldc;
            for (int q = 0; q < nr; ++q) cr[q] = add ? cr[q] + tmp[r * NR + q] : tmp[r * NR + q];
          }
        }
      }
    }
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
  DGM_CHECK(worker_index() == 0, "gemm: called inside a parallel_for task (worker %d); gemm "
            "uses the pool and shared buffers itself", worker_index());
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
  J.k_blocks = ceil_div(K, KC);
  J.kc = ceil_div(K, J.k_blocks);  // equal blocks: 784 = 4 x 196, not 3 x 256 + 16
  // The task grid depends on the shape only (never on the thread count): column blocks of 1 to
  // kMaxPanels NR-panels, aiming at kMinTasks tasks; row blocks only when there are too few
  // column blocks (N small), each with at least 4 MR-panels.
  const int n_panels = ceil_div(N, NR), m_panels = ceil_div(M, MR);
  int per = n_panels / kMinTasks;
  per = per < 1 ? 1 : per > kMaxPanels ? kMaxPanels : per;
  J.task_cols = per * NR;
  J.tasks_n = ceil_div(n_panels, per);
  int tm = ceil_div(kMinTasks, J.tasks_n);
  if (tm > m_panels / 4) tm = m_panels / 4;
  if (tm < 1) tm = 1;
  J.task_rows = ceil_div(m_panels, tm) * MR;
  J.tasks_m = ceil_div(M, J.task_rows);

  J.Ap = nullptr;
  if (M % MR) {
    float* ap = g_apack.reserve(static_cast<std::size_t>(K) * MR);
    pack_a_edge(J, M / MR * MR, ap);
    J.Ap = ap;
  }
  const bool parallel = static_cast<double>(M) * N * K >= kMinParallelWork;
  const int threads = parallel ? num_threads() : 1;
  if (g_bpack.size() < static_cast<std::size_t>(threads)) g_bpack.resize(static_cast<std::size_t>(threads));
  const std::size_t bsize = static_cast<std::size_t>(J.kc) * J.task_cols;
  for (int w = 0; w < threads; ++w) g_bpack[static_cast<std::size_t>(w)].reserve(bsize);

  const int n_tasks = J.tasks_m * J.tasks_n;
  if (parallel) {
    parallel_for(n_tasks, gemm_task, &J);
  } else {
    for (int t = 0; t < n_tasks; ++t) gemm_task(&J, t);
  }
}

std::size_t gemm_workspace_floats() {
  std::size_t n = g_apack.capacity;
  for (const Buffer& b : g_bpack) n += b.capacity;
  return n;
}

}  // namespace dgm
