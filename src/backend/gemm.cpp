// gemm.cpp - matrix multiply: the reference triple loop and the cache-blocked, threaded kernel.
//
// The blocked gemm follows the usual BLIS/GotoBLAS plan. C is split into blocks (tasks) by a rule
// that looks only at the shape: column blocks of 1 to 4 nr-column panels, aiming at 8 or more
// tasks, and row blocks only when N alone gives too few. One task computes one block of C:
//   for each block of kc values of k, in increasing order:
//     pack op(B)[k-block, the task's columns] into nr-column panels, k-major, zero-padded past
//       the last column, in this thread's own buffer (written and read by the same core);
//     for each mr-row panel of A, for each nr-panel: the micro-kernel adds the
//       (mr x kc) * (kc x nr) product into C.
// op(A) is read in place (the kernel broadcasts single elements, so any stride will do); so is
// op(B) when it is stored (K, N) and C has a single row panel (nothing would reuse a packed copy).
// The micro-kernels (register tile, instruction set) are in gemm_kernels.cpp, chosen at run time
// for the CPU; they handle partial tiles themselves (masked columns, one instance per row count).
//
// Skinny products (a dimension below 8, e.g. a GAN's 2-wide data or 1-wide critic output) take
// paths of their own, chosen by the shape alone, in the same order of sums as the blocked path
// (so the results, and the checkpoints of a training run, are bitwise those of the plain path):
//   N < 8: the transposed problem C^T = op(B)^T op(A)^T, N rows instead of N columns padded to
//     nr; its "B" is A itself, read in place when trans_a, else packed by 16 x 16 transposes;
//     the tile is written back transposed;
//   M < 8 (M <= mr) and B stored (K, N): B read in place (above);
//   every partial tile: the kernel's own masked columns and row count (no zero-padded copies).
//
// Determinism: tiles, k-blocks, the path and the order of every sum depend only on the shape and
// the transposes, never on the thread count or on which thread runs a tile, so the result is
// bitwise the same for 1, 2 or 64 threads. Per element of the blocked and transposed paths,
// C = ((C0 + s_0) + s_1) + ... where s_b is the sum over k-block b in increasing k with fused
// multiply-adds, whatever the kernel's tile or the path. So
// the avx512, avx2 and (in a build that targets FMA) portable kernels agree bit for bit; the
// portable kernel in a build without FMA (PORTABLE=1 on a CPU without AVX2) rounds differently.
//
// Memory: the packed blocks live in buffers owned by this file (one per thread, at most
// KC x 4*nr floats each), grown when a larger problem
// comes and otherwise reused, so steady-state calls do not touch the heap. Consequently gemm is
// not reentrant: call it from one thread at a time (it parallelizes internally).
#include "dgm/backend/gemm.h"
#include "dgm/backend/tally.h"

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "dgm/core/check.h"
#include "dgm/backend/parallel.h"
#include "gemm_kernels.h"

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

// Cache blocking: k is taken in blocks of at most KC, and a task's packed block of B, at most
// KC x (kMaxPanels * nr) floats (128 KiB with the avx512 kernel), stays in L2 while every
// mr-row panel of A streams past it.
constexpr int KC = 256;
constexpr int kMaxPanels = 4;  // nr-panels per task
constexpr int kMinTasks = 8;   // split C into at least this many tasks when the shape allows
constexpr int kSkinny = 8;     // a dimension below this is skinny
constexpr int kMaxTile = 8 * 32;  // mr * nr of the largest kernel
// Below this many multiply-adds (M*N*K) a call runs on the calling thread only: waking the
// workers would cost more than it saves. Does not change results (same tiles either way).
constexpr double kMinParallelWork = 1 << 20;

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

// Everything a task needs; tasks read it and write only their own block of C.
struct Job {
  const GemmKernel* kr;
  int mr, nr;
  bool trans_b, accumulate;
  bool b_in_place;         // op(B) = B stored (K, N) read in place (b_ks = ldb), no packing
  bool c_transposed;       // C[i][j] is stored at C[j * ldc + i] (the transposed problem)
  int M, N, K;
  const float* A;
  std::ptrdiff_t a_rs, a_ks;  // op(A)[i][k] = A[i * a_rs + k * a_ks]
  const float* B;
  int ldb;
  float* C;
  int ldc;
  int k_blocks, kc;        // K = k_blocks blocks of kc (the last may be shorter)
  int task_cols;           // columns of C per task (a multiple of nr)
  int task_rows;           // rows of C per task (a multiple of mr)
  int tasks_n, tasks_m;    // the task grid; task t is block (t / tasks_n, t % tasks_n)
};

