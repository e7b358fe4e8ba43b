// test_cuda.cpp - the CUDA backend against the CPU (`make test CUDA=1`; an empty file in a
// CPU build). Every op's GPU kernels (forward and backward), the GPU gemm, the optimizers, the
// random fills and a few training steps of each model are run on the CPU and on the GPU from
// the same inputs and seeds, and compared. Without a GPU each case says "no CUDA device: CUDA
// tests skipped" (and the first one says so on stderr) instead of failing.
//
// Tolerances, and where they come from:
//   * elementwise kernels use the same formulas (dgm/backend/vecmath.h compiled for both); they may
//     differ where nvcc fuses a multiply-add that the CPU build did not (or the reverse), and
//     where the CPU calls std::exp/std::log and the GPU expf/logf (CUDA: within 2 ulp):
//     |gpu - cpu| <= 1e-5 (1 + |cpu|), a few ulp of an O(1) value with room for a chain of two;
//   * gemm sums K products in another order: <= 1e-5 (K + 2) (1 + |cpu|) (the float rounding
//     bound K 2^-24 sum|terms| for terms of size ~1, as in test_cuda_math.cpp);
//   * the convolution is a gemm over im2col columns on both sides: the gemm bound with K the
//     longest sum (C kh kw forward, O kh kw into a pixel, N Ho Wo into a weight);
//   * batch normalization and the per-channel bias sum in double in the CPU's order: kElemTol;
//   * training steps: see compare_runs below.
#include <doctest/doctest.h>

#ifdef DGM_CUDA

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "../src/backend/gpu.h"
#include "dgm/run/config.h"
#include "dgm/backend/conv.h"
#include "dgm/backend/device.h"
#include "dgm/backend/gemm.h"
#include "dgm/models/model.h"
#include "dgm/core/ops.h"
#include "dgm/core/ops_conv.h"
#include "dgm/core/optim.h"
#include "dgm/run/outputs.h"

using namespace dgm;

namespace {

// True if a GPU is there; otherwise says so (loudly, once) and the caller returns.
bool have_gpu() {
  const char* why = nullptr;
  if (cuda_available(&why)) return true;
  const std::string prefix = "no CUDA device: ", w = why;
  const std::string reason = w.compare(0, prefix.size(), prefix) == 0 ? w.substr(prefix.size()) : w;
  static bool said = false;
  if (!said) {
    std::fprintf(stderr, "\n*** no CUDA device: CUDA tests skipped (%s) ***\n\n", reason.c_str());
    said = true;
  }
  MESSAGE("no CUDA device: CUDA tests skipped (" << reason << ")");
  return false;
}

std::vector<float> random_vec(std::size_t n, Rng& rng, float lo, float hi) {
  std::vector<float> v(n);
  for (float& x : v) x = rng.uniform(lo, hi);
  return v;
}

// max over i of |got - want| / (1 + |want|)
double max_rel_err(const float* got, const float* want, std::size_t n) {
  double e = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const double d = std::fabs(static_cast<double>(got[i]) - want[i]) / (1.0 + std::fabs(static_cast<double>(want[i])));
    if (!(d <= e)) e = d;  // NaN counts as the largest error
  }
  return e;
}

struct Input {
  Tensor shape;
  float lo, hi;
};
using OpFn = std::function<Var(Tape&, const std::vector<Var>&)>;

// y = f(inputs) on a CPU tape and on a device tape from the same floats, then the backward pass
// of sum(y * w) for the same random w; compares y and the gradient of every input.
void compare_op(const char* name, const std::vector<Input>& ins, const OpFn& f, double tol) {
  CAPTURE(name);
  Rng rng(17);
  Arena ca, ga(0, Device::CUDA);
  Tape ct(ca), gt(ga);
  std::vector<std::vector<float>> data;
  std::vector<Var> cv, gv;
  for (const Input& in : ins) {
    data.push_back(random_vec(in.shape.size(), rng, in.lo, in.hi));
    Tensor h = in.shape;
    h.data = data.back().data();
    cv.push_back(ct.leaf(h));
    gv.push_back(gt.leaf(gt.upload(h)));
  }
  const Var cy = f(ct, cv), gy = f(gt, gv);
  const Tensor y_cpu = ct.value(cy), y_gpu = gt.host_copy(gt.value(gy));
  REQUIRE(same_shape(y_cpu, y_gpu));
  CHECK(max_rel_err(y_gpu.data, y_cpu.data, y_cpu.size()) <= tol);
  std::vector<float> w = random_vec(y_cpu.size(), rng, -1.f, 1.f);
  Tensor wt = y_cpu;
  wt.data = w.data();
  ct.backward(sum(ct, mul(ct, cy, ct.constant(wt))));
  gt.backward(sum(gt, mul(gt, gy, gt.constant(gt.upload(wt)))));
  for (std::size_t i = 0; i < ins.size(); ++i) {
    CAPTURE(i);
    const Tensor g_cpu = ct.grad(cv[i]), g_gpu = gt.host_copy(gt.grad(gv[i]));
    CHECK(max_rel_err(g_gpu.data, g_cpu.data, g_cpu.size()) <= tol);
  }
}

