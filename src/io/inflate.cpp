// inflate.cpp - the DEFLATE decoder (RFC 1951). The gzip and zlib wrappers and file reading are in
// gzip.cpp; include/dgm/io/inflate.h says what is checked.
//
// DEFLATE in the order this file follows it (section numbers are RFC 1951's):
//  3.1.1 Bits are taken from each byte starting at its least significant bit. Huffman codes are
//        packed starting at their most significant bit, every other field at its least.
//  3.2.3 A stream is a sequence of blocks; each block starts with BFINAL (1 bit), BTYPE (2 bits).
//  3.2.4 BTYPE 0, stored: skip to a byte boundary, LEN, NLEN = ~LEN (16 bits each), LEN raw bytes.
//  3.2.5 BTYPE 1 and 2, Huffman: symbols from a literal/length code (0..255 a literal byte,
//        256 end of block, 257..285 a match length plus extra bits), each length followed by a
//        distance symbol (0..29 plus extra bits); a match copies `length` bytes from `distance`
//        bytes back, and may overlap the bytes it writes.
//  3.2.6 BTYPE 1 uses a fixed code. 3.2.7 BTYPE 2 sends its code lengths first, themselves
//        Huffman-coded with a 19-symbol "code length code" (16, 17, 18 are run lengths).
//  3.2.2 Codes are canonical: the list of code lengths alone defines every code.
//
// Decoding speed: a symbol is looked up with the next fast_bits bits in a table, fast_bits the
// code's longest length or kFastBits if less (so a short code, such as the 19-symbol code length
// code, fills 2^7 entries and not 2^10); codes longer than kFastBits (rare) are decoded one bit
// at a time by walking the canonical code. The fixed code of 3.2.6 is built once per stream.
#include "dgm/io/inflate.h"

#include <array>
#include <cstdio>
#include <cstring>

#include "inflate_at.h"

namespace dgm {
namespace {

constexpr int kMaxBits = 15;   // longest Huffman code in DEFLATE
constexpr int kFastBits = 10;  // codes up to this length are found with one table lookup
constexpr int kMaxSymbols = 288;

// 3.2.5: base match length and extra bits for length symbols 257..285.
const std::uint16_t kLengthBase[29] = {3,  4,  5,  6,  7,  8,  9,  10, 11,  13,  15,  17,  19,  23, 27,
                                       31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258};
const std::uint8_t kLengthExtra[29] = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2,
                                       2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0};
// 3.2.5: base distance and extra bits for distance symbols 0..29.
const std::uint16_t kDistBase[30] = {1,    2,    3,    4,    5,    7,     9,     13,    17,   25,
                                     33,   49,   65,   97,   129,  193,   257,   385,   513,  769,
                                     1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577};
const std::uint8_t kDistExtra[30] = {0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6,
                                     6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13};
// 3.2.7: the order in which the code length code's lengths are sent.
const std::uint8_t kCodeLengthOrder[19] = {16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15};

// LSB-first bit reader over in[0..n). Past the end it supplies zero bits, and overrun() says
// that the decoder has used bits the input does not have (a truncated stream).
class BitReader {
 public:
  BitReader(const std::uint8_t* in, std::size_t n) : in_(in), n_(n) {}

  // Makes at least 57 bits available.
  void refill() {
    while (count_ <= 56) {
      std::uint64_t byte = pos_ < n_ ? in_[pos_] : 0;
      ++pos_;
      buf_ |= byte << count_;
      count_ += 8;
    }
  }
  std::uint32_t peek(int k) const { return static_cast<std::uint32_t>(buf_ & ((std::uint64_t(1) << k) - 1)); }
  void drop(int k) {
    buf_ >>= k;
    count_ -= k;
  }
  std::uint32_t bits(int k) {  // k <= 32
    refill();
    std::uint32_t v = peek(k);
    drop(k);
    return v;
  }
  std::uint64_t bits_used() const { return std::uint64_t(pos_) * 8 - std::uint64_t(count_); }
  bool overrun() const { return bits_used() > std::uint64_t(n_) * 8; }
  std::size_t byte_pos() const { return static_cast<std::size_t>((bits_used() + 7) / 8); }  // bytes touched
  void align_to_byte() { drop(count_ % 8); }
  void seek(std::size_t byte) {  // continue at a whole byte (after a stored block)
    pos_ = byte;
    buf_ = 0;
    count_ = 0;
  }

