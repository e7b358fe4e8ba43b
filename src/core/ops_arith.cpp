// ops_arith.cpp - a + b, a - b, a * b, a / b with broadcasting, s * a, a + c.
//
// Broadcasting: the result has a's shape (rows, cols). b is one of
//   Same    b has a's element count and columns: b[r, c]
//   Row     b is one row (1, cols): b[c] is used for every row (a bias)
//   Col     b is one column (rows, 1): b[r] is used across row r
//   Scalar  b has one element
// In the backward pass a broadcast b receives the SUM of the gradients of every element it was
// used for (over rows for Row, over columns for Col, over all for Scalar).
#include "dgm/core/check.h"
#include "dgm/core/ops.h"
#ifdef DGM_CUDA
#include "../backend/gpu.h"
#endif

namespace dgm {
namespace {

enum Bcast { Same = 0, Row = 1, Col = 2, Scalar = 3 };

Bcast broadcast_kind(const char* op, const Tensor& a, const Tensor& b) {
  if (b.size() == a.size() && b.cols() == a.cols()) return Same;
  if (b.size() == 1) return Scalar;
  if (b.rows() == 1 && b.cols() == a.cols()) return Row;
  if (b.cols() == 1 && b.rows() == a.rows()) return Col;
  DGM_CHECK(false, "%s: cannot broadcast b %s to a %s (b must match a, be one row (1, %d), one column (%d, 1) or one element)",
            op, shape_str(b).text, shape_str(a).text, a.cols(), a.rows());
  return Same;
}

// Index of b used for element (r, c) of a.
inline std::size_t bidx(Bcast k, std::size_t r, std::size_t c, std::size_t cols) {
  switch (k) {
    case Same: return r * cols + c;
    case Row: return c;
    case Col: return r;
    default: return 0;
  }
}

enum ArithOp { Add, Sub, Mul, Div };

// Forward: y = a op b.
void arith_forward(ArithOp op, Bcast k, float* y, const float* a, const float* b, std::size_t rows,
                   std::size_t cols) {
  for (std::size_t r = 0; r < rows; ++r)
    for (std::size_t c = 0; c < cols; ++c) {
      const std::size_t i = r * cols + c;
      const float bv = b[bidx(k, r, c, cols)];
      switch (op) {
        case Add: y[i] = a[i] + bv; break;
        case Sub: y[i] = a[i] - bv; break;
        case Mul: y[i] = a[i] * bv; break;
        case Div: y[i] = a[i] / bv; break;
      }
    }
}

// Backward, with the local derivatives:
//   add: dy/da = 1,  dy/db = 1
//   sub: dy/da = 1,  dy/db = -1
//   mul: dy/da = b,  dy/db = a
//   div: dy/da = 1/b, dy/db = -a / b^2
void arith_backward(Tape& t, int id) {
  Node& n = t.node(id);
  Node& A = t.node(n.in[0]);
  Node& B = t.node(n.in[1]);
  const ArithOp op = static_cast<ArithOp>(n.i[0]);
  const Bcast k = static_cast<Bcast>(n.i[1]);
  const std::size_t rows = static_cast<std::size_t>(n.value.rows());
  const std::size_t cols = static_cast<std::size_t>(n.value.cols());
  const float* dy = n.grad.data;
  const float* a = A.value.data;
  const float* b = B.value.data;
  if (t.on_device()) {
#ifdef DGM_CUDA
    gpu::arith_backward(op, k, A.needs_grad ? A.grad.data : nullptr, B.needs_grad ? B.grad.data : nullptr, dy, a, b,
                        rows, cols);
#endif
    return;
  }
  for (std::size_t r = 0; r < rows; ++r)
    for (std::size_t c = 0; c < cols; ++c) {
      const std::size_t i = r * cols + c, j = bidx(k, r, c, cols);
      float da = 0.f, db = 0.f;
      switch (op) {
        case Add: da = dy[i]; db = dy[i]; break;
        case Sub: da = dy[i]; db = -dy[i]; break;
        case Mul: da = dy[i] * b[j]; db = dy[i] * a[i]; break;
        case Div: da = dy[i] / b[j]; db = -dy[i] * a[i] / (b[j] * b[j]); break;
      }
      if (A.needs_grad) A.grad.data[i] += da;
      if (B.needs_grad) B.grad.data[j] += db;
    }
}

Var arith(Tape& t, ArithOp op, const char* name, Var a, Var b) {
  Tensor av = t.value(a), bv = t.value(b);
  const Bcast k = broadcast_kind(name, av, bv);
  Tensor y = t.alloc(av);
  if (t.on_device()) {
#ifdef DGM_CUDA
    gpu::arith_forward(op, k, y.data, av.data, bv.data, static_cast<std::size_t>(av.rows()),
                       static_cast<std::size_t>(av.cols()));
#endif
  } else {
    arith_forward(op, k, y.data, av.data, bv.data, static_cast<std::size_t>(av.rows()),
                  static_cast<std::size_t>(av.cols()));
  }
  Var out = t.push(y, arith_backward, a, b);
  t.node(out).i[0] = op;
  t.node(out).i[1] = k;
  return out;
}

// y = s a + c;  dy/da = s
void affine_backward(Tape& t, int id) {
  Node& n = t.node(id);
  Node& A = t.node(n.in[0]);
  if (!A.needs_grad) return;
  const float s = n.f[0];
  const std::size_t len = n.value.size();
  if (t.on_device()) {
#ifdef DGM_CUDA
    gpu::affine_backward(A.grad.data, n.grad.data, len, s);
#endif
    return;
  }
  for (std::size_t i = 0; i < len; ++i) A.grad.data[i] += s * n.grad.data[i];
}

Var affine(Tape& t, Var a, float s, float c) {
  Tensor x = t.value(a);
  Tensor y = t.alloc(x);
  const std::size_t len = x.size();
  if (t.on_device()) {
#ifdef DGM_CUDA
    gpu::affine_forward(y.data, x.data, len, s, c);
#endif
  } else {
    for (std::size_t i = 0; i < len; ++i) y.data[i] = s * x.data[i] + c;
  }
  Var out = t.push(y, affine_backward, a);
  t.node(out).f[0] = s;
  t.node(out).f[1] = c;
  return out;
}

}  // namespace

Var add(Tape& t, Var a, Var b) { return arith(t, Add, "add", a, b); }
Var sub(Tape& t, Var a, Var b) { return arith(t, Sub, "sub", a, b); }
Var mul(Tape& t, Var a, Var b) { return arith(t, Mul, "mul", a, b); }
Var div(Tape& t, Var a, Var b) { return arith(t, Div, "div", a, b); }
Var scale(Tape& t, Var a, float s) { return affine(t, a, s, 0.f); }
Var add_scalar(Tape& t, Var a, float c) { return affine(t, a, 1.f, c); }

}  // namespace dgm