constexpr double kElemTol = 1e-5;  // see the header

}  // namespace

TEST_CASE("cuda: element-wise ops, forward and backward, equal the CPU kernels") {
  if (!have_gpu()) return;
  const Tensor s = make_shape(37, 53);  // odd sizes: no kernel may assume a multiple of anything
  compare_op("exp", {{s, -3.f, 3.f}}, [](Tape& t, const std::vector<Var>& v) { return exp(t, v[0]); }, kElemTol);
  compare_op("log", {{s, 0.05f, 4.f}}, [](Tape& t, const std::vector<Var>& v) { return log(t, v[0]); }, kElemTol);
  compare_op("sqrt", {{s, 0.05f, 4.f}}, [](Tape& t, const std::vector<Var>& v) { return sqrt(t, v[0]); }, kElemTol);
  compare_op("square", {{s, -3.f, 3.f}}, [](Tape& t, const std::vector<Var>& v) { return square(t, v[0]); }, kElemTol);
  compare_op("relu", {{s, -3.f, 3.f}}, [](Tape& t, const std::vector<Var>& v) { return relu(t, v[0]); }, kElemTol);
  compare_op("leaky_relu", {{s, -3.f, 3.f}},
             [](Tape& t, const std::vector<Var>& v) { return leaky_relu(t, v[0], 0.2f); }, kElemTol);
  compare_op("sigmoid", {{s, -9.f, 9.f}}, [](Tape& t, const std::vector<Var>& v) { return sigmoid(t, v[0]); }, kElemTol);
  compare_op("tanh", {{s, -4.f, 4.f}}, [](Tape& t, const std::vector<Var>& v) { return tanh(t, v[0]); }, kElemTol);
  compare_op("softplus", {{s, -9.f, 9.f}}, [](Tape& t, const std::vector<Var>& v) { return softplus(t, v[0]); }, kElemTol);
  compare_op("log_sigmoid", {{s, -9.f, 9.f}},
             [](Tape& t, const std::vector<Var>& v) { return log_sigmoid(t, v[0]); }, kElemTol);
  compare_op("scale", {{s, -3.f, 3.f}}, [](Tape& t, const std::vector<Var>& v) { return scale(t, v[0], -1.7f); }, kElemTol);
  compare_op("add_scalar", {{s, -3.f, 3.f}},
             [](Tape& t, const std::vector<Var>& v) { return add_scalar(t, v[0], 0.3f); }, kElemTol);
}

TEST_CASE("cuda: add, sub, mul, div with every broadcast, forward and backward") {
  if (!have_gpu()) return;
  const Tensor a = make_shape(37, 53);
  const Tensor bs[] = {make_shape(37, 53), make_shape(1, 53), make_shape(37, 1), make_shape(1)};
  const char* kinds[] = {"same", "row", "col", "scalar"};
  for (int k = 0; k < 4; ++k) {
    CAPTURE(kinds[k]);
    // b in [0.5, 2] so that div is well conditioned; the broadcast gradients sum up to 37 x 53
    // terms sequentially on both sides (the same order), so the same tolerance holds.
    const std::vector<Input> ins = {{a, -2.f, 2.f}, {bs[k], 0.5f, 2.f}};
    compare_op("add", ins, [](Tape& t, const std::vector<Var>& v) { return add(t, v[0], v[1]); }, kElemTol);
    compare_op("sub", ins, [](Tape& t, const std::vector<Var>& v) { return sub(t, v[0], v[1]); }, kElemTol);
    compare_op("mul", ins, [](Tape& t, const std::vector<Var>& v) { return mul(t, v[0], v[1]); }, kElemTol);
    compare_op("div", ins, [](Tape& t, const std::vector<Var>& v) { return div(t, v[0], v[1]); }, kElemTol);
  }
  // a node used twice: both contributions accumulate
  compare_op("a + a", {{a, -2.f, 2.f}}, [](Tape& t, const std::vector<Var>& v) { return add(t, v[0], v[0]); }, kElemTol);
}

TEST_CASE("cuda: reductions and column slices, forward and backward") {
  if (!have_gpu()) return;
  const Tensor s = make_shape(37, 53);
  compare_op("sum", {{s, -1.f, 1.f}}, [](Tape& t, const std::vector<Var>& v) { return sum(t, v[0]); }, kElemTol);
  compare_op("mean", {{s, -1.f, 1.f}}, [](Tape& t, const std::vector<Var>& v) { return mean(t, v[0]); }, kElemTol);
  compare_op("row_sum", {{s, -1.f, 1.f}}, [](Tape& t, const std::vector<Var>& v) { return row_sum(t, v[0]); }, kElemTol);
  compare_op("row_mean", {{s, -1.f, 1.f}}, [](Tape& t, const std::vector<Var>& v) { return row_mean(t, v[0]); }, kElemTol);
  compare_op("concat_cols", {{make_shape(37, 5), -1.f, 1.f}, {make_shape(37, 8), -1.f, 1.f}},
             [](Tape& t, const std::vector<Var>& v) { return concat_cols(t, v[0], v[1]); }, kElemTol);
  compare_op("slice_cols", {{s, -1.f, 1.f}},
             [](Tape& t, const std::vector<Var>& v) { return slice_cols(t, v[0], 3, 41); }, kElemTol);
}

