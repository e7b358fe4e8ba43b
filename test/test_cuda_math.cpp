// test_cuda_math.cpp - the CUDA kernels' per-thread bodies (src/backend/kernels_hd.h), run on
// the CPU over every index. Compiled in every build, GPU or not: this is what checks the GPU's
// index arithmetic (PCG jump-ahead, which draw each element of a random fill takes, the GEMM
// tiles) where no GPU is present. The GPU runs the very same functions (cuda.cu); what these
// tests cannot see is the GPU's own arithmetic and scheduling (test_cuda.cpp, with a GPU).
#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "../src/backend/kernels_hd.h"
#include "mock/emulate_gemm.h"
#include "dgm/run/config.h"
#include "dgm/backend/device.h"
#include "dgm/backend/gemm.h"
#include "dgm/core/rng.h"
#include "dgm/core/tape.h"

using namespace dgm;

TEST_CASE("cuda bodies: PCG jump-ahead by j equals j sequential draws") {
  for (std::uint64_t seed : {1ull, 42ull, 0x9e3779b97f4a7c15ull}) {
    Rng r(seed, 54 + seed % 7);
    const RngState s0 = r.state();
    for (std::uint64_t j = 0; j < 3000; ++j) {
      const std::uint32_t want = r.next_u32();  // draw j
      REQUIRE(hd::pcg_output(hd::pcg_advance(s0.state, s0.inc, j)) == want);
    }
    // and the state after n draws, for a large n (an epoch of VAE noise is 1.2M draws)
    Rng q(seed);
    const RngState q0 = q.state();
    for (int i = 0; i < 1234567; ++i) q.next_u32();
    CHECK(hd::pcg_advance(q0.state, q0.inc, 1234567) == q.state().state);
    // jumps compose: a + b = a then b
    CHECK(hd::pcg_advance(hd::pcg_advance(q0.state, q0.inc, 1000), q0.inc, 234567) ==
          hd::pcg_advance(q0.state, q0.inc, 235567));
  }
}

TEST_CASE("cuda bodies: fill_uniform element j and the state after the fill equal Rng::fill_uniform") {
  for (std::size_t n : {0u, 1u, 17u, 1000u}) {
    Rng r(7);
    r.normal();  // a pending spare must survive a uniform fill untouched
    const RngState s0 = r.state();
    std::vector<float> v(n + 1);
    Tensor t = make_shape(static_cast<int>(n));
    t.data = v.data();
    r.fill_uniform(t, -0.25f, 0.75f);
    for (std::size_t j = 0; j < n; ++j)  // the same expression on the same draw: the same bits
      REQUIRE(hd::fill_uniform_at(s0.state, s0.inc, j, -0.25f, 0.75f) == v[j]);
    CHECK(hd::pcg_advance(s0.state, s0.inc, n) == r.state().state);
    CHECK(r.state().has_spare == s0.has_spare);
  }
}

TEST_CASE("cuda bodies: fill_normal element j and the state after it equal Rng::fill_normal, with and without a spare") {
  for (int spare = 0; spare < 2; ++spare)
    for (std::size_t n : {1u, 2u, 3u, 31u, 32u, 33u, 64u, 65u, 1000u, 1001u}) {
      CAPTURE(spare);
      CAPTURE(n);
      Rng r(11);
      if (spare) r.normal();  // leaves the second normal of a pair pending
      const RngState s0 = r.state();
      REQUIRE(s0.has_spare == static_cast<std::uint32_t>(spare));
      std::vector<float> v(n);
      Tensor t = make_shape(static_cast<int>(n));
      t.data = v.data();
      r.fill_normal(t, 0.5f, 2.0f);
      // Exact equality: the same float operations on the same draws, compiled by the same
      // compiler (the GPU may differ in the last bit where it fuses a multiply-add differently;
      // test_cuda.cpp allows for that).
      for (std::size_t j = 0; j < n; ++j) REQUIRE(hd::fill_normal_at(s0, j, 0.5f, 2.0f) == v[j]);
      const RngState want = r.state(), got = hd::state_after_fill_normal(s0, n);
      CHECK(got.state == want.state);
      CHECK(got.has_spare == want.has_spare);
      if (want.has_spare) CHECK(got.spare == want.spare);
      // and a later draw from the advanced state is the CPU's next draw
      Rng after(0);
      after.set_state(got);
      CHECK(after.normal() == r.normal());
    }
}

