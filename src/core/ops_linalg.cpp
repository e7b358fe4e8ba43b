// ops_linalg.cpp - matrix products: C = op(A) op(B), and the layer y = x W^T + b.
//
// Both forward and backward are matrix products (the kernel table's gemm: on the CPU the blocked
// gemm of src/backend/gemm.cpp, whose reference is gemm_naive's triple loop). With C = op(A) op(B):
//   dC/d op(A) : d op(A) += dC op(B)^T        dC/d op(B) : d op(B) += op(A)^T dC
// where a transposed operand receives the transpose of its gradient.
#include "dgm/core/check.h"
#include "dgm/core/ops.h"
#include "dgm/core/ops_ref.h"

namespace dgm {

// db (1, n) += sum_r dy[r, :], dy (rows, n), rows in increasing order.
void ref::bias_grad(float* db, const float* dy, std::size_t rows, std::size_t n) {
  for (std::size_t r = 0; r < rows; ++r)
    for (std::size_t j = 0; j < n; ++j) db[j] += dy[r * n + j];
}

namespace {

void matmul_backward(Tape& t, int id) {
  Node& n = t.node(id);
  Node& A = t.node(n.in[0]);
  Node& B = t.node(n.in[1]);
  const bool ta = n.i[0] != 0, tb = n.i[1] != 0;
  const int M = n.value.rows(), N = n.value.cols();
  const int K = ta ? A.value.rows() : A.value.cols();
  const int lda = A.value.cols(), ldb = B.value.cols();
  const float* dC = n.grad.data;  // dC: (M, N)
  const auto mm = t.kernels().gemm;
  if (A.needs_grad) {
    if (!ta)  // dA (M, K) += dC (M, N) op(B)^T (N, K)
      mm(false, !tb, M, K, N, dC, N, B.value.data, ldb, A.grad.data, lda, true, nullptr);
    else      // A stored (K, M): dA += op(B) (K, N) dC^T (N, M)
      mm(tb, true, K, M, N, B.value.data, ldb, dC, N, A.grad.data, lda, true, nullptr);
  }
  if (B.needs_grad) {
    if (!tb)  // dB (K, N) += op(A)^T (K, M) dC (M, N)
      mm(!ta, false, K, N, M, A.value.data, lda, dC, N, B.grad.data, ldb, true, nullptr);
    else      // B stored (N, K): dB += dC^T (N, M) op(A) (M, K)
      mm(true, ta, N, K, M, dC, N, A.value.data, lda, B.grad.data, ldb, true, nullptr);
  }
}

// y = x W^T + b.  dx += dy W;  dW += dy^T x;  db += sum over rows of dy.
void linear_backward(Tape& t, int id) {
  Node& n = t.node(id);
  Node& X = t.node(n.in[0]);
  Node& W = t.node(n.in[1]);
  const int B = n.value.rows(), out = n.value.cols(), in = X.value.cols();
  const float* dy = n.grad.data;  // dy: (B, out)
  const Kernels& k = t.kernels();
  if (X.needs_grad)  // dx (B, in) += dy (B, out) W (out, in)
    k.gemm(false, false, B, in, out, dy, out, W.value.data, in, X.grad.data, in, true, nullptr);
  if (W.needs_grad)  // dW (out, in) += dy^T (out, B) x (B, in)
    k.gemm(true, false, out, in, B, dy, out, X.value.data, in, W.grad.data, in, true, nullptr);
  if (n.in[2] >= 0) {
    Node& b = t.node(n.in[2]);
    if (b.needs_grad)  // db (1, out) += sum_r dy[r, :]
      k.bias_grad(b.grad.data, dy, static_cast<std::size_t>(B), static_cast<std::size_t>(out));
  }
}

}  // namespace

Var matmul(Tape& t, Var a, Var b, bool trans_a, bool trans_b) {
  Tensor A = t.value(a), B = t.value(b);
  const int M = trans_a ? A.cols() : A.rows(), K = trans_a ? A.rows() : A.cols();
  const int Kb = trans_b ? B.cols() : B.rows(), N = trans_b ? B.rows() : B.cols();
  DGM_CHECK(K == Kb, "matmul: inner dimensions differ: a %s%s, b %s%s", shape_str(A).text,
            trans_a ? "^T" : "", shape_str(B).text, trans_b ? "^T" : "");
  Tensor C = t.alloc(make_shape(M, N));  // C (M, N) = op(A) (M, K) op(B) (K, N)
  t.kernels().gemm(trans_a, trans_b, M, N, K, A.data, A.cols(), B.data, B.cols(), C.data, N, false, nullptr);
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
  const float* bias = nullptr;  // b: (1, out)
  if (b.valid()) {
    Tensor bv = t.value(b);
    DGM_CHECK(static_cast<int>(bv.size()) == out, "linear: bias %s should have %d elements (W %s)",
              shape_str(bv).text, out, shape_str(Wv).text);
    bias = bv.data;
  }
  // y (B, out) = b + x (B, in) W^T (in, out)
  t.kernels().gemm(false, true, B, out, in, X.data, in, Wv.data, in, y.data, out, false, bias);
  return t.push(y, linear_backward, x, W, b);
}

}  // namespace dgm