TEST_CASE("cuda: losses, forward and backward (targets with and without gradients)") {
  if (!have_gpu()) return;
  const Tensor s = make_shape(37, 53);
  compare_op("bce_with_logits (x)", {{s, -8.f, 8.f}, {s, 0.f, 1.f}},
             [](Tape& t, const std::vector<Var>& v) { return bce_with_logits(t, v[0], v[1]); }, kElemTol);
  compare_op("bce_with_logits (1)", {{s, -8.f, 8.f}},
             [](Tape& t, const std::vector<Var>& v) { return bce_with_logits(t, v[0], 1.f); }, kElemTol);
  compare_op("gaussian_nll", {{s, -2.f, 2.f}, {s, -2.f, 2.f}, {s, -1.f, 1.f}},
             [](Tape& t, const std::vector<Var>& v) { return gaussian_nll(t, v[0], v[1], v[2]); }, kElemTol);
  compare_op("kl_normal_std", {{s, -2.f, 2.f}, {s, -1.f, 1.f}},
             [](Tape& t, const std::vector<Var>& v) { return kl_normal_std(t, v[0], v[1]); }, kElemTol);
  compare_op("softmax_cross_entropy", {{make_shape(37, 10), -5.f, 5.f}, {make_shape(37, 10), 0.f, 1.f}},
             [](Tape& t, const std::vector<Var>& v) { return softmax_cross_entropy(t, v[0], v[1]); }, kElemTol);
}

TEST_CASE("cuda: matmul (every transpose) and linear (with and without bias), forward and backward") {
  if (!have_gpu()) return;
  const int M = 37, N = 29, K = 53;
  const double tol = 1e-5 * (K + 2);  // gemm's summation order (see the header); K is the longest sum
  for (int ta = 0; ta < 2; ++ta)
    for (int tb = 0; tb < 2; ++tb) {
      CAPTURE(ta);
      CAPTURE(tb);
      const Tensor a = ta ? make_shape(K, M) : make_shape(M, K), b = tb ? make_shape(N, K) : make_shape(K, N);
      compare_op("matmul", {{a, -1.f, 1.f}, {b, -1.f, 1.f}},
                 [ta, tb](Tape& t, const std::vector<Var>& v) { return matmul(t, v[0], v[1], ta != 0, tb != 0); }, tol);
    }
  compare_op("linear", {{make_shape(M, K), -1.f, 1.f}, {make_shape(N, K), -1.f, 1.f}, {make_shape(1, N), -1.f, 1.f}},
             [](Tape& t, const std::vector<Var>& v) { return linear(t, v[0], v[1], v[2]); }, tol);
  compare_op("linear (no bias)", {{make_shape(M, K), -1.f, 1.f}, {make_shape(N, K), -1.f, 1.f}},
             [](Tape& t, const std::vector<Var>& v) { return linear(t, v[0], v[1], Var{}); }, tol);
}

TEST_CASE("cuda: gpu::gemm equals gemm_naive on larger and odd shapes, overwrite and accumulate") {
  if (!have_gpu()) return;
  Rng rng(5);
  const int shapes[][3] = {{257, 130, 300}, {1, 700, 3}, {128, 400, 784}, {64, 64, 1}};
  for (const auto& sh : shapes)
    for (int ta = 0; ta < 2; ++ta)
      for (int tb = 0; tb < 2; ++tb)
        for (int acc = 0; acc < 2; ++acc) {
          const int M = sh[0], N = sh[1], K = sh[2];
          CAPTURE(M);
          CAPTURE(N);
          CAPTURE(K);
          CAPTURE(ta);
          CAPTURE(tb);
          CAPTURE(acc);
          std::vector<float> A = random_vec(static_cast<std::size_t>(M) * K, rng, -1.f, 1.f),
                             B = random_vec(static_cast<std::size_t>(K) * N, rng, -1.f, 1.f),
                             C = random_vec(static_cast<std::size_t>(M) * N, rng, -1.f, 1.f), G(C.size());
          DeviceBuffer dA(A.size()), dB(B.size()), dC(C.size());
          device_upload(dA.data(), A.data(), A.size());
          device_upload(dB.data(), B.data(), B.size());
          device_upload(dC.data(), C.data(), C.size());
          const int lda = ta ? M : K, ldb = tb ? K : N;
          gemm_naive(ta, tb, M, N, K, A.data(), lda, B.data(), ldb, C.data(), N, acc != 0);
          gpu::gemm(ta, tb, M, N, K, dA.data(), lda, dB.data(), ldb, dC.data(), N, acc != 0);
          device_download(G.data(), dC.data(), G.size());
          CHECK(max_rel_err(G.data(), C.data(), C.size()) <= 1e-5 * (K + 2));
        }
}

