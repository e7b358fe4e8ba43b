// inflate.cpp - fuzz targets for src/io/inflate.cpp and gzip.cpp (see targets.h).
//
// The properties are checked with code of our own here (a CRC-32 from its definition, a plain Adler-32, a
// stored-block writer), not with the library's, so a bug shared by both cannot hide itself:
//   raw:  the consumed prefix alone decodes to the same bytes; the output, re-encoded as stored
//         blocks, decodes back to itself.
//   gzip: the last member's trailer (the file's last 8 bytes when it ends in a non-zero byte,
//         i.e. has no zero padding) holds ISIZE and the CRC-32 of the output's last ISIZE bytes.
//   zlib: the trailer (the last 4 bytes: nothing may follow) is the Adler-32 of the output.
#include <algorithm>
#include <vector>

#include "dgm/io/inflate.h"
#include "targets.h"

namespace dgm {
namespace fuzz {
namespace {

std::uint32_t crc32_own(const std::uint8_t* p, std::size_t n) {  // RFC 1952 section 8, its table
  static const std::vector<std::uint32_t> table = [] {
    std::vector<std::uint32_t> t(256);
    for (std::uint32_t b = 0; b < 256; ++b) {
      std::uint32_t c = b;
      for (int k = 0; k < 8; ++k) c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1u)));
      t[b] = c;
    }
    return t;
  }();
  std::uint32_t c = 0xffffffffu;
  for (std::size_t i = 0; i < n; ++i) c = table[(c ^ p[i]) & 0xff] ^ (c >> 8);
  return c ^ 0xffffffffu;
}

std::uint32_t adler32_plain(const std::uint8_t* p, std::size_t n) {  // RFC 1950 section 8.2
  std::uint32_t a = 1, b = 0;
  for (std::size_t i = 0; i < n; ++i) {
    a = (a + p[i]) % 65521u;
    b = (b + a) % 65521u;
  }
  return b << 16 | a;
}

std::uint32_t le32(const std::uint8_t* p) { return p[0] | p[1] << 8 | p[2] << 16 | std::uint32_t(p[3]) << 24; }
std::uint32_t be32(const std::uint8_t* p) { return std::uint32_t(p[0]) << 24 | p[1] << 16 | p[2] << 8 | p[3]; }

// `bytes` as DEFLATE stored blocks (RFC 1951 3.2.4): at most 65535 bytes each, the last final.
std::vector<std::uint8_t> stored_deflate(const std::vector<std::uint8_t>& bytes) {
  std::vector<std::uint8_t> s;
  std::size_t pos = 0;
  do {
    const std::size_t len = std::min<std::size_t>(65535, bytes.size() - pos);
    const bool final = pos + len == bytes.size();
    s.push_back(final ? 1 : 0);  // BFINAL, BTYPE 00, then the byte boundary
    s.push_back(len & 0xff), s.push_back(len >> 8);
    s.push_back(~len & 0xff), s.push_back((~len >> 8) & 0xff);
    s.insert(s.end(), bytes.begin() + pos, bytes.begin() + pos + len);
    pos += len;
  } while (pos < bytes.size());
  return s;
}

// The output written back as a stored stream must decode to itself.
std::string restored(const std::vector<std::uint8_t>& out) {
  const std::vector<std::uint8_t> s = stored_deflate(out);
  std::vector<std::uint8_t> back;
  std::size_t used = 0;
  Status st = dgm::inflate_raw(s.data(), s.size(), &back, &used);
  if (!st) return "the output re-encoded as stored blocks does not decode: " + st.message;
  if (back != out || used != s.size()) return "the output re-encoded as stored blocks decodes differently";
  return "";
}

std::string rejected(const Status& st) { return st.message.empty() ? "rejected with an empty message" : ""; }

}  // namespace

std::string inflate_raw(const std::uint8_t* d, std::size_t n) {
  std::vector<std::uint8_t> out;
  std::size_t used = 0;
  Status st = dgm::inflate_raw(d, n, &out, &used);
  if (!st) return rejected(st);
  if (used == 0 || used > n) return "consumed " + std::to_string(used) + " of " + std::to_string(n) + " bytes";
  std::vector<std::uint8_t> again;
  std::size_t used2 = 0;
  st = dgm::inflate_raw(d, used, &again, &used2);
  if (!st) return "the consumed prefix alone fails: " + st.message;
  if (again != out || used2 != used) return "the consumed prefix alone decodes differently";
  return restored(out);
}

std::string gunzip(const std::uint8_t* d, std::size_t n) {
  std::vector<std::uint8_t> out;
  Status st = dgm::gunzip(d, n, &out);
  if (!st) return rejected(st);
  if (n < 18) return "accepted a " + std::to_string(n) + "-byte gzip file (the smallest member is 18 bytes)";
  if (d[n - 1] != 0) {  // no zero padding: the last 8 bytes are the last member's trailer
    const std::uint32_t isize = le32(d + n - 4), crc = le32(d + n - 8);
    if (isize > out.size()) return "trailer ISIZE " + std::to_string(isize) + " > output size " + std::to_string(out.size());
    if (crc32_own(out.data() + out.size() - isize, isize) != crc)
      return "the CRC-32 of the last member's output differs from its trailer";
  }
  return restored(out);
}

std::string zlib(const std::uint8_t* d, std::size_t n) {
  std::vector<std::uint8_t> out;
  Status st = dgm::zlib_uncompress(d, n, &out);
  if (!st) return rejected(st);
  if (n < 7) return "accepted a " + std::to_string(n) + "-byte zlib stream (the smallest is 7 bytes)";
  if (((d[0] << 8) | d[1]) % 31 != 0) return "accepted a header whose check value is wrong";
  if (adler32_plain(out.data(), out.size()) != be32(d + n - 4))
    return "the Adler-32 of the output differs from the trailer";
  return restored(out);
}

}  // namespace fuzz
}  // namespace dgm
