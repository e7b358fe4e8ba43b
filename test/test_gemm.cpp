// test_gemm.cpp - the blocked gemm against the reference triple loop, and its determinism.
//
// Tolerance (random inputs): both results are float sums of the same K products, in different
// orders. Each differs from the exact value by at most gamma_{K+1} * (sum_k |a_ik||b_kj| + |C0|)
// with gamma_n ~ n*u, u = 2^-24 (Higham, Accuracy and Stability of Numerical Algorithms, 3.1;
// the +1 is the final add into C0 when accumulating). So they differ from each other by at most
// 2 (K+1) u (...) = (K+1) FLT_EPSILON (...); we allow (K+2) FLT_EPSILON (...). A wrong index
// or a missed k changes an entry by about one product |a||b|, far above this bound.
// Exact test: with small integers every product and partial sum is exact in float, so both
// kernels must agree bit for bit whatever their order.
#include <doctest/doctest.h>

#include <cfloat>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "dgm/run/bench.h"
#include "dgm/backend/gemm.h"
#include "dgm/backend/parallel.h"
#include "dgm/core/rng.h"

using namespace dgm;

namespace {

// A (rows, cols) matrix stored with row stride ld = cols + pad inside a larger buffer, so gemm
// must honour lda/ldb/ldc; the padding holds a sentinel that must survive.
struct Mat {
  int rows, cols, ld;
  std::vector<float> buf;
  Mat(int r, int c, int pad) : rows(r), cols(c), ld(c + pad), buf(static_cast<std::size_t>(r) * (c + pad) + 1, 12345.0f) {}
  float* data() { return buf.data(); }
  float& at(int i, int j) { return buf[static_cast<std::size_t>(i) * ld + j]; }
  void fill_normal(Rng& rng) {
    for (int i = 0; i < rows; ++i)
      for (int j = 0; j < cols; ++j) at(i, j) = rng.normal();
  }
  void fill_small_ints(Rng& rng) {  // values in {-3, ..., 3}
    for (int i = 0; i < rows; ++i)
      for (int j = 0; j < cols; ++j) at(i, j) = static_cast<float>(static_cast<int>(rng.below(7)) - 3);
  }
  bool padding_intact() const {
    for (int i = 0; i < rows; ++i)
      for (int j = cols; j < ld; ++j)
        if (buf[static_cast<std::size_t>(i) * ld + j] != 12345.0f) return false;
    return buf.back() == 12345.0f;
  }
};

struct Case {
  int M, N, K;
};

// op(A) (M,K) and op(B) (K,N) stored as gemm expects for the given transposes.
struct Problem {
  Mat A, B, C0;
  Problem(bool ta, bool tb, const Case& c, int pad)
      : A(ta ? c.K : c.M, ta ? c.M : c.K, pad), B(tb ? c.N : c.K, tb ? c.K : c.N, pad + 1),
        C0(c.M, c.N, pad + 2) {}
};

// Compares gemm with gemm_naive for one case; returns the number of entries outside tolerance.
int compare(bool ta, bool tb, const Case& c, bool accumulate, bool small_ints, int pad) {
  Rng rng(static_cast<std::uint64_t>(c.M * 1000003 + c.N * 1009 + c.K) * 4 + ta * 2 + tb);
  Problem p(ta, tb, c, pad);
  if (small_ints) {
    p.A.fill_small_ints(rng);
    p.B.fill_small_ints(rng);
    p.C0.fill_small_ints(rng);
  } else {
    p.A.fill_normal(rng);
    p.B.fill_normal(rng);
    p.C0.fill_normal(rng);
  }
  if (!accumulate)  // gemm must not read C: poison it
    for (int i = 0; i < c.M; ++i)
      for (int j = 0; j < c.N; ++j) p.C0.at(i, j) = NAN;
  Mat ref = p.C0, out = p.C0;
  gemm_naive(ta, tb, c.M, c.N, c.K, p.A.data(), p.A.ld, p.B.data(), p.B.ld, ref.data(), ref.ld,
             accumulate);
  gemm(ta, tb, c.M, c.N, c.K, p.A.data(), p.A.ld, p.B.data(), p.B.ld, out.data(), out.ld,
       accumulate);
  CHECK(out.padding_intact());
  int bad = 0;
  for (int i = 0; i < c.M; ++i) {
    for (int j = 0; j < c.N; ++j) {
      double mag = accumulate ? std::fabs(p.C0.at(i, j)) : 0.0;  // sum |a||b| + |C0|
      for (int k = 0; k < c.K; ++k) {
        const float a = ta ? p.A.at(k, i) : p.A.at(i, k);
        const float b = tb ? p.B.at(j, k) : p.B.at(k, j);
        mag += std::fabs(static_cast<double>(a) * b);
      }
      const double tol = small_ints ? 0.0 : (c.K + 2) * static_cast<double>(FLT_EPSILON) * mag;
      const double d = std::fabs(static_cast<double>(out.at(i, j)) - ref.at(i, j));
      if (!(d <= tol)) {  // also catches NaN
        if (bad < 3)
          MESSAGE("M=" << c.M << " N=" << c.N << " K=" << c.K << " ta=" << ta << " tb=" << tb
                       << " acc=" << accumulate << " C[" << i << "][" << j
                       << "]: blocked " << out.at(i, j) << " naive " << ref.at(i, j)
                       << " tol " << tol);
        ++bad;
      }
    }
  }
  return bad;
}

// C0 + op(A) op(B) (accumulated for the transpose case t == accumulate_t, else C = the product)
// on 1, 2 and 3 threads, for every transpose t of every case: the three results are bitwise equal.
void check_thread_independent(const std::vector<Case>& cases, std::uint64_t seed, int accumulate_t) {
  const int saved = num_threads();
  for (const Case& c : cases)
    for (int t = 0; t < 4; ++t) {
      const bool ta = t & 1, tb = t & 2;
      Rng rng(static_cast<std::uint64_t>(t) + seed);
      Problem p(ta, tb, c, 0);
      p.A.fill_normal(rng);
      p.B.fill_normal(rng);
      p.C0.fill_normal(rng);
      std::vector<float> first;
      for (int threads = 1; threads <= 3; ++threads) {
        set_num_threads(threads);
        Mat out = p.C0;
        gemm(ta, tb, c.M, c.N, c.K, p.A.data(), p.A.ld, p.B.data(), p.B.ld, out.data(), out.ld, t == accumulate_t);
        if (threads == 1)
          first = out.buf;
        else
          CHECK(std::memcmp(first.data(), out.buf.data(), first.size() * sizeof(float)) == 0);
      }
    }
  set_num_threads(saved);
}

}  // namespace