// ---- convolution, batch normalization, per-channel bias, image reshapes (cuda_conv.cu) ----
namespace {

// A host vector's copy in device memory.
DeviceBuffer on_gpu(const std::vector<float>& v) {
  DeviceBuffer d(v.size());
  device_upload(d.data(), v.data(), v.size());
  return d;
}
std::vector<float> from_gpu(const DeviceBuffer& d) {
  std::vector<float> v(d.size());
  device_download(v.data(), d.data(), v.size());
  return v;
}

struct ConvCase {
  int N, C, H, W, O, kh, kw, stride, pad;
  const char* what;
};
// The odd shapes: a 1x1 kernel, stride 2 on odd sizes, padding (up to more than half the kernel,
// so some output pixels read only padding), batch 1, DCGAN's 4x4 stride 2 pad 1, stride 3.
const ConvCase kConvCases[] = {
    {3, 2, 7, 5, 4, 1, 1, 1, 0, "1x1 kernel"},
    {2, 3, 9, 7, 5, 3, 3, 2, 0, "3x3, stride 2, odd sizes"},
    {2, 3, 8, 6, 4, 4, 4, 2, 1, "4x4, stride 2, pad 1 (DCGAN's)"},
    {1, 2, 5, 6, 3, 3, 2, 1, 2, "batch 1, 3x2 kernel, pad 2"},
    {2, 1, 7, 5, 3, 5, 3, 3, 1, "5x3, stride 3, pad 1, odd sizes"},
    {1, 1, 1, 1, 2, 1, 1, 1, 0, "1x1 image, batch 1"},
};

}  // namespace

TEST_CASE("cuda: gpu::conv2d_forward, backward_data, backward_weight equal the CPU kernels on odd shapes") {
  if (!have_gpu()) return;
  Rng rng(23);
  for (const ConvCase& c : kConvCases) {
    CAPTURE(c.what);
    const ConvShape s = conv_shape(c.N, c.C, c.H, c.W, c.O, c.kh, c.kw, c.stride, c.pad);
    REQUIRE((s.Ho > 0 && s.Wo > 0));
    const std::size_t nx = static_cast<std::size_t>(s.N) * s.C * s.H * s.W;
    const std::size_t ny = static_cast<std::size_t>(s.N) * s.O * s.Ho * s.Wo;
    const std::size_t nw = static_cast<std::size_t>(s.O) * s.C * s.kh * s.kw;
    const std::vector<float> x = random_vec(nx, rng, -1.f, 1.f), w = random_vec(nw, rng, -1.f, 1.f),
                             dy = random_vec(ny, rng, -1.f, 1.f);
    // every kernel accumulates: start each output from random values, not zeros
    std::vector<float> y = random_vec(ny, rng, -1.f, 1.f), dx = random_vec(nx, rng, -1.f, 1.f),
                       dw = random_vec(nw, rng, -1.f, 1.f);
    DeviceBuffer gx = on_gpu(x), gw = on_gpu(w), gdy = on_gpu(dy), gy = on_gpu(y), gdx = on_gpu(dx), gdw = on_gpu(dw);
    std::vector<float> work(conv_workspace_floats(s));
    DeviceBuffer gwork(work.size());
    conv2d_forward(y.data(), x.data(), w.data(), s, work.data());
    conv2d_backward_data(dx.data(), dy.data(), w.data(), s, work.data());
    conv2d_backward_weight(dw.data(), dy.data(), x.data(), s, work.data(), false);
    // the tape's order on the GPU: dW from the patches gpu::conv2d_forward left in gwork
    gpu::conv2d_forward(gy.data(), gx.data(), gw.data(), s, gwork.data());
    gpu::conv2d_backward_weight(gdw.data(), gdy.data(), gx.data(), s, gwork.data(), true);
    gpu::conv2d_backward_data(gdx.data(), gdy.data(), gw.data(), s, gwork.data());
    CHECK(max_rel_err(from_gpu(gy).data(), y.data(), ny) <= 1e-5 * (s.C * s.kh * s.kw + 2));
    CHECK(max_rel_err(from_gpu(gdx).data(), dx.data(), nx) <= 1e-5 * (s.O * s.kh * s.kw + 2));
    CHECK(max_rel_err(from_gpu(gdw).data(), dw.data(), nw) <= 1e-5 * (s.N * s.Ho * s.Wo + 2));
  }
}

