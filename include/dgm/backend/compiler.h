// compiler.h - the compiler attributes the kernels use, defined once: where a function runs
// (DGM_HD: host and CUDA device), how it is inlined (DGM_INLINE, DGM_FLATTEN, DGM_NOINLINE,
// DGM_INLINE_LAMBDA) and which pointers do not alias (DGM_RESTRICT). Each is empty, or plain
// `inline`, on a compiler that lacks it: the code means the same, it may only run slower.
#pragma once

// DGM_HD marks a function (vecmath.h, pcg.h, kernels_hd.h) as callable from CUDA kernels too (nvcc compiles
// it for the GPU, so src/backend/cuda.cu computes the same formulas as the CPU kernels). In a
// CPU build it is empty.
#if defined(__CUDACC__)
#define DGM_HD __host__ __device__
#else
#define DGM_HD
#endif

// The kernels only vectorize when every function of the loop body is inlined into the loop;
// GCC's heuristics sometimes decline for the longer ones (tanh), so we insist.
#if defined(__GNUC__)
#define DGM_INLINE inline __attribute__((always_inline))
#define DGM_FLATTEN inline __attribute__((always_inline, flatten))
#define DGM_NOINLINE __attribute__((noinline))
#define DGM_INLINE_LAMBDA __attribute__((always_inline))  // [](float v) DGM_INLINE_LAMBDA { ... }
#else
#define DGM_NOINLINE
#define DGM_INLINE inline
#define DGM_FLATTEN inline
#define DGM_INLINE_LAMBDA
#endif
// A kernel with __restrict arrays that is inlined into a caller may lose the no-alias promise
// (and with it the vectorization); DGM_NOINLINE keeps such a kernel a function of its own.

#if !defined(DGM_RESTRICT)
#if defined(__GNUC__)
#define DGM_RESTRICT __restrict
#else
#define DGM_RESTRICT
#endif
#endif
