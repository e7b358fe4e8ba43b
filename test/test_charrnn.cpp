// test_charrnn.cpp - the CharRNN (src/models/charrnn.cpp): the whole unrolled network (embedding,
// two LSTM layers, linear, softmax cross-entropy) over several time steps against a double
// reference by central differences; truncated BPTT, clipping, determinism, no allocation per step.
#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "alloc_counter.h"
#include "dgm/models/charrnn.h"
#include "dgm/core/ops.h"
#include "dgm/backend/parallel.h"
#include "gradcheck.h"

using namespace dgm;
using gradcheck::Input;
using gradcheck::Vec;

namespace {

constexpr int V = 5, E = 3, H0 = 4, H1 = 3, B = 2, T = 4;
// (T + 1, B) time-major
const int kIds[(T + 1) * B] = {0, 3, 4, 1, 2, 2, 1, 0, 3, 4};

double sig(double x) { return 1.0 / (1.0 + std::exp(-x)); }

// One LSTM step in double, PyTorch's equations: W_ih (4H, in), W_hh (4H, H), gates i, f, g, o.
void lstm_ref(const Vec& wih, const Vec& whh, const Vec& bih, const Vec& bhh, int in, int H, const Vec& x, Vec* h,
              Vec* c) {
  Vec hn(static_cast<std::size_t>(B * H)), cn(static_cast<std::size_t>(B * H));
  for (int b = 0; b < B; ++b)
    for (int j = 0; j < H; ++j) {
      double a[4];
      for (int q = 0; q < 4; ++q) {
        const int row = q * H + j;
        double s = bih[static_cast<std::size_t>(row)] + bhh[static_cast<std::size_t>(row)];
        for (int k = 0; k < in; ++k) s += x[static_cast<std::size_t>(b * in + k)] * wih[static_cast<std::size_t>(row * in + k)];
        for (int k = 0; k < H; ++k) s += (*h)[static_cast<std::size_t>(b * H + k)] * whh[static_cast<std::size_t>(row * H + k)];
        a[q] = s;
      }
      const double i = sig(a[0]), f = sig(a[1]), g = std::tanh(a[2]), o = sig(a[3]);
      const std::size_t u = static_cast<std::size_t>(b * H + j);
      cn[u] = f * (*c)[u] + i * g;
      hn[u] = o * std::tanh(cn[u]);
    }
  *h = hn;
  *c = cn;
}

// in: embed, then per layer w_ih w_hh b_ih b_hh, then fc_w fc_b, then h0 c0 per layer.
Vec charrnn_ref(const std::vector<Vec>& in) {
  const int Hs[2] = {H0, H1};
  Vec h[2] = {in[11], in[13]}, c[2] = {in[12], in[14]};
  double total = 0;
  for (int s = 0; s < T; ++s) {
    Vec x(static_cast<std::size_t>(B * E));
    for (int b = 0; b < B; ++b)
      for (int e = 0; e < E; ++e) x[static_cast<std::size_t>(b * E + e)] = in[0][static_cast<std::size_t>(kIds[s * B + b] * E + e)];
    int width = E;
    for (int k = 0; k < 2; ++k) {
      lstm_ref(in[1 + 4 * k], in[2 + 4 * k], in[3 + 4 * k], in[4 + 4 * k], width, Hs[k], x, &h[k], &c[k]);
      x = h[k];
      width = Hs[k];
    }
    for (int b = 0; b < B; ++b) {
      double l[V], m = -1e300, z = 0;
      for (int v = 0; v < V; ++v) {
        l[v] = in[10][static_cast<std::size_t>(v)];
        for (int k = 0; k < H1; ++k) l[v] += x[static_cast<std::size_t>(b * H1 + k)] * in[9][static_cast<std::size_t>(v * H1 + k)];
        m = std::max(m, l[v]);
      }
      for (int v = 0; v < V; ++v) z += std::exp(l[v] - m);
      total += m + std::log(z) - l[kIds[(s + 1) * B + b]];
    }
  }
  return Vec{total / (B * T)};
}

}  // namespace

TEST_CASE("charrnn: the unrolled network over 4 steps, 2 LSTM layers, by central differences") {
  const Input w{1, 1, -1.0, 1.0};
  auto sized = [&](int r, int c) { Input i = w; i.rows = r, i.cols = c; return i; };
  gradcheck::run({"charrnn_loss",
                  {sized(V, E), sized(4 * H0, E), sized(4 * H0, H0), sized(1, 4 * H0), sized(1, 4 * H0),
                   sized(4 * H1, H0), sized(4 * H1, H1), sized(1, 4 * H1), sized(1, 4 * H1), sized(V, H1), sized(1, V),
                   sized(B, H0), sized(B, H0), sized(B, H1), sized(B, H1)},
                  [](Tape& t, auto& v) {
                    CharRnnVars cv;
                    cv.layers = 2;
                    cv.embed = v[0];
                    for (int k = 0; k < 2; ++k)
                      cv.w_ih[k] = v[1 + 4 * k], cv.w_hh[k] = v[2 + 4 * k], cv.b_ih[k] = v[3 + 4 * k], cv.b_hh[k] = v[4 + 4 * k];
                    cv.fc_w = v[9];
                    cv.fc_b = v[10];
                    Var h[2] = {v[11], v[13]}, c[2] = {v[12], v[14]};
                    return charrnn_loss(t, cv, kIds, B, T, h, c);
                  },
                  charrnn_ref});
}

