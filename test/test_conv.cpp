// test_conv.cpp - the convolutional ops (src/core/ops_conv.cpp, src/backend/conv.cpp): the GEMM
// kernels against the direct loops on odd shapes, every op gradient-checked in double against an
// independent reference, the transposed convolution as the adjoint of the convolution, batch
// normalization's running statistics, thread-count independence and no allocation per step.
#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <stdexcept>
#include <vector>

#include "alloc_counter.h"
#include "dgm/backend/conv.h"
#include "dgm/core/ops.h"
#include "dgm/core/ops_conv.h"
#include "dgm/backend/parallel.h"
#include "dgm/core/rng.h"
#include "gradcheck.h"

using namespace dgm;
using gradcheck::Case;
using gradcheck::Input;
using gradcheck::Vec;

namespace {

// Odd shapes: 1x1 kernels, stride 2 on odd sizes, padding > 0, batch 1, non-square kernels.
// {N, C, H, W, O, kh, kw, stride, pad}
const int kShapes[][9] = {
    {1, 3, 5, 7, 2, 1, 1, 1, 0},  // 1x1, batch 1
    {2, 2, 7, 5, 3, 3, 3, 2, 1},  // stride 2, odd sizes, pad 1
    {3, 1, 9, 9, 4, 4, 4, 2, 2},  // pad 2, even kernel
    {1, 4, 6, 5, 2, 3, 2, 1, 2},  // non-square kernel, pad 2
    {2, 3, 28, 28, 5, 4, 4, 2, 1},  // DCGAN's first discriminator layer, narrower
    {1, 2, 8, 7, 3, 5, 3, 3, 0},  // stride 3, no padding (the last rows/cols unused)
};

ConvShape shape_of(const int* k) { return conv_shape(k[0], k[1], k[2], k[3], k[4], k[5], k[6], k[7], k[8]); }

std::vector<float> randv(std::size_t n, Rng& rng) {
  std::vector<float> v(n);
  for (float& f : v) f = rng.uniform(-1.f, 1.f);
  return v;
}

void check_close(const std::vector<float>& a, const std::vector<float>& b) {
  REQUIRE(a.size() == b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    INFO("element " << i << ": " << a[i] << " vs " << b[i]);
    CHECK(std::fabs(a[i] - b[i]) <= 1e-4f * (1.f + std::fabs(b[i])));
  }
}

// Double references, written from the formula independently of src/core/ops_conv.cpp.
// x (N, C, H, W), w (O, C, kh, kw) -> y (N, O, Ho, Wo)
Vec conv_d(const Vec& x, const Vec& w, const Vec* b, const ConvShape& s) {
  Vec y(static_cast<std::size_t>(s.N) * s.O * s.Ho * s.Wo, 0.0);
  for (int n = 0; n < s.N; ++n)
    for (int o = 0; o < s.O; ++o)
      for (int i = 0; i < s.Ho; ++i)
        for (int j = 0; j < s.Wo; ++j) {
          double acc = b ? (*b)[static_cast<std::size_t>(o)] : 0.0;
          for (int c = 0; c < s.C; ++c)
            for (int a = 0; a < s.kh; ++a)
              for (int q = 0; q < s.kw; ++q) {
                const int h = i * s.stride - s.pad + a, v = j * s.stride - s.pad + q;
                if (h >= 0 && h < s.H && v >= 0 && v < s.W)
                  acc += w[static_cast<std::size_t>(((o * s.C + c) * s.kh + a) * s.kw + q)] *
                         x[static_cast<std::size_t>(((n * s.C + c) * s.H + h) * s.W + v)];
              }
          y[static_cast<std::size_t>(((n * s.O + o) * s.Ho + i) * s.Wo + j)] = acc;
        }
  return y;
}
// Transposed: x (N, Ci, H, W), w (Ci, Co, kh, kw) -> y (N, Co, Ho, Wo), Ho = (H-1) s - 2p + kh,
// y[n, co, i s - p + a, j s - p + q] += w[ci, co, a, q] x[n, ci, i, j]  (the scatter form).
Vec convt_d(const Vec& x, const Vec& w, const Vec* b, int N, int Ci, int H, int W, int Co, int kh, int kw, int st,
            int p, int* Ho, int* Wo) {
  *Ho = (H - 1) * st - 2 * p + kh;
  *Wo = (W - 1) * st - 2 * p + kw;
  Vec y(static_cast<std::size_t>(N) * Co * *Ho * *Wo, 0.0);
  for (int n = 0; n < N; ++n)
    for (int co = 0; co < Co; ++co)
      for (int k = 0; k < *Ho * *Wo; ++k) y[static_cast<std::size_t>((n * Co + co) * *Ho * *Wo + k)] = b ? (*b)[static_cast<std::size_t>(co)] : 0.0;
  for (int n = 0; n < N; ++n)
    for (int ci = 0; ci < Ci; ++ci)
      for (int i = 0; i < H; ++i)
        for (int j = 0; j < W; ++j)
          for (int co = 0; co < Co; ++co)
            for (int a = 0; a < kh; ++a)
              for (int q = 0; q < kw; ++q) {
                const int h = i * st - p + a, v = j * st - p + q;
                if (h < 0 || h >= *Ho || v < 0 || v >= *Wo) continue;
                y[static_cast<std::size_t>(((n * Co + co) * *Ho + h) * *Wo + v)] +=
                    w[static_cast<std::size_t>(((ci * Co + co) * kh + a) * kw + q)] *
                    x[static_cast<std::size_t>(((n * Ci + ci) * H + i) * W + j)];
              }
  return y;
}

}  // namespace