 private:
  const std::uint8_t* in_;
  std::size_t n_;
  std::size_t pos_ = 0;   // next byte to load (may pass n_: zero padding)
  std::uint64_t buf_ = 0;
  int count_ = 0;         // valid bits in buf_
};

struct Huffman {
  int fast_bits;                       // min(longest code length, kFastBits): fast has 2^fast_bits entries
  std::uint16_t fast[1 << kFastBits];  // (symbol << 4) | length for codes of <= fast_bits bits, else 0
  std::uint16_t count[kMaxBits + 1];   // number of codes of each length
  std::uint16_t sorted[kMaxSymbols];   // symbols in canonical order: by length, then by value
};

// Each byte with its bits in reverse order (computed at compile time).
constexpr std::array<std::uint8_t, 256> kReversed8 = [] {
  std::array<std::uint8_t, 256> r{};
  for (int b = 0; b < 256; ++b)
    for (int k = 0; k < 8; ++k) r[b] = static_cast<std::uint8_t>(r[b] | ((b >> k) & 1) << (7 - k));
  return r;
}();

// The low `len` bits of c in reverse order (len <= 16): the two bytes reversed and swapped.
int reverse_bits(int c, int len) { return (kReversed8[c & 0xff] << 8 | kReversed8[(c >> 8) & 0xff]) >> (16 - len); }

enum class CodeKind { kCodeLength, kLiteralLength, kDistance };

const char* kind_name(CodeKind k) {
  return k == CodeKind::kCodeLength ? "code length" : k == CodeKind::kLiteralLength ? "literal/length" : "distance";
}

// Builds the canonical code (3.2.2) for symbols 0..n-1 from their lengths (0 = unused).
// An over-subscribed set of lengths is an error. An incomplete one is an error too, except for
// a literal/length or distance code with a single code of length 1 (3.2.7 allows one distance
// code), or with no codes at all (a block with literals only has no distance codes; decoding a
// symbol from an empty code then fails).
bool build_huffman(Huffman* h, const std::uint8_t* lengths, int n, CodeKind kind, char* why, std::size_t why_size) {
  std::memset(h->count, 0, sizeof h->count);
  for (int s = 0; s < n; ++s) h->count[lengths[s]]++;
  h->count[0] = 0;
  int left = 1, used = 0, max_len = 0;
  for (int len = 1; len <= kMaxBits; ++len) {
    left = 2 * left - h->count[len];
    used += h->count[len];
    if (h->count[len]) max_len = len;
    if (left < 0) {
      std::snprintf(why, why_size, "over-subscribed %s code (more codes of length <= %d than fit)",
                    kind_name(kind), len);
      return false;
    }
  }
  if (left > 0 && used > 0 && (kind == CodeKind::kCodeLength || max_len != 1)) {
    std::snprintf(why, why_size, "incomplete %s code (%d codes, lengths leave gaps)", kind_name(kind), used);
    return false;
  }
  // One pass over the symbols, in value order, fills both look-ups:
  //  - sorted: the symbols by (length, value), each length's from offsets[len] = the number of
  //    shorter codes on (the slow path's canonical walk);
  //  - the fast table: 3.2.2's next_code gives each symbol its code; the stream holds the code's
  //    bits most significant first, so the table index is the code bit-reversed, and every index
  //    whose low `len` bits equal it (whatever the bits above) decodes to this symbol.
  int offsets[kMaxBits + 1], next_code[kMaxBits + 1];
  offsets[1] = 0, next_code[1] = 0;
  for (int len = 2; len <= kMaxBits; ++len) {
    offsets[len] = offsets[len - 1] + h->count[len - 1];
    next_code[len] = (next_code[len - 1] + h->count[len - 1]) << 1;
  }
  h->fast_bits = max_len < 1 ? 1 : max_len < kFastBits ? max_len : kFastBits;
  const int fast_size = 1 << h->fast_bits;
  std::memset(h->fast, 0, fast_size * sizeof h->fast[0]);
  for (int s = 0; s < n; ++s) {
    const int len = lengths[s];
    if (len == 0) continue;
    h->sorted[offsets[len]++] = static_cast<std::uint16_t>(s);
    const int c = next_code[len]++;
    if (len > h->fast_bits) continue;
    for (int idx = reverse_bits(c, len); idx < fast_size; idx += 1 << len)
      h->fast[idx] = static_cast<std::uint16_t>(s << 4 | len);
  }
  return true;
}

// The next symbol, or -1 if the bits are no code of h.
int decode_symbol(BitReader& br, const Huffman& h) {
  br.refill();
  std::uint16_t e = h.fast[br.peek(h.fast_bits)];
  if (e) {
    br.drop(e & 15);
    return e >> 4;
  }
  // Slow path, 3.2.2: codes of length len are the consecutive integers first .. first+count-1.
  std::uint32_t bits = br.peek(kMaxBits);
  int code = 0, first = 0, index = 0;
  for (int len = 1; len <= kMaxBits; ++len) {
    code |= static_cast<int>((bits >> (len - 1)) & 1);
    int count = h.count[len];
    if (code - first < count) {
      br.drop(len);
      return h.sorted[index + code - first];
    }
    index += count;
    first = (first + count) << 1;
    code <<= 1;
  }
  return -1;
}

// The decoded bytes: out[start..len) belong to this stream; matches may not reach before start.
struct Output {
  std::vector<std::uint8_t>* v;
  std::size_t start, len;