TEST_CASE("gemm: blocked == naive on odd shapes, all transposes, accumulate or not") {
  // Odd sizes, sizes one past the register tile (8 x 32), the C tile (64 x 128) and the k block
  // (256), and a long thin one.
  const Case cases[] = {{1, 1, 1},  {127, 129, 65}, {3, 1000, 5},   {9, 33, 257},
                        {65, 129, 513}, {1, 70, 300}, {200, 1, 40}};
  for (const Case& c : cases)
    for (int t = 0; t < 4; ++t)
      for (int acc = 0; acc < 2; ++acc) {
        CAPTURE(c.M);
        CAPTURE(c.N);
        CAPTURE(c.K);
        CHECK(compare(t & 1, t & 2, c, acc, false, 3) == 0);
      }
}

TEST_CASE("gemm: blocked == naive on the VAE shapes") {
  // (128,784)x(784,400), (128,400)x(400,784), (400,128)x(128,784): batch 128, 784 -> 400.
  const Case cases[] = {{128, 400, 784}, {128, 784, 400}, {400, 784, 128}};
  for (const Case& c : cases)
    for (int t = 0; t < 4; ++t) {
      CAPTURE(c.M);
      CAPTURE(c.N);
      CAPTURE(c.K);
      CHECK(compare(t & 1, t & 2, c, t == 3, false, 0) == 0);
    }
}

TEST_CASE("gemm: bitwise equal to naive on small integers") {
  const Case cases[] = {{127, 129, 65}, {65, 129, 600}, {3, 1000, 5}};
  for (const Case& c : cases)
    for (int t = 0; t < 4; ++t) CHECK(compare(t & 1, t & 2, c, t == 1, true, 1) == 0);
}

TEST_CASE("gemm: bitwise identical results for 1, 2 and 3 threads") {
  check_thread_independent({{128, 400, 784}, {400, 784, 128}, {300, 200, 100}, {127, 129, 65}}, 7, 2);
}