TEST_CASE("conv: the GEMM kernels agree with the direct loops on odd shapes") {
  Rng rng(7);
  for (const auto& k : kShapes) {
    const ConvShape s = shape_of(k);
    INFO("shape N C H W O kh kw stride pad = " << k[0] << " " << k[1] << " " << k[2] << " " << k[3] << " " << k[4]
                                              << " " << k[5] << " " << k[6] << " " << k[7] << " " << k[8]);
    REQUIRE(s.Ho > 0);
    const std::size_t nx = static_cast<std::size_t>(s.N) * s.C * s.H * s.W;
    const std::size_t ny = static_cast<std::size_t>(s.N) * s.O * s.Ho * s.Wo;
    const std::size_t nw = static_cast<std::size_t>(s.O) * s.C * s.kh * s.kw;
    const std::vector<float> x = randv(nx, rng), w = randv(nw, rng), dy = randv(ny, rng);
    std::vector<float> work(conv_workspace_floats(s));
    // Accumulating into non-zero outputs checks the "+=" contract too.
    std::vector<float> y0 = randv(ny, rng), dx0 = randv(nx, rng), dw0 = randv(nw, rng);
    std::vector<float> y_ref = y0, y = y0, dx_ref = dx0, dx = dx0, dw_ref = dw0, dw = dw0;
    conv2d_forward_ref(y_ref.data(), x.data(), w.data(), s);
    conv2d_forward(y.data(), x.data(), w.data(), s, work.data());
    check_close(y, y_ref);
    conv2d_backward_data_ref(dx_ref.data(), dy.data(), w.data(), s);
    conv2d_backward_data(dx.data(), dy.data(), w.data(), s, work.data());
    check_close(dx, dx_ref);
    conv2d_backward_weight_ref(dw_ref.data(), dy.data(), x.data(), s);
    conv2d_backward_weight(dw.data(), dy.data(), x.data(), s, work.data(), false);
    check_close(dw, dw_ref);
    // The tape's order: forward, then dW from the patches the forward left in work (before
    // backward_data overwrites them), the same bits as laying them out again.
    std::vector<float> work2(work.size(), 7.f), y2 = y0, dw2 = dw0;
    conv2d_forward(y2.data(), x.data(), w.data(), s, work2.data());
    conv2d_backward_weight(dw2.data(), dy.data(), x.data(), s, work2.data(), true);
    CHECK(std::memcmp(dw2.data(), dw.data(), nw * sizeof(float)) == 0);
    // The direct loop itself against the double formula.
    Vec xd(x.begin(), x.end()), wd(w.begin(), w.end());
    Vec yd = conv_d(xd, wd, nullptr, s);
    std::vector<float> y_plain(ny, 0.f);
    conv2d_forward_ref(y_plain.data(), x.data(), w.data(), s);
    for (std::size_t i = 0; i < ny; ++i) CHECK(std::fabs(y_plain[i] - yd[i]) <= 1e-5 * (1 + std::fabs(yd[i])));
  }
}

