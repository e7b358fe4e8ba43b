// ops_masked.cpp - the masked linear layer y = x (W (.) M)^T + b (include/dgm/core/ops_masked.h), the
// building block of MADE (Germain et al. 2015, eq. 9-10; [MIPT] "Как строить порождающие
// модели?", method 1: an explicit likelihood decomposed into small parts).
//
// With Wm = W (.) M (the masked weights, computed in the forward and kept in the node):
//   forward:  y = x Wm^T + b
//   dy/dx:    dx (B, in)  += dy (B, out) Wm (out, in)
//   dy/dW:    dW (out, in) += (dy^T x) (.) M     (dy_bk/dW_kj = M_kj x_bj: a cut weight gets no
//                                                 gradient, so it stays whatever it was; it is
//                                                 never used, as Wm multiplies it by 0)
//   dy/db:    db (1, out) += sum over the rows of dy
// The mask is a constant node (its id in node.i[0]); no gradient flows into it.
#include "dgm/core/ops_masked.h"

#include <cstring>

#include "dgm/core/check.h"
#include "dgm/backend/gemm.h"

namespace dgm {
namespace {

void masked_linear_backward(Tape& t, int id) {
  Node& n = t.node(id);
  Node& X = t.node(n.in[0]);
  Node& W = t.node(n.in[1]);
  const Tensor& M = t.node(n.i[0]).value;  // M: (out, in)
  const int B = n.value.rows(), out = n.value.cols(), in = X.value.cols();
  const float* dy = n.grad.data;  // dy: (B, out)
  float* Wm = n.saved.data;       // Wm: (out, in), the masked weights of the forward
  if (X.needs_grad)  // dx (B, in) += dy (B, out) Wm (out, in)
    gemm(false, false, B, in, out, dy, out, Wm, in, X.grad.data, in, true);
  if (W.needs_grad) {
    // Wm is no longer needed: it takes dy^T x (out, in), then dW += (dy^T x) (.) M.
    gemm(true, false, out, in, B, dy, out, X.value.data, in, Wm, in, false);
    const std::size_t size = static_cast<std::size_t>(out) * in;
    for (std::size_t i = 0; i < size; ++i) W.grad.data[i] += Wm[i] * M.data[i];
  }
  if (n.in[2] >= 0) {
    Node& b = t.node(n.in[2]);
    if (b.needs_grad)  // db (1, out) += sum_r dy[r, :], rows in increasing order
      for (int r = 0; r < B; ++r)
        for (int k = 0; k < out; ++k) b.grad.data[k] += dy[static_cast<std::size_t>(r) * out + k];
  }
}

}  // namespace

Var masked_linear(Tape& t, Var x, Var W, const Tensor& mask, Var b) {
  t.need(t.kernels().host_loops, "masked_linear");
  Tensor X = t.value(x), Wv = t.value(W);
  const int B = X.rows(), in = X.cols(), out = Wv.rows();
  DGM_CHECK(Wv.cols() == in, "masked_linear: x %s needs W with %d columns, W is %s", shape_str(X).text, in,
            shape_str(Wv).text);
  DGM_CHECK(mask.rows() == out && mask.cols() == in, "masked_linear: mask %s should have W's shape %s",
            shape_str(mask).text, shape_str(Wv).text);
  // Wm = W (.) M, kept for the backward.
  Tensor Wm = t.alloc(make_shape(out, in));
  const std::size_t size = static_cast<std::size_t>(out) * in;
  for (std::size_t i = 0; i < size; ++i) Wm.data[i] = Wv.data[i] * mask.data[i];
  Tensor y = t.alloc(make_shape(B, out));
  if (b.valid()) {
    Tensor bv = t.value(b);
    DGM_CHECK(static_cast<int>(bv.size()) == out, "masked_linear: bias %s should have %d elements (W %s)",
              shape_str(bv).text, out, shape_str(Wv).text);
    for (int r = 0; r < B; ++r)  // y starts as b in every row, then gemm adds x Wm^T
      std::memcpy(y.data + static_cast<std::size_t>(r) * out, bv.data, static_cast<std::size_t>(out) * sizeof(float));
  }
  // y (B, out) (+)= x (B, in) Wm^T (in, out)
  gemm(false, true, B, out, in, X.data, in, Wm.data, in, y.data, out, b.valid());
  const Var m = t.constant(mask);
  Var v = t.push(y, masked_linear_backward, x, W, b);
  t.node(v).saved = Wm;
  t.node(v).i[0] = m.id;
  return v;
}

}  // namespace dgm
