// gemm_kernels.cpp - the micro-kernels of the blocked gemm, one per instruction set, and a 16 x 16
// transpose for packing (see gemm_kernels.h for what each computes and in which order it sums).
//
// Register tiles, sized to each set's registers (accumulators + the B vectors + one broadcast):
//   avx512    8 x 32: 16 zmm accumulators, 2 zmm of B per k (32 zmm registers)
//   avx2      6 x 16: 12 ymm accumulators, 2 ymm of B per k (16 ymm registers)
//   portable  6 x 8 : plain C++ the compiler vectorizes for whatever the build targets
// Written with intrinsics inside functions compiled for their own instruction set (target
// attributes), so the tile is the one stated here whatever -march or -mprefer-vector-width the
// build uses (GCC's znver3 and icelake tunings prefer 256-bit vectors when vectorizing loops, which
// turned the plain-C++ 8 x 32 tile into 32 ymm accumulators and stack spills). `make kernel-check`
// disassembles the full-tile kernels and fails on any store to the stack.
// Partial tiles (rows < mr, cols < nr) use the same code: each row count is its own instance
// (template R), columns past `cols` are masked off in loads and stores.
#include "gemm_kernels.h"

#include <cmath>
#include <cstdint>
#include <cstring>

#if (defined(__x86_64__) || defined(__i386__)) && (defined(__GNUC__) || defined(__clang__))
#define DGM_GEMM_X86 1
#include <immintrin.h>
#else
#define DGM_GEMM_X86 0
#endif