TEST_CASE("cuda: conv2d and conv_transpose2d (with and without bias) and the image reshapes, forward and backward") {
  if (!have_gpu()) return;
  for (const ConvCase& c : kConvCases) {
    CAPTURE(c.what);
    const ConvShape s = conv_shape(c.N, c.C, c.H, c.W, c.O, c.kh, c.kw, c.stride, c.pad);
    const double tol = 1e-5 * (std::max({s.C * s.kh * s.kw, s.O * s.kh * s.kw, s.N * s.Ho * s.Wo}) + 2);
    const Tensor x = make_shape(s.N, s.C, s.H, s.W), w = make_shape(s.O, s.C, s.kh, s.kw);
    const int stride = s.stride, pad = s.pad;
    // to_vectors of the output: the comparison's sum(y * w) runs on (N, O Ho Wo) rows
    compare_op("conv2d", {{x, -1.f, 1.f}, {w, -1.f, 1.f}, {make_shape(s.O), -1.f, 1.f}},
               [=](Tape& t, const std::vector<Var>& v) {
                 return to_vectors(t, conv2d(t, v[0], v[1], v[2], stride, pad));
               },
               tol);
    compare_op("conv2d (no bias)", {{x, -1.f, 1.f}, {w, -1.f, 1.f}},
               [=](Tape& t, const std::vector<Var>& v) {
                 return to_vectors(t, conv2d(t, v[0], v[1], Var{}, stride, pad));
               },
               tol);
    // the transposed convolution maps the convolution's output shape back to its image shape
    const Tensor xt = make_shape(s.N, s.O, s.Ho, s.Wo);
    compare_op("conv_transpose2d", {{xt, -1.f, 1.f}, {w, -1.f, 1.f}, {make_shape(s.C), -1.f, 1.f}},
               [=](Tape& t, const std::vector<Var>& v) {
                 return to_vectors(t, conv_transpose2d(t, v[0], v[1], v[2], stride, pad));
               },
               tol);
  }
  // vectors -> images -> an image op -> vectors: the views and their gradients
  compare_op("to_images / to_vectors", {{make_shape(4, 2 * 3 * 5), -2.f, 2.f}},
             [](Tape& t, const std::vector<Var>& v) { return to_vectors(t, tanh(t, to_images(t, v[0], 2, 3, 5))); },
             kElemTol);
}

namespace {
// batch_norm on a CPU and a device tape from the same x, gamma, beta and running statistics; y,
// the gradients of sum(y * w) and the running statistics afterwards are compared.
void compare_batch_norm(const Tensor& xs, bool training) {
  const std::string shape = shape_str(xs).text;
  CAPTURE(training);
  CAPTURE(shape);
  const int C = xs.dim[1];
  Rng rng(31);
  std::vector<float> x = random_vec(xs.size(), rng, -2.f, 3.f), g = random_vec(C, rng, 0.5f, 1.5f),
                     b = random_vec(C, rng, -0.5f, 0.5f), rm = random_vec(C, rng, -0.5f, 0.5f),
                     rv = random_vec(C, rng, 0.5f, 2.f), w = random_vec(xs.size(), rng, -1.f, 1.f);
  DeviceBuffer grm = on_gpu(rm), grv = on_gpu(rv);
  Arena ca, ga(0, Device::CUDA);
  Tape ct(ca), gt(ga);
  auto tensor = [](std::vector<float>& v, Tensor shape) {
    shape.data = v.data();
    return shape;
  };
  const Tensor cs = make_shape(C);
  Tensor crm = tensor(rm, cs), crv = tensor(rv, cs), grm_t = cs, grv_t = cs;
  grm_t.data = grm.data();
  grv_t.data = grv.data();
  const Var cx = ct.leaf(tensor(x, xs)), cg = ct.leaf(tensor(g, cs)), cb = ct.leaf(tensor(b, cs));
  const Var gx = gt.leaf(gt.upload(tensor(x, xs))), gg = gt.leaf(gt.upload(tensor(g, cs))),
            gb = gt.leaf(gt.upload(tensor(b, cs)));
  const Var cy = to_vectors(ct, batch_norm(ct, cx, cg, cb, crm, crv, training));
  const Var gy = to_vectors(gt, batch_norm(gt, gx, gg, gb, grm_t, grv_t, training));
  const Tensor y_cpu = ct.value(cy), y_gpu = gt.host_copy(gt.value(gy));
  CHECK(max_rel_err(y_gpu.data, y_cpu.data, y_cpu.size()) <= kElemTol);
  Tensor wt = y_cpu;
  wt.data = w.data();
  ct.backward(sum(ct, mul(ct, cy, ct.constant(wt))));
  gt.backward(sum(gt, mul(gt, gy, gt.constant(gt.upload(wt)))));
  const char* names[] = {"dx", "dgamma", "dbeta"};
  const Var cv[] = {cx, cg, cb}, gv[] = {gx, gg, gb};
  for (int i = 0; i < 3; ++i) {
    CAPTURE(names[i]);
    const Tensor g_cpu = ct.grad(cv[i]), g_gpu = gt.host_copy(gt.grad(gv[i]));
    CHECK(max_rel_err(g_gpu.data, g_cpu.data, g_cpu.size()) <= kElemTol);
  }
  // the running statistics: moved in training (the same double arithmetic), untouched otherwise
  CHECK(max_rel_err(from_gpu(grm).data(), rm.data(), rm.size()) <= kElemTol);
  CHECK(max_rel_err(from_gpu(grv).data(), rv.data(), rv.size()) <= kElemTol);
}
}  // namespace

TEST_CASE("cuda: batch_norm in training and evaluation, forward, backward and the running statistics") {
  if (!have_gpu()) return;
  for (bool training : {true, false}) {
    compare_batch_norm(make_shape(5, 3, 7, 3), training);  // (N, C, H, W), odd sizes
    compare_batch_norm(make_shape(9, 4), training);        // (N, C): H = W = 1
    compare_batch_norm(make_shape(1, 2, 3, 5), training);  // batch 1: statistics over the pixels
  }
}

