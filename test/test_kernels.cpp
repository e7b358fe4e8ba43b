// test_kernels.cpp - the CPU kernel table (dgm/backend/kernels.h) against the op files' reference
// loops (dgm/core/ops_ref.h): every entry that is not the reference itself runs on random inputs
// beside its reference, with 1 and 2 threads (which must agree bit for bit), and is compared
// bitwise, or within a stated tolerance where its math legitimately differs (the fast exp, tanh,
// sigmoid and softplus of dgm/backend/vecmath.h; gemm's summation order).
#include <doctest/doctest.h>

#include <cmath>
#include <string>
#include <vector>

#include "dgm/backend/gemm.h"
#include "dgm/backend/parallel.h"
#include "dgm/core/ops_ref.h"
#include "dgm/core/rng.h"
#include "dgm/core/tape.h"

using namespace dgm;

namespace {

std::vector<float> uniform(std::size_t n, float lo, float hi, std::uint64_t seed) {
  Rng rng(seed);
  std::vector<float> v(n);
  for (auto& x : v) x = rng.uniform(lo, hi);
  return v;
}

// Restores the thread count when a case ends.
struct Threads {
  int saved = num_threads();
  ~Threads() { set_num_threads(saved); }
};

}  // namespace

TEST_CASE("kernels: the CPU table has every entry; those that are the reference are named") {
  const Kernels& k = cpu_kernels();
  CHECK(std::string(k.device) == "cpu");
  CHECK(k.host_loops);
  CHECK(!k.loss_terms);
  // The entries whose CPU kernel is the op file's reference loop itself (nothing to compare).
  CHECK((k.arith_forward == ref::arith_forward));
  CHECK((k.arith_backward == ref::arith_backward));
  CHECK((k.affine_forward == ref::affine_forward));
  CHECK((k.affine_backward == ref::affine_backward));
  CHECK((k.reduce_forward == ref::reduce_forward));
  CHECK((k.reduce_backward == ref::reduce_backward));
  CHECK((k.copy_cols == ref::copy_cols));
  CHECK((k.add_cols == ref::add_cols));
  CHECK((k.gaussian_nll_forward == ref::gaussian_nll_forward));
  CHECK((k.gaussian_nll_backward == ref::gaussian_nll_backward));
  CHECK((k.kl_forward == ref::kl_forward));
  CHECK((k.kl_backward == ref::kl_backward));
  CHECK((k.softmax_ce_forward == ref::softmax_ce_forward));
  CHECK((k.softmax_ce_backward == ref::softmax_ce_backward));
  CHECK((k.sgd_step == ref::sgd_step));
  CHECK((k.adagrad_step == ref::adagrad_step));
  CHECK((k.rmsprop_step == ref::rmsprop_step));
  CHECK((k.sum_squares == ref::sum_squares));
  CHECK((k.clamp == ref::clamp));
  CHECK((k.channel_bias_forward == ref::channel_bias_forward));
  CHECK((k.channel_bias_backward == ref::channel_bias_backward));
  CHECK((k.batch_norm_forward == ref::batch_norm_forward));
  CHECK((k.batch_norm_backward == ref::batch_norm_backward));
  CHECK((&kernels_for(Device::CPU) == &k));
  // The fast ones, compared below.
  CHECK((k.gemm != nullptr));
  CHECK((k.bias_grad != nullptr && k.bias_grad != ref::bias_grad));
  CHECK((k.bce_forward != nullptr && k.bce_forward != ref::bce_forward));
  CHECK((k.bce_backward != nullptr && k.bce_backward != ref::bce_backward));
  CHECK((k.adam_step != nullptr && k.adam_step != ref::adam_step));
  CHECK((k.conv2d_forward && k.conv2d_backward_data && k.conv2d_backward_weight && k.add_at));  // test_conv.cpp
}

