// test_checksum.cpp - CRC-32: slicing-by-8 against the bytewise reference and known values.
#include <doctest/doctest.h>

#include <cstdint>
#include <cstring>
#include <vector>

#include "dgm/io/checksum.h"
#include "dgm/core/rng.h"

using namespace dgm;

TEST_CASE("crc32: known values (the check value of CRC-32/ISO-HDLC, empty input)") {
  const char* s = "123456789";
  CHECK(crc32(s, 9) == 0xCBF43926u);
  CHECK(crc32_bytewise(s, 9) == 0xCBF43926u);
  CHECK(crc32(s, 0) == 0u);
  const char* fox = "The quick brown fox jumps over the lazy dog";
  CHECK(crc32(fox, std::strlen(fox)) == 0x414FA339u);
}

TEST_CASE("crc32: slicing-by-8 == bytewise for every length 0..100, every alignment, chained calls") {
  Rng rng(5);
  std::vector<unsigned char> buf(4096 + 16);
  for (unsigned char& b : buf) b = static_cast<unsigned char>(rng.below(256));
  int bad = 0;
  for (std::size_t off = 0; off < 8; ++off)
    for (std::size_t n = 0; n <= 100; ++n)
      if (crc32(buf.data() + off, n) != crc32_bytewise(buf.data() + off, n)) ++bad;
  CHECK(bad == 0);
  CHECK(crc32(buf.data(), 4096) == crc32_bytewise(buf.data(), 4096));
  // A running checksum split at any point gives the one-call result.
  const std::uint32_t whole = crc32_bytewise(buf.data(), 1000);
  for (std::size_t cut = 0; cut <= 1000; cut += 37) CHECK(crc32(buf.data() + cut, 1000 - cut, crc32(buf.data(), cut)) == whole);
}
