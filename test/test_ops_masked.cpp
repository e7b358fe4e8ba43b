// test_ops_masked.cpp - the masked linear layer (src/core/ops_masked.cpp): forward against a double
// reference, gradients of x, W and b by central differences in double (gradcheck.h), with and
// without a bias; a cut weight gets exactly no gradient.
#include <doctest/doctest.h>

#include <vector>

#include "dgm/core/ops_masked.h"
#include "gradcheck.h"

using namespace dgm;
using gradcheck::Input;
using gradcheck::Vec;

namespace {

// A fixed 0/1 mask (out, in) with both values present in every row but the first (all zero,
// as MADE's first output row).
std::vector<float> test_mask(int out, int in) {
  std::vector<float> m(static_cast<std::size_t>(out) * in);
  for (int o = 0; o < out; ++o)
    for (int i = 0; i < in; ++i) m[static_cast<std::size_t>(o) * in + i] = (o > 0 && (o + 2 * i) % 3 != 0) ? 1.f : 0.f;
  return m;
}

}  // namespace

TEST_CASE("ops: masked_linear y = x (W . M)^T + b, gradients by central differences") {
  const int B = 4, in = 5, out = 3;
  std::vector<float> mdata = test_mask(out, in);
  Tensor mask = make_shape(out, in);
  mask.data = mdata.data();
  for (int bias = 0; bias < 2; ++bias) {
    INFO("bias " << bias);
    std::vector<Input> inputs{Input{B, in}, Input{out, in}};
    if (bias) inputs.push_back(Input{1, out});
    gradcheck::run({"masked_linear", inputs,
                    [&](Tape& t, auto& v) { return masked_linear(t, v[0], v[1], mask, bias ? v[2] : Var{}); },
                    [&](const std::vector<Vec>& x) {
                      Vec y(static_cast<std::size_t>(B) * out);
                      for (int r = 0; r < B; ++r)
                        for (int o = 0; o < out; ++o) {
                          double s = bias ? x[2][o] : 0.0;
                          for (int i = 0; i < in; ++i)
                            s += x[0][r * in + i] * x[1][o * in + i] * mdata[static_cast<std::size_t>(o) * in + i];
                          y[static_cast<std::size_t>(r) * out + o] = s;
                        }
                      return y;
                    }});
  }
}

TEST_CASE("ops: masked_linear gives a cut weight no gradient and leaves W unchanged") {
  const int B = 2, in = 4, out = 3;
  std::vector<float> mdata = test_mask(out, in), w(static_cast<std::size_t>(out) * in), gw(w.size(), 0.f);
  for (std::size_t i = 0; i < w.size(); ++i) w[i] = 0.1f * static_cast<float>(i) - 0.5f;
  const std::vector<float> w0 = w;
  Tensor mask = make_shape(out, in), W = make_shape(out, in), G = make_shape(out, in);
  mask.data = mdata.data();
  W.data = w.data();
  G.data = gw.data();
  Arena arena;
  Tape t(arena);
  Tensor x = t.alloc(make_shape(B, in));
  for (int i = 0; i < B * in; ++i) x.data[i] = 1.f + static_cast<float>(i);
  Var y = masked_linear(t, t.constant(x), t.param(W, G), mask, Var{});
  t.backward(sum(t, y));
  for (std::size_t i = 0; i < w.size(); ++i) {
    CHECK(w[i] == w0[i]);
    if (mdata[i] == 0.f) CHECK(gw[i] == 0.f);
    else CHECK(gw[i] != 0.f);  // sum over rows of x: positive
  }
}