TEST_CASE("cuda: gpu::channel_bias_forward and backward equal the CPU's, accumulating") {
  if (!have_gpu()) return;
  const Kernels& k = kernels_for(Device::CPU);
  Rng rng(41);
  const int N = 3, C = 5, HW = 7 * 3;
  const std::size_t n = static_cast<std::size_t>(N) * C * HW;
  std::vector<float> y = random_vec(n, rng, -1.f, 1.f), b = random_vec(C, rng, -1.f, 1.f),
                     dy = random_vec(n, rng, -1.f, 1.f), db = random_vec(C, rng, -1.f, 1.f);
  DeviceBuffer gy = on_gpu(y), gb = on_gpu(b), gdy = on_gpu(dy), gdb = on_gpu(db);
  k.channel_bias_forward(y.data(), b.data(), N, C, HW);
  k.channel_bias_backward(db.data(), dy.data(), N, C, HW);
  gpu::channel_bias_forward(gy.data(), gb.data(), N, C, HW);
  gpu::channel_bias_backward(gdb.data(), gdy.data(), N, C, HW);
  CHECK(max_rel_err(from_gpu(gy).data(), y.data(), n) <= kElemTol);
  CHECK(max_rel_err(from_gpu(gdb).data(), db.data(), db.size()) <= kElemTol);
}

TEST_CASE("cuda: the four optimizers on a device ParamStore equal the CPU's; step_and_zero_grad zeroes") {
  if (!have_gpu()) return;
  const OptimKind kinds[] = {OptimKind::SGD, OptimKind::Adagrad, OptimKind::RMSProp, OptimKind::Adam};
  for (OptimKind k : kinds) {
    CAPTURE(optim_kind_name(k));
    OptimConfig oc;
    oc.kind = k;
    oc.lr = 1e-2f;
    oc.momentum = 0.9f;
    ParamStore pc, pg;
    pc.add("w", make_shape(1001));
    pg.add("w", make_shape(1001));
    pg.set_device(Device::CUDA);
    pc.finalize();
    pg.finalize();
    Rng rng(9);
    std::vector<float> w0 = random_vec(pc.size(), rng, -1.f, 1.f);
    std::copy(w0.begin(), w0.end(), pc.data());
    std::copy(w0.begin(), w0.end(), pg.host_data());
    pg.to_device();
    Optimizer oc_cpu(oc, pc.size()), oc_gpu(oc, pg.size(), Device::CUDA);
    for (int step = 0; step < 6; ++step) {
      std::vector<float> g = random_vec(pc.size(), rng, -1.f, 1.f);
      std::copy(g.begin(), g.end(), pc.grads());
      device_upload(pg.grads(), g.data(), g.size());
      if (step % 2) {
        oc_cpu.step_and_zero_grad(pc);
        oc_gpu.step_and_zero_grad(pg);
        std::vector<float> gz(pg.size(), 1.f);
        device_download(gz.data(), pg.grads(), gz.size());
        for (float v : gz) REQUIRE(v == 0.f);
      } else {
        oc_cpu.step(pc);
        oc_gpu.step(pg);
      }
    }
    pg.to_host();
    oc_gpu.to_host();
    // the same formulas on both: a few ulp of fused multiply-adds per step (see the header)
    CHECK(max_rel_err(pg.host_data(), pc.data(), pc.size()) <= kElemTol);
    CHECK(max_rel_err(oc_gpu.s1.data(), oc_cpu.s1.data(), oc_cpu.s1.size()) <= kElemTol);
    if (!oc_cpu.s2.empty()) CHECK(max_rel_err(oc_gpu.s2.data(), oc_cpu.s2.data(), oc_cpu.s2.size()) <= kElemTol);
  }
}

TEST_CASE("cuda: random fills on the device draw the CPU's numbers and leave the Rng where the CPU fill does") {
  if (!have_gpu()) return;
  for (int spare = 0; spare < 2; ++spare)
    for (std::size_t n : {1u, 2u, 33u, 1001u, 100000u}) {
      CAPTURE(spare);
      CAPTURE(n);
      Rng rc(21), rg(21);
      if (spare) rc.normal(), rg.normal();
      DeviceBuffer d(n);
      std::vector<float> cpu(n), gpu_v(n);
      Tensor tc = make_shape(static_cast<int>(n)), tg = tc;
      tc.data = cpu.data();
      tg.data = d.data();
      rc.fill_normal(tc, 0.5f, 2.f);
      rg.fill_normal(tg, 0.5f, 2.f);
      device_download(gpu_v.data(), d.data(), n);
      // the same draws through the same formulas; fused multiply-adds may move the last bits
      CHECK(max_rel_err(gpu_v.data(), cpu.data(), n) <= kElemTol);
      CHECK(rg.state().state == rc.state().state);
      CHECK(rg.state().has_spare == rc.state().has_spare);
      CHECK(rg.normal() == rc.normal());  // the next CPU draw after a device fill is the CPU's
      rc.fill_uniform(tc, -3.f, 1.f);
      rg.fill_uniform(tg, -3.f, 1.f);
      device_download(gpu_v.data(), d.data(), n);
      CHECK(max_rel_err(gpu_v.data(), cpu.data(), n) <= kElemTol);
      CHECK(rg.state().state == rc.state().state);
    }
}

