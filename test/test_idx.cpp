// test_idx.cpp - IDX parsing: round trip, wrong magic, sizes that do not match the data.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "dgm/io/idx.h"

using namespace dgm;

namespace {

bool contains(const std::string& s, const char* part) { return s.find(part) != std::string::npos; }

IdxImages small_images() {
  IdxImages im;
  im.n = 3;
  im.rows = 2;
  im.cols = 4;
  for (int i = 0; i < 24; ++i) im.pixels.push_back(static_cast<std::uint8_t>(i * 11));
  return im;
}

// Header bytes written out by hand (big-endian), not with encode_idx_*.
std::vector<std::uint8_t> header(std::vector<std::uint32_t> words) {
  std::vector<std::uint8_t> v;
  for (std::uint32_t w : words)
    for (int shift = 24; shift >= 0; shift -= 8) v.push_back(static_cast<std::uint8_t>(w >> shift));
  return v;
}

}  // namespace

TEST_CASE("idx: encode writes the documented header; parse reads it back") {
  IdxImages im = small_images();
  std::vector<std::uint8_t> bytes = encode_idx_images(im);
  std::vector<std::uint8_t> expect = header({0x00000803u, 3, 2, 4});
  expect.insert(expect.end(), im.pixels.begin(), im.pixels.end());
  CHECK(bytes == expect);
  IdxImages back;
  Status s = parse_idx_images(std::move(bytes), &back);
  REQUIRE_MESSAGE(s.ok, s.message);
  CHECK(back.n == 3);
  CHECK(back.rows == 2);
  CHECK(back.cols == 4);
  CHECK(back.pixels == im.pixels);

  IdxLabels lb;
  lb.n = 4;
  lb.labels = {9, 0, 3, 7};
  std::vector<std::uint8_t> lbytes = encode_idx_labels(lb);
  std::vector<std::uint8_t> lexpect = header({0x00000801u, 4});
  lexpect.insert(lexpect.end(), lb.labels.begin(), lb.labels.end());
  CHECK(lbytes == lexpect);
  IdxLabels lback;
  REQUIRE(parse_idx_labels(std::move(lbytes), &lback).ok);
  CHECK(lback.n == 4);
  CHECK(lback.labels == lb.labels);
}

TEST_CASE("idx: wrong magic numbers say what was expected and found") {
  IdxImages im;
  IdxLabels lb;
  Status s = parse_idx_images(header({0x00000801u, 0}), &im);  // a labels file given as images
  CHECK_FALSE(s.ok);
  CHECK(contains(s.message, "expected magic 0x00000803"));
  CHECK(contains(s.message, "found 0x00000801 (unsigned byte, 1 dimensions)"));
  s = parse_idx_labels(header({0x00000803u, 1, 1, 1, 0}), &lb);
  CHECK(contains(s.message, "expected magic 0x00000801"));
  s = parse_idx_images(header({0x00000D03u, 1, 1, 1, 0}), &im);
  CHECK(contains(s.message, "(float, 3 dimensions)"));
  s = parse_idx_images(header({0x1F8B0800u, 0, 0, 0}), &im);  // still gzip-compressed, for example
  CHECK(contains(s.message, "not an IDX file"));
  s = parse_idx_images({0, 0}, &im);
  CHECK(contains(s.message, "too short for the 4-byte magic"));
}

TEST_CASE("idx: sizes that do not match the data") {
  IdxImages im;
  std::vector<std::uint8_t> full = encode_idx_images(small_images());
  for (std::size_t cut = 4; cut < full.size(); ++cut) {  // every truncation after the magic
    CAPTURE(cut);
    std::vector<std::uint8_t> part(full.begin(), full.begin() + static_cast<long>(cut));
    Status s = parse_idx_images(std::move(part), &im);
    CHECK_FALSE(s.ok);
    CHECK(contains(s.message, "truncated?"));
  }
  std::vector<std::uint8_t> longer = full;
  longer.push_back(0);
  Status s = parse_idx_images(std::move(longer), &im);
  CHECK(contains(s.message, "header says 3 images x 2 x 4 = 24 data bytes after the 16-byte header, but the "
                            "file has 25 (extra bytes at the end)"));
  // Sizes whose product does not fit in 64 bits, or is far more than the file.
  s = parse_idx_images(header({0x00000803u, 0x7FFFFFFFu, 0x7FFFFFFFu, 0x7FFFFFFFu}), &im);
  CHECK(contains(s.message, "more than 2^64 bytes"));
  s = parse_idx_images(header({0x00000803u, 60000, 28, 28}), &im);
  CHECK(contains(s.message, "47040000 data bytes"));
  s = parse_idx_images(header({0x00000803u, 1, 0, 28}), &im);
  CHECK(contains(s.message, "must be positive"));
  s = parse_idx_images(header({0x00000803u, 0x80000000u, 1, 1}), &im);
  CHECK(contains(s.message, "more than this reader supports"));
  IdxLabels lb;
  s = parse_idx_labels(header({0x00000801u, 5, 0x01020304u}), &lb);
  CHECK(contains(s.message, "header says 5 labels = 5 data bytes after the 8-byte header, but the file has 4"));
}

TEST_CASE("idx: loading from files names the file") {
  IdxImages im;
  Status s = load_idx_images("datasets/fashion-mnist-subset/t10k-labels-idx1-ubyte.gz", &im);
  CHECK_FALSE(s.ok);
  CHECK(contains(s.message, "datasets/fashion-mnist-subset/t10k-labels-idx1-ubyte.gz: IDX images: expected magic"));
  s = load_idx_images("datasets/fashion-mnist-subset/t10k-images-idx3-ubyte.gz", &im);
  REQUIRE_MESSAGE(s.ok, s.message);
  CHECK(im.n == 2000);
  CHECK(im.rows == 28);
  CHECK(im.cols == 28);
  CHECK(im.pixels.size() == 2000u * 28 * 28);
}
