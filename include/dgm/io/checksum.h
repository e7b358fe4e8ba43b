// checksum.h - CRC-32 (gzip, PNG) and Adler-32 (zlib streams).
#pragma once
#include <cstddef>
#include <cstdint>

namespace dgm {

// CRC-32 with the reflected polynomial 0xEDB88320 (ISO 3309, as in gzip and PNG).
// Pass the previous result as `crc` to continue a running checksum; start with 0.
// Slicing-by-8 (eight table lookups per 8 bytes); crc32_bytewise is the one-byte-at-a-time
// reference it is tested against (test/test_checksum.cpp).
std::uint32_t crc32(const void* data, std::size_t n, std::uint32_t crc = 0);
std::uint32_t crc32_bytewise(const void* data, std::size_t n, std::uint32_t crc = 0);

// Adler-32 (RFC 1950). Start with 1.
std::uint32_t adler32(const void* data, std::size_t n, std::uint32_t adler = 1);

}  // namespace dgm
