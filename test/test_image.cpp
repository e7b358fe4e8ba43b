// test_image.cpp - sample grids, the [lo, hi] -> 0..255 mapping, and our PNG / PGM encoders.
//
// The PNG is checked by an independent minimal decoder written here: it recomputes CRC-32 bit by
// bit (no table) and Adler-32 from RFC 1950's definition, so a bug in dgm/io/checksum.h or in the
// encoder cannot hide behind itself.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "dgm/io/fileio.h"
#include "dgm/io/image.h"

using namespace dgm;
using Bytes = std::vector<std::uint8_t>;

namespace {

std::string temp_path(const char* name) {
  return (std::filesystem::temp_directory_path() / name).string();
}

// CRC-32, reflected polynomial 0xEDB88320, bit by bit (PNG spec, annex D, without the table).
std::uint32_t crc_bitwise(const std::uint8_t* p, std::size_t n) {
  std::uint32_t c = 0xFFFFFFFFu;
  for (std::size_t i = 0; i < n; ++i) {
    c ^= p[i];
    for (int k = 0; k < 8; ++k) c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1u)));
  }
  return c ^ 0xFFFFFFFFu;
}

// Adler-32 straight from RFC 1950 section 8: A = 1 + sum of bytes, B = sum of the A's, mod 65521.
std::uint32_t adler_definition(const Bytes& d) {
  unsigned long long a = 1, b = 0;
  for (std::uint8_t x : d) {
    a = (a + x) % 65521;
    b = (b + a) % 65521;
  }
  return static_cast<std::uint32_t>((b << 16) | a);
}

std::uint32_t be32(const std::uint8_t* p) {
  return (std::uint32_t(p[0]) << 24) | (std::uint32_t(p[1]) << 16) | (std::uint32_t(p[2]) << 8) | p[3];
}

struct Decoded {
  std::uint32_t width = 0, height = 0;
  int blocks = 0;
  Image image;
};

// A minimal PNG reader for what our encoder writes: 8-bit grayscale, one or more IDAT chunks
// holding a zlib stream of stored blocks, filter type 0 on every row. Fails the test on anything
// else.
Decoded decode_png(const Bytes& png) {
  Decoded out;
  const std::uint8_t sig[8] = {0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A};
  REQUIRE(png.size() >= 8);
  for (int i = 0; i < 8; ++i) REQUIRE(png[i] == sig[i]);
  std::size_t pos = 8;
  Bytes zdata;
  std::vector<std::string> order;
  while (pos < png.size()) {
    REQUIRE(pos + 12 <= png.size());
    const std::uint32_t len = be32(&png[pos]);
    REQUIRE(pos + 12 + len <= png.size());
    const std::string type(reinterpret_cast<const char*>(&png[pos + 4]), 4);
    const std::uint8_t* data = &png[pos + 8];
    // The CRC covers the type and the data, not the length.
    CHECK(be32(data + len) == crc_bitwise(&png[pos + 4], len + 4));
    order.push_back(type);
    if (type == "IHDR") {
      REQUIRE(len == 13);
      out.width = be32(data);
      out.height = be32(data + 4);
      CHECK(data[8] == 8);   // bit depth
      CHECK(data[9] == 0);   // grayscale
      CHECK(data[10] == 0);  // deflate
      CHECK(data[11] == 0);  // adaptive filtering method 0
      CHECK(data[12] == 0);  // not interlaced
    } else if (type == "IDAT") {
      zdata.insert(zdata.end(), data, data + len);
    } else {
      CHECK(type == "IEND");
      CHECK(len == 0);
    }
    pos += 12 + len;
  }
  CHECK(pos == png.size());
  REQUIRE(order.size() >= 3);
  CHECK(order.front() == "IHDR");
  CHECK(order.back() == "IEND");
  // zlib header: CM = 8 (deflate), CINFO <= 7, no preset dictionary, FCHECK multiple of 31.
  REQUIRE(zdata.size() >= 2 + 5 + 4);
  CHECK((zdata[0] & 0x0F) == 8);
  CHECK((zdata[0] >> 4) <= 7);
  CHECK((zdata[1] & 0x20) == 0);
  CHECK((zdata[0] * 256 + zdata[1]) % 31 == 0);
  // Stored blocks: header byte (BFINAL, BTYPE = 00), LEN, NLEN = ~LEN, then LEN raw bytes.
  Bytes raw;
  std::size_t z = 2;
  bool final_block = false;
  while (!final_block) {
    REQUIRE(z + 5 <= zdata.size());
    final_block = (zdata[z] & 1) != 0;
    REQUIRE(((zdata[z] >> 1) & 3) == 0);  // BTYPE 00: stored
    const unsigned blen = zdata[z + 1] | (zdata[z + 2] << 8);
    const unsigned nlen = zdata[z + 3] | (zdata[z + 4] << 8);
    CHECK((blen ^ 0xFFFFu) == nlen);
    REQUIRE(z + 5 + blen <= zdata.size());
    raw.insert(raw.end(), zdata.begin() + z + 5, zdata.begin() + z + 5 + blen);
    z += 5 + blen;
    ++out.blocks;
  }
  REQUIRE(z + 4 == zdata.size());
  CHECK(be32(&zdata[z]) == adler_definition(raw));
  // Scanlines: a filter byte (0) then width pixels, height times.
  REQUIRE(raw.size() == std::size_t(out.height) * (out.width + 1));
  out.image.width = static_cast<int>(out.width);
  out.image.height = static_cast<int>(out.height);
  for (std::uint32_t y = 0; y < out.height; ++y) {
    const std::uint8_t* row = &raw[y * (out.width + 1)];
    CHECK(row[0] == 0);
    out.image.pixels.insert(out.image.pixels.end(), row + 1, row + 1 + out.width);
  }
  return out;
}

}  // namespace

