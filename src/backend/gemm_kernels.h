// gemm_kernels.h - the register-tiled micro-kernels of the blocked gemm (internal to src/backend/).
//
// A micro-kernel computes one tile of C, at most mr rows x nr columns:
//   c (rows, cols) = [c +] a (rows, kc) * b (kc, cols)
// with a[i][p] = a[i * a_rs + p * a_ks] (any strides: op(A) is read in place),
//      b[p][j] = b[p * b_ks + j]       (a packed panel, b_ks = nr, or op(B) itself in place),
//      c[i][j] = c[i * ldc + j],
// summing over p = 0..kc-1 in increasing order from 0 with fused multiply-adds, then adding that
// sum to c when `add` (c + s). It reads no column of b and writes no element of c at or past
// `cols`, nor rows past `rows`. Per element the order is fixed by kc alone (never by mr, nr, the
// rows or columns of the tile), so every kernel whose `fused` is true gives bitwise the same C.
//
// Several kernels are compiled into every x86-64 build, each for its own instruction set with a
// tile sized to that set's registers (GCC/Clang target attributes), and gemm picks the widest the
// CPU runs (gemm_kernel()); other targets get the portable C++ kernel only.
#pragma once

#include <cstddef>

#include "dgm/backend/compiler.h"  // DGM_RESTRICT

namespace dgm {

using MicroKernel = void (*)(int kc, const float* a, std::ptrdiff_t a_rs, std::ptrdiff_t a_ks,
                             const float* b, std::ptrdiff_t b_ks, float* c, std::ptrdiff_t ldc,
                             bool add, int rows, int cols);

// dst[c * ldd + r] = src[r * lds + c] for r, c < 16 (packing op(B) when B is stored (N, K)).
using Transpose16 = void (*)(const float* src, std::ptrdiff_t lds, float* dst, std::ptrdiff_t ldd);

struct GemmKernel {
  const char* name;  // "avx512", "avx2", "portable"
  int mr, nr;        // the largest tile
  MicroKernel run;
  Transpose16 t16;  // or null: scalar packing
  bool fused;        // sums with fused multiply-adds (bitwise equal to every other fused kernel)
};

// The kernels this CPU can run, widest first (at least the portable one); *count set.
const GemmKernel* gemm_kernels(int* count);
// The kernel gemm uses: the widest this CPU runs, unless gemm_use_kernel chose another.
const GemmKernel& gemm_kernel();
// Makes gemm use the named kernel (tests and benchmarks); false, nothing changed, if this CPU or
// build has no such kernel.
bool gemm_use_kernel(const char* name);

}  // namespace dgm