TEST_CASE("gemm: K = 0 gives zeros, or leaves C when accumulating") {
  float A[1] = {1.0f}, B[1] = {1.0f};
  float C[6] = {1, 2, 3, 4, 5, 6}, Cn[6] = {1, 2, 3, 4, 5, 6};
  gemm(false, false, 2, 3, 0, A, 1, B, 3, C, 3, true);
  gemm_naive(false, false, 2, 3, 0, A, 1, B, 3, Cn, 3, true);
  for (int i = 0; i < 6; ++i) CHECK(C[i] == Cn[i]);
  CHECK(C[5] == 6.0f);
  gemm(false, false, 2, 3, 0, A, 1, B, 3, C, 3, false);
  gemm_naive(false, false, 2, 3, 0, A, 1, B, 3, Cn, 3, false);
  for (int i = 0; i < 6; ++i) CHECK(C[i] == Cn[i]);
  CHECK(C[0] == 0.0f);
}

TEST_CASE("gemm: bad strides are caught by DGM_CHECK") {
  float A[12] = {}, B[12] = {}, C[12] = {};
  CHECK_THROWS(gemm(false, false, 2, 3, 4, A, 3, B, 3, C, 3, false));  // lda < K
  CHECK_THROWS(gemm(true, false, 2, 3, 4, A, 1, B, 3, C, 3, false));   // lda < M
  CHECK_THROWS(gemm(false, true, 2, 3, 4, A, 4, B, 3, C, 3, false));   // ldb < K
  CHECK_THROWS(gemm(false, false, 2, 3, 4, A, 4, B, 3, C, 2, false));  // ldc < N
  CHECK_THROWS(gemm(false, false, -1, 3, 4, A, 4, B, 3, C, 3, false));
}

TEST_CASE("gemm: the packing workspace stops growing") {
  std::vector<float> A(128 * 784, 1.0f), B(784 * 400, 1.0f), C(128 * 400);
  gemm(false, true, 128, 400, 784, A.data(), 784, B.data(), 784, C.data(), 400, false);
  const std::size_t ws = gemm_workspace_floats();
  CHECK(ws > 0);
  for (int r = 0; r < 3; ++r) {
    gemm(false, true, 128, 400, 784, A.data(), 784, B.data(), 784, C.data(), 400, false);
    gemm(false, false, 100, 100, 100, A.data(), 100, B.data(), 100, C.data(), 100, true);
  }
  CHECK(gemm_workspace_floats() == ws);
  CHECK(C[0] == 784.0f + 100.0f);  // the last call accumulated 100 ones onto 784
}

TEST_CASE("bench: gemm GFLOP/s table (run with -tc='bench*' --no-skip)" * doctest::skip()) {
  bench_gemm(stdout);
}

namespace {

// Every kernel this CPU runs against gemm_naive, and the fused ones against each other bit for bit.
struct KernelRestore {
  const char* saved = gemm_kernel_in_use();
  ~KernelRestore() { gemm_select_kernel(saved); }
};

}  // namespace

TEST_CASE("gemm: every micro-kernel == naive, fused kernels bitwise equal to each other") {
  KernelRestore restore;
  CHECK(gemm_kernel_name(0) != nullptr);
  CHECK(!gemm_select_kernel("no-such-kernel"));
  // Full tiles, partial rows and columns of every kernel's tile, the skinny paths (N < 8 with and
  // without trans_a, M < 8, K < 8) and more than one k-block.
  const Case cases[] = {{1, 1, 1},     {7, 9, 3},     {8, 32, 300},  {9, 33, 257},   {6, 16, 5},
                        {13, 47, 600}, {512, 2, 128}, {512, 128, 2}, {2, 128, 512},  {128, 2, 512},
                        {1, 128, 520}, {512, 1, 129}, {5, 300, 40},  {300, 7, 700},  {64, 64, 64}};
  std::vector<std::vector<float>> fused_out;  // per case and transpose: the first fused kernel's C
  for (int n = 0; gemm_kernel_name(n); ++n) {
    const char* name = gemm_kernel_name(n);
    REQUIRE(gemm_select_kernel(name));
    CHECK(std::strcmp(gemm_kernel_in_use(), name) == 0);
    int idx = 0;
    for (const Case& c : cases)
      for (int t = 0; t < 4; ++t, ++idx) {
        CAPTURE(name);
        CAPTURE(c.M);
        CAPTURE(c.N);
        CAPTURE(c.K);
        CAPTURE(t);
        const bool ta = t & 1, tb = t & 2, acc = (idx % 3) == 0;
        CHECK(compare(ta, tb, c, acc, false, 2) == 0);
        CHECK(compare(ta, tb, c, acc, true, 1) == 0);
        if (!gemm_kernel_fused(name)) continue;
        Rng rng(static_cast<std::uint64_t>(idx) + 99);
        Problem p(ta, tb, c, 1);
        p.A.fill_normal(rng);
        p.B.fill_normal(rng);
        p.C0.fill_normal(rng);
        Mat out = p.C0;
        gemm(ta, tb, c.M, c.N, c.K, p.A.data(), p.A.ld, p.B.data(), p.B.ld, out.data(), out.ld, acc);
        if (fused_out.size() <= static_cast<std::size_t>(idx)) {
          fused_out.push_back(out.buf);
        } else {
          CHECK(std::memcmp(fused_out[static_cast<std::size_t>(idx)].data(), out.buf.data(),
                            out.buf.size() * sizeof(float)) == 0);
        }
      }
  }
  std::string names;
  for (int n = 0; gemm_kernel_name(n); ++n) names += std::string(n ? ", " : "") + gemm_kernel_name(n);
  MESSAGE("gemm kernels here: " << names);
}

