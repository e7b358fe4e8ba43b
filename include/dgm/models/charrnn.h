// charrnn.h - a character-level LSTM language model (Karpathy 2015, "The Unreasonable
// Effectiveness of Recurrent Neural Networks"): the autoregressive way of [MIPT] "Как строить
// порождающие модели?", method 1,
//   p(x_1..x_N) = prod_t p(x_t | x_<t),   p(x_t | x_<t) = softmax(W_fc h_t + b_fc)[x_t],
// where h_t is the top LSTM layer's state after reading x_1..x_{t-1} (docs/math.md, "CharRNN").
//
// Network: embedding (V, E) -> L LSTM layers (widths --hidden) -> linear (H_L -> V) -> softmax.
// The LSTM (Hochreiter & Schmidhuber 1997, forget gate as in Gers et al. 2000) is chosen over a
// GRU because Karpathy's post uses it and PyTorch's torch.nn.LSTM computes exactly the same cell,
// so the reference (docs/reference/charrnn_torch.py) and the checkpoint names match one to one.
// Parameters, named as the PyTorch state_dict of nn.Embedding + nn.LSTM + nn.Linear:
//   embed.weight (V, E); lstm.weight_ih_l<k> (4H, in), lstm.weight_hh_l<k> (4H, H),
//   lstm.bias_ih_l<k> (4H), lstm.bias_hh_l<k> (4H); fc.weight (V, H), fc.bias (V).
// Training: truncated backpropagation through time. The text is cut into B equal streams; each
// step reads the next T characters of every stream (--bptt), starts from the state the previous
// chunk ended in (carried over as a constant: no gradient flows into the previous chunk), and
// minimises the mean cross-entropy over the B*T positions; the gradient is clipped to a global
// L2 norm (--grad-norm) before the Adam step.
#pragma once
#include <cstdint>
#include <vector>

#include "dgm/core/arena.h"
#include "dgm/core/optim.h"
#include "dgm/core/params.h"
#include "dgm/core/rng.h"
#include "dgm/core/tape.h"

namespace dgm {

constexpr int kCharRnnMaxLayers = 4;

// The network's weights as tape variables (leaves in a gradient check, parameters in training).
struct CharRnnVars {
  Var embed;                                       // (V, E)
  int layers = 0;
  Var w_ih[kCharRnnMaxLayers], w_hh[kCharRnnMaxLayers];  // (4H, in), (4H, H)
  Var b_ih[kCharRnnMaxLayers], b_hh[kCharRnnMaxLayers];  // (1, 4H) each
  Var fc_w, fc_b;                                  // (V, H), (1, V)
};

// One LSTM step of layer k: x (B, in), h, c (B, H) in; h, c replaced by the new state. Used by
// sampling (one character at a time); training runs lstm_layer over a whole chunk (charrnn_loss).
void lstm_step(Tape& t, const CharRnnVars& w, int k, Var x, Var* h, Var* c);

// The unrolled network over T steps of B streams. ids: (T + 1, B) time-major, ids[s*B + b] the
// character of stream b at step s; steps 0..T-1 are read, steps 1..T are the targets. h, c:
// `layers` state Vars each, (B, H_k); replaced by the state after the last step. Returns the mean
// over the B*T positions of -log p(x_{s+1} | x_<=s), in nats.
Var charrnn_loss(Tape& t, const CharRnnVars& w, const int* ids, int B, int T, Var* h, Var* c);

// The model's typed options (`dgm train charrnn` fills them from --embed, --hidden, --grad-norm,
// --optim, --lr, --beta1, --momentum: charrnn_options in src/run/charrnn_run.cpp).
struct CharRnnOptions {
  int embed = 64;                  // embedding width E
  std::vector<int> hidden = {128};  // one LSTM layer per width, 1..kCharRnnMaxLayers
  float grad_norm = 5.f;           // clip the gradient to this global L2 norm
  OptimConfig optim;               // Adam 1e-3 unless set
};

class CharRnn {
 public:
  // V characters; sizes from o.embed, o.hidden (one LSTM layer per width); the optimizer o.optim.
  // Weights initialised as PyTorch does: embedding N(0, 1), LSTM U(-1/sqrt(H), 1/sqrt(H)),
  // linear U(-1/sqrt(in), 1/sqrt(in)) for weight and bias. Batch B fixes the state's rows.
  void build(const CharRnnOptions& o, int vocab, int batch, Rng& rng);
  int vocab() const { return vocab_; }
  int layers() const { return static_cast<int>(hidden_.size()); }
  int hidden(int k) const { return hidden_[static_cast<std::size_t>(k)]; }
  ParamStore& params() { return params_; }
  Optimizer& opt() { return opt_; }

  // The tape variables of the weights.
  CharRnnVars vars(Tape& t) const;
  // Zeroes the carried state (all streams).
  void reset_state();
  // One training step on ids (T + 1, B) time-major (see charrnn_loss), from the carried state;
  // carries the final state on. Returns the mean loss in nats; *grad_norm (if given) gets the
  // gradient's norm before clipping.
  double train_step(Tape& t, const int* ids, int T, double* grad_norm = nullptr);
  // Mean loss in nats over the positions of `ids` (T + 1, B) from the carried state, no update;
  // carries the state on (for evaluating a long text chunk by chunk).
  double eval_step(Tape& t, const int* ids, int T);

  // Samples n characters after the priming ids (at least one; the model reads them first), from
  // softmax(logits / temperature), with rng. Runs one stream (B = 1) of its own state.
  void sample(Arena& arena, const std::vector<int>& prime, int n, float temperature, Rng& rng,
              std::vector<int>* out) const;

  // The carried state, (B, H_k) per layer, for checkpoints (the next chunk starts from it).
  std::vector<float>& state_h(int k) { return h_[static_cast<std::size_t>(k)]; }
  std::vector<float>& state_c(int k) { return c_[static_cast<std::size_t>(k)]; }

 private:
  int vocab_ = 0, embed_ = 0, batch_ = 0;
  float max_norm_ = 5.f;
  std::vector<int> hidden_;
  ParamStore params_;
  Optimizer opt_;
  int h_embed_ = -1, h_fc_w_ = -1, h_fc_b_ = -1;
  int h_wih_[kCharRnnMaxLayers], h_whh_[kCharRnnMaxLayers], h_bih_[kCharRnnMaxLayers], h_bhh_[kCharRnnMaxLayers];
  std::vector<std::vector<float>> h_, c_;  // carried state per layer, (B, H_k)
  double run_chunk(Tape& t, const int* ids, int T, bool learn, double* grad_norm);
};

// Scales the whole gradient of p by max_norm / ||g|| when ||g|| > max_norm (the global-norm
// clipping of Pascanu, Mikolov & Bengio 2013, as torch.nn.utils.clip_grad_norm_); returns ||g||.
double clip_grad_norm(ParamStore& p, double max_norm);

}  // namespace dgm
