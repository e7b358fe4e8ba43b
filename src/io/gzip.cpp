// gzip.cpp - the gzip (RFC 1952) and zlib (RFC 1950) wrappers around DEFLATE, and reading files
// that may be compressed (see include/dgm/io/inflate.h). The DEFLATE decoder itself is in inflate.cpp.
//
// RFC 1952 2.3, a gzip member: ID1 ID2 (1f 8b) CM (8) FLG MTIME(4) XFL OS, then the optional
// fields FLG asks for (FEXTRA: XLEN(2) + XLEN bytes; FNAME, FCOMMENT: zero-terminated; FHCRC: the
// low 16 bits of the CRC-32 of the header), the DEFLATE data, CRC32(4) and ISIZE(4) of the
// decoded bytes. All numbers are little-endian. A file may hold several members, one after another.
// RFC 1950 2.2, a zlib stream: CMF FLG (CMF*256 + FLG divisible by 31), DEFLATE data, Adler-32
// (big-endian).
#include <cstring>

#include "dgm/io/checksum.h"
#include "dgm/io/fileio.h"
#include "dgm/io/inflate.h"
#include "inflate_at.h"

namespace dgm {
namespace {

std::uint32_t le32(const std::uint8_t* p) {
  return std::uint32_t(p[0]) | std::uint32_t(p[1]) << 8 | std::uint32_t(p[2]) << 16 | std::uint32_t(p[3]) << 24;
}

}  // namespace

bool looks_like_gzip(const std::uint8_t* in, std::size_t n) {
  return n >= 2 && in[0] == 0x1F && in[1] == 0x8B;
}

Status gunzip(const std::uint8_t* in, std::size_t n, std::vector<std::uint8_t>* out) {
  out->clear();
  // ISIZE of the last member: the whole size for the usual one-member file.
  std::size_t hint = n >= 18 ? le32(in + n - 4) : 0;
  std::size_t pos = 0;
  for (int member = 1;; ++member) {
    const std::size_t head = pos;
    if (n - pos < 10) {
      if (n == 0) return Status::Error("gzip: file is empty (expected a 10-byte header starting 1f 8b)");
      return Status::Error("gzip: file ends at byte %zu inside the 10-byte header of member %d (truncated?)", n,
                           member);
    }
    if (!looks_like_gzip(in + pos, n - pos))
      return Status::Error("gzip: not gzip data: expected magic 1f 8b at byte %zu, found %02x %02x", pos, in[pos],
                           in[pos + 1]);
    if (in[pos + 2] != 8)
      return Status::Error("gzip: compression method %u at byte %zu, expected 8 (deflate)", in[pos + 2], pos + 2);
    const unsigned flg = in[pos + 3];
    if (flg & 0xE0) return Status::Error("gzip: reserved flag bits set in FLG 0x%02x at byte %zu", flg, pos + 3);
    std::size_t p = pos + 10;
    if (flg & 0x04) {  // FEXTRA: XLEN, then XLEN bytes
      if (n - p < 2 || n - p - 2 < std::size_t(in[p] | in[p + 1] << 8))
        return Status::Error("gzip: file ends inside the FEXTRA field of member %d (truncated?)", member);
      p += 2 + std::size_t(in[p] | in[p + 1] << 8);
    }
    for (unsigned field = 0x08; field <= 0x10; field <<= 1) {  // FNAME, FCOMMENT: zero-terminated
      if (!(flg & field)) continue;
      const void* zero = std::memchr(in + p, 0, n - p);
      if (!zero)
        return Status::Error("gzip: file ends inside the %s field of member %d (truncated?)",
                             field == 0x08 ? "FNAME" : "FCOMMENT", member);
      p = static_cast<std::size_t>(static_cast<const std::uint8_t*>(zero) - in) + 1;
    }
    if (flg & 0x02) {  // FHCRC: low 16 bits of the CRC-32 of the header so far
      if (n - p < 2) return Status::Error("gzip: file ends inside the header CRC of member %d (truncated?)", member);
      unsigned want = in[p] | in[p + 1] << 8, got = crc32(in + head, p - head) & 0xFFFFu;
      if (want != got)
        return Status::Error("gzip: header CRC mismatch in member %d: header says 0x%04x, header bytes give 0x%04x",
                             member, want, got);
      p += 2;
    }
    const std::size_t start = out->size();
    std::size_t used = 0;
    Status s = inflate_at(in + p, n - p, p, out, &used, member == 1 ? hint : 0);
    if (!s) return s;
    p += used;
    if (n - p < 8)
      return Status::Error("gzip: file ends at byte %zu inside the 8-byte trailer (CRC-32, size) of member %d "
                           "(truncated?)", n, member);
    const std::uint32_t want_crc = le32(in + p), want_size = le32(in + p + 4);
    const std::uint32_t got_crc = crc32(out->data() + start, out->size() - start);
    if (want_crc != got_crc)
      return Status::Error("gzip: CRC mismatch in member %d: trailer says 0x%08x, data gives 0x%08x", member,
                           want_crc, got_crc);
    const std::size_t got_size = out->size() - start;
    if (want_size != static_cast<std::uint32_t>(got_size))
      return Status::Error("gzip: size mismatch in member %d: trailer says %u bytes (mod 2^32), data has %zu", member,
                           want_size, got_size);
    pos = p + 8;
    if (pos == n) return Status::Ok();
    if (looks_like_gzip(in + pos, n - pos)) continue;
    std::size_t nonzero = pos;
    while (nonzero < n && in[nonzero] == 0) ++nonzero;
    if (nonzero == n) return Status::Ok();  // zero padding after the last member
    return Status::Error("gzip: %zu unexpected bytes after member %d at byte %zu (expected the end of the file or "
                         "another member starting 1f 8b, found %02x)", n - pos, member, pos, in[pos]);
  }
}

Status zlib_uncompress(const std::uint8_t* in, std::size_t n, std::vector<std::uint8_t>* out) {
  out->clear();
  if (n < 2) return Status::Error("zlib: %zu bytes, too short for the 2-byte header", n);
  const unsigned cmf = in[0], flg = in[1];
  if ((cmf * 256 + flg) % 31 != 0)
    return Status::Error("zlib: header check failed: CMF 0x%02x FLG 0x%02x, CMF*256+FLG is not a multiple of 31", cmf,
                         flg);
  if ((cmf & 15) != 8) return Status::Error("zlib: compression method %u, expected 8 (deflate)", cmf & 15);
  if ((cmf >> 4) > 7) return Status::Error("zlib: window size 2^%u, at most 2^15", (cmf >> 4) + 8);
  if (flg & 0x20) return Status::Error("zlib: stream needs a preset dictionary (FDICT), which is not supported");
  std::size_t used = 0;
  Status s = inflate_at(in + 2, n - 2, 2, out, &used, 0);
  if (!s) return s;
  const std::size_t p = 2 + used;
  if (n - p < 4) return Status::Error("zlib: data ends at byte %zu inside the 4-byte Adler-32 trailer (truncated?)", n);
  const std::uint32_t want = std::uint32_t(in[p]) << 24 | std::uint32_t(in[p + 1]) << 16 |
                             std::uint32_t(in[p + 2]) << 8 | in[p + 3];
  const std::uint32_t got = adler32(out->data(), out->size());
  if (want != got) return Status::Error("zlib: Adler-32 mismatch: trailer says 0x%08x, data gives 0x%08x", want, got);
  if (p + 4 != n) return Status::Error("zlib: %zu unexpected bytes after the end of the stream", n - p - 4);
  return Status::Ok();
}

Status read_file_decompressed(const std::string& path, std::vector<std::uint8_t>* out) {
  std::vector<std::uint8_t> raw;
  Status s = read_file(path, &raw);
  if (!s) return s;
  const bool gz_name = path.size() >= 3 && path.compare(path.size() - 3, 3, ".gz") == 0;
  if (!looks_like_gzip(raw.data(), raw.size())) {
    if (gz_name) {
      if (raw.size() < 2)
        return Status::Error("%s: %zu bytes: too short for gzip data (the name ends in .gz)", path.c_str(), raw.size());
      return Status::Error("%s: not gzip data: the name ends in .gz, so expected magic 1f 8b, found %02x %02x",
                           path.c_str(), raw[0], raw[1]);
    }
    out->swap(raw);
    return Status::Ok();
  }
  out->clear();
  out->shrink_to_fit();
  s = gunzip(raw.data(), raw.size(), out);
  return s.prefixed(path);
}

}  // namespace dgm