namespace {
CharRnnOptions small_config() {
  CharRnnOptions c;
  c.embed = 8;
  c.hidden = {16, 12};
  c.optim.lr = 1e-2f;
  c.grad_norm = 1.f;
  return c;
}
// A repeating pattern "0 1 2 3 4 0 1 ..." in 3 streams, time-major (T + 1, 3), offset by step.
std::vector<int> pattern_chunk(int T, int step) {
  std::vector<int> ids(static_cast<std::size_t>((T + 1) * 3));
  for (int s = 0; s <= T; ++s)
    for (int b = 0; b < 3; ++b) ids[static_cast<std::size_t>(s * 3 + b)] = (step * T + s + b) % 5;
  return ids;
}
// small_config()'s CharRnn on 5 symbols in 3 streams, its weights from Rng(seed), with a tape.
struct PatternRnn {
  CharRnn m;
  Arena arena;
  Tape t{arena};
  explicit PatternRnn(std::uint64_t seed) {
    Rng rng(seed);
    m.build(small_config(), 5, 3, rng);
  }
  // `steps` training steps on chunks of 8 of the pattern (each with a gradient); each loss to *losses.
  void train(int steps, std::vector<double>* losses = nullptr) {
    for (int s = 0; s < steps; ++s) {
      std::vector<int> ids = pattern_chunk(8, s);
      double norm = 0;
      const double loss = m.train_step(t, ids.data(), 8, &norm);
      if (losses) losses->push_back(loss);
      CHECK(norm > 0);
    }
  }
};
}  // namespace

TEST_CASE("charrnn: truncated BPTT learns a pattern, carries the state, clips, is deterministic") {
  auto run = [](int threads, std::vector<double>* losses, std::vector<float>* weights) {
    const int before = num_threads();
    set_num_threads(threads);
    PatternRnn r(3);
    r.train(60, losses);
    weights->assign(r.m.params().data(), r.m.params().data() + r.m.params().size());
    set_num_threads(before);
  };
  std::vector<double> l1, l2;
  std::vector<float> w1, w2;
  run(1, &l1, &w1);
  run(2, &l2, &w2);
  CHECK(l1.front() > std::log(5.0) * 0.8);  // about uniform at the start
  CHECK(l1.back() < 0.2);                   // the pattern is deterministic: close to 0 nats
  CHECK(l1 == l2);                          // bit-identical whatever the thread count
  CHECK(w1 == w2);
}

TEST_CASE("charrnn: the carried state matters, reset_state clears it, eval computes no gradient") {
  PatternRnn r(5);
  std::vector<int> ids = pattern_chunk(4, 0);
  const double first = r.m.eval_step(r.t, ids.data(), 4);
  const double again = r.m.eval_step(r.t, ids.data(), 4);  // from the state the first chunk left
  CHECK(first != again);
  r.m.reset_state();
  CHECK(r.m.eval_step(r.t, ids.data(), 4) == first);
  CHECK(r.m.params().grad_norm() == 0.0);  // eval_step computed no gradient
}

TEST_CASE("charrnn: clip_grad_norm scales the gradient to the bound") {
  ParamStore p;
  p.add("w", make_shape(2));
  p.finalize();
  p.grad(0).data[0] = 3.f, p.grad(0).data[1] = 4.f;
  CHECK(clip_grad_norm(p, 10.0) == doctest::Approx(5.0));
  CHECK(p.grad(0).data[0] == 3.f);
  CHECK(clip_grad_norm(p, 1.0) == doctest::Approx(5.0));
  CHECK(p.grad_norm() == doctest::Approx(1.0));
  CHECK(p.grad(0).data[0] == doctest::Approx(0.6));
}

TEST_CASE("charrnn: a training step allocates nothing from the heap after the first") {
  PatternRnn r(5);
  std::vector<int> ids = pattern_chunk(6, 0);
  check_no_allocation_per_step([&] { r.m.train_step(r.t, ids.data(), 6); }, r.arena);
}

TEST_CASE("charrnn: sampling reads the priming ids, then follows the learned pattern at a low temperature") {
  PatternRnn r(3);
  r.train(80);
  CharRnn& m = r.m;
  Arena& arena = r.arena;
  Rng srng(1);
  std::vector<int> out;
  m.sample(arena, {0, 1, 2}, 10, 0.1f, srng, &out);
  REQUIRE(out.size() == 10);
  for (int k = 0; k < 10; ++k) CHECK(out[static_cast<std::size_t>(k)] == (3 + k) % 5);
}
