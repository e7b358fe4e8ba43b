// test_inflate.cpp - our DEFLATE/gzip/zlib decoder against streams made by zlib, by hand, and by
// the system gzip (the shipped data set), and its errors on damaged input.
#include <doctest/doctest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "dgm/io/checksum.h"
#include "dgm/io/fileio.h"
#include "dgm/io/inflate.h"
#include "dgm/core/rng.h"

using namespace dgm;

namespace {

// The test text: words picked by an LCG, so the expected output is computed here, independently of
// any compressor. The fixtures in test/data/inflate/ are this text compressed by zlib 1.2 (Python's
// zlib module):
//   gz(data, level, strategy) = compressobj(level, DEFLATED, 31, 9, strategy).compress + flush
//   stored.gz   = gz(text(200), 0)            first block BTYPE 0 (stored)
//   fixed.gz    = gz(text(1000), 9, Z_FIXED)  BTYPE 1 (fixed Huffman)
//   dynamic.gz  = gz(text(3000), 9)           BTYPE 2 (dynamic Huffman)
//   all_fields.gz: text(100) with a hand-made header with FEXTRA ("AB\0\1"), FNAME ("x.txt"),
//                 FCOMMENT ("a comment") and FHCRC, then raw deflate, CRC-32, ISIZE
//   two_members.gz = gz(text(50)) + gz(text(70))
//   text500.zlib = zlib.compress(text(500), 9)
std::vector<std::uint8_t> make_text(std::size_t n) {
  const char* words[9] = {"the ", "quick ", "brown ", "fox ", "jumps ", "over ", "lazy ", "dog ", "\n"};
  std::uint32_t x = 12345;
  std::vector<std::uint8_t> out;
  while (out.size() < n) {
    x = (x * 1103515245u + 12345u) & 0x7fffffffu;
    for (const char* p = words[(x >> 16) % 9]; *p; ++p) out.push_back(static_cast<std::uint8_t>(*p));
  }
  out.resize(n);
  return out;
}


// A fixture of test/data/inflate/ (the bytes zlib wrote, listed above), read as it is.
std::vector<std::uint8_t> fixture(const char* name) {
  std::vector<std::uint8_t> bytes;
  const Status s = read_file(std::string("test/data/inflate/") + name, &bytes);
  REQUIRE_MESSAGE(s.ok, s.message);
  return bytes;
}

bool contains(const std::string& s, const char* part) { return s.find(part) != std::string::npos; }

// Writes DEFLATE bit fields by hand (RFC 1951 3.1.1): fields LSB first, Huffman codes MSB first.
struct BitWriter {
  std::vector<std::uint8_t> bytes;
  int used = 8;  // bits used in the last byte
  void bits(std::uint32_t v, int n) {
    for (int i = 0; i < n; ++i) {
      if (used == 8) {
        bytes.push_back(0);
        used = 0;
      }
      bytes.back() = static_cast<std::uint8_t>(bytes.back() | ((v >> i) & 1u) << used);
      ++used;
    }
  }
  void code(std::uint32_t c, int len) {
    for (int i = len - 1; i >= 0; --i) bits((c >> i) & 1u, 1);
  }
  // The fixed literal/length code of RFC 1951 3.2.6.
  void fixed_lit(int sym) {
    if (sym < 144) code(0x30u + static_cast<std::uint32_t>(sym), 8);
    else if (sym < 256) code(0x190u + static_cast<std::uint32_t>(sym - 144), 9);
    else if (sym < 280) code(static_cast<std::uint32_t>(sym - 256), 7);
    else code(0xC0u + static_cast<std::uint32_t>(sym - 280), 8);
  }
  void fixed_dist(int sym) { code(static_cast<std::uint32_t>(sym), 5); }
  // The last block's header (RFC 1951 3.2.3): BFINAL = 1, then BTYPE (1 fixed, 2 dynamic Huffman).
  void final_block(int btype) {
    bits(1, 1);
    bits(static_cast<std::uint32_t>(btype), 2);
  }
};

}  // namespace