TEST_CASE("conv: results are bitwise the same for 1, 2 and 3 threads") {
  Rng rng(3);
  const ConvShape s = conv_shape(4, 16, 14, 14, 32, 4, 4, 2, 1);
  const std::size_t nx = static_cast<std::size_t>(s.N) * s.C * s.H * s.W;
  const std::size_t ny = static_cast<std::size_t>(s.N) * s.O * s.Ho * s.Wo;
  const std::size_t nw = static_cast<std::size_t>(s.O) * s.C * s.kh * s.kw;
  const std::vector<float> x = randv(nx, rng), w = randv(nw, rng), dy = randv(ny, rng);
  std::vector<float> work(conv_workspace_floats(s));
  std::vector<float> first[3];
  const int before = num_threads();
  for (int th = 1; th <= 3; ++th) {
    set_num_threads(th);
    std::vector<float> y(ny, 0.f), dx(nx, 0.f), dw(nw, 0.f);
    conv2d_forward(y.data(), x.data(), w.data(), s, work.data());
    conv2d_backward_data(dx.data(), dy.data(), w.data(), s, work.data());
    conv2d_backward_weight(dw.data(), dy.data(), x.data(), s, work.data(), false);
    if (th == 1) {
      first[0] = y, first[1] = dx, first[2] = dw;
    } else {
      CHECK(std::memcmp(y.data(), first[0].data(), ny * sizeof(float)) == 0);
      CHECK(std::memcmp(dx.data(), first[1].data(), nx * sizeof(float)) == 0);
      CHECK(std::memcmp(dw.data(), first[2].data(), nw * sizeof(float)) == 0);
    }
  }
  set_num_threads(before);
}

TEST_CASE("conv: conv2d, conv_transpose2d, gradients by central differences in double") {
  for (const auto& k : kShapes) {
    const ConvShape s = shape_of(k);
    if (s.H * s.W > 100) continue;  // keep the finite differences quick
    const int N = s.N, C = s.C, H = s.H, W = s.W, O = s.O, kh = s.kh, kw = s.kw, st = s.stride, p = s.pad;
    // conv2d with bias: leaves x (N, C H W), W (O, C kh kw), b (1, O) seen as 4-D by to_images.
    gradcheck::run({"conv2d",
                    {Input{N, C * H * W}, Input{O, C * kh * kw}, Input{1, O}},
                    [=](Tape& t, auto& v) {
                      return conv2d(t, to_images(t, v[0], C, H, W), to_images(t, v[1], C, kh, kw), v[2], st, p);
                    },
                    [=](const std::vector<Vec>& in) { return conv_d(in[0], in[1], &in[2], s); }});
    // conv_transpose2d: the input has the convolution's output shape (N, O, Ho, Wo), the weight
    // is (O, C, kh, kw) read as (in, out, kh, kw).
    if (conv_shape(N, C, H, W, O, kh, kw, st, p).Ho != s.Ho) continue;
    int Ho = 0, Wo = 0;
    convt_d(Vec(static_cast<std::size_t>(N) * O * s.Ho * s.Wo), Vec(static_cast<std::size_t>(O) * C * kh * kw), nullptr,
            N, O, s.Ho, s.Wo, C, kh, kw, st, p, &Ho, &Wo);
    if (Ho != H || Wo != W) continue;  // stride leaves unused rows: not the inverse shape
    gradcheck::run({"conv_transpose2d",
                    {Input{N, O * s.Ho * s.Wo}, Input{O, C * kh * kw}, Input{1, C}},
                    [=](Tape& t, auto& v) {
                      return conv_transpose2d(t, to_images(t, v[0], O, s.Ho, s.Wo), to_images(t, v[1], C, kh, kw),
                                              v[2], st, p);
                    },
                    [=](const std::vector<Vec>& in) {
                      int a, b;
                      return convt_d(in[0], in[1], &in[2], N, O, s.Ho, s.Wo, C, kh, kw, st, p, &a, &b);
                    }});
  }
  // The generator's upsampling: 3x3 -> 6x6 with kernel 4, stride 2, pad 1 (7x7 -> 14x14 in DCGAN).
  gradcheck::run({"conv_transpose2d 4/2/1",
                  {Input{2, 3 * 3 * 3}, Input{3, 2 * 4 * 4}, Input{1, 2}},
                  [](Tape& t, auto& v) {
                    return conv_transpose2d(t, to_images(t, v[0], 3, 3, 3), to_images(t, v[1], 2, 4, 4), v[2], 2, 1);
                  },
                  [](const std::vector<Vec>& in) {
                    int a, b;
                    return convt_d(in[0], in[1], &in[2], 2, 3, 3, 3, 2, 4, 4, 2, 1, &a, &b);
                  }});
}