TEST_CASE("cuda: ParamStore grad_norm, clamp, copy_values_from and zero_grad on the device") {
  if (!have_gpu()) return;
  ParamStore pc, pg, pg2;
  for (ParamStore* p : {&pc, &pg, &pg2}) p->add("w", make_shape(300001));
  pg.set_device(Device::CUDA);
  pg2.set_device(Device::CUDA);
  pc.finalize();
  pg.finalize();
  pg2.finalize();
  Rng rng(4);
  std::vector<float> v = random_vec(pc.size(), rng, -0.1f, 0.1f);
  std::copy(v.begin(), v.end(), pc.data());
  std::copy(v.begin(), v.end(), pc.grads());
  std::copy(v.begin(), v.end(), pg.host_data());
  pg.to_device();
  device_upload(pg.grads(), v.data(), v.size());
  // a double sum of 300k squares (each exact in double): a fixed tree on the GPU, sequential on
  // the CPU; they differ by double rounding only, at most n 2^-53 = 3.3e-11 relative
  CHECK(std::fabs(pg.grad_norm() - pc.grad_norm()) <= 4e-11 * pc.grad_norm());
  pc.clamp(-0.01f, 0.01f);
  pg.clamp(-0.01f, 0.01f);
  pg2.copy_values_from(pg);
  pg2.to_host();
  for (std::size_t i = 0; i < pc.size(); ++i) REQUIRE(pg2.host_data()[i] == pc.data()[i]);  // min/max: exact
  pg.zero_grad();
  CHECK(pg.grad_norm() == 0.0);
}

// ---- a few training steps of every model, CPU and GPU from the same seed ----
namespace {

struct Trained {
  std::vector<float> params;  // every part's values, in order
  std::vector<double> logs;   // every logged value of every step
  RngState rng;
  float lr_max = 0;
};

using Tweak = void (*)(Config&);

Trained train_steps(const std::string& model, const std::string& data, Device dev, int steps, Tweak tweak) {
  Config c = config_defaults(model, data);
  if (tweak) tweak(c);
  c.hidden = {32};
  c.latent = model == "aae" ? 2 : 4;
  c.batch = 16;
  c.iw = 3;
  c.device = device_name(dev);
  const bool toy = is_toy_data(data);
  DataInfo d;
  if (toy) d.dim = data == "gauss1d" ? 1 : 2;
  else d.dim = 64, d.classes = 10, d.rows = 8, d.cols = 8;
  Status st;
  std::unique_ptr<Model> m = make_model(model, &st);
  REQUIRE(st.ok);
  Rng rng(c.seed);
  st = m->build(model_options(c), d, rng);
  REQUIRE(st.ok);
  Arena arena(0, dev);
  Tape t(arena);
  Rng data_rng(99);  // the same batches for both devices
  Trained out;
  for (int s = 0; s < steps; ++s) {
    t.reset();
    const int rows = c.batch * m->batches_per_step();
    Batch b;
    b.x = t.host_alloc(make_shape(rows, d.dim));
    b.minibatches = m->batches_per_step();
    const float lo = !toy && m->scale() == PixelScale::kSigned ? -1.f : 0.f;
    data_rng.fill_uniform(b.x, toy ? -2.f : lo, toy ? 2.f : 1.f);
    if (d.classes) {
      b.y = t.host_alloc(make_shape(rows, d.classes));
      fill(b.y, 0.f);
      for (int r = 0; r < rows; ++r) b.y.data[r * d.classes + data_rng.below(10)] = 1.f;
      b.y = t.upload(b.y);
    }
    b.x = t.upload(b.x);
    StepLog log;
    m->train_step(t, b, rng, log);
    for (int i = 0; i < log.n; ++i) out.logs.push_back(log.value[i]);
  }
  if (!toy) {  // evaluation on one batch, and the samples (host boundaries of evaluate/generate)
    t.reset();
    Batch b;
    b.x = t.host_alloc(make_shape(c.batch, d.dim));
    data_rng.fill_uniform(b.x, 0.f, 1.f);
    b.y = t.host_alloc(make_shape(c.batch, d.classes));
    fill(b.y, 0.f);
    for (int r = 0; r < c.batch; ++r) b.y.data[r * d.classes + r % 10] = 1.f;
    b.x = t.upload(b.x);
    b.y = t.upload(b.y);
    StepLog log;
    Rng eval_rng(5);
    m->evaluate(t, b, eval_rng, log);
    for (int i = 0; i < log.n; ++i) out.logs.push_back(log.value[i]);
    const FixedLatent fl = make_fixed_latent(*m, d, 7, 12);
    std::vector<float> rows(static_cast<std::size_t>(12) * d.dim);
    Arena sa(0, dev);
    generate_rows(*m, sa, fl, d.dim, rows.data());
    for (float v : rows) out.logs.push_back(v);
  }
  for (Part* p : m->parts()) {
    p->params.to_host();
    out.params.insert(out.params.end(), p->params.host_data(), p->params.host_data() + p->params.size());
    out.lr_max = std::max(out.lr_max, p->opt.cfg.lr);
  }
  out.rng = rng.state();
  return out;
}

// After a few steps the parameters of the two runs agree within what Adam (or RMSProp) can do
// with gradients that differ in the last bits: such an optimizer moves a weight by about lr per
// step whatever the gradient's size, so where a gradient is near zero and its sign differs
// between the two runs, that weight may end up to 2 lr per step apart. Such weights are rare:
// the mean difference stays far below lr (a wrong kernel would move most weights by ~lr).
void compare_runs(const std::string& model, const std::string& data, int steps, Tweak tweak = nullptr) {
  CAPTURE(model);
  CAPTURE(data);
  const Trained a = train_steps(model, data, Device::CPU, steps, tweak);
  const Trained b = train_steps(model, data, Device::CUDA, steps, tweak);
  CHECK(a.rng.state == b.rng.state);  // the same number of random draws
  CHECK(a.rng.has_spare == b.rng.has_spare);
  REQUIRE(a.params.size() == b.params.size());
  double max_d = 0, sum_d = 0;
  for (std::size_t i = 0; i < a.params.size(); ++i) {
    const double d = std::fabs(static_cast<double>(a.params[i]) - b.params[i]);
    max_d = std::max(max_d, d);
    sum_d += d;
  }
  const double lr = a.lr_max;
  CHECK(max_d <= 2.0 * lr * steps);
  CHECK(sum_d / static_cast<double>(a.params.size()) <= 0.01 * lr * steps);
  // losses, diagnostics, evaluation metrics and samples: the same computation; 1e-3 relative
  // leaves room for the few weights above (logged values are O(1) to O(100) nats)
  REQUIRE(a.logs.size() == b.logs.size());
  for (std::size_t i = 0; i < a.logs.size(); ++i) {
    CAPTURE(i);
    CHECK(std::fabs(a.logs[i] - b.logs[i]) <= 1e-3 * (1.0 + std::fabs(a.logs[i])));
  }
}

}  // namespace