TEST_CASE("inflate: stored, fixed and dynamic blocks from zlib decode to the independently made text") {
  struct Case {
    const char* name;
    std::vector<std::uint8_t> gz;
    std::size_t n;
  } cases[] = {{"stored", fixture("stored.gz"), 200},
               {"fixed", fixture("fixed.gz"), 1000},
               {"dynamic", fixture("dynamic.gz"), 3000},
               {"all header fields", fixture("all_fields.gz"), 100}};
  for (const Case& c : cases) {
    CAPTURE(c.name);
    std::vector<std::uint8_t> out;
    Status s = gunzip(c.gz.data(), c.gz.size(), &out);
    CHECK_MESSAGE(s.ok, s.message);
    CHECK(out == make_text(c.n));
  }
}

TEST_CASE("inflate: two gzip members concatenate; trailing zeros are padding; other trailing bytes are an error") {
  std::vector<std::uint8_t> gz = fixture("two_members.gz"), out;
  std::vector<std::uint8_t> expect = make_text(50), second = make_text(70);
  expect.insert(expect.end(), second.begin(), second.end());
  REQUIRE(gunzip(gz.data(), gz.size(), &out).ok);
  CHECK(out == expect);
  gz.insert(gz.end(), 5, 0);
  REQUIRE(gunzip(gz.data(), gz.size(), &out).ok);
  CHECK(out == expect);
  gz.push_back(0x42);
  Status s = gunzip(gz.data(), gz.size(), &out);
  CHECK_FALSE(s.ok);
  CHECK(contains(s.message, "unexpected bytes after member 2"));
}

TEST_CASE("inflate: zlib wrapper with Adler-32") {
  std::vector<std::uint8_t> z = fixture("text500.zlib"), out;
  Status s = zlib_uncompress(z.data(), z.size(), &out);
  CHECK_MESSAGE(s.ok, s.message);
  CHECK(out == make_text(500));
  z[z.size() - 1] ^= 1;  // the Adler-32 trailer
  s = zlib_uncompress(z.data(), z.size(), &out);
  CHECK(contains(s.message, "Adler-32 mismatch"));
  z = fixture("text500.zlib");
  z[1] ^= 1;  // FLG: header check value no longer a multiple of 31
  s = zlib_uncompress(z.data(), z.size(), &out);
  CHECK(contains(s.message, "header check"));
}

TEST_CASE("inflate: hand-made streams (stored, empty fixed, overlapping match)") {
  std::vector<std::uint8_t> out;
  // Stored, final: header byte 0x01 (BFINAL 1, BTYPE 00), LEN 2, NLEN ~2, "hi".
  const std::uint8_t stored[] = {0x01, 0x02, 0x00, 0xFD, 0xFF, 'h', 'i'};
  std::size_t used = 0;
  REQUIRE(inflate_raw(stored, sizeof stored, &out, &used).ok);
  CHECK(std::string(out.begin(), out.end()) == "hi");
  CHECK(used == sizeof stored);
  // Fixed, final, just end-of-block (code 0000000): bits 1,1,0 then seven zeros -> 03 00.
  const std::uint8_t empty[] = {0x03, 0x00};
  out.clear();
  REQUIRE(inflate_raw(empty, sizeof empty, &out, &used).ok);
  CHECK(out.empty());
  CHECK(used == 2);
  // 'a' 'b', then a match of length 10 (symbol 264) at distance 2 (symbol 1): overlapping copy.
  BitWriter w;
  w.final_block(1);
  w.fixed_lit('a');
  w.fixed_lit('b');
  w.fixed_lit(264);
  w.fixed_dist(1);
  w.fixed_lit(256);
  out.clear();
  REQUIRE(inflate_raw(w.bytes.data(), w.bytes.size(), &out).ok);
  CHECK(std::string(out.begin(), out.end()) == "abababababab");
}