TEST_CASE("conv: the transposed convolution is the adjoint of the convolution, <conv x, y> = <x, conv^T y>") {
  Arena arena;
  Tape t(arena);
  Rng rng(11);
  const ConvShape s = conv_shape(2, 3, 14, 14, 5, 4, 4, 2, 1);  // 14x14 -> 7x7
  Tensor x = t.alloc(make_shape(2, 3, 14, 14)), y = t.alloc(make_shape(2, 5, s.Ho, s.Wo));
  Tensor w = t.alloc(make_shape(5, 3, 4, 4));
  rng.fill_normal(x), rng.fill_normal(y), rng.fill_normal(w);
  Tensor cx = t.value(conv2d(t, t.constant(x), t.constant(w), Var{}, 2, 1));
  Tensor ty = t.value(conv_transpose2d(t, t.constant(y), t.constant(w), Var{}, 2, 1));
  REQUIRE(same_shape(ty, x));
  double a = 0, b = 0;
  for (std::size_t i = 0; i < y.size(); ++i) a += static_cast<double>(cx[i]) * y[i];
  for (std::size_t i = 0; i < x.size(); ++i) b += static_cast<double>(x[i]) * ty[i];
  CHECK(std::fabs(a - b) <= 1e-4 * std::fabs(a));
}

namespace {
// Batch normalization in double: per channel of (N, C, HW), training statistics or given ones.
Vec bn_d(const Vec& x, const Vec& g, const Vec& b, int N, int C, int HW, const Vec* rm, const Vec* rv) {
  Vec y(x.size());
  const double M = static_cast<double>(N) * HW;
  for (int c = 0; c < C; ++c) {
    double mu = 0, var = 0;
    if (rm) {
      mu = (*rm)[static_cast<std::size_t>(c)], var = (*rv)[static_cast<std::size_t>(c)];
    } else {
      for (int n = 0; n < N; ++n)
        for (int k = 0; k < HW; ++k) mu += x[static_cast<std::size_t>((n * C + c) * HW + k)] / M;
      for (int n = 0; n < N; ++n)
        for (int k = 0; k < HW; ++k) {
          const double d = x[static_cast<std::size_t>((n * C + c) * HW + k)] - mu;
          var += d * d / M;
        }
    }
    for (int n = 0; n < N; ++n)
      for (int k = 0; k < HW; ++k) {
        const std::size_t e = static_cast<std::size_t>((n * C + c) * HW + k);
        y[e] = g[static_cast<std::size_t>(c)] * (x[e] - mu) / std::sqrt(var + 1e-5) + b[static_cast<std::size_t>(c)];
      }
  }
  return y;
}
}  // namespace

TEST_CASE("conv: batch_norm, training and evaluation, gradients by central differences in double") {
  static float rm[3], rv[3];
  for (bool images : {true, false}) {
    const int N = images ? 2 : 5, C = 3, HW = images ? 6 : 1;
    Tensor rmt = make_shape(C), rvt = make_shape(C);
    rmt.data = rm, rvt.data = rv;
    for (int c = 0; c < C; ++c) rm[c] = 0.1f * c, rv[c] = 1.f + 0.5f * c;
    auto bn = [=](Tape& t, const std::vector<Var>& v, bool training) {
      Var x = images ? to_images(t, v[0], C, 2, 3) : v[0];
      return to_vectors(t, batch_norm(t, x, v[1], v[2], rmt, rvt, training));
    };
    gradcheck::run({"batch_norm training", {Input{N, C * HW}, Input{1, C, 0.5, 2.0}, Input{1, C}},
                    [=](Tape& t, auto& v) { return bn(t, v, true); },
                    [=](const std::vector<Vec>& in) { return bn_d(in[0], in[1], in[2], N, C, HW, nullptr, nullptr); }});
    for (int c = 0; c < C; ++c) rm[c] = 0.1f * c, rv[c] = 1.f + 0.5f * c;
    const Vec rmd{0.0, 0.1f, 0.2f}, rvd{1.0, 1.5, 2.0};
    gradcheck::run({"batch_norm evaluation", {Input{N, C * HW}, Input{1, C, 0.5, 2.0}, Input{1, C}},
                    [=](Tape& t, auto& v) { return bn(t, v, false); },
                    [=](const std::vector<Vec>& in) { return bn_d(in[0], in[1], in[2], N, C, HW, &rmd, &rvd); }});
  }
}