namespace dgm {
namespace {

// ---- portable C++ (any target; fused when the build targets FMA) ----------------------------
constexpr int kPortMR = 6, kPortNR = 8;

inline float madd(float a, float b, float c) {
#if defined(__FMA__) || defined(__ARM_FEATURE_FMA)
  return std::fma(a, b, c);  // one rounding; compiles to vfmadd / vfma
#else
  return a * b + c;
#endif
}

void kernel_portable(int kc, const float* DGM_RESTRICT a, std::ptrdiff_t a_rs, std::ptrdiff_t a_ks,
                     const float* DGM_RESTRICT b, std::ptrdiff_t b_ks, float* DGM_RESTRICT c,
                     std::ptrdiff_t ldc, bool add, int rows, int cols) {
  float acc[kPortMR][kPortNR] = {};
  if (rows == kPortMR && cols == kPortNR) {
    for (int p = 0; p < kc; ++p) {
      const float* ap = a + p * a_ks;
      const float* bp = b + p * b_ks;
#pragma GCC unroll 8
      for (int i = 0; i < kPortMR; ++i) {
        const float ai = ap[i * a_rs];
#pragma GCC unroll 8
        for (int j = 0; j < kPortNR; ++j) acc[i][j] = madd(ai, bp[j], acc[i][j]);
      }
    }
  } else {
    for (int p = 0; p < kc; ++p)
      for (int i = 0; i < rows; ++i)
        for (int j = 0; j < cols; ++j) acc[i][j] = madd(a[i * a_rs + p * a_ks], b[p * b_ks + j], acc[i][j]);
  }
  for (int i = 0; i < rows; ++i) {
    float* ci = c + i * ldc;
    for (int j = 0; j < cols; ++j) ci[j] = add ? ci[j] + acc[i][j] : acc[i][j];
  }
}

#if DGM_GEMM_X86
// ---- AVX-512 (8 x 32) -----------------------------------------------------------------------
#define DGM_AVX512 __attribute__((target("avx512f,fma"), noinline))

__attribute__((target("avx512f"))) inline __mmask16 mask16(int n) {  // the first n of 16 lanes (n clamped to 0..16)
  return n >= 16 ? static_cast<__mmask16>(0xFFFF) : n <= 0 ? static_cast<__mmask16>(0) : static_cast<__mmask16>((1u << n) - 1);
}

template <int R>
DGM_AVX512 void tile_avx512(int kc, const float* DGM_RESTRICT a, std::ptrdiff_t a_rs,
                            std::ptrdiff_t a_ks, const float* DGM_RESTRICT b, std::ptrdiff_t b_ks,
                            float* DGM_RESTRICT c, std::ptrdiff_t ldc, bool add, int cols) {
  const __mmask16 m0 = mask16(cols), m1 = mask16(cols - 16);
  __m512 c0[R], c1[R];
#pragma GCC unroll 8
  for (int i = 0; i < R; ++i) c0[i] = c1[i] = _mm512_setzero_ps();
  for (int p = 0; p < kc; ++p) {
    const float* bp = b + p * b_ks;
    const __m512 b0 = _mm512_maskz_loadu_ps(m0, bp), b1 = _mm512_maskz_loadu_ps(m1, bp + 16);
    const float* ap = a + p * a_ks;
#pragma GCC unroll 8
    for (int i = 0; i < R; ++i) {
      const __m512 ai = _mm512_set1_ps(ap[i * a_rs]);
      c0[i] = _mm512_fmadd_ps(ai, b0, c0[i]);
      c1[i] = _mm512_fmadd_ps(ai, b1, c1[i]);
    }
  }
#pragma GCC unroll 8
  for (int i = 0; i < R; ++i) {
    float* ci = c + i * ldc;
    if (add) {
      c0[i] = _mm512_add_ps(_mm512_maskz_loadu_ps(m0, ci), c0[i]);
      c1[i] = _mm512_add_ps(_mm512_maskz_loadu_ps(m1, ci + 16), c1[i]);
    }
    _mm512_mask_storeu_ps(ci, m0, c0[i]);
    _mm512_mask_storeu_ps(ci + 16, m1, c1[i]);
  }
}

void kernel_avx512(int kc, const float* a, std::ptrdiff_t a_rs, std::ptrdiff_t a_ks, const float* b,
                   std::ptrdiff_t b_ks, float* c, std::ptrdiff_t ldc, bool add, int rows, int cols) {
  using F = void (*)(int, const float*, std::ptrdiff_t, std::ptrdiff_t, const float*, std::ptrdiff_t,
                     float*, std::ptrdiff_t, bool, int);
  static const F by_rows[8] = {tile_avx512<1>, tile_avx512<2>, tile_avx512<3>, tile_avx512<4>,
                               tile_avx512<5>, tile_avx512<6>, tile_avx512<7>, tile_avx512<8>};
  by_rows[rows - 1](kc, a, a_rs, a_ks, b, b_ks, c, ldc, add, cols);
}

// dst[c * ldd + r] = src[r * lds + c], r, c < 16: a 16 x 16 block transposed in registers (gemm's
// packing of a transposed B). Four butterfly stages; stage h swaps, within each aligned 2h x 2h
// block, its top-right and bottom-left h x h blocks (GCC/Clang vector shuffles).
#define DGM_X8 0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23
#define DGM_Y8 8, 9, 10, 11, 12, 13, 14, 15, 24, 25, 26, 27, 28, 29, 30, 31
#define DGM_X4 0, 1, 2, 3, 16, 17, 18, 19, 8, 9, 10, 11, 24, 25, 26, 27
#define DGM_Y4 4, 5, 6, 7, 20, 21, 22, 23, 12, 13, 14, 15, 28, 29, 30, 31
#define DGM_X2 0, 1, 16, 17, 4, 5, 20, 21, 8, 9, 24, 25, 12, 13, 28, 29
#define DGM_Y2 2, 3, 18, 19, 6, 7, 22, 23, 10, 11, 26, 27, 14, 15, 30, 31
#define DGM_X1 0, 16, 2, 18, 4, 20, 6, 22, 8, 24, 10, 26, 12, 28, 14, 30
#define DGM_Y1 1, 17, 3, 19, 5, 21, 7, 23, 9, 25, 11, 27, 13, 29, 15, 31
#define DGM_STAGE(H, X, Y)                                                 \
  _Pragma("GCC unroll 16") for (int r = 0; r < 16; ++r) if (!(r & H)) {    \
    const __m512 p = v[r], q = v[r + H];                                   \
    v[r] = __builtin_shufflevector(p, q, X);                               \
    v[r + H] = __builtin_shufflevector(p, q, Y);                           \
  }

DGM_AVX512 void transpose16_avx512(const float* src, std::ptrdiff_t lds, float* dst, std::ptrdiff_t ldd) {
  __m512 v[16];
#pragma GCC unroll 16
  for (int r = 0; r < 16; ++r) v[r] = _mm512_loadu_ps(src + r * lds);
  DGM_STAGE(8, DGM_X8, DGM_Y8)
  DGM_STAGE(4, DGM_X4, DGM_Y4)
  DGM_STAGE(2, DGM_X2, DGM_Y2)
  DGM_STAGE(1, DGM_X1, DGM_Y1)
#pragma GCC unroll 16
  for (int c = 0; c < 16; ++c) _mm512_storeu_ps(dst + c * ldd, v[c]);
}

// ---- AVX2 + FMA (6 x 16) --------------------------------------------------------------------
#define DGM_AVX2 __attribute__((target("avx2,fma"), noinline))

__attribute__((target("avx2"))) inline __m256i mask8(int n) {  // lanes j < n all ones
  return _mm256_cmpgt_epi32(_mm256_set1_epi32(n), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

template <int R>
DGM_AVX2 void tile_avx2(int kc, const float* DGM_RESTRICT a, std::ptrdiff_t a_rs, std::ptrdiff_t a_ks,
                        const float* DGM_RESTRICT b, std::ptrdiff_t b_ks, float* DGM_RESTRICT c,
                        std::ptrdiff_t ldc, bool add, int cols) {
  const __m256i m0 = mask8(cols), m1 = mask8(cols - 8);
  __m256 c0[R], c1[R];
#pragma GCC unroll 8
  for (int i = 0; i < R; ++i) c0[i] = c1[i] = _mm256_setzero_ps();
  for (int p = 0; p < kc; ++p) {
    const float* bp = b + p * b_ks;
    const __m256 b0 = _mm256_maskload_ps(bp, m0), b1 = _mm256_maskload_ps(bp + 8, m1);
    const float* ap = a + p * a_ks;
#pragma GCC unroll 8
    for (int i = 0; i < R; ++i) {
      const __m256 ai = _mm256_broadcast_ss(ap + i * a_rs);
      c0[i] = _mm256_fmadd_ps(ai, b0, c0[i]);
      c1[i] = _mm256_fmadd_ps(ai, b1, c1[i]);
    }
  }
#pragma GCC unroll 8
  for (int i = 0; i < R; ++i) {
    float* ci = c + i * ldc;
    if (add) {
      c0[i] = _mm256_add_ps(_mm256_maskload_ps(ci, m0), c0[i]);
      c1[i] = _mm256_add_ps(_mm256_maskload_ps(ci + 8, m1), c1[i]);
    }
    _mm256_maskstore_ps(ci, m0, c0[i]);
    _mm256_maskstore_ps(ci + 8, m1, c1[i]);
  }
}

void kernel_avx2(int kc, const float* a, std::ptrdiff_t a_rs, std::ptrdiff_t a_ks, const float* b,
                 std::ptrdiff_t b_ks, float* c, std::ptrdiff_t ldc, bool add, int rows, int cols) {
  using F = void (*)(int, const float*, std::ptrdiff_t, std::ptrdiff_t, const float*, std::ptrdiff_t,
                     float*, std::ptrdiff_t, bool, int);
  static const F by_rows[6] = {tile_avx2<1>, tile_avx2<2>, tile_avx2<3>,
                               tile_avx2<4>, tile_avx2<5>, tile_avx2<6>};
  by_rows[rows - 1](kc, a, a_rs, a_ks, b, b_ks, c, ldc, add, cols);
}

#endif  // DGM_GEMM_X86

const GemmKernel kPortable = {"portable", kPortMR, kPortNR, kernel_portable, nullptr,
#if defined(__FMA__) || defined(__ARM_FEATURE_FMA)
                              true
#else
                              false
#endif
};

struct Table {
  GemmKernel k[3];
  int n = 0;
  int active = 0;
  Table() {
#if DGM_GEMM_X86
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f")) k[n++] = {"avx512", 8, 32, kernel_avx512, transpose16_avx512, true};
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
      k[n++] = {"avx2", 6, 16, kernel_avx2, nullptr, true};
#endif
    k[n++] = kPortable;
  }
};

Table& table() {
  static Table t;  // chosen once, on first use
  return t;
}

}  // namespace

const GemmKernel* gemm_kernels(int* count) {
  *count = table().n;
  return table().k;
}

const GemmKernel& gemm_kernel() { return table().k[table().active]; }

bool gemm_use_kernel(const char* name) {
  Table& t = table();
  for (int i = 0; i < t.n; ++i)
    if (std::strcmp(t.k[i].name, name) == 0) {
      t.active = i;
      return true;
    }
  return false;
}

}  // namespace dgm