TEST_CASE("kernels: element-wise entries match the reference loops; 1 and 2 threads agree") {
  // (7, 4099): blocks of 16, a remainder, and several parallel chunks of 8192.
  const std::size_t n = 7 * 4099;
  const Kernels& k = cpu_kernels();
  struct Entry {
    const char* name;
    UnaryKernels fast, ref;
    float lo, hi;  // the input range (log and sqrt need x > 0)
    float arg;
  };
  const Entry entries[] = {
      {"exp", k.exp, {ref::exp_forward, ref::exp_backward}, -12.f, 12.f, 0.f},
      {"log", k.log, {ref::log_forward, ref::log_backward}, 0.01f, 12.f, 0.f},
      {"sqrt", k.sqrt, {ref::sqrt_forward, ref::sqrt_backward}, 0.01f, 12.f, 0.f},
      {"square", k.square, {ref::square_forward, ref::square_backward}, -12.f, 12.f, 0.f},
      {"relu", k.relu, {ref::relu_forward, ref::relu_backward}, -12.f, 12.f, 0.f},
      {"leaky_relu", k.leaky_relu, {ref::leaky_relu_forward, ref::leaky_relu_backward}, -12.f, 12.f, 0.2f},
      {"sigmoid", k.sigmoid, {ref::sigmoid_forward, ref::sigmoid_backward}, -12.f, 12.f, 0.f},
      {"tanh", k.tanh, {ref::tanh_forward, ref::tanh_backward}, -12.f, 12.f, 0.f},
      {"softplus", k.softplus, {ref::softplus_forward, ref::softplus_backward}, -12.f, 12.f, 0.f},
      {"log_sigmoid", k.log_sigmoid, {ref::log_sigmoid_forward, ref::log_sigmoid_backward}, -12.f, 12.f, 0.f},
  };
  Threads keep;
  for (const Entry& e : entries) {
    INFO(std::string(e.name));
    REQUIRE((e.fast.forward && e.fast.backward));
    const std::vector<float> x = uniform(n, e.lo, e.hi, 3), dy = uniform(n, -1.f, 1.f, 4), dx0 = uniform(n, -1.f, 1.f, 5);
    std::vector<float> ry(n), rdx = dx0;
    e.ref.forward(ry.data(), x.data(), n, e.arg);
    e.ref.backward(rdx.data(), dy.data(), x.data(), ry.data(), n, e.arg);
    std::vector<float> y1(n), y2(n), dx1 = dx0, dx2 = dx0;
    set_num_threads(1);
    e.fast.forward(y1.data(), x.data(), n, e.arg);
    e.fast.backward(dx1.data(), dy.data(), x.data(), ry.data(), n, e.arg);  // the same y as the reference
    set_num_threads(2);
    e.fast.forward(y2.data(), x.data(), n, e.arg);
    e.fast.backward(dx2.data(), dy.data(), x.data(), ry.data(), n, e.arg);
    CHECK(y1 == y2);
    CHECK(dx1 == dx2);
    // Tolerance: the fast functions are within 3 ulp of the exact value (test_vecmath.cpp) and
    // the float C library functions of the reference within about 2.2, so 6 ulp relative
    // (6 * 2^-24 ~ 3.6e-7) plus 1e-30 absolute for results that underflow; in the backward 6 ulp
    // of the result plus 1e-6 absolute (|dy| <= 1, |dx0| <= 1). The others are bitwise.
    double worst_y = 0, worst_dx = 0;
    for (std::size_t i = 0; i < n; ++i) {
      worst_y = std::fmax(worst_y, std::fabs(y1[i] - ry[i]) / (std::fabs(ry[i]) + 1e-30 / 3.6e-7));
      worst_dx = std::fmax(worst_dx, std::fabs(dx1[i] - rdx[i]) / (3.6e-7 * std::fabs(rdx[i]) + 1e-6));
    }
    CHECK(worst_y <= 3.6e-7);
    CHECK(worst_dx <= 1.0);
    const std::string name = e.name;
    if (name == "log" || name == "sqrt" || name == "square" || name == "relu" || name == "leaky_relu") {
      CHECK(y1 == ry);  // the same C library call or expression, element by element
      CHECK(dx1 == rdx);
    }
    if (name == "exp" || name == "sigmoid" || name == "tanh") CHECK(dx1 == rdx);  // from the same y
  }
}

TEST_CASE("kernels: bce_forward / bce_backward (blocked, parallel over rows) match the reference") {
  // (67, 785): row blocks over threads, blocks of 16 and a remainder in each row.
  const std::size_t rows = 67, cols = 785, n = rows * cols;
  const Kernels& k = cpu_kernels();
  const std::vector<float> l = uniform(n, -20.f, 20.f, 5), x = uniform(n, 0.f, 1.f, 6), dy = uniform(rows, -1.f, 1.f, 7);
  const std::vector<float> g0 = uniform(n, -1.f, 1.f, 8);
  Threads keep;
  for (bool const_target : {false, true}) {
    INFO("constant target: " << const_target);
    const float* xp = const_target ? nullptr : x.data();
    const float target = const_target ? 1.f : 0.f;
    std::vector<float> ry(rows), rsig(n), rdl = g0, rdx = g0;
    ref::bce_forward(ry.data(), rsig.data(), nullptr, l.data(), xp, target, rows, cols);
    ref::bce_backward(rdl.data(), rdx.data(), rsig.data(), l.data(), xp, target, dy.data(), rows, cols);
    std::vector<float> first_y, first_dl;
    for (int threads : {1, 2}) {
      set_num_threads(threads);
      std::vector<float> y(rows), sig(n), dl = g0, dx = g0;
      k.bce_forward(y.data(), sig.data(), nullptr, l.data(), xp, target, rows, cols);
      k.bce_backward(dl.data(), dx.data(), rsig.data(), l.data(), xp, target, dy.data(), rows, cols);
      for (std::size_t r = 0; r < rows; ++r)  // 785 terms up to 20, each within 4 ulp: ~4e-3 worst
        CHECK(y[r] == doctest::Approx(ry[r]).epsilon(1e-6).scale(1.0));
      double worst_sig = 0;
      for (std::size_t i = 0; i < n; ++i) worst_sig = std::fmax(worst_sig, std::fabs(sig[i] - rsig[i]));
      CHECK(worst_sig < 1e-6);  // the fast sigmoid within 3 ulp
      CHECK(dl == rdl);         // dl += dy (sig - x) from the same sig: the same expression, bitwise
      CHECK(dx == rdx);         // dx -= dy l: bitwise
      if (threads == 1) {
        first_y = y;
        first_dl = dl;
      } else {
        CHECK(y == first_y);
        CHECK(dl == first_dl);
      }
    }
    // Only the dl gradient, then only dx (a null pointer: that input wants none).
    std::vector<float> dl = g0, dx = g0;
    k.bce_backward(dl.data(), nullptr, rsig.data(), l.data(), xp, target, dy.data(), rows, cols);
    k.bce_backward(nullptr, dx.data(), rsig.data(), l.data(), xp, target, dy.data(), rows, cols);
    CHECK(dl == rdl);
    CHECK(dx == rdx);
  }
}