TEST_CASE("inflate: invalid streams give a clear error") {
  std::vector<std::uint8_t> out;
  auto fails_with = [&](const std::vector<std::uint8_t>& s, const char* part) {
    Status st = inflate_raw(s.data(), s.size(), &out);
    CHECK_FALSE(st.ok);
    CHECK_MESSAGE(contains(st.message, part), st.message);
  };
  {  // match before the start of the data: one literal, then distance 2
    BitWriter w;
    w.final_block(1);
    w.fixed_lit('a');
    w.fixed_lit(257);
    w.fixed_dist(1);
    w.fixed_lit(256);
    fails_with(w.bytes, "reaches before the start");
  }
  {  // length symbol 286 exists in the fixed code but is not valid
    BitWriter w;
    w.final_block(1);
    w.fixed_lit(286);
    w.bits(0, 16);
    fails_with(w.bytes, "invalid length symbol");
  }
  {  // distance symbol 30
    BitWriter w;
    w.final_block(1);
    w.fixed_lit('a');
    w.fixed_lit(257);
    w.fixed_dist(30);
    w.bits(0, 16);
    fails_with(w.bytes, "invalid distance symbol");
  }
  fails_with({0x07, 0x00, 0x00}, "invalid block type 3");                       // BFINAL 1, BTYPE 11
  fails_with({0x01, 0x02, 0x00, 0xFD, 0xFE, 'h', 'i'}, "are not complements");  // NLEN != ~LEN
  fails_with({0x01, 0x05, 0x00, 0xFA, 0xFF, 'h', 'i'}, "truncated");            // LEN 5, 2 bytes
  fails_with({0x02}, "truncated");                                              // fixed, not final, then nothing
  fails_with({}, "truncated");
  {  // dynamic block whose code length code is over-subscribed: HCLEN 4, four lengths of 1
    BitWriter w;
    w.final_block(2);
    w.bits(0, 5);
    w.bits(0, 5);
    w.bits(0, 4);
    for (int i = 0; i < 4; ++i) w.bits(1, 3);
    w.bits(0, 16);
    fails_with(w.bytes, "over-subscribed code length code");
  }
  {  // code length code with a single code (symbol 0, length 1): incomplete, not allowed there
    BitWriter w;
    w.final_block(2);
    w.bits(0, 5);
    w.bits(0, 5);
    w.bits(0, 4);  // HCLEN 4: lengths for 16, 17, 18, 0
    w.bits(0, 3);
    w.bits(0, 3);
    w.bits(0, 3);
    w.bits(1, 3);
    w.bits(0, 16);
    fails_with(w.bytes, "incomplete code length code");
  }
  {  // literal/length code with 129 codes of length 8: incomplete (2^8 = 256 would fill it)
    BitWriter w;
    w.final_block(2);
    w.bits(0, 5);  // HLIT 257
    w.bits(0, 5);  // HDIST 1
    w.bits(1, 4);  // HCLEN 5: lengths for 16, 17, 18, 0, 8
    for (int len : {0, 0, 0, 1, 1}) w.bits(static_cast<std::uint32_t>(len), 3);
    // Canonical codes: symbol 0 -> "0", symbol 8 -> "1". Literals 0..127 and 256 get length 8,
    // the rest (and the one distance code) length 0.
    for (int i = 0; i < 258; ++i) w.code((i < 128 || i == 256) ? 1u : 0u, 1);
    w.bits(0, 16);
    fails_with(w.bytes, "incomplete literal/length code");
  }
}

TEST_CASE("inflate: the shipped data set files (made by system gzip -9 -n) decode and match their CRC") {
  // CRC-32 and sizes of the decoded files, read from the gzip trailers with `tail -c 8 FILE | od -tx4`
  // when the subset was made (datasets/README.md); gunzip also checks them, this checks gunzip's output.
  struct File {
    const char* path;
    std::uint32_t crc;
    std::size_t size;
  } files[] = {{"datasets/fashion-mnist-subset/train-labels-idx1-ubyte.gz", 0xe0b48c73u, 10008},
               {"datasets/fashion-mnist-subset/t10k-labels-idx1-ubyte.gz", 0xe4528e90u, 2008},
               {"datasets/fashion-mnist-subset/t10k-images-idx3-ubyte.gz", 0x3848dcc8u, 1568016}};
  for (const File& f : files) {
    CAPTURE(f.path);
    std::vector<std::uint8_t> out;
    Status s = read_file_decompressed(f.path, &out);
    REQUIRE_MESSAGE(s.ok, s.message);
    CHECK(out.size() == f.size);
    CHECK(crc32(out.data(), out.size()) == f.crc);
  }
}

