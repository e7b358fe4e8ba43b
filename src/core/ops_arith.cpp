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
#include "dgm/core/ops_ref.h"

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

}  // namespace

// Forward: y (rows, cols) = a op b, b read at bidx (its broadcast).
void ref::arith_forward(int op, int kind, float* y, const float* a, const float* b, std::size_t rows,
                        std::size_t cols) {
  const Bcast k = static_cast<Bcast>(kind);
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
// da (rows, cols) and db (b's shape) may be null (that input wants no gradient).
void ref::arith_backward(int op, int kind, float* da, float* db, const float* dy, const float* a, const float* b,
                         std::size_t rows, std::size_t cols) {
  const Bcast k = static_cast<Bcast>(kind);
  for (std::size_t r = 0; r < rows; ++r)
    for (std::size_t c = 0; c < cols; ++c) {
      const std::size_t i = r * cols + c, j = bidx(k, r, c, cols);
      float ga = 0.f, gb = 0.f;
      switch (op) {
        case Add: ga = dy[i]; gb = dy[i]; break;
        case Sub: ga = dy[i]; gb = -dy[i]; break;
        case Mul: ga = dy[i] * b[j]; gb = dy[i] * a[i]; break;
        case Div: ga = dy[i] / b[j]; gb = -dy[i] * a[i] / (b[j] * b[j]); break;
      }
      if (da) da[i] += ga;
      if (db) db[j] += gb;
    }
}

// y = s a + c;  dy/da = s
void ref::affine_forward(float* y, const float* x, std::size_t n, float s, float c) {
  for (std::size_t i = 0; i < n; ++i) y[i] = s * x[i] + c;
}
void ref::affine_backward(float* dx, const float* dy, std::size_t n, float s) {
  for (std::size_t i = 0; i < n; ++i) dx[i] += s * dy[i];
}

namespace {

void arith_backward(Tape& t, int id) {
  Node& n = t.node(id);
  Node& A = t.node(n.in[0]);
  Node& B = t.node(n.in[1]);
  t.kernels().arith_backward(n.i[0], n.i[1], A.needs_grad ? A.grad.data : nullptr, B.needs_grad ? B.grad.data : nullptr,
                             n.grad.data, A.value.data, B.value.data, static_cast<std::size_t>(n.value.rows()),
                             static_cast<std::size_t>(n.value.cols()));
}

Var arith(Tape& t, ArithOp op, const char* name, Var a, Var b) {
  Tensor av = t.value(a), bv = t.value(b);
  const Bcast k = broadcast_kind(name, av, bv);
  Tensor y = t.alloc(av);
  t.kernels().arith_forward(op, k, y.data, av.data, bv.data, static_cast<std::size_t>(av.rows()),
                            static_cast<std::size_t>(av.cols()));
  Var out = t.push(y, arith_backward, a, b);
  t.node(out).i[0] = op;
  t.node(out).i[1] = k;
  return out;
}

void affine_backward(Tape& t, int id) {
  Node& n = t.node(id);
  Node& A = t.node(n.in[0]);
  if (A.needs_grad) t.kernels().affine_backward(A.grad.data, n.grad.data, n.value.size(), n.f[0]);
}

Var affine(Tape& t, Var a, float s, float c) {
  Tensor x = t.value(a);
  Tensor y = t.alloc(x);
  t.kernels().affine_forward(y.data, x.data, x.size(), s, c);
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
