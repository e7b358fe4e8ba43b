// ops_seq.h - the ops of a character-level recurrent network (src/core/ops_seq.cpp): an embedding
// lookup, softmax cross-entropy against integer targets, the LSTM cell's element-wise part, and
// the LSTM layer that runs the cell over a chunk of steps.
//
// [MIPT] "Как строить порождающие модели?", method 1 (an explicit likelihood decomposed into
// small parts): p(x) = prod_t p(x_t | x_<t), each factor a softmax over the vocabulary computed
// from the recurrent state (Karpathy 2015, "The Unreasonable Effectiveness of Recurrent Neural
// Networks", the CharRNN). These ops run on a CPU tape only (a device tape is a check failure).
#pragma once
#include "dgm/core/tape.h"

namespace dgm {

// y_r = W[ids_r, :]: row ids_r of the table.  W: (V, E), ids: n integers in [0, V) -> y: (n, E).
// The ids are copied onto the tape, so the caller's buffer may change afterwards.
Var embedding(Tape& t, Var table, const int* ids, int n);

// Mean over the rows of -log softmax(l_r)[y_r] (nats):
//   L = 1/R sum_r [lse(l_r) - l_{r, y_r}],  lse(l) = m + log sum_j e^{l_j - m},  m = max_j l_j.
// logits: (R, V), targets: R integers in [0, V) -> (1). Copied onto the tape like embedding's ids.
Var softmax_cross_entropy_ids(Tape& t, Var logits, const int* targets);

// Rows [begin, end) of a: a view of a's values (no copy) -> (end - begin, cols). The gradient is
// added back into those rows of a. (One time step of a (T*B, cols) tensor of a whole chunk.)
Var slice_rows(Tape& t, Var a, int begin, int end);

// The LSTM cell after its two affine maps (Hochreiter & Schmidhuber 1997, with the forget gate
// of Gers, Schmidhuber & Cummins 2000, in PyTorch's torch.nn.LSTM gate order i, f, g, o):
//   gates a = x W_ih^T + b_ih + h_prev W_hh^T + b_hh: (B, 4H), columns [a_i | a_f | a_g | a_o]
//   i = sigmoid(a_i), f = sigmoid(a_f), g = tanh(a_g), o = sigmoid(a_o)
//   c = f * c_prev + i * g,   h = o * tanh(c)
// gates: (B, 4H), c_prev: (B, H) -> (B, 2H) = [h | c] (slice_cols to take each apart).
Var lstm_cell(Tape& t, Var gates, Var c_prev);

// A whole LSTM layer over a chunk of T steps of B streams: lstm_cell in a loop inside one op, as
// torch.nn.LSTM and cuDNN run it, so that only the recurrent product is computed step by step:
//   p: (T*B, 4H), row block t = x_t W_ih^T + b_ih + b_hh for every step at once (one GEMM before)
//   w_hh: (4H, H);  s0: (B, 2H) = [h_0 | c_0]
//   for t = 1..T:  a_t = p_t + h_{t-1} W_hh^T,   [h_t | c_t] = lstm_cell(a_t, c_{t-1})
// -> (T*B + B, H): row block t-1 holds h_t (t = 1..T), the last B rows hold c_T (slice_rows views:
// every h_t for the layer above or the output layer, h_T and c_T for the next chunk).
// Backward (backpropagation through time, t = T..1): dh_t = dy_t + da_{t+1} W_hh, the cell's
// backward gives da_t and dc_{t-1}; then dp = da (all t), dW_hh += sum_t da_t^T h_{t-1} (one GEMM
// over all steps), ds0 = [da_1 W_hh | dc_0].
Var lstm_layer(Tape& t, Var p, Var w_hh, Var s0);

}  // namespace dgm