  // Room for `extra` more bytes; false if that would pass kInflateLimit.
  bool reserve_for(std::size_t extra) {
    if (len + extra <= v->size()) return true;
    if (len + extra > kInflateLimit) return false;
    std::size_t grown = v->size() + v->size() / 2 + 4096;
    if (grown > kInflateLimit) grown = kInflateLimit;
    v->resize(grown > len + extra ? grown : len + extra);
    return true;
  }
};

struct Decoder {
  const std::uint8_t* in;
  std::size_t n;
  std::size_t base;  // offset of in[0] in the file, for messages
  BitReader br;
  Output out;
  int block = 0;
  Huffman lit, dist, lencode;

  Decoder(const std::uint8_t* in_, std::size_t n_, std::size_t base_, std::vector<std::uint8_t>* v)
      : in(in_), n(n_), base(base_), br(in_, n_), out{v, v->size(), v->size()} {}

  Status error(const char* what) const {
    return Status::Error("deflate: %s at compressed byte %zu (block %d)", what, base + br.byte_pos(), block);
  }
  Status too_big() const {
    return error("decoded data would pass the limit of 1 GiB per file (kInflateLimit); a corrupt file?");
  }
  Status truncated() const {
    return Status::Error("deflate: data ends at byte %zu inside block %d, before the final block (truncated file?)",
                         base + n, block);
  }

  Status stored_block() {
    br.align_to_byte();
    if (br.overrun()) return truncated();
    std::size_t p = static_cast<std::size_t>(br.bits_used() / 8);
    if (n - p < 4) return truncated();
    unsigned len = in[p] | in[p + 1] << 8, nlen = in[p + 2] | in[p + 3] << 8;
    if (len != (~nlen & 0xFFFFu)) {
      char why[128];
      std::snprintf(why, sizeof why, "stored block LEN 0x%04x and NLEN 0x%04x are not complements", len, nlen);
      return error(why);
    }
    p += 4;
    if (n - p < len) return truncated();
    if (!out.reserve_for(len)) return too_big();
    if (len) std::memcpy(out.v->data() + out.len, in + p, len);
    out.len += len;
    br.seek(p + len);
    return Status::Ok();
  }

  Status fixed_codes() {  // 3.2.6
    std::uint8_t lengths[kMaxSymbols];
    for (int s = 0; s < 144; ++s) lengths[s] = 8;
    for (int s = 144; s < 256; ++s) lengths[s] = 9;
    for (int s = 256; s < 280; ++s) lengths[s] = 7;
    for (int s = 280; s < 288; ++s) lengths[s] = 8;
    char why[128];
    if (!build_huffman(&lit, lengths, 288, CodeKind::kLiteralLength, why, sizeof why)) return error(why);
    for (int s = 0; s < 32; ++s) lengths[s] = 5;  // 30 and 31 are codes that never occur
    if (!build_huffman(&dist, lengths, 32, CodeKind::kDistance, why, sizeof why)) return error(why);
    return Status::Ok();
  }

  Status dynamic_codes() {  // 3.2.7
    int hlit = static_cast<int>(br.bits(5)) + 257;
    int hdist = static_cast<int>(br.bits(5)) + 1;
    int hclen = static_cast<int>(br.bits(4)) + 4;
    char why[160];
    if (hlit > 286 || hdist > 30) {
      std::snprintf(why, sizeof why,
                    "dynamic block header says %d literal/length and %d distance codes (at most 286 and 30)", hlit,
                    hdist);
      return error(why);
    }
    std::uint8_t cl_lengths[19] = {0};
    for (int i = 0; i < hclen; ++i) cl_lengths[kCodeLengthOrder[i]] = static_cast<std::uint8_t>(br.bits(3));
    if (br.overrun()) return truncated();
    if (!build_huffman(&lencode, cl_lengths, 19, CodeKind::kCodeLength, why, sizeof why)) return error(why);

    std::uint8_t lengths[286 + 30];
    int total = hlit + hdist;
    for (int i = 0; i < total;) {
      int sym = decode_symbol(br, lencode);
      if (br.overrun()) return truncated();
      if (sym < 0) return error("invalid code in the code length code");
      if (sym < 16) {
        lengths[i++] = static_cast<std::uint8_t>(sym);
        continue;
      }
      int repeat;
      std::uint8_t value = 0;
      if (sym == 16) {
        if (i == 0) return error("code length repeat (16) with no previous length");
        value = lengths[i - 1];
        repeat = 3 + static_cast<int>(br.bits(2));
      } else if (sym == 17) {
        repeat = 3 + static_cast<int>(br.bits(3));
      } else {
        repeat = 11 + static_cast<int>(br.bits(7));
      }
      if (i + repeat > total) {
        std::snprintf(why, sizeof why, "code length repeat of %d at length %d runs past the %d lengths", repeat, i,
                      total);
        return error(why);
      }
      while (repeat--) lengths[i++] = value;
    }
    if (br.overrun()) return truncated();
    if (lengths[256] == 0) return error("dynamic block has no end-of-block code (symbol 256 has length 0)");
    if (!build_huffman(&lit, lengths, hlit, CodeKind::kLiteralLength, why, sizeof why)) return error(why);
    if (!build_huffman(&dist, lengths + hlit, hdist, CodeKind::kDistance, why, sizeof why)) return error(why);
    return Status::Ok();
  }

