// test_rng.cpp - PCG32 reproducibility and sampler moments.
#include <doctest/doctest.h>

#include <cmath>
#include <initializer_list>
#include <vector>

#include "dgm/backend/parallel.h"
#include "dgm/core/rng.h"

using namespace dgm;

TEST_CASE("rng: PCG32 matches the reference sequence for seed 42, stream 54") {
  // First outputs of pcg32_srandom_r(42, 54) from the PCG reference (pcg32-demo).
  Rng r(42, 54);
  const std::uint32_t expect[6] = {0xa15c02b7u, 0x7b47f409u, 0xba1d3330u,
                                   0x83d2f293u, 0xbfa4784bu, 0xcbed606eu};
  for (std::uint32_t e : expect) CHECK(r.next_u32() == e);
}

TEST_CASE("rng: same seed same bits; state round-trips") {
  Rng a(7), b(7);
  for (int i = 0; i < 100; ++i) CHECK(a.normal() == b.normal());
  RngState s = a.state();
  float x1 = a.normal(), x2 = a.uniform();
  a.set_state(s);
  CHECK(a.normal() == x1);
  CHECK(a.uniform() == x2);
}

TEST_CASE("rng: uniform and normal moments") {
  Rng r(1);
  const int n = 200000;
  double su = 0, sn = 0, sn2 = 0;
  for (int i = 0; i < n; ++i) {
    float u = r.uniform();
    CHECK_UNARY(u >= 0.f);
    CHECK_UNARY(u < 1.f);
    su += u;
    double z = r.normal();
    sn += z;
    sn2 += z * z;
  }
  // Standard errors: uniform mean 0.29/sqrt(n) = 6.5e-4; normal mean 2.2e-3; variance 3.2e-3.
  CHECK(std::fabs(su / n - 0.5) < 5 * 6.5e-4);
  CHECK(std::fabs(sn / n) < 5 * 2.3e-3);
  CHECK(std::fabs(sn2 / n - 1.0) < 5 * 3.2e-3);
  int counts[5] = {0, 0, 0, 0, 0};
  for (int i = 0; i < 50000; ++i) counts[r.below(5)]++;
  for (int c : counts) CHECK(std::abs(c - 10000) < 500);
}

TEST_CASE("rng: fill_normal (normals in vector blocks) gives exactly the numbers normal() gives") {
  // Sizes around the block of 2 x 16 normals, with and without a pending second normal.
  const int threads = num_threads();
  // Beyond 8,192 the fill runs in chunks on the workers, each from a jumped-ahead state: 1 and 2
  // threads, sizes that end inside a chunk, on its edge and past it.
  for (std::size_t n : {0u, 1u, 2u, 31u, 32u, 33u, 64u, 101u, 1000u, 8192u, 8193u, 16416u, 3u * 8192u + 45u, 131072u}) {
    for (int pending = 0; pending < 4; ++pending) {
      set_num_threads(1 + pending / 2);
      INFO(n << " pending " << pending % 2 << " threads " << num_threads());
      Rng a(11), b(11);
      if (pending % 2) {
        a.normal();
        b.normal();
      }
      std::vector<float> buf(n + 1, 0.f);
      Tensor t = make_shape(static_cast<int>(n), 1);
      t.data = buf.data();
      a.fill_normal(t, 0.5f, 2.f);
      bool same = true;
      for (std::size_t i = 0; i < n; ++i) same = same && buf[i] == 0.5f + 2.f * b.normal();
      CHECK(same);
      CHECK(a.normal() == b.normal());  // and the generators are left in the same state
    }
  }
  set_num_threads(threads);
}