TEST_CASE("gemm: skinny products are bitwise independent of the thread count") {
  // Large enough to run in parallel (M*N*K >= 2^20) on each skinny path.
  check_thread_independent({{4096, 2, 256}, {2, 4096, 256}, {4096, 256, 2}, {1024, 3, 1024}}, 17, 1);
}

namespace {

// The order of sums gemm documents (gemm.cpp, "Determinism"), as a scalar loop: K in k_blocks
// equal blocks of kc = ceil(K / ceil(K / 256)); per element C = ((C0 + s_0) + s_1) + ..., s_b the
// fused sum over block b in increasing k, from 0. Every fused kernel on every path (blocked,
// skinny transposed, B in place, masked edges) must match it bit for bit.
void gemm_in_documented_order(bool ta, bool tb, int M, int N, int K, const float* A, int lda,
                              const float* B, int ldb, float* C, int ldc, bool accumulate) {
  const int blocks = (K + 255) / 256, kc = (K + blocks - 1) / blocks;
  for (int i = 0; i < M; ++i)
    for (int j = 0; j < N; ++j) {
      float c = accumulate ? C[static_cast<std::size_t>(i) * ldc + j] : 0.0f;
      for (int k0 = 0; k0 < K; k0 += kc) {
        float s = 0.0f;
        for (int k = k0; k < K && k < k0 + kc; ++k)
          s = std::fma(ta ? A[static_cast<std::size_t>(k) * lda + i] : A[static_cast<std::size_t>(i) * lda + k],
                       tb ? B[static_cast<std::size_t>(j) * ldb + k] : B[static_cast<std::size_t>(k) * ldb + j], s);
        c = (accumulate || k0 > 0) ? c + s : s;
      }
      C[static_cast<std::size_t>(i) * ldc + j] = c;
    }
}

}  // namespace

TEST_CASE("gemm: fused kernels sum in the documented order, bit for bit, on every path") {
  KernelRestore restore;
  const Case cases[] = {{512, 2, 128}, {512, 128, 2}, {2, 128, 512}, {128, 2, 512}, {1, 128, 512},
                        {512, 1, 128}, {7, 300, 40},  {9, 33, 257},  {128, 400, 784}, {31, 7, 600}};
  int checked = 0;
  for (int n = 0; gemm_kernel_name(n); ++n) {
    if (!gemm_kernel_fused(gemm_kernel_name(n))) continue;
    REQUIRE(gemm_select_kernel(gemm_kernel_name(n)));
    for (const Case& c : cases)
      for (int t = 0; t < 8; ++t) {
        const bool ta = t & 1, tb = t & 2, acc = t & 4;
        CAPTURE(gemm_kernel_name(n));
        CAPTURE(c.M);
        CAPTURE(c.N);
        CAPTURE(c.K);
        CAPTURE(t);
        Rng rng(static_cast<std::uint64_t>(t) * 31 + static_cast<std::uint64_t>(c.M));
        Problem p(ta, tb, c, 1);
        p.A.fill_normal(rng);
        p.B.fill_normal(rng);
        p.C0.fill_normal(rng);
        Mat ref = p.C0, out = p.C0;
        gemm_in_documented_order(ta, tb, c.M, c.N, c.K, p.A.data(), p.A.ld, p.B.data(), p.B.ld,
                                 ref.data(), ref.ld, acc);
        gemm(ta, tb, c.M, c.N, c.K, p.A.data(), p.A.ld, p.B.data(), p.B.ld, out.data(), out.ld, acc);
        CHECK(std::memcmp(ref.buf.data(), out.buf.data(), ref.buf.size() * sizeof(float)) == 0);
        ++checked;
      }
  }
  MESSAGE(checked << " products checked against the documented order");
}
