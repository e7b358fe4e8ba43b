// ops_shape.cpp - joining and cutting along columns, and stopping a gradient.
#include <cstring>

#include "dgm/core/check.h"
#include "dgm/core/ops.h"
#include "dgm/core/ops_ref.h"

namespace dgm {

// Copies a (rows, w) block between matrices of row strides src_ld and dst_ld: dst = src.
void ref::copy_cols(float* dst, std::size_t dst_ld, const float* src, std::size_t src_ld, std::size_t rows,
                    std::size_t w) {
  for (std::size_t r = 0; r < rows; ++r) std::memcpy(dst + r * dst_ld, src + r * src_ld, w * sizeof(float));
}
// Adds a (rows, w) block: dst += src.
void ref::add_cols(float* dst, std::size_t dst_ld, const float* src, std::size_t src_ld, std::size_t rows,
                   std::size_t w) {
  for (std::size_t r = 0; r < rows; ++r)
    for (std::size_t c = 0; c < w; ++c) dst[r * dst_ld + c] += src[r * src_ld + c];
}

namespace {

// y = [a | b];  dy/da is the left block of the gradient, dy/db the right block.
void concat_backward(Tape& t, int id) {
  Node& n = t.node(id);
  Node& A = t.node(n.in[0]);
  Node& B = t.node(n.in[1]);
  const std::size_t rows = static_cast<std::size_t>(n.value.rows());
  const std::size_t ca = static_cast<std::size_t>(A.value.cols());
  const std::size_t cb = static_cast<std::size_t>(B.value.cols());
  if (A.needs_grad) t.kernels().add_cols(A.grad.data, ca, n.grad.data, ca + cb, rows, ca);
  if (B.needs_grad) t.kernels().add_cols(B.grad.data, cb, n.grad.data + ca, ca + cb, rows, cb);
}

// y = a[:, begin:end];  the gradient goes back into those columns only.
void slice_backward(Tape& t, int id) {
  Node& n = t.node(id);
  Node& A = t.node(n.in[0]);
  if (!A.needs_grad) return;
  const std::size_t rows = static_cast<std::size_t>(n.value.rows());
  const std::size_t w = static_cast<std::size_t>(n.value.cols());
  const std::size_t ca = static_cast<std::size_t>(A.value.cols());
  t.kernels().add_cols(A.grad.data + n.i[0], ca, n.grad.data, w, rows, w);
}

}  // namespace

Var concat_cols(Tape& t, Var a, Var b) {
  Tensor av = t.value(a), bv = t.value(b);
  DGM_CHECK(av.rows() == bv.rows(), "concat_cols: a %s and b %s have different row counts",
            shape_str(av).text, shape_str(bv).text);
  const std::size_t rows = static_cast<std::size_t>(av.rows());
  const std::size_t ca = static_cast<std::size_t>(av.cols()), cb = static_cast<std::size_t>(bv.cols());
  Tensor y = t.alloc(make_shape(av.rows(), av.cols() + bv.cols()));
  t.kernels().copy_cols(y.data, ca + cb, av.data, ca, rows, ca);
  t.kernels().copy_cols(y.data + ca, ca + cb, bv.data, cb, rows, cb);
  return t.push(y, concat_backward, a, b);
}

Var slice_cols(Tape& t, Var a, int begin, int end) {
  Tensor av = t.value(a);
  DGM_CHECK(0 <= begin && begin < end && end <= av.cols(),
            "slice_cols: columns [%d, %d) out of range for %s", begin, end, shape_str(av).text);
  const std::size_t rows = static_cast<std::size_t>(av.rows());
  const std::size_t w = static_cast<std::size_t>(end - begin);
  Tensor y = t.alloc(make_shape(av.rows(), end - begin));
  t.kernels().copy_cols(y.data, w, av.data + begin, static_cast<std::size_t>(av.cols()), rows, w);
  Var out = t.push(y, slice_backward, a);
  t.node(out).i[0] = begin;
  return out;
}

// Same value, seen by the tape as a constant: nothing flows back through it.
Var stop_gradient(Tape& t, Var a) { return t.constant(t.value(a)); }

}  // namespace dgm