TEST_CASE("conv: batch_norm's running statistics follow torch's update (unbiased variance, momentum 0.1)") {
  Arena arena;
  Tape t(arena);
  // One channel, values 1, 2, 3, 6: mean 3, biased variance 3.5, unbiased 14/3.
  Tensor x = t.alloc(make_shape(4, 1));
  const float v[4] = {1, 2, 3, 6};
  std::memcpy(x.data, v, sizeof v);
  float g = 1, b = 0, rm = 0, rv = 1;
  Tensor gt = make_shape(1), bt = make_shape(1), rmt = make_shape(1), rvt = make_shape(1);
  gt.data = &g, bt.data = &b, rmt.data = &rm, rvt.data = &rv;
  Tensor y = t.value(batch_norm(t, t.constant(x), t.constant(gt), t.constant(bt), rmt, rvt, true));
  CHECK(rm == doctest::Approx(0.3).epsilon(1e-6));                      // 0.9 * 0 + 0.1 * 3
  CHECK(rv == doctest::Approx(0.9 + 0.1 * 14.0 / 3.0).epsilon(1e-6));  // 0.9 * 1 + 0.1 * 14/3
  CHECK(y[3] == doctest::Approx(3.0 / std::sqrt(3.5 + 1e-5)).epsilon(1e-6));
  // Evaluation uses the running statistics and leaves them alone.
  Tensor ye = t.value(batch_norm(t, t.constant(x), t.constant(gt), t.constant(bt), rmt, rvt, false));
  CHECK(rm == doctest::Approx(0.3).epsilon(1e-6));
  CHECK(ye[0] == doctest::Approx((1.0 - 0.3) / std::sqrt(rv + 1e-5)).epsilon(1e-5));
}

TEST_CASE("conv: shape errors are reported, not undefined behaviour") {
  Arena arena;
  Tape t(arena);
  Var x = t.constant(t.alloc(make_shape(2, 3, 5, 5)));
  Var w_bad = t.constant(t.alloc(make_shape(4, 2, 3, 3)));  // 2 input channels, x has 3
  Var w_big = t.constant(t.alloc(make_shape(4, 3, 9, 9)));  // larger than the image
  CHECK_THROWS_AS(conv2d(t, x, w_bad, Var{}, 1, 0), std::runtime_error);
  CHECK_THROWS_AS(conv2d(t, x, w_big, Var{}, 1, 0), std::runtime_error);
  CHECK_THROWS_AS(conv2d(t, x, w_bad, Var{}, 0, 0), std::runtime_error);
  CHECK_THROWS_AS(conv_transpose2d(t, x, w_bad, Var{}, 2, 1), std::runtime_error);
  CHECK_THROWS_AS(to_images(t, t.constant(t.alloc(make_shape(2, 10))), 1, 3, 3), std::runtime_error);
}

TEST_CASE("conv: a conv layer's training step allocates nothing from the heap in steady state") {
  Arena arena;
  Tape t(arena);
  Rng rng(5);
  std::vector<float> wv(8 * 1 * 4 * 4), wg(wv.size()), bv(8), bg(8), gv(8, 1.f), gg(8), be(8), beg(8), rm(8), rv(8, 1.f);
  auto tensor = [](std::vector<float>& v, Tensor s) { s.data = v.data(); return s; };
  for (float& f : wv) f = rng.uniform(-0.2f, 0.2f);
  auto step = [&]() {
    t.reset();
    Tensor x = t.alloc(make_shape(4, 1, 12, 12));
    rng.fill_normal(x);
    Var W = t.param(tensor(wv, make_shape(8, 1, 4, 4)), tensor(wg, make_shape(8, 1, 4, 4)));
    Var b = t.param(tensor(bv, make_shape(8)), tensor(bg, make_shape(8)));
    Var h = conv2d(t, t.constant(x), W, b, 2, 1);  // (4, 8, 6, 6)
    h = batch_norm(t, h, t.param(tensor(gv, make_shape(8)), tensor(gg, make_shape(8))),
                   t.param(tensor(be, make_shape(8)), tensor(beg, make_shape(8))), tensor(rm, make_shape(8)),
                   tensor(rv, make_shape(8)), true);
    Var wt = t.param(tensor(wv, make_shape(8, 1, 4, 4)), tensor(wg, make_shape(8, 1, 4, 4)));
    Var y = conv_transpose2d(t, relu(t, h), wt, Var{}, 2, 1);  // (4, 1, 12, 12)
    t.backward(mean(t, square(t, to_vectors(t, y))));
  };
  check_no_allocation_per_step(step, arena);
}
