// conv.h - the convolution kernels on raw arrays, two versions with the same names and tests:
//   *_ref   direct loops, the formula as written (src/core/ops_conv.cpp, beside the tape ops);
//   plain   the same result lowered to the blocked GEMM by im2col / col2im (src/backend/conv.cpp).
// test/test_conv.cpp checks one against the other on odd shapes. Every kernel ACCUMULATES (+=)
// into its output, so a caller zeroes first when it wants "=".
//
// Layouts (PyTorch's, so checkpoints load into torch.nn.Conv2d / ConvTranspose2d unchanged):
//   image  x  : (N, C, H, W)        NCHW, row-major, W contiguous
//   weight w  : (O, C, kh, kw)       the convolution's (out, in, kh, kw)
//   output y  : (N, O, Ho, Wo)       Ho = (H + 2 pad - kh) / stride + 1 (floor), Wo likewise
// (Dumoulin & Visin 2016, "A guide to convolution arithmetic", relationship 6.)
//
// The transposed convolution is the adjoint of a convolution: its forward is this convolution's
// backward_data and its backward_data is this convolution's forward. Its weight is the weight of
// that convolution, (O, C, kh, kw) seen from the transposed side as (in, out, kh, kw): exactly how
// PyTorch's ConvTranspose2d stores it. So the three kernels below serve both ops
// (src/core/ops_conv.cpp says which is which).
#pragma once
#include <cstddef>

namespace dgm {

struct ConvShape {
  int N = 0, C = 0, H = 0, W = 0;  // image x: (N, C, H, W)
  int O = 0, Ho = 0, Wo = 0;       // output y: (N, O, Ho, Wo)
  int kh = 0, kw = 0;              // kernel: w (O, C, kh, kw)
  int stride = 1, pad = 0;         // the same along both axes
};
// The shape of the convolution of an (N, C, H, W) image with an (O, C, kh, kw) kernel; Ho or Wo
// is <= 0 when the kernel does not fit into the padded image.
ConvShape conv_shape(int N, int C, int H, int W, int O, int kh, int kw, int stride, int pad);

// y (N, O, Ho, Wo) += conv(x, w):
//   y[n,o,i,j] += sum_{c,a,b} w[o,c,a,b] x[n, c, i stride - pad + a, j stride - pad + b]
// (x is zero outside the image: the padding).
void conv2d_forward_ref(float* y, const float* x, const float* w, const ConvShape& s);
// dx (N, C, H, W) += d/dx of sum(dy * conv(x, w)):  dx[n,c,ih,iw] += sum w[o,c,a,b] dy[n,o,i,j]
// over the (o, i, j, a, b) with ih = i stride - pad + a, iw = j stride - pad + b.
void conv2d_backward_data_ref(float* dx, const float* dy, const float* w, const ConvShape& s);
// dw (O, C, kh, kw) += d/dw:  dw[o,c,a,b] += sum_{n,i,j} dy[n,o,i,j] x[n, c, i stride - pad + a, ...]
void conv2d_backward_weight_ref(float* dw, const float* dy, const float* x, const ConvShape& s);

// The GEMM versions (src/backend/conv.cpp): the same three, each given `work`, scratch of at
// least conv_workspace_floats(s) floats (the caller's arena: no allocation here). Sums run in a
// fixed order (gemm's fixed partition; im2col and col2im in tasks that each write their own
// floats), so the results do not depend on the thread count. They agree with the _ref kernels
// within float rounding. conv2d_forward leaves the patches of x (im2col(x), the first C kh kw
// N Ho Wo floats of work) behind; conv2d_backward_weight with patches_ready takes them from work
// instead of laying them out again (the tape's conv2d keeps its forward's work for its backward).
std::size_t conv_workspace_floats(const ConvShape& s);
void conv2d_forward(float* y, const float* x, const float* w, const ConvShape& s, float* work);
void conv2d_backward_data(float* dx, const float* dy, const float* w, const ConvShape& s, float* work);
void conv2d_backward_weight(float* dw, const float* dy, const float* x, const ConvShape& s, float* work,
                            bool patches_ready);

}  // namespace dgm
