// ops_seq.cpp - embedding lookup, softmax cross-entropy against integer targets, and the LSTM
// cell's element-wise part (see include/dgm/ops_seq.h). Each forward sits beside its backward
// with the local derivative as a comment. Plain serial loops in a fixed order: the result does
// not depend on the thread count (the matrix products around them are in ops_linalg.cpp).
#include "dgm/core/ops_seq.h"

#include <cmath>

#include "dgm/core/check.h"
#include "dgm/backend/vecmath.h"

namespace dgm {
namespace {

void check_cpu(Tape& t, const char* op) { DGM_CHECK(!t.on_device(), "%s: runs on a CPU tape only", op); }

// Integers stored on the tape as floats (exact below 2^24; the vocabulary is far smaller).
Tensor save_ids(Tape& t, const int* ids, int n, int limit, const char* op) {
  Tensor s = t.alloc(make_shape(n));
  for (int r = 0; r < n; ++r) {
    DGM_CHECK(ids[r] >= 0 && ids[r] < limit, "%s: id %d at row %d is outside [0, %d)", op, ids[r], r, limit);
    s.data[r] = static_cast<float>(ids[r]);
  }
  return s;
}
inline int id_at(const Tensor& s, int r) { return static_cast<int>(s.data[r]); }

// ---- embedding: y_r = W[ids_r] ----
// dy_r/dW[k] = [k == ids_r] I: dW[ids_r] += dy_r (a row used twice receives both contributions)
void embedding_backward(Tape& t, int id) {
  Node& n = t.node(id);
  Node& W = t.node(n.in[0]);
  if (!W.needs_grad) return;
  const int E = W.value.cols(), rows = n.value.rows();
  for (int r = 0; r < rows; ++r) {
    float* dw = W.grad.data + static_cast<std::size_t>(id_at(n.saved, r)) * E;
    const float* dy = n.grad.data + static_cast<std::size_t>(r) * E;
    for (int e = 0; e < E; ++e) dw[e] += dy[e];
  }
}

// ---- rows of a tensor: y = a[begin:end, :], a view ----
// dy/da[begin + r] = I: da[begin + r] += dy[r]
void slice_rows_backward(Tape& t, int id) {
  Node& n = t.node(id);
  Node& A = t.node(n.in[0]);
  if (!A.needs_grad) return;
  const std::size_t count = n.value.size();
  float* da = A.grad.data + static_cast<std::size_t>(n.i[0]) * static_cast<std::size_t>(A.value.cols());
  for (std::size_t k = 0; k < count; ++k) da[k] += n.grad.data[k];
}

// ---- softmax cross-entropy against integer targets, mean over rows ----
// L = 1/R sum_r [lse(l_r) - l_{r,y_r}]
// dL/dl_{r,j} = 1/R (softmax(l_r)_j - [j == y_r]),  softmax(l_r)_j = e^{l_{r,j} - lse(l_r)}
// The forward saves lse(l_r) per row after the targets: saved = [y_0 .. y_{R-1} | lse_0 .. lse_{R-1}].
// dl_j += g e^{l_j - lse}: fast_exp (dgm/vecmath.h) in blocks the compiler vectorizes
DGM_NOINLINE void ce_row_backward(float* DGM_RESTRICT dl, const float* DGM_RESTRICT l, float lse, float g, std::size_t V) {
  for_blocks(V, [&](std::size_t j) { dl[j] += g * fast_exp(l[j] - lse); });
}
// e_j = e^{l_j - m}, vectorized; the caller sums them in double in index order
DGM_NOINLINE void ce_row_exp(float* DGM_RESTRICT e, const float* DGM_RESTRICT l, float m, std::size_t V) {
  for_blocks(V, [&](std::size_t j) { e[j] = fast_exp(l[j] - m); });
}

void softmax_ce_ids_backward(Tape& t, int id) {
  Node& n = t.node(id);
  Node& L = t.node(n.in[0]);
  if (!L.needs_grad) return;
  const int R = L.value.rows(), V = L.value.cols();
  const float g = n.grad.data[0] / static_cast<float>(R);
  for (int r = 0; r < R; ++r) {
    const float* l = L.value.data + static_cast<std::size_t>(r) * V;
    float* dl = L.grad.data + static_cast<std::size_t>(r) * V;
    const float lse = n.saved.data[R + r];
    ce_row_backward(dl, l, lse, g, static_cast<std::size_t>(V));
    dl[id_at(n.saved, r)] -= g;
  }
}

// ---- LSTM cell (gate order i, f, g, o) ----
// i = s(a_i), f = s(a_f), g = tanh(a_g), o = s(a_o), c = f c_prev + i g, h = o tanh(c)
// With dh, dc the incoming gradients of the two halves of the output [h | c]:
//   dc_total = dc + dh o (1 - tanh(c)^2)
//   da_i = dc_total g i (1 - i);  da_f = dc_total c_prev f (1 - f);
//   da_g = dc_total i (1 - g^2);  da_o = dh tanh(c) o (1 - o);  dc_prev = dc_total f
// saved: (B, 5H) = [i | f | g | o | tanh(c)] from the forward.
// One element of the backward; da or dcp may be null (that input needs no gradient).
DGM_INLINE void lstm_backward_at(float* da, float* dcp, const float* s, const float* dy, const float* cp, std::size_t H,
                                 std::size_t j) {
  const float i = s[j], f = s[H + j], g = s[2 * H + j], o = s[3 * H + j], tc = s[4 * H + j];
  const float dh = dy[j];
  const float dc = dy[H + j] + dh * o * (1.f - tc * tc);
  if (da) {
    da[j] += dc * g * i * (1.f - i);
    da[H + j] += dc * cp[j] * f * (1.f - f);
    da[2 * H + j] += dc * i * (1.f - g * g);
    da[3 * H + j] += dh * tc * o * (1.f - o);
  }
  if (dcp) dcp[j] += dc * f;
}
// The same over a row with both gradients wanted: blocked, restrict, so it vectorizes.
DGM_NOINLINE void lstm_row_backward_both(float* DGM_RESTRICT da, float* DGM_RESTRICT dcp, const float* DGM_RESTRICT s,
                                         const float* DGM_RESTRICT dy, const float* DGM_RESTRICT cp, std::size_t H) {
  std::size_t j = 0;
  for (; j + kBlock <= H; j += kBlock)
    for (std::size_t q = j; q < j + kBlock; ++q) lstm_backward_at(da, dcp, s, dy, cp, H, q);
  for (; j < H; ++j) lstm_backward_at(da, dcp, s, dy, cp, H, j);
}
void lstm_row_backward(float* da, float* dcp, const float* s, const float* dy, const float* cp, std::size_t H) {
  if (da && dcp) return lstm_row_backward_both(da, dcp, s, dy, cp, H);
  for (std::size_t j = 0; j < H; ++j) lstm_backward_at(da, dcp, s, dy, cp, H, j);
}

void lstm_cell_backward(Tape& t, int id) {
  Node& n = t.node(id);
  Node& A = t.node(n.in[0]);
  Node& C = t.node(n.in[1]);
  const int B = n.value.rows(), H = n.value.cols() / 2;
  for (int b = 0; b < B; ++b)
    lstm_row_backward(A.needs_grad ? A.grad.data + static_cast<std::size_t>(b) * 4 * H : nullptr,
                      C.needs_grad ? C.grad.data + static_cast<std::size_t>(b) * H : nullptr,
                      n.saved.data + static_cast<std::size_t>(b) * 5 * H, n.grad.data + static_cast<std::size_t>(b) * 2 * H,
                      C.value.data + static_cast<std::size_t>(b) * H, static_cast<std::size_t>(H));
}

// One row of the forward: sv = [i | f | g | o | tanh c], h and c of the row, with fast_sigmoid and
// fast_tanh (dgm/vecmath.h). Blocked loops written out, one function each (GCC does not inline the
// longer bodies into for_blocks, so they would not vectorize).
#define DGM_BLOCKED(n, stmt)                                                    \
  do {                                                                          \
    std::size_t j = 0;                                                          \
    for (; j + kBlock <= (n); j += kBlock)                                      \
      for (std::size_t q = j; q < j + kBlock; ++q) { const std::size_t k = q; stmt; } \
    for (; j < (n); ++j) { const std::size_t k = j; stmt; }                     \
  } while (0)
DGM_NOINLINE void sigmoid_row(float* DGM_RESTRICT y, const float* DGM_RESTRICT x, std::size_t n) {
  DGM_BLOCKED(n, y[k] = fast_sigmoid(x[k]));
}
DGM_NOINLINE void tanh_row(float* DGM_RESTRICT y, const float* DGM_RESTRICT x, std::size_t n) {
  DGM_BLOCKED(n, y[k] = fast_tanh(x[k]));
}
// c = f c_prev + i g into c, then tanh(c) into tc
DGM_NOINLINE void cell_row(float* DGM_RESTRICT c, const float* DGM_RESTRICT cp, const float* DGM_RESTRICT i,
                           const float* DGM_RESTRICT f, const float* DGM_RESTRICT g, std::size_t n) {
  DGM_BLOCKED(n, c[k] = f[k] * cp[k] + i[k] * g[k]);
}
DGM_NOINLINE void mul_row(float* DGM_RESTRICT y, const float* DGM_RESTRICT a, const float* DGM_RESTRICT b, std::size_t n) {
  DGM_BLOCKED(n, y[k] = a[k] * b[k]);
}
#undef DGM_BLOCKED

void lstm_row_forward(float* sv, float* h, float* c, const float* a, const float* cp, std::size_t H) {
  sigmoid_row(sv, a, 2 * H);                // i, f
  tanh_row(sv + 2 * H, a + 2 * H, H);       // g
  sigmoid_row(sv + 3 * H, a + 3 * H, H);    // o
  cell_row(c, cp, sv, sv + H, sv + 2 * H, H);  // c = f c_prev + i g
  tanh_row(sv + 4 * H, c, H);               // tanh(c)
  mul_row(h, sv + 3 * H, sv + 4 * H, H);    // h = o tanh(c)
}

}  // namespace

Var embedding(Tape& t, Var table, const int* ids, int n) {
  check_cpu(t, "embedding");
  const Tensor W = t.value(table);
  DGM_CHECK(W.ndim == 2 && n >= 0, "embedding: table must be (V, E), got %s", shape_str(W).text);
  const int E = W.cols();
  Tensor saved = save_ids(t, ids, n, W.rows(), "embedding");
  Tensor y = t.alloc(make_shape(n, E));
  for (int r = 0; r < n; ++r) {
    const float* w = W.data + static_cast<std::size_t>(ids[r]) * E;
    for (int e = 0; e < E; ++e) y.data[static_cast<std::size_t>(r) * E + e] = w[e];
  }
  Var out = t.push(y, embedding_backward, table);
  t.node(out).saved = saved;
  return out;
}

Var slice_rows(Tape& t, Var a, int begin, int end) {
  check_cpu(t, "slice_rows");
  const Tensor A = t.value(a);
  DGM_CHECK(0 <= begin && begin < end && end <= A.rows(), "slice_rows: rows [%d, %d) out of range for %s", begin, end,
            shape_str(A).text);
  Tensor y = make_shape(end - begin, A.cols());
  y.data = A.data + static_cast<std::size_t>(begin) * static_cast<std::size_t>(A.cols());
  Var out = t.push(y, slice_rows_backward, a);
  t.node(out).i[0] = begin;
  return out;
}

Var softmax_cross_entropy_ids(Tape& t, Var logits, const int* targets) {
  check_cpu(t, "softmax_cross_entropy_ids");
  const Tensor L = t.value(logits);
  const int R = L.rows(), V = L.cols();
  DGM_CHECK(R > 0, "softmax_cross_entropy_ids: no rows in %s", shape_str(L).text);
  Tensor saved = t.alloc(make_shape(2 * R));
  Tensor ids = save_ids(t, targets, R, V, "softmax_cross_entropy_ids");
  for (int r = 0; r < R; ++r) saved.data[r] = ids.data[r];
  double total = 0.0;  // sum over rows in order r = 0, 1, ...
  Tensor e = t.alloc(make_shape(V));  // scratch: e^{l_j - m} of one row
  for (int r = 0; r < R; ++r) {
    const float* l = L.data + static_cast<std::size_t>(r) * V;
    float m = l[0];
    for (int j = 1; j < V; ++j) m = l[j] > m ? l[j] : m;
    ce_row_exp(e.data, l, m, static_cast<std::size_t>(V));
    double s = 0.0;
    for (int j = 0; j < V; ++j) s += e.data[j];
    const double lse = m + std::log(s);
    saved.data[R + r] = static_cast<float>(lse);
    total += lse - l[targets[r]];
  }
  Tensor y = t.alloc(make_shape(1));
  y.data[0] = static_cast<float>(total / R);
  Var out = t.push(y, softmax_ce_ids_backward, logits);
  t.node(out).saved = saved;
  return out;
}

Var lstm_cell(Tape& t, Var gates, Var c_prev) {
  check_cpu(t, "lstm_cell");
  const Tensor A = t.value(gates), C = t.value(c_prev);
  const int B = C.rows(), H = C.cols();
  DGM_CHECK(A.rows() == B && A.cols() == 4 * H, "lstm_cell: gates %s must be (B, 4H) for c_prev %s",
            shape_str(A).text, shape_str(C).text);
  Tensor y = t.alloc(make_shape(B, 2 * H));
  Tensor s = t.alloc(make_shape(B, 5 * H));
  for (int b = 0; b < B; ++b) {
    float* h = y.data + static_cast<std::size_t>(b) * 2 * H;
    lstm_row_forward(s.data + static_cast<std::size_t>(b) * 5 * H, h, h + H, A.data + static_cast<std::size_t>(b) * 4 * H,
                     C.data + static_cast<std::size_t>(b) * H, static_cast<std::size_t>(H));
  }
  Var out = t.push(y, lstm_cell_backward, gates, c_prev);
  t.node(out).saved = s;
  return out;
}

}  // namespace dgm