TEST_CASE("image: the bitwise CRC and the Adler-32 of this test match published check values") {
  // CRC-32("123456789") = 0xCBF43926 (the standard check value); "IEND" has CRC 0xAE426082 in
  // every PNG; Adler-32("Wikipedia") = 0x11E60398 (RFC 1950 worked example on Wikipedia).
  const char* digits = "123456789";
  CHECK(crc_bitwise(reinterpret_cast<const std::uint8_t*>(digits), 9) == 0xCBF43926u);
  CHECK(crc_bitwise(reinterpret_cast<const std::uint8_t*>("IEND"), 4) == 0xAE426082u);
  const std::string w = "Wikipedia";
  CHECK(adler_definition(Bytes(w.begin(), w.end())) == 0x11E60398u);
}

TEST_CASE("image: [-1,1] and [0,1] map to 0..255 with rounding and clamping") {
  CHECK(to_pixel(-1.f, -1.f, 1.f) == 0);
  CHECK(to_pixel(0.f, -1.f, 1.f) == 128);  // 127.5 rounds half away from zero
  CHECK(to_pixel(1.f, -1.f, 1.f) == 255);
  CHECK(to_pixel(0.f, 0.f, 1.f) == 0);
  CHECK(to_pixel(0.5f, 0.f, 1.f) == 128);
  CHECK(to_pixel(1.f, 0.f, 1.f) == 255);
  CHECK(to_pixel(-3.f, -1.f, 1.f) == 0);    // clamped below
  CHECK(to_pixel(7.f, -1.f, 1.f) == 255);   // clamped above
  CHECK(to_pixel(std::nanf(""), 0.f, 1.f) == 0);
  CHECK(to_pixel(INFINITY, 0.f, 1.f) == 255);
  CHECK(to_pixel(-INFINITY, 0.f, 1.f) == 0);
  // Every pixel value is reachable and the map is monotone: v = p / 255 gives back p.
  for (int p = 0; p <= 255; ++p) CHECK(to_pixel(static_cast<float>(p) / 255.f, 0.f, 1.f) == p);
}