  // Literals and matches until end-of-block (3.2.5).
  Status huffman_data() {
    for (;;) {
      int sym = decode_symbol(br, lit);
      if (br.overrun()) return truncated();
      if (sym < 0) return error("invalid literal/length code");
      if (sym < 256) {
        if (!out.reserve_for(1)) return too_big();
        (*out.v)[out.len++] = static_cast<std::uint8_t>(sym);
        continue;
      }
      if (sym == 256) return Status::Ok();
      sym -= 257;
      if (sym >= 29) return error("invalid length symbol (286 or 287)");
      // decode_symbol left >= 42 bits in the buffer: enough for 5 extra bits, 15 code bits, 13 extra bits.
      std::size_t length = kLengthBase[sym] + br.peek(kLengthExtra[sym]);
      br.drop(kLengthExtra[sym]);
      int dsym = decode_symbol(br, dist);
      if (br.overrun()) return truncated();
      if (dsym < 0) return error("invalid distance code");
      if (dsym >= 30) return error("invalid distance symbol (30 or 31)");
      std::size_t distance = kDistBase[dsym] + br.peek(kDistExtra[dsym]);
      br.drop(kDistExtra[dsym]);
      if (br.overrun()) return truncated();
      if (distance > out.len - out.start) {
        char why[160];
        std::snprintf(why, sizeof why, "match distance %zu reaches before the start of the data (%zu bytes decoded)",
                      distance, out.len - out.start);
        return error(why);
      }
      if (!out.reserve_for(length)) return too_big();
      std::uint8_t* dst = out.v->data() + out.len;
      const std::uint8_t* src = dst - distance;
      for (std::size_t i = 0; i < length; ++i) dst[i] = src[i];  // byte by byte: the copy may overlap
      out.len += length;
    }
  }

  Status run(std::size_t* consumed) {
    bool final_block = false;
    bool have_fixed = false;
    while (!final_block) {
      ++block;
      final_block = br.bits(1) != 0;
      unsigned type = br.bits(2);
      if (br.overrun()) return truncated();
      Status s;
      if (type == 0) {
        s = stored_block();
      } else if (type == 1) {
        if (!have_fixed) s = fixed_codes();  // lit/dist stay fixed until a dynamic block replaces them
        have_fixed = s.ok;
        if (s) s = huffman_data();
      } else if (type == 2) {
        have_fixed = false;
        s = dynamic_codes();
        if (s) s = huffman_data();
      } else {
        s = error("invalid block type 3");
      }
      if (!s) return s;
    }
    if (consumed) *consumed = br.byte_pos();
    return Status::Ok();
  }
};

}  // namespace

Status inflate_at(const std::uint8_t* in, std::size_t n, std::size_t base, std::vector<std::uint8_t>* out,
                  std::size_t* consumed, std::size_t size_hint) {
  // The hint comes from the file (gzip ISIZE), so a damaged file could ask for gigabytes. Trust
  // it up to 16 times the compressed size plus 64 KiB (Fashion-MNIST compresses 1.8:1); beyond
  // that the buffer grows by half its size as needed. (The floor was 1 MiB: every small damaged
  // file then cost a zeroed MiB, most of the gunzip fuzz target's time.)
  const std::size_t max_trusted = 16 * n + (std::size_t(1) << 16);
  if (size_hint > max_trusted) size_hint = max_trusted;
  if (size_hint > kInflateLimit) size_hint = kInflateLimit;
  const std::size_t start = out->size();
  Decoder d(in, n, base, out);  // output starts at out->size()
  out->resize(start + size_hint);
  Status s = d.run(consumed);
  out->resize(s ? d.out.len : start);
  return s;
}

Status inflate_raw(const std::uint8_t* in, std::size_t n, std::vector<std::uint8_t>* out, std::size_t* consumed,
                   std::size_t size_hint) {
  return inflate_at(in, n, 0, out, consumed, size_hint);
}

}  // namespace dgm
