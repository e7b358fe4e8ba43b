// ops_seq.cpp - embedding lookup, softmax cross-entropy against integer targets, the LSTM cell's
// element-wise part, and the LSTM layer over a chunk of steps (see include/dgm/core/ops_seq.h).
// Each forward sits beside its backward with the local derivative as a comment. Plain serial
// loops in a fixed order, and the blocked gemm for lstm_layer's products (bitwise independent of
// the thread count, src/backend/gemm.cpp): the results do not depend on the thread count.
#include "dgm/core/ops_seq.h"

#include <cmath>
#include <cstring>

#include "dgm/core/check.h"
#include "dgm/backend/gemm.h"
#include "dgm/backend/vecmath.h"

namespace dgm {
namespace {

// Host loops only so far: a device tape stops in Tape::need with one message.
void check_cpu(Tape& t, const char* op) { t.need(t.kernels().host_loops, op); }

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

// ---- a whole LSTM layer over T steps (lstm_layer) ----
// saved: [sv: T*B x 5H, the cell's [i | f | g | o | tanh c] of every step | c: T*B x H, c_t of every
// step | da: T*B x 4H, scratch of the backward | dy: B x 2H, dh: B x H, dc: B x H, scratch |
// wt: H x 4H, W_hh^T, transposed once per chunk instead of by every step's product].
struct LstmLayerShape {
  int T, B, H;
  std::size_t sv() const { return 0; }
  std::size_t c() const { return sv() + static_cast<std::size_t>(T) * B * 5 * H; }
  std::size_t da() const { return c() + static_cast<std::size_t>(T) * B * H; }
  std::size_t dy() const { return da() + static_cast<std::size_t>(T) * B * 4 * H; }
  std::size_t dh() const { return dy() + static_cast<std::size_t>(B) * 2 * H; }
  std::size_t dc() const { return dh() + static_cast<std::size_t>(B) * H; }
  std::size_t wt() const { return dc() + static_cast<std::size_t>(B) * H; }
  std::size_t total() const { return wt() + static_cast<std::size_t>(H) * 4 * H; }
};
LstmLayerShape lstm_layer_shape(const Node& n) {
  const int H = n.value.cols(), B = n.i[0];
  return {n.value.rows() / B - 1, B, H};
}

void lstm_layer_backward(Tape& t, int id) {
  Node& n = t.node(id);
  Node& P = t.node(n.in[0]);
  Node& W = t.node(n.in[1]);
  Node& S = t.node(n.in[2]);
  const LstmLayerShape L = lstm_layer_shape(n);
  const int T = L.T, B = L.B, H = L.H;
  const std::size_t h = static_cast<std::size_t>(H), bh = static_cast<std::size_t>(B) * h;
  float* sv = n.saved.data + L.sv();
  float* c = n.saved.data + L.c();
  float* da = n.saved.data + L.da();
  float* dy = n.saved.data + L.dy();
  float* dh = n.saved.data + L.dh();  // da_{t+1} W_hh: the gradient reaching h_t from step t+1
  float* dc = n.saved.data + L.dc();  // the gradient reaching c_t from step t+1 (or from the c_T rows)
  std::memset(dh, 0, bh * sizeof(float));
  std::memcpy(dc, n.grad.data + static_cast<std::size_t>(T) * bh, bh * sizeof(float));
  const float* c0 = S.value.data + h;  // row b of c_0 at c0 + b * 2H
  for (int s = T - 1; s >= 0; --s) {  // step t = s + 1
    float* da_t = da + static_cast<std::size_t>(s) * bh * 4;
    const float* dy_h = n.grad.data + static_cast<std::size_t>(s) * bh;
    for (int b = 0; b < B; ++b) {  // dy = [dy_t + dh | dc]
      float* row = dy + static_cast<std::size_t>(b) * 2 * h;
      for (std::size_t j = 0; j < h; ++j) row[j] = dy_h[b * h + j] + dh[b * h + j];
      std::memcpy(row + h, dc + b * h, h * sizeof(float));
    }
    std::memset(da_t, 0, bh * 4 * sizeof(float));
    std::memset(dc, 0, bh * sizeof(float));
    for (int b = 0; b < B; ++b) {
      const float* cp = s > 0 ? c + (static_cast<std::size_t>(s - 1) * B + b) * h : c0 + static_cast<std::size_t>(b) * 2 * h;
      lstm_row_backward_both(da_t + static_cast<std::size_t>(b) * 4 * h, dc + b * h,
                             sv + (static_cast<std::size_t>(s) * B + b) * 5 * h, dy + static_cast<std::size_t>(b) * 2 * h, cp, h);
    }
    // dh_{t-1} (B, H) = da_t (B, 4H) W_hh (4H, H)
    gemm(false, false, B, H, 4 * H, da_t, 4 * H, W.value.data, H, dh, H, false);
  }
  if (P.needs_grad) {  // dp = da
    const std::size_t count = static_cast<std::size_t>(T) * bh * 4;
    for (std::size_t k = 0; k < count; ++k) P.grad.data[k] += da[k];
  }
  if (W.needs_grad) {  // dW_hh (4H, H) += da_1^T h_0 + [da_2 .. da_T]^T [h_1 .. h_{T-1}]
    gemm(true, false, 4 * H, H, B, da, 4 * H, S.value.data, 2 * H, W.grad.data, H, true);
    if (T > 1) gemm(true, false, 4 * H, H, (T - 1) * B, da + bh * 4, 4 * H, n.value.data, H, W.grad.data, H, true);
  }
  if (S.needs_grad)  // ds0 = [dh_0 | dc_0]
    for (int b = 0; b < B; ++b)
      for (std::size_t j = 0; j < h; ++j) {
        S.grad.data[b * 2 * h + j] += dh[b * h + j];
        S.grad.data[b * 2 * h + h + j] += dc[b * h + j];
      }
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

Var lstm_layer(Tape& t, Var p, Var w_hh, Var s0) {
  check_cpu(t, "lstm_layer");
  const Tensor Pv = t.value(p), Wv = t.value(w_hh), Sv = t.value(s0);
  const int B = Sv.rows(), H = Wv.cols();
  DGM_CHECK(Wv.ndim == 2 && Wv.rows() == 4 * H && Sv.ndim == 2 && Sv.cols() == 2 * H && B > 0,
            "lstm_layer: w_hh %s must be (4H, H) and s0 %s (B, 2H)", shape_str(Wv).text, shape_str(Sv).text);
  DGM_CHECK(Pv.ndim == 2 && Pv.cols() == 4 * H && Pv.rows() > 0 && Pv.rows() % B == 0,
            "lstm_layer: p %s must be (T*B, 4H) for B = %d, H = %d", shape_str(Pv).text, B, H);
  const int T = Pv.rows() / B;
  const LstmLayerShape L{T, B, H};
  const std::size_t h = static_cast<std::size_t>(H), bh = static_cast<std::size_t>(B) * h;
  Tensor y = t.alloc(make_shape((T + 1) * B, H));
  Tensor saved = t.alloc(make_shape(static_cast<int>(L.total())));
  float* sv = saved.data + L.sv();
  float* c = saved.data + L.c();
  float* a = saved.data + L.da();  // a_t of the current step (the backward's da, unused until then)
  float* wt = saved.data + L.wt();  // W_hh^T (H, 4H)
  for (int r = 0; r < 4 * H; ++r)
    for (int k = 0; k < H; ++k) wt[static_cast<std::size_t>(k) * 4 * h + r] = Wv.data[static_cast<std::size_t>(r) * h + k];
  for (int s = 0; s < T; ++s) {  // step t = s + 1
    // a_t (B, 4H) = p_t + h_{t-1} (B, H) W_hh^T (H, 4H)
    std::memcpy(a, Pv.data + static_cast<std::size_t>(s) * bh * 4, bh * 4 * sizeof(float));
    if (s == 0) gemm(false, false, B, 4 * H, H, Sv.data, 2 * H, wt, 4 * H, a, 4 * H, true);
    else gemm(false, false, B, 4 * H, H, y.data + static_cast<std::size_t>(s - 1) * bh, H, wt, 4 * H, a, 4 * H, true);
    for (int b = 0; b < B; ++b) {
      const std::size_t row = static_cast<std::size_t>(s) * B + b;
      const float* cp = s > 0 ? c + (row - B) * h : Sv.data + static_cast<std::size_t>(b) * 2 * h + h;
      lstm_row_forward(sv + row * 5 * h, y.data + row * h, c + row * h, a + static_cast<std::size_t>(b) * 4 * h, cp, h);
    }
  }
  std::memcpy(y.data + static_cast<std::size_t>(T) * bh, c + static_cast<std::size_t>(T - 1) * bh, bh * sizeof(float));
  Var out = t.push(y, lstm_layer_backward, p, w_hh, s0);
  t.node(out).saved = saved;
  t.node(out).i[0] = B;
  return out;
}

}  // namespace dgm