// Packs op(B)[k0 : k0+kc, j0 : j0+cols) into dst as nr-column panels, each (kc, nr), zero
// columns past `cols`.
void pack_b(const Job& J, int k0, int kc, int j0, int cols, float* DGM_RESTRICT dst) {
  const int NR = J.nr;
  for (int q = 0; q * NR < cols; ++q, dst += static_cast<std::size_t>(kc) * NR) {
    const int jq = j0 + q * NR;
    const int n = cols - q * NR < NR ? cols - q * NR : NR;
    if (J.trans_b) {  // B stored (N, K): a transpose, 16 x 16 blocks in registers where the
      int done = 0;   // kernel has them, then one column j (strided stores) at a time
      if (J.kr->t16 && n == NR && NR % 16 == 0)
        for (; done + 16 <= kc; done += 16)
          for (int h = 0; h < NR; h += 16)
            J.kr->t16(J.B + static_cast<std::size_t>(jq + h) * J.ldb + k0 + done, J.ldb,
                      dst + static_cast<std::size_t>(done) * NR + h, NR);
      for (int j = 0; j < NR; ++j) {
        float* d = dst + j;
        const float* src = J.B + static_cast<std::size_t>(jq + j) * J.ldb + k0;
        for (int k = done; k < kc; ++k) d[static_cast<std::size_t>(k) * NR] = j < n ? src[k] : 0.0f;
      }
    } else if (n == NR) {  // B stored (K, N), a full panel: row copies (memcpy, vectorized)
      for (int k = 0; k < kc; ++k)
        std::memcpy(dst + static_cast<std::size_t>(k) * NR, J.B + static_cast<std::size_t>(k0 + k) * J.ldb + jq,
                    sizeof(float) * static_cast<std::size_t>(NR));
    } else {  // the last, partial panel
      for (int k = 0; k < kc; ++k) {
        const float* src = J.B + static_cast<std::size_t>(k0 + k) * J.ldb + jq;
        float* d = dst + static_cast<std::size_t>(k) * NR;
        for (int j = 0; j < NR; ++j) d[j] = j < n ? src[j] : 0.0f;
      }
    }
  }
}

// Computes one block of C: for each k-block (in increasing k), pack that slice of B into this
// thread's buffer (unless B is read in place), then for each mr-row panel of A and each nr-panel
// of B, the micro-kernel.
void gemm_task(void* ctx, int t) {
  const Job& J = *static_cast<const Job*>(ctx);
  const int MR = J.mr, NR = J.nr;
  const int i0 = (t / J.tasks_n) * J.task_rows, j0 = (t % J.tasks_n) * J.task_cols;
  const int i1 = i0 + J.task_rows < J.M ? i0 + J.task_rows : J.M;
  const int j1 = j0 + J.task_cols < J.N ? j0 + J.task_cols : J.N;
  float* bpack = J.b_in_place ? nullptr : g_bpack[static_cast<std::size_t>(worker_index())].data;
  for (int kb = 0; kb < J.k_blocks; ++kb) {
    const int k0 = kb * J.kc;
    const int kc = J.K - k0 < J.kc ? J.K - k0 : J.kc;
    const bool add = J.accumulate || kb > 0;
    if (bpack) pack_b(J, k0, kc, j0, j1 - j0, bpack);
    for (int i = i0; i < i1; i += MR) {
      const int mr = i1 - i < MR ? i1 - i : MR;
      const float* a = J.A + i * J.a_rs + k0 * J.a_ks;
      for (int j = j0; j < j1; j += NR) {
        const int nr = j1 - j < NR ? j1 - j : NR;
        const float* bp = bpack ? bpack + static_cast<std::size_t>((j - j0) / NR) * kc * NR
                                : J.B + static_cast<std::size_t>(k0) * J.ldb + j;
        const std::ptrdiff_t bks = bpack ? NR : J.ldb;
        if (!J.c_transposed) {
          J.kr->run(kc, a, J.a_rs, J.a_ks, bp, bks, J.C + static_cast<std::size_t>(i) * J.ldc + j,
                    J.ldc, add, mr, nr);
        } else {  // the tile into a scratch block, then added into C transposed (C + s, as above)
          float tmp[kMaxTile];
          J.kr->run(kc, a, J.a_rs, J.a_ks, bp, bks, tmp, NR, false, mr, nr);
          for (int r = 0; r < mr; ++r)
            for (int q = 0; q < nr; ++q) {
              float& c = J.C[static_cast<std::size_t>(j + q) * J.ldc + i + r];
              c = add ? c + tmp[r * NR + q] : tmp[r * NR + q];
            }
        }
      }
    }
  }
}

