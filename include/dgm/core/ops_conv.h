// ops_conv.h - the convolutional ops (src/core/ops_conv.cpp): convolution, transposed convolution,
// batch normalization and the reshapes between a batch of vectors and a batch of images.
// Activations are NCHW (N, C, H, W); weights have PyTorch's layouts (docs/math.md, "Convolution").
// Each op's kernels are entries of the tape's table (dgm/backend/kernels.h), so they run on a CPU
// or a CUDA tape alike.
#pragma once
#include "dgm/core/tape.h"

namespace dgm {

// y = conv(x, W) + b.  x: (N, C, H, W), W: (O, C, kh, kw), b: (O) or an invalid Var for none
// -> y: (N, O, Ho, Wo), Ho = floor((H + 2 pad - kh) / stride) + 1, Wo likewise.
Var conv2d(Tape& t, Var x, Var W, Var b, int stride, int pad);
// The transposed ("fractionally strided") convolution, the adjoint of conv2d.
// x: (N, C, H, W), W: (C, O, kh, kw) (PyTorch's ConvTranspose2d layout: (in, out, kh, kw)),
// b: (O) or invalid -> y: (N, O, Ho, Wo), Ho = (H - 1) stride - 2 pad + kh, Wo likewise.
Var conv_transpose2d(Tape& t, Var x, Var W, Var b, int stride, int pad);

// Batch normalization (Ioffe & Szegedy 2015, Algorithm 1) per channel of x (N, C, H, W) or
// (N, C) (then H = W = 1); gamma, beta: (C).
//   training:  mu_c, var_c = mean and biased variance of x[:, c] over the N H W elements;
//              y = gamma_c (x - mu_c) / sqrt(var_c + eps) + beta_c, and the running statistics
//              move: running = (1 - momentum) running + momentum stat (with the unbiased
//              variance, M/(M-1) var_c, M = N H W), as torch.nn.BatchNorm2d does;
//   evaluation: y = gamma_c (x - running_mean_c) / sqrt(running_var_c + eps) + beta_c.
// running_mean, running_var: (C) floats the op updates in training (not on the tape), in the
// tape's memory (host memory on a CPU tape, device memory on a CUDA tape).
// eps: torch.nn.BatchNorm2d's default; `dgm export` writes evaluation-mode batch norm with it.
constexpr float kBatchNormEps = 1e-5f;
Var batch_norm(Tape& t, Var x, Var gamma, Var beta, Tensor running_mean, Tensor running_var, bool training,
               float momentum = 0.1f, float eps = kBatchNormEps);

// The same floats seen as a batch of images (N, C, H, W), N = rows, C H W = cols, and back as a
// batch of vectors (N, C H W). Views: no copy; the gradient passes through unchanged.
Var to_images(Tape& t, Var x, int C, int H, int W);
Var to_vectors(Tape& t, Var x);

}  // namespace dgm
