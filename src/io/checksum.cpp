// checksum.cpp - CRC-32 and Adler-32 (see include/dgm/io/checksum.h).
#include "dgm/io/checksum.h"

namespace dgm {
namespace {

// v[0]: the CRC of each byte value (the bytewise table); v[k][b]: the CRC of byte b followed by k
// zero bytes, v[k][b] = (v[k-1][b] >> 8) ^ v[0][v[k-1][b] & 0xFF] (slicing-by-8).
struct CrcTable {
  std::uint32_t v[8][256];
  CrcTable() {
    for (std::uint32_t n = 0; n < 256; ++n) {
      std::uint32_t c = n;
      for (int k = 0; k < 8; ++k) c = (c & 1u) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
      v[0][n] = c;
    }
    for (int k = 1; k < 8; ++k)
      for (int n = 0; n < 256; ++n) v[k][n] = (v[k - 1][n] >> 8) ^ v[0][v[k - 1][n] & 0xFFu];
  }
};

const CrcTable& crc_table() {
  static const CrcTable table;
  return table;
}

}  // namespace

std::uint32_t crc32_bytewise(const void* data, std::size_t n, std::uint32_t crc) {
  const CrcTable& t = crc_table();
  const unsigned char* p = static_cast<const unsigned char*>(data);
  crc = ~crc;
  for (std::size_t i = 0; i < n; ++i) crc = t.v[0][(crc ^ p[i]) & 0xFFu] ^ (crc >> 8);
  return ~crc;
}

// Eight bytes per step: the running CRC xor the first four (little-endian, read byte by byte so
// any alignment and byte order will do) and the next four each look up the table for their
// distance from the end of the step; then the bytewise loop for the last n % 8 bytes.
std::uint32_t crc32(const void* data, std::size_t n, std::uint32_t crc) {
  const CrcTable& t = crc_table();
  const unsigned char* p = static_cast<const unsigned char*>(data);
  crc = ~crc;
  for (; n >= 8; n -= 8, p += 8) {
    crc ^= static_cast<std::uint32_t>(p[0]) | static_cast<std::uint32_t>(p[1]) << 8 |
           static_cast<std::uint32_t>(p[2]) << 16 | static_cast<std::uint32_t>(p[3]) << 24;
    crc = t.v[7][crc & 0xFFu] ^ t.v[6][(crc >> 8) & 0xFFu] ^ t.v[5][(crc >> 16) & 0xFFu] ^ t.v[4][crc >> 24] ^
          t.v[3][p[4]] ^ t.v[2][p[5]] ^ t.v[1][p[6]] ^ t.v[0][p[7]];
  }
  for (; n > 0; --n, ++p) crc = t.v[0][(crc ^ *p) & 0xFFu] ^ (crc >> 8);
  return ~crc;
}

std::uint32_t adler32(const void* data, std::size_t n, std::uint32_t adler) {
  const unsigned char* p = static_cast<const unsigned char*>(data);
  std::uint32_t a = adler & 0xFFFFu, b = adler >> 16;
  for (std::size_t i = 0; i < n; ++i) {
    a = (a + p[i]) % 65521u;
    b = (b + a) % 65521u;
  }
  return (b << 16) | a;
}

}  // namespace dgm
