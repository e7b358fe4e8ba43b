// test_tensor.cpp - shapes, views and the check handler.
#include <doctest/doctest.h>

#include <string>

#include "dgm/core/check.h"
#include "dgm/core/tensor.h"

using namespace dgm;

TEST_CASE("tensor: rows and cols view a 4-d shape as a matrix") {
  Tensor t = make_shape(2, 3, 4, 5);
  CHECK(t.size() == 120);
  CHECK(t.cols() == 5);
  CHECK(t.rows() == 24);
  CHECK(std::string(shape_str(t).text) == "(2, 3, 4, 5)");
  Tensor s = make_shape(1);
  CHECK(s.size() == 1);
}

TEST_CASE("tensor: reshape keeps the data and checks the element count") {
  float buf[12] = {};
  Tensor t = make_shape(3, 4);
  t.data = buf;
  Tensor r = reshape(t, 2, 6);
  CHECK(r.data == buf);
  CHECK(r.cols() == 6);
  CHECK_THROWS_WITH(reshape(t, 5, 5), doctest::Contains("reshape: (3, 4) has 12 elements, (5, 5) has 25"));
}

TEST_CASE("check: the message carries file, line and the formatted text") {
  CHECK_THROWS_WITH(DGM_CHECK(1 == 2, "op: %s vs %d", "a", 7), doctest::Contains("test_tensor.cpp"));
  CHECK_THROWS_WITH(DGM_CHECK(false, "op: %s vs %d", "a", 7), doctest::Contains("op: a vs 7"));
}
