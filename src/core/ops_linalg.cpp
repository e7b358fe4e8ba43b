// ops_linalg.cpp - matrix products: C = op(A) op(B), and the layer y = x W^T + b.
//
// Both forward and backward are gemm calls (src/backend/gemm.cpp). With C = op(A) op(B):
//   dC/d op(A) : d op(A) += dC op(B)^T        dC/d op(B) : d op(B) += op(A)^T dC
// where a transposed operand receives the transpose of its gradient.
#include <cstring>

#include "dgm/core/check.h"
#include "dgm/backend/gemm.h"
#include "dgm/core/ops.h"
#include "dgm/backend/vecmath.h"
#ifdef DGM_CUDA
#include "../backend/gpu.h"
#endif

namespace dgm {
namespace {

// db (n) += dy row r (n), for every row of dy (rows, n), rows in increasing order (the same sum
// order for any thread count); vectorized over the columns.
DGM_NOINLINE void bias_grad_cpu(float* DGM_RESTRICT db, const float* DGM_RESTRICT dy, std::size_t rows,
                            std::size_t n) {
  for (std::size_t r = 0; r < rows; ++r) {
    const float* DGM_RESTRICT row = dy + r * n;
    for_blocks(n, [&](std::size_t j) { db[j] += row[j]; });
  }
}

// The matrix product and the bias gradient on the tape's device (the CPU's gemm, or gpu::gemm).
void mm(const Tape& t, bool ta, bool tb, int M, int N, int K, const float* A, int lda, const float* B, int ldb,
        float* C, int ldc, bool accumulate) {
  if (t.on_device()) {
#ifdef DGM_CUDA
    gpu::gemm(ta, tb, M, N, K, A, lda, B, ldb, C, ldc, accumulate);
#endif
  } else {
    gemm(ta, tb, M, N, K, A, lda, B, ldb, C, ldc, accumulate);
  }
}
void bias_grad(const Tape& t, float* db, const float* dy, std::size_t rows, std::size_t n) {
  if (t.on_device()) {
#ifdef DGM_CUDA
    gpu::bias_grad(db, dy, rows, n);
#endif
  } else {
    bias_grad_cpu(db, dy, rows, n);
  }
}

void matmul_backward(Tape& t, int id) {
  Node& n = t.node(id);
  Node& A = t.node(n.in[0]);
  Node& B = t.node(n.in[1]);
  const bool ta = n.i[0] != 0, tb = n.i[1] != 0;
  const int M = n.value.rows(), N = n.value.cols();
  const int K = ta ? A.value.rows() : A.value.cols();
  const int lda = A.value.cols(), ldb = B.value.cols();
  const float* dC = n.grad.data;  // dC: (M, N)
  if (A.needs_grad) {
    if (!ta)  // dA (M, K) += dC (M, N) op(B)^T (N, K)
      mm(t, false, !tb, M, K, N, dC, N, B.value.data, ldb, A.grad.data, lda, true);
    else      // A stored (K, M): dA += op(B) (K, N) dC^T (N, M)
      mm(t, tb, true, K, M, N, B.value.data, ldb, dC, N, A.grad.data, lda, true);
  }
  if (B.needs_grad) {
    if (!tb)  // dB (K, N) += op(A)^T (K, M) dC (M, N)
      mm(t, !ta, false, K, N, M, A.value.data, lda, dC, N, B.grad.data, ldb, true);
    else      // B stored (N, K): dB += dC^T (N, M) op(A) (M, K)
      mm(t, true, ta, N, K, M, dC, N, A.value.data, lda, B.grad.data, ldb, true);
  }
}

// y = x W^T + b.  dx += dy W;  dW += dy^T x;  db += sum over rows of dy.
void linear_backward(Tape& t, int id) {
  Node& n = t.node(id);
  Node& X = t.node(n.in[0]);
  Node& W = t.node(n.in[1]);
  const int B = n.value.rows(), out = n.value.cols(), in = X.value.cols();
  const float* dy = n.grad.data;  // dy: (B, out)
  if (X.needs_grad)  // dx (B, in) += dy (B, out) W (out, in)
    mm(t, false, false, B, in, out, dy, out, W.value.data, in, X.grad.data, in, true);
  if (W.needs_grad)  // dW (out, in) += dy^T (out, B) x (B, in)
    mm(t, true, false, out, in, B, dy, out, X.value.data, in, W.grad.data, in, true);
  if (n.in[2] >= 0) {
    Node& b = t.node(n.in[2]);
    if (b.needs_grad)  // db (1, out) += sum_r dy[r, :]
      bias_grad(t, b.grad.data, dy, static_cast<std::size_t>(B), static_cast<std::size_t>(out));
  }
}

}  // namespace

Var matmul(Tape& t, Var a, Var b, bool trans_a, bool trans_b) {
  Tensor A = t.value(a), B = t.value(b);
  const int M = trans_a ? A.cols() : A.rows(), K = trans_a ? A.rows() : A.cols();
  const int Kb = trans_b ? B.cols() : B.rows(), N = trans_b ? B.rows() : B.cols();
  DGM_CHECK(K == Kb, "matmul: inner dimensions differ: a %s%s, b %s%s", shape_str(A).text,
            trans_a ? "^T" : "", shape_str(B).text, trans_b ? "^T" : "");
  Tensor C = t.alloc(make_shape(M, N));
  mm(t, trans_a, trans_b, M, N, K, A.data, A.cols(), B.data, B.cols(), C.data, N, false);
  Var out = t.push(C, matmul_backward, a, b);
  t.node(out).i[0] = trans_a;
  t.node(out).i[1] = trans_b;
  return out;
}

Var linear(Tape& t, Var x, Var W, Var b) {
  Tensor X = t.value(x), Wv = t.value(W);
  const int B = X.rows(), in = X.cols(), out = Wv.rows();
  DGM_CHECK(Wv.cols() == in, "linear: x %s needs W with %d columns, W is %s", shape_str(X).text, in,
            shape_str(Wv).text);
  Tensor y = t.alloc(make_shape(B, out));
  if (b.valid()) {
    Tensor bv = t.value(b);
    DGM_CHECK(static_cast<int>(bv.size()) == out, "linear: bias %s should have %d elements (W %s)",
              shape_str(bv).text, out, shape_str(Wv).text);
    if (t.on_device()) {  // y = b + x W^T in one kernel (the bias added as each tile is stored)
#ifdef DGM_CUDA
      gpu::gemm(false, true, B, out, in, X.data, in, Wv.data, in, y.data, out, false, bv.data);
#endif
      return t.push(y, linear_backward, x, W, b);
    }
    for (int r = 0; r < B; ++r)  // y starts as b in every row, then gemm adds x W^T
      std::memcpy(y.data + static_cast<std::size_t>(r) * out, bv.data, static_cast<std::size_t>(out) * sizeof(float));
  }
  // y (B, out) (+)= x (B, in) W^T (in, out)
  mm(t, false, true, B, out, in, X.data, in, Wv.data, in, y.data, out, b.valid());
  return t.push(y, linear_backward, x, W, b);
}

}  // namespace dgm