TEST_CASE("cuda: a few training steps of every model match the CPU's (ae, dae, vae, gan, cgan, wgan, aae)") {
  if (!have_gpu()) return;
  for (const char* m : {"ae", "dae", "vae", "gan", "cgan", "wgan", "aae"}) compare_runs(m, "", 3);
  compare_runs("gan", "grid", 3);     // 2-D data, linear output
  compare_runs("gan", "gauss1d", 3);  // uniform noise: the device fill_uniform
  compare_runs("aae", "ring", 3);     // 2-D data, Gaussian reconstruction
  // the variants with host boundaries of their own
  compare_runs("dae", "", 3, [](Config& c) { c.corrupt = "mask"; });  // uniform draws per pixel
  compare_runs("vae", "", 3, [](Config& c) {  // Monte Carlo KL (a host-made constant), Gaussian decoder
    c.estimator = "A";
    c.decoder = "gaussian";
    c.samples = 2;
  });
  compare_runs("aae", "", 3, [](Config& c) { c.encoder = "universal"; });
}

TEST_CASE("cuda: a few training steps of the convolutional models match the CPU's (DCGAN, conv VAE, conv AAE)") {
  if (!have_gpu()) return;
  // 8x8 images: DCGAN's (B, 128, 2, 2) -> (B, 64, 4, 4) -> (B, 1, 8, 8) with batch norm in training
  // mode; the conv VAE's and AAE's encoder and decoder (conv_vae.cpp); the tolerances of compare_runs
  auto conv = [](Config& c) { c.arch = "conv"; };
  compare_runs("gan", "", 3, conv);
  compare_runs("vae", "", 3, conv);
  compare_runs("aae", "", 3, conv);
}

TEST_CASE("cuda: fill and copy reach device memory; uploads and downloads round-trip") {
  if (!have_gpu()) return;
  DeviceBuffer d(1003);
  Tensor t = make_shape(1003);
  t.data = d.data();
  fill(t, 2.5f);
  std::vector<float> h(1003, 0.f), back(1003, 0.f);
  Tensor ht = t, bt = t;
  ht.data = h.data();
  bt.data = back.data();
  copy(ht, t);  // device -> host
  for (float v : h) REQUIRE(v == 2.5f);
  for (std::size_t i = 0; i < h.size(); ++i) h[i] = static_cast<float>(i);
  copy(t, ht);  // host -> device
  DeviceBuffer d2(1003);
  Tensor t2 = t;
  t2.data = d2.data();
  copy(t2, t);  // device -> device
  copy(bt, t2);
  for (std::size_t i = 0; i < h.size(); ++i) REQUIRE(back[i] == h[i]);
  CHECK(on_device(d.data()));
  CHECK(!on_device(h.data()));
}

#endif  // DGM_CUDA