inline int ceil_div(int a, int b) { return (a + b - 1) / b; }

// The blocked and transposed paths: the task grid, the buffers, the tasks.
void run_blocked(Job& J) {
  J.k_blocks = ceil_div(J.K, KC);
  J.kc = ceil_div(J.K, J.k_blocks);  // equal blocks: 784 = 4 x 196, not 3 x 256 + 16
  // The task grid depends on the shape only (never on the thread count): column blocks of 1 to
  // kMaxPanels nr-panels, aiming at kMinTasks tasks; row blocks only when there are too few
  // column blocks (N small), each with at least 4 mr-panels.
  const int n_panels = ceil_div(J.N, J.nr), m_panels = ceil_div(J.M, J.mr);
  int per = n_panels / kMinTasks;
  per = per < 1 ? 1 : per > kMaxPanels ? kMaxPanels : per;
  J.task_cols = per * J.nr;
  J.tasks_n = ceil_div(n_panels, per);
  int tm = ceil_div(kMinTasks, J.tasks_n);
  if (tm > m_panels / 4) tm = m_panels / 4;
  if (tm < 1) tm = 1;
  J.task_rows = ceil_div(m_panels, tm) * J.mr;
  J.tasks_m = ceil_div(J.M, J.task_rows);
  J.b_in_place = !J.trans_b && J.M <= J.mr;

  const bool parallel = static_cast<double>(J.M) * J.N * J.K >= kMinParallelWork;
  const int threads = parallel ? num_threads() : 1;
  if (!J.b_in_place) {
    if (g_bpack.size() < static_cast<std::size_t>(threads)) g_bpack.resize(static_cast<std::size_t>(threads));
    const std::size_t bsize = static_cast<std::size_t>(J.kc) * J.task_cols;
    for (int w = 0; w < threads; ++w) g_bpack[static_cast<std::size_t>(w)].reserve(bsize);
  }
  const int n_tasks = J.tasks_m * J.tasks_n;
  if (parallel) {
    parallel_for(n_tasks, gemm_task, &J);
  } else {
    for (int t = 0; t < n_tasks; ++t) gemm_task(&J, t);
  }
}

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
  const TallyScope tally(TallyKind::kGemm, 2.0 * M * N * K);  // dgm bench's share of the step
  if (K == 0) {  // empty sum: C = 0, or C unchanged when accumulating
    if (!accumulate)
      for (int i = 0; i < M; ++i)
        for (int j = 0; j < N; ++j) C[static_cast<std::size_t>(i) * ldc + j] = 0.0f;
    return;
  }
  const GemmKernel& kr = gemm_kernel();

  Job J;
  J.kr = &kr;
  J.mr = kr.mr;
  J.nr = kr.nr;
  J.accumulate = accumulate;
  J.K = K;
  J.C = C;
  J.ldc = ldc;
  if (N < kSkinny) {  // C^T (N, M) = op(B)^T (N, K) * op(A)^T (K, M)
    J.c_transposed = true;
    J.M = N;
    J.N = M;
    J.A = B;  // op(B)^T[i][k] = op(B)[k][i]
    J.a_rs = trans_b ? ldb : 1;
    J.a_ks = trans_b ? 1 : ldb;
    J.B = A;  // op(A)^T: A stored (K, M) when trans_a (read in place), else (M, K) (packed)
    J.ldb = lda;
    J.trans_b = !trans_a;
  } else {
    J.c_transposed = false;
    J.M = M;
    J.N = N;
    J.A = A;
    J.a_rs = trans_a ? 1 : lda;
    J.a_ks = trans_a ? lda : 1;
    J.B = B;
    J.ldb = ldb;
    J.trans_b = trans_b;
  }
  run_blocked(J);
}

std::size_t gemm_workspace_floats() {
  std::size_t n = 0;
  for (const Buffer& b : g_bpack) n += b.capacity;
  return n;
}

const char* gemm_kernel_name(int i) {
  int n = 0;
  const GemmKernel* k = gemm_kernels(&n);
  return i >= 0 && i < n ? k[i].name : nullptr;
}

const char* gemm_kernel_in_use() { return gemm_kernel().name; }

bool gemm_select_kernel(const char* name) { return gemm_use_kernel(name); }

bool gemm_kernel_fused(const char* name) {
  int n = 0;
  const GemmKernel* k = gemm_kernels(&n);
  for (int i = 0; i < n; ++i)
    if (std::strcmp(k[i].name, name) == 0) return k[i].fused;
  return false;
}

}  // namespace dgm