TEST_CASE("kernels: bias_grad matches the reference bitwise; gemm with a bias row matches gemm_naive") {
  const Kernels& k = cpu_kernels();
  const std::size_t rows = 37, cols = 133;
  const std::vector<float> dy = uniform(rows * cols, -1.f, 1.f, 9), db0 = uniform(cols, -1.f, 1.f, 10);
  std::vector<float> db = db0, rdb = db0;
  k.bias_grad(db.data(), dy.data(), rows, cols);
  ref::bias_grad(rdb.data(), dy.data(), rows, cols);
  CHECK(db == rdb);  // rows in increasing order, per column: the same sums

  const int M = 19, N = 41, K = 67;
  const std::vector<float> A = uniform(M * K, -1.f, 1.f, 11), B = uniform(N * K, -1.f, 1.f, 12),
                           bias = uniform(N, -1.f, 1.f, 13);
  std::vector<float> C(M * N, NAN), R(M * N);
  k.gemm(false, true, M, N, K, A.data(), K, B.data(), K, C.data(), N, false, bias.data());  // C = bias + A B^T
  for (int r = 0; r < M; ++r)
    for (int c = 0; c < N; ++c) R[r * N + c] = bias[c];
  gemm_naive(false, true, M, N, K, A.data(), K, B.data(), K, R.data(), N, true);
  for (int i = 0; i < M * N; ++i)  // 67 products of size <= 1: another summation order, ~1e-5
    CHECK(C[i] == doctest::Approx(R[i]).epsilon(1e-5).scale(1.0));
}

TEST_CASE("kernels: adam_step (vector blocks, parallel chunks) equals the reference bitwise; 1 and 2 threads agree") {
  const Kernels& k = cpu_kernels();
  Threads restore;
  // Sizes around the block and the parallel chunk (16384): remainders of every length.
  for (std::size_t n : {std::size_t(1), std::size_t(7), std::size_t(67), std::size_t(16384 + 13), std::size_t(40000)}) {
    INFO("n = " << n);
    const std::vector<float> w0 = uniform(n, -1.f, 1.f, 21), g0 = uniform(n, -2.f, 2.f, 22),
                             m0 = uniform(n, -0.1f, 0.1f, 23), v0 = uniform(n, 0.f, 0.1f, 24);
    AdamStep a;
    a.b1 = 0.9f, a.b2 = 0.999f, a.eps = 1e-8f;
    a.lr_t = 1e-3f / (1.f - 0.9f * 0.9f * 0.9f), a.inv_c2 = 1.f / (1.f - 0.999f * 0.999f * 0.999f);  // step 3
    for (bool zero_g : {false, true}) {
      std::vector<float> rw = w0, rg = g0, rm = m0, rv = v0;
      ref::adam_step(rw.data(), rg.data(), rm.data(), rv.data(), n, a, zero_g);
      for (int threads : {1, 2}) {
        set_num_threads(threads);
        std::vector<float> w = w0, g = g0, m = m0, v = v0;
        k.adam_step(w.data(), g.data(), m.data(), v.data(), n, a, zero_g);
        CHECK(w == rw);
        CHECK(m == rm);
        CHECK(v == rv);
        CHECK(g == rg);  // zeroed, or untouched
      }
    }
  }
}

TEST_CASE("kernels: an op without a kernel on the tape's device stops with one message") {
  Kernels none = cpu_kernels();
  none.device = "test";
  none.host_loops = false;
  none.conv2d_forward = nullptr;
  Arena arena;
  Tape t(arena);
  CHECK_THROWS_WITH(t.need(none.conv2d_forward, "conv2d"), doctest::Contains("conv2d: no cpu kernel yet"));
  CHECK_THROWS_WITH(t.need(none.host_loops, "lstm_cell"), doctest::Contains("lstm_cell: no cpu kernel yet"));
  CHECK((t.need(t.kernels().conv2d_forward, "conv2d") == cpu_kernels().conv2d_forward));
}