TEST_CASE("inflate: a gzip file cut at every point is an error that says truncated") {
  std::vector<std::uint8_t> gz;
  REQUIRE(read_file("datasets/fashion-mnist-subset/t10k-labels-idx1-ubyte.gz", &gz).ok);
  std::vector<std::uint8_t> out;
  for (std::size_t cut = 0; cut < gz.size(); ++cut) {
    CAPTURE(cut);
    Status s = gunzip(gz.data(), cut, &out);
    CHECK_FALSE(s.ok);
    CHECK_MESSAGE((contains(s.message, "truncated") || contains(s.message, "empty")), s.message);
  }
  // And some cut points in a 0.9 MB file with many dynamic blocks.
  REQUIRE(read_file("datasets/fashion-mnist-subset/t10k-images-idx3-ubyte.gz", &gz).ok);
  for (std::size_t cut = 17; cut < gz.size(); cut += gz.size() / 7 + 1) {
    CAPTURE(cut);
    Status s = gunzip(gz.data(), cut, &out);
    CHECK_FALSE(s.ok);
    CHECK_MESSAGE(contains(s.message, "truncated"), s.message);
  }
}

TEST_CASE("inflate: every flipped byte is caught, except the unprotected MTIME, XFL and OS header fields") {
  std::vector<std::uint8_t> gz, out;
  REQUIRE(read_file("datasets/fashion-mnist-subset/t10k-labels-idx1-ubyte.gz", &gz).ok);
  int caught = 0;
  for (std::size_t i = 0; i < gz.size(); ++i) {
    CAPTURE(i);
    gz[i] ^= 0xFF;
    Status s = gunzip(gz.data(), gz.size(), &out);
    gz[i] ^= 0xFF;
    // Bytes 4..9 (MTIME, XFL, OS) carry no check in RFC 1952; every other byte is covered by the
    // magic/method/flag checks, the Huffman code checks, CRC-32 or ISIZE.
    if (i >= 4 && i <= 9) {
      CHECK(s.ok);
    } else {
      CHECK_FALSE(s.ok);
      caught += !s.ok;
    }
  }
  CHECK(caught == static_cast<int>(gz.size()) - 6);
  // The messages name the check that failed.
  gz[gz.size() - 8] ^= 1;  // CRC-32 in the trailer
  Status s = gunzip(gz.data(), gz.size(), &out);
  CHECK(contains(s.message, "CRC mismatch"));
  gz[gz.size() - 8] ^= 1;
  gz[gz.size() - 4] ^= 1;  // ISIZE
  s = gunzip(gz.data(), gz.size(), &out);
  CHECK(contains(s.message, "size mismatch"));
  gz[gz.size() - 4] ^= 1;
  gz[0] = 0x1e;
  s = gunzip(gz.data(), gz.size(), &out);
  CHECK(contains(s.message, "expected magic 1f 8b"));
}

TEST_CASE("inflate: random bytes never crash the decoder") {
  // Run under `make sanitize`: any out-of-bounds read or write is a failure there.
  Rng rng(2024);
  std::vector<std::uint8_t> in, out;
  for (int trial = 0; trial < 3000; ++trial) {
    in.resize(1 + rng.below(300));
    for (auto& b : in) b = static_cast<std::uint8_t>(rng.below(256));
    if (trial % 3 == 0) in[0] = static_cast<std::uint8_t>((in[0] & ~6u) | 4u);  // force BTYPE 2 (dynamic)
    Status s = inflate_raw(in.data(), in.size(), &out);
    if (s.ok) CHECK(s.message.empty());  // most fail; the point is that none crashes
  }
  // Also damage a real dynamic stream at random places, which gets past the headers more often.
  std::vector<std::uint8_t> gz = fixture("dynamic.gz");
  for (int trial = 0; trial < 2000; ++trial) {
    std::vector<std::uint8_t> bad = gz;
    for (int k = 0; k < 3; ++k) bad[10 + rng.below(static_cast<std::uint32_t>(bad.size() - 18))] ^=
                                    static_cast<std::uint8_t>(1u << rng.below(8));
    Status s = gunzip(bad.data(), bad.size(), &out);
    CHECK_FALSE(s.ok);  // CRC-32 catches what the decoder does not
  }
}

TEST_CASE("inflate: files") {
  std::vector<std::uint8_t> out;
  Status s = read_file_decompressed("datasets/no-such-file.gz", &out);
  CHECK_FALSE(s.ok);
  CHECK(contains(s.message, "datasets/no-such-file.gz: cannot open"));
  // A name without .gz and content that is not gzip is returned as it is (a .gz name with other
  // content is tested in test_data.cpp, which writes files).
  s = read_file_decompressed("datasets/make_subset.sh", &out);
  CHECK_MESSAGE(s.ok, s.message);  // not .gz, not gzip: returned as is
  CHECK(out.size() > 100);
  CHECK(out[0] == '#');
}
