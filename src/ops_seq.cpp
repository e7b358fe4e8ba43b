// ops_seq.cpp - embedding lookup, softmax cross-entropy against integer targets, and the LSTM
// cell's element-wise part (see include/dgm/ops_seq.h). Each forward sits beside its backward
// with the local derivative as a comment. Plain serial loops in a fixed order: the result does
// not depend on the thread count (the matrix products around them are in ops_linalg.cpp).
#include "dgm/ops_seq.h"

#include <cmath>

#include "dgm/check.h"

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

// ---- softmax cross-entropy against integer targets, mean over rows ----
// L = 1/R sum_r [lse(l_r) - l_{r,y_r}]
// dL/dl_{r,j} = 1/R (softmax(l_r)_j - [j == y_r]),  softmax(l_r)_j = e^{l_{r,j} - lse(l_r)}
// The forward saves lse(l_r) per row after the targets: saved = [y_0 .. y_{R-1} | lse_0 .. lse_{R-1}].
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
    for (int j = 0; j < V; ++j) dl[j] += g * std::exp(l[j] - lse);
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
void lstm_cell_backward(Tape& t, int id) {
  Node& n = t.node(id);
  Node& A = t.node(n.in[0]);
  Node& C = t.node(n.in[1]);
  const int B = n.value.rows(), H = n.value.cols() / 2;
  for (int b = 0; b < B; ++b) {
    const float* s = n.saved.data + static_cast<std::size_t>(b) * 5 * H;
    const float* dy = n.grad.data + static_cast<std::size_t>(b) * 2 * H;
    const float* cp = C.value.data + static_cast<std::size_t>(b) * H;
    float* da = A.needs_grad ? A.grad.data + static_cast<std::size_t>(b) * 4 * H : nullptr;
    float* dcp = C.needs_grad ? C.grad.data + static_cast<std::size_t>(b) * H : nullptr;
    for (int j = 0; j < H; ++j) {
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
  }
}

inline float sigm(float x) { return 1.f / (1.f + std::exp(-x)); }

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

Var softmax_cross_entropy_ids(Tape& t, Var logits, const int* targets) {
  check_cpu(t, "softmax_cross_entropy_ids");
  const Tensor L = t.value(logits);
  const int R = L.rows(), V = L.cols();
  DGM_CHECK(R > 0, "softmax_cross_entropy_ids: no rows in %s", shape_str(L).text);
  Tensor saved = t.alloc(make_shape(2 * R));
  Tensor ids = save_ids(t, targets, R, V, "softmax_cross_entropy_ids");
  for (int r = 0; r < R; ++r) saved.data[r] = ids.data[r];
  double total = 0.0;  // sum over rows in order r = 0, 1, ...
  for (int r = 0; r < R; ++r) {
    const float* l = L.data + static_cast<std::size_t>(r) * V;
    float m = l[0];
    for (int j = 1; j < V; ++j) m = l[j] > m ? l[j] : m;
    double s = 0.0;
    for (int j = 0; j < V; ++j) s += std::exp(static_cast<double>(l[j] - m));
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
    const float* a = A.data + static_cast<std::size_t>(b) * 4 * H;
    const float* cp = C.data + static_cast<std::size_t>(b) * H;
    float* sv = s.data + static_cast<std::size_t>(b) * 5 * H;
    float* h = y.data + static_cast<std::size_t>(b) * 2 * H;
    float* c = h + H;
    for (int j = 0; j < H; ++j) {
      const float i = sigm(a[j]), f = sigm(a[H + j]), g = std::tanh(a[2 * H + j]), o = sigm(a[3 * H + j]);
      c[j] = f * cp[j] + i * g;
      const float tc = std::tanh(c[j]);
      h[j] = o * tc;
      sv[j] = i, sv[H + j] = f, sv[2 * H + j] = g, sv[3 * H + j] = o, sv[4 * H + j] = tc;
    }
  }
  Var out = t.push(y, lstm_cell_backward, gates, c_prev);
  t.node(out).saved = s;
  return out;
}

}  // namespace dgm
