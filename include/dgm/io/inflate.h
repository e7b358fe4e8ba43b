// inflate.h - our own decompressor for DEFLATE (RFC 1951) in its gzip (RFC 1952) and zlib
// (RFC 1950) wrappers, so that the data sets load as distributed (.gz) with no zlib dependency.
//
// What is checked, so that a damaged file gives a sentence and not garbage:
//   gzip: magic 1f 8b, method 8, reserved flag bits zero, FEXTRA/FNAME/FCOMMENT fields inside the
//         file, FHCRC header CRC, CRC-32 and ISIZE of the data in each member's trailer.
//   zlib: CMF/FLG check value, method 8, window size, no preset dictionary, Adler-32 trailer.
//   deflate: block type, stored-block LEN/NLEN, Huffman code lengths (over-subscribed or
//         incomplete codes), invalid codes, distances before the start of the output, and a
//         stream that ends before its final block.
// Every error message says what was expected, what was found, and at which compressed byte.
// No function here throws or exits (a failed allocation aside).
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "dgm/io/status.h"

namespace dgm {

// The most bytes one call decodes (all gzip members together); more is an error, so that a
// corrupt or hostile file cannot exhaust memory.
constexpr std::size_t kInflateLimit = std::size_t(1) << 30;

// Decodes the raw DEFLATE stream at in[0..n) and appends the bytes to *out.
// *consumed (if not null) is set to the number of input bytes used, up to and including the byte
// that holds the end of the final block. size_hint: the expected output size if known (used only
// to reserve memory once instead of growing), else 0.
Status inflate_raw(const std::uint8_t* in, std::size_t n, std::vector<std::uint8_t>* out,
                   std::size_t* consumed = nullptr, std::size_t size_hint = 0);

// A gzip file: one or more members, each checked against its CRC-32 and ISIZE. Trailing zero
// bytes after the last member are allowed (padding); anything else there is an error.
// *out is replaced by the decoded bytes.
Status gunzip(const std::uint8_t* in, std::size_t n, std::vector<std::uint8_t>* out);

// A zlib stream (RFC 1950), checked against its Adler-32. *out is replaced by the decoded bytes.
Status zlib_uncompress(const std::uint8_t* in, std::size_t n, std::vector<std::uint8_t>* out);

// True if the bytes start with the gzip magic 1f 8b.
bool looks_like_gzip(const std::uint8_t* in, std::size_t n);

// The whole file, decompressed if it is gzip: a name ending in ".gz" must hold gzip data; any
// other name is decompressed if it starts with the gzip magic and returned as is otherwise.
// Errors name the path. Peak memory: file size + decoded size. (read_file, which reads a file
// as it is, is in fileio.h.)
Status read_file_decompressed(const std::string& path, std::vector<std::uint8_t>* out);

}  // namespace dgm
