// charrnn.cpp - the character-level LSTM (see include/dgm/models/charrnn.h).
//
// [MIPT] "Как строить порождающие модели?", method 1: log p(x) = sum_t log p(x_t | x_<t), each
// factor a softmax over the vocabulary (Karpathy 2015, the CharRNN). The loss of a chunk is the
// mean over its B*T positions of -log p(x_{s+1} | x_<=s) in nats; bits per character = nats / ln 2.
#include "dgm/models/charrnn.h"

#include <cmath>
#include <string>

#include "dgm/core/check.h"
#include "dgm/core/ops.h"
#include "dgm/core/ops_seq.h"

namespace dgm {

// ---- the LSTM step (Hochreiter & Schmidhuber 1997; torch.nn.LSTM's equations) ----
//   a = x W_ih^T + b_ih + h W_hh^T + b_hh           (B, 4H), gates in the order i, f, g, o
//   [h' | c'] = lstm_cell(a, c):  i = s(a_i), f = s(a_f), g = tanh(a_g), o = s(a_o),
//                                 c' = f c + i g,  h' = o tanh(c')       (ops_seq.cpp)
void lstm_step(Tape& t, const CharRnnVars& w, int k, Var x, Var* h, Var* c) {
  const int H = t.value(*c).cols();
  Var a = add(t, linear(t, x, w.w_ih[k], w.b_ih[k]), linear(t, *h, w.w_hh[k], w.b_hh[k]));
  Var hc = lstm_cell(t, a, *c);
  *h = slice_cols(t, hc, 0, H);
  *c = slice_cols(t, hc, H, 2 * H);
}

// ---- the unrolled network and its loss ----
// e_s = embed[x_s] for s = 0..T-1 (all at once, (T*B, E)); layer k runs lstm_layer over the T
// steps, its input projection x W_ih^T + b_ih + b_hh computed for all steps in one product (x the
// embeddings for k = 0, the h of layer k-1 above); then logits_s = h^L_s W_fc^T + b_fc for all s:
//   loss = 1/T sum_s ( 1/B sum_b -log softmax(logits_s,b)[x_{s+1,b}] )  = the mean over B*T positions.
// The sum is the same as lstm_step over s = 0..T-1 and one softmax per step; one op per layer
// keeps the products large (only h_{t-1} W_hh^T is step by step, as it must be).
Var charrnn_loss(Tape& t, const CharRnnVars& w, const int* ids, int B, int T, Var* h, Var* c) {
  DGM_CHECK(T >= 1 && B >= 1 && w.layers >= 1, "charrnn_loss: T %d, B %d, %d layers", T, B, w.layers);
  Var x = embedding(t, w.embed, ids, T * B);  // (T*B, E), time-major like ids
  for (int k = 0; k < w.layers; ++k) {
    Var p = linear(t, x, w.w_ih[k], add(t, w.b_ih[k], w.b_hh[k]));  // (T*B, 4H)
    Var y = lstm_layer(t, p, w.w_hh[k], concat_cols(t, h[k], c[k]));  // (T*B + B, H)
    x = slice_rows(t, y, 0, T * B);  // h_1 .. h_T
    h[k] = slice_rows(t, y, (T - 1) * B, T * B);
    c[k] = slice_rows(t, y, T * B, (T + 1) * B);
  }
  // targets: steps 1..T of ids, the T*B entries after the first B
  return softmax_cross_entropy_ids(t, linear(t, x, w.fc_w, w.fc_b), ids + B);
}

double clip_grad_norm(ParamStore& p, double max_norm) {
  const double norm = p.grad_norm();  // sqrt(sum_i g_i^2), in index order
  if (norm > max_norm) {
    const float f = static_cast<float>(max_norm / norm);
    float* g = p.grads();
    for (std::size_t i = 0; i < p.size(); ++i) g[i] *= f;
  }
  return norm;
}

void CharRnn::build(const CharRnnOptions& c, int vocab, int batch, Rng& rng) {
  DGM_CHECK(vocab >= 2 && batch >= 1 && !c.hidden.empty() && c.hidden.size() <= kCharRnnMaxLayers,
            "CharRnn::build: vocab %d, batch %d, %zu layers", vocab, batch, c.hidden.size());
  vocab_ = vocab;
  embed_ = c.embed;
  batch_ = batch;
  max_norm_ = c.grad_norm;
  hidden_ = c.hidden;
  h_embed_ = params_.add("embed.weight", make_shape(vocab, embed_));
  int in = embed_;
  for (int k = 0; k < layers(); ++k) {
    const int H = hidden_[static_cast<std::size_t>(k)];
    const std::string l = std::to_string(k);
    h_wih_[k] = params_.add("lstm.weight_ih_l" + l, make_shape(4 * H, in));
    h_whh_[k] = params_.add("lstm.weight_hh_l" + l, make_shape(4 * H, H));
    h_bih_[k] = params_.add("lstm.bias_ih_l" + l, make_shape(4 * H));
    h_bhh_[k] = params_.add("lstm.bias_hh_l" + l, make_shape(4 * H));
    in = H;
  }
  h_fc_w_ = params_.add("fc.weight", make_shape(vocab, in));
  h_fc_b_ = params_.add("fc.bias", make_shape(vocab));
  params_.finalize();
  // Initialisation in the order the tensors were declared (PyTorch's defaults, see the header).
  rng.fill_normal(params_.value(h_embed_));
  for (int k = 0; k < layers(); ++k) {
    const float b = 1.f / std::sqrt(static_cast<float>(hidden_[static_cast<std::size_t>(k)]));
    for (int h : {h_wih_[k], h_whh_[k], h_bih_[k], h_bhh_[k]}) rng.fill_uniform(params_.value(h), -b, b);
  }
  const float bf = 1.f / std::sqrt(static_cast<float>(in));
  rng.fill_uniform(params_.value(h_fc_w_), -bf, bf);
  rng.fill_uniform(params_.value(h_fc_b_), -bf, bf);
  opt_ = Optimizer(c.optim, params_.size());
  h_.assign(hidden_.size(), {});
  c_.assign(hidden_.size(), {});
  for (std::size_t k = 0; k < hidden_.size(); ++k) {
    h_[k].assign(static_cast<std::size_t>(batch) * hidden_[k], 0.f);
    c_[k].assign(static_cast<std::size_t>(batch) * hidden_[k], 0.f);
  }
}

CharRnnVars CharRnn::vars(Tape& t) const {
  CharRnnVars w;
  w.layers = layers();
  w.embed = params_.var(t, h_embed_);
  for (int k = 0; k < layers(); ++k) {
    w.w_ih[k] = params_.var(t, h_wih_[k]);
    w.w_hh[k] = params_.var(t, h_whh_[k]);
    w.b_ih[k] = params_.var(t, h_bih_[k]);
    w.b_hh[k] = params_.var(t, h_bhh_[k]);
  }
  w.fc_w = params_.var(t, h_fc_w_);
  w.fc_b = params_.var(t, h_fc_b_);
  return w;
}

void CharRnn::reset_state() {
  for (auto& v : h_) std::fill(v.begin(), v.end(), 0.f);
  for (auto& v : c_) std::fill(v.begin(), v.end(), 0.f);
}

// One chunk from the carried state. The state enters as constants (the truncation: no gradient
// reaches the previous chunk) and leaves by copy into h_, c_ for the next chunk.
double CharRnn::run_chunk(Tape& t, const int* ids, int T, bool learn, double* grad_norm) {
  t.reset();
  CharRnnVars w = vars(t);
  Var h[kCharRnnMaxLayers], c[kCharRnnMaxLayers];
  for (int k = 0; k < layers(); ++k) {
    const int H = hidden(k);
    Tensor hv = t.alloc(make_shape(batch_, H)), cv = t.alloc(make_shape(batch_, H));
    for (std::size_t i = 0; i < hv.size(); ++i) hv.data[i] = h_[static_cast<std::size_t>(k)][i];
    for (std::size_t i = 0; i < cv.size(); ++i) cv.data[i] = c_[static_cast<std::size_t>(k)][i];
    h[k] = t.constant(hv);
    c[k] = t.constant(cv);
  }
  Var loss = charrnn_loss(t, w, ids, batch_, T, h, c);
  const double value = t.value(loss).data[0];
  for (int k = 0; k < layers(); ++k) {
    const Tensor hv = t.value(h[k]), cv = t.value(c[k]);
    for (std::size_t i = 0; i < hv.size(); ++i) h_[static_cast<std::size_t>(k)][i] = hv.data[i];
    for (std::size_t i = 0; i < cv.size(); ++i) c_[static_cast<std::size_t>(k)][i] = cv.data[i];
  }
  if (learn) {
    t.backward(loss);
    const double norm = clip_grad_norm(params_, max_norm_);
    if (grad_norm) *grad_norm = norm;
    opt_.step_and_zero_grad(params_);
  }
  return value;
}

double CharRnn::train_step(Tape& t, const int* ids, int T, double* grad_norm) {
  params_.set_trainable(true);
  return run_chunk(t, ids, T, true, grad_norm);
}

double CharRnn::eval_step(Tape& t, const int* ids, int T) {
  params_.set_trainable(false);  // weights as constants: the tape records no gradients
  const double v = run_chunk(t, ids, T, false, nullptr);
  params_.set_trainable(true);
  return v;
}

// Sampling (Karpathy 2015): read the priming characters, then repeatedly draw
//   x_{t+1} ~ softmax(logits_t / temperature)
// and feed it back. temperature < 1 sharpens the distribution, > 1 flattens it.
void CharRnn::sample(Arena& arena, const std::vector<int>& prime, int n, float temperature, Rng& rng,
                     std::vector<int>* out) const {
  DGM_CHECK(!prime.empty() && temperature > 0.f, "CharRnn::sample: %zu priming ids, temperature %g", prime.size(),
            static_cast<double>(temperature));
  out->clear();
  std::vector<std::vector<float>> hs(hidden_.size()), cs(hidden_.size());
  for (std::size_t k = 0; k < hidden_.size(); ++k) hs[k].assign(hidden_[k], 0.f), cs[k].assign(hidden_[k], 0.f);
  std::vector<double> p(static_cast<std::size_t>(vocab_));
  int x = prime[0];
  std::size_t next_prime = 1;
  Tape t(arena);
  while (static_cast<int>(out->size()) < n) {
    t.reset();
    CharRnnVars w;
    w.layers = layers();
    w.embed = t.constant(params_.value(h_embed_));
    for (int k = 0; k < layers(); ++k) {
      w.w_ih[k] = t.constant(params_.value(h_wih_[k]));
      w.w_hh[k] = t.constant(params_.value(h_whh_[k]));
      w.b_ih[k] = t.constant(params_.value(h_bih_[k]));
      w.b_hh[k] = t.constant(params_.value(h_bhh_[k]));
    }
    Var in = embedding(t, w.embed, &x, 1);
    for (int k = 0; k < layers(); ++k) {
      const int H = hidden(k);
      Tensor hv = t.alloc(make_shape(1, H)), cv = t.alloc(make_shape(1, H));
      for (int j = 0; j < H; ++j) hv.data[j] = hs[k][j], cv.data[j] = cs[k][j];
      Var h = t.constant(hv), c = t.constant(cv);
      lstm_step(t, w, k, in, &h, &c);
      for (int j = 0; j < H; ++j) hs[k][j] = t.value(h).data[j], cs[k][j] = t.value(c).data[j];
      in = h;
    }
    if (next_prime < prime.size()) {  // still reading the priming string
      x = prime[next_prime++];
      continue;
    }
    Var logits = linear(t, in, t.constant(params_.value(h_fc_w_)), t.constant(params_.value(h_fc_b_)));
    const float* l = t.value(logits).data;
    double m = l[0], s = 0.0;
    for (int j = 1; j < vocab_; ++j) m = l[j] > m ? l[j] : m;
    for (int j = 0; j < vocab_; ++j) s += p[static_cast<std::size_t>(j)] = std::exp((l[j] - m) / temperature);
    double u = rng.uniform_double() * s;  // inverse CDF, in index order
    int pick = vocab_ - 1;
    for (int j = 0; j < vocab_; ++j) {
      u -= p[static_cast<std::size_t>(j)];
      if (u < 0) {
        pick = j;
        break;
      }
    }
    out->push_back(pick);
    x = pick;
  }
}

}  // namespace dgm