namespace {

// The GEMM kernel as the GPU runs it, one block after another (emulate_gemm.h runs a block).
void emulate_gpu_gemm(const hd::GemmArgs& g) {
  for (int row0 = 0; row0 < g.M; row0 += hd::kTileM)
    for (int col0 = 0; col0 < g.N; col0 += hd::kTileN) hd::emulate_gemm_block(g, row0, col0);
}

// With the K range split S ways (blockIdx.z), each split into its slice of ws, then summed.
void emulate_gpu_gemm_split(const hd::GemmArgs& g, int S) {
  std::vector<float> ws(static_cast<std::size_t>(S) * g.M * g.N);
  for (int s = 0; s < S; ++s) emulate_gpu_gemm(hd::gemm_split(g, s, S, ws.data()));
  for (long i = 0; i < static_cast<long>(g.M) * g.N; ++i) hd::gemm_split_reduce(g, S, ws.data(), i);
}

}  // namespace

TEST_CASE("cuda bodies: the tiled GEMM (every transpose, odd sizes, accumulate, bias) equals gemm_naive") {
  Rng rng(3);
  const int sizes[][3] = {{1, 1, 1}, {64, 64, 16}, {65, 63, 17}, {3, 130, 70}, {128, 40, 33}, {70, 5, 0}, {9, 7, 200}};
  for (const auto& sz : sizes)
    for (int ta = 0; ta < 2; ++ta)
      for (int tb = 0; tb < 2; ++tb)
        for (int m6 = 0; m6 < 6; ++m6) {
          const int mode = m6 % 3;     // 0: C = AB, 1: C += AB, 2: C = bias + AB
          const bool split = m6 >= 3;  // the same with the K range split (gemm_split)
          const int M = sz[0], N = sz[1], K = sz[2];
          CAPTURE(M);
          CAPTURE(N);
          CAPTURE(K);
          CAPTURE(ta);
          CAPTURE(tb);
          CAPTURE(mode);
          CAPTURE(split);
          const int lda = ta ? M : K, ldb = tb ? K : N;
          std::vector<float> A(static_cast<std::size_t>(M) * K + 1), B(static_cast<std::size_t>(K) * N + 1),
              bias(static_cast<std::size_t>(N)), C0(static_cast<std::size_t>(M) * N);
          for (float& v : A) v = rng.normal();
          for (float& v : B) v = rng.normal();
          for (float& v : bias) v = rng.normal();
          for (float& v : C0) v = rng.normal();
          std::vector<float> want = C0, got = C0;
          if (mode == 2)
            for (int r = 0; r < M; ++r) std::memcpy(&want[static_cast<std::size_t>(r) * N], bias.data(), N * sizeof(float));
          gemm_naive(ta, tb, M, N, K, A.data(), lda, B.data(), ldb, want.data(), N, mode != 0);
          const hd::GemmArgs g{ta != 0, tb != 0, M, N, K, A.data(), lda, B.data(), ldb, got.data(), N,
                               mode == 1, mode == 2 ? bias.data() : nullptr};
          const int S = split ? 1 + K / 40 : 1;  // uneven splits, some of them empty when K is small
          if (S > 1) emulate_gpu_gemm_split(g, S);
          else emulate_gpu_gemm(g);
          // The two sum the same K products in different orders (the tile adds its K slices in
          // order, the reference adds k = 0..K-1 in one sum; the bias is added last instead of
          // first): float rounding of a sum of K terms of size ~1 is within K * 2^-24 * sum|terms|.
          for (std::size_t i = 0; i < want.size(); ++i)
            REQUIRE(std::fabs(got[i] - want[i]) <= 1e-5f * (K + 2) * (1.f + std::fabs(want[i])));
        }
}

TEST_CASE("device: --device is checked: cpu always works, cuda needs a CUDA build and a GPU") {
  Config c;
  c.device = "cpu";
  CHECK(validate(c).ok);
  c.device = "gpu";
  CHECK(!validate(c).ok);
  c.device = "cuda";
  const Status st = validate(c);
  const char* why = nullptr;
  if (cuda_available(&why)) {
    CHECK(st.ok);
  } else {
    REQUIRE(!st.ok);
    // the reason says what to do: rebuild (CPU build) or that there is no device (CUDA build)
    CHECK(st.message.find(kCudaBuild ? "no CUDA device" : "rebuild with make CUDA=1") != std::string::npos);
  }
  // and a tape on a CPU arena is not on the device: host_alloc / upload / host_copy are free
  Arena a;
  Tape t(a);
  CHECK(!t.on_device());
  Tensor x = t.host_alloc(make_shape(3, 2));
  CHECK(t.upload(x).data == x.data);
  CHECK(t.host_copy(x).data == x.data);
}
