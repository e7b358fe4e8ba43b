// test_tally.cpp - the kernel time tally of dgm bench (src/backend/tally.cpp).
#include <doctest/doctest.h>

#include <vector>

#include "dgm/backend/conv.h"
#include "dgm/backend/gemm.h"
#include "dgm/backend/tally.h"

using namespace dgm;

TEST_CASE("tally: off by default and when disabled; on, it counts each product's 2 M N K and each convolution") {
  std::vector<float> A(6 * 5, 1.f), B(5 * 7, 1.f), C(6 * 7);
  tally_enable(false);
  gemm(false, false, 6, 7, 5, A.data(), 5, B.data(), 7, C.data(), 7, false);
  CHECK(tally_read(TallyKind::kGemm).calls == 0);
  tally_enable(true);
  gemm(false, false, 6, 7, 5, A.data(), 5, B.data(), 7, C.data(), 7, false);
  gemm(false, false, 6, 7, 5, A.data(), 5, B.data(), 7, C.data(), 7, true);
  CHECK(tally_read(TallyKind::kGemm).calls == 2);
  CHECK(tally_read(TallyKind::kGemm).flops == doctest::Approx(2 * 2.0 * 6 * 7 * 5));
  CHECK(tally_read(TallyKind::kGemm).seconds >= 0);
  CHECK(tally_read(TallyKind::kConv).calls == 0);
  // One convolution: x (2, 3, 5, 5), w (4, 3, 3, 3), stride 2, pad 1 -> y (2, 4, 3, 3); its product is
  // (O = 4) x (K = 27) x (P = 18).
  const ConvShape s = conv_shape(2, 3, 5, 5, 4, 3, 3, 2, 1);
  std::vector<float> x(2 * 3 * 5 * 5, 0.5f), w(4 * 3 * 3 * 3, 0.25f), y(2 * 4 * 3 * 3, 0.f),
      work(conv_workspace_floats(s));
  conv2d_forward(y.data(), x.data(), w.data(), s, work.data());
  CHECK(tally_read(TallyKind::kConv).calls == 1);
  CHECK(tally_read(TallyKind::kConvGemm).calls == 1);
  CHECK(tally_read(TallyKind::kConv).flops == doctest::Approx(2.0 * 4 * 27 * 18));
  CHECK(tally_read(TallyKind::kGemm).calls == 3);  // the convolution's product is a gemm call too
  CHECK(tally_read(TallyKind::kConv).seconds >= tally_read(TallyKind::kConvGemm).seconds);
  tally_enable(false);
  CHECK(tally_read(TallyKind::kGemm).calls == 0);
  CHECK(!tally_enabled());
}