TEST_CASE("image: a grid written as PNG decodes to the expected pixels") {
  // Three 2x3 images in a 2x2 grid with a 1-pixel border; the fourth tile stays border grey.
  const int h = 2, w = 3;
  std::vector<float> batch(3 * h * w);
  for (int i = 0; i < 3; ++i)
    for (int k = 0; k < h * w; ++k) batch[i * h * w + k] = -1.f + 2.f * float(i * 6 + k) / 17.f;
  GridOptions opt;
  opt.lo = -1.f;
  opt.hi = 1.f;
  opt.border = 1;
  opt.border_value = 77;
  Image grid = make_grid(batch.data(), 3, h, w, 2, 2, opt);
  REQUIRE(grid.width == 2 * (w + 1) + 1);
  REQUIRE(grid.height == 2 * (h + 1) + 1);

  const std::string path = temp_path("dgm_test_grid.png");
  REQUIRE(write_image(path, grid).ok);
  Bytes file;
  REQUIRE(read_file(path, &file).ok);
  std::remove(path.c_str());
  Decoded d = decode_png(file);
  CHECK(d.width == 9u);
  CHECK(d.height == 7u);
  CHECK(d.blocks == 1);
  REQUIRE(d.image.pixels.size() == 63u);
  auto px = [&](int y, int x) { return int(d.image.pixels[y * 9 + x]); };
  // Pixel (y, x) of image i sits at (1 + (i/2)*3 + y, 1 + (i%2)*4 + x). Expected values are
  // computed here from the formula round(255 * (v + 1) / 2), independently of to_pixel.
  for (int i = 0; i < 3; ++i)
    for (int y = 0; y < h; ++y)
      for (int x = 0; x < w; ++x) {
        const double v = -1.0 + 2.0 * (i * 6 + y * w + x) / 17.0;
        const int expect = static_cast<int>(std::lround(255.0 * (v + 1.0) / 2.0));
        CHECK(std::abs(px(1 + (i / 2) * 3 + y, 1 + (i % 2) * 4 + x) - expect) <= 1);  // float v
      }
  CHECK(px(1, 1) == 0);      // image 0, first value -1
  CHECK(px(5, 3) == 255);    // image 2, last value +1
  CHECK(px(0, 0) == 77);     // outer border
  CHECK(px(3, 4) == 77);     // border between tiles
  CHECK(px(4, 5) == 77);     // empty fourth tile
  CHECK(px(5, 7) == 77);
}

TEST_CASE("image: a large grid needs several stored blocks and still decodes") {
  // 300 x 300 pixels -> 300 * 301 = 90300 scanline bytes > 65535: two stored blocks.
  const int n = 300;
  std::vector<float> one(n * n);
  for (int k = 0; k < n * n; ++k) one[k] = static_cast<float>((k * 7) % 256) / 255.f;
  GridOptions opt;
  opt.border = 0;
  Image img = make_grid(one.data(), 1, n, n, 1, 1, opt);
  Decoded d = decode_png(encode_png(img));
  CHECK(d.blocks == 2);
  REQUIRE(d.image.pixels.size() == std::size_t(n) * n);
  bool same = true;
  for (int k = 0; k < n * n; ++k) same = same && d.image.pixels[k] == (k * 7) % 256;
  CHECK(same);
}

TEST_CASE("image: one class per column of a 10x10 grid") {
  // z index r*10 + c has label c: fill each image with its column's value, then each tile
  // column of the grid must be uniform.
  std::vector<float> batch(100 * 4);
  for (int r = 0; r < 10; ++r)
    for (int c = 0; c < 10; ++c)
      for (int k = 0; k < 4; ++k) batch[(r * 10 + c) * 4 + k] = c / 9.f;
  GridOptions opt;
  opt.border = 2;
  Image g = make_grid(batch.data(), 100, 2, 2, 10, 10, opt);
  CHECK(g.width == 10 * 4 + 2);
  for (int r = 0; r < 10; ++r)
    for (int c = 0; c < 10; ++c)
      CHECK(g.pixels[(2 + r * 4) * g.width + 2 + c * 4] == to_pixel(c / 9.f, 0.f, 1.f));
}

TEST_CASE("image: PGM header and pixels; unknown extension is an error, not a crash") {
  Image img;
  img.width = 3;
  img.height = 2;
  img.pixels = {0, 1, 2, 253, 254, 255};
  Bytes pgm = encode_pgm(img);
  const std::string head = "P5\n3 2\n255\n";
  REQUIRE(pgm.size() == head.size() + 6);
  CHECK(std::string(pgm.begin(), pgm.begin() + head.size()) == head);
  CHECK(Bytes(pgm.begin() + head.size(), pgm.end()) == img.pixels);

  const std::string path = temp_path("dgm_test_grid.PGM");
  REQUIRE(write_image(path, img).ok);
  Bytes file;
  REQUIRE(read_file(path, &file).ok);
  CHECK(file == pgm);
  std::remove(path.c_str());

  Status s = write_image(temp_path("dgm_test_grid.jpg"), img);
  CHECK_FALSE(s.ok);
  CHECK(s.message.find(".jpg") != std::string::npos);
  Image empty;
  CHECK_FALSE(write_image(temp_path("dgm_test_empty.png"), empty).ok);
}

TEST_CASE("image: grid misuse is a check failure") {
  float x[4] = {0, 0, 0, 0};
  GridOptions opt;
  CHECK_THROWS(make_grid(x, 5, 1, 1, 2, 2, opt));  // 5 images in 4 tiles
  opt.lo = 1.f;
  opt.hi = 1.f;
  CHECK_THROWS(make_grid(x, 1, 1, 1, 1, 1, opt));  // empty range
}
