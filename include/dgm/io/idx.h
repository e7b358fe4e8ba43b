// idx.h - the IDX file format of MNIST and Fashion-MNIST (LeCun et al.; format description at
// http://yann.lecun.com/exdb/mnist/, "THE IDX FILE FORMAT").
//
// Layout: a 4-byte magic number 00 00 TT DD (TT = element type, 0x08 = unsigned byte; DD = number
// of dimensions), then DD sizes as big-endian uint32, then the elements in row-major order.
//   images: magic 0x00000803, sizes (n, rows, cols), then n*rows*cols pixel bytes 0..255 (0 = background)
//   labels: magic 0x00000801, size (n), then n label bytes
// Parsing checks the magic, that the sizes are plausible, and that the data length matches them
// exactly; errors say what the header says and what the file has.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "dgm/io/status.h"

namespace dgm {

struct IdxImages {
  int n = 0, rows = 0, cols = 0;
  std::vector<std::uint8_t> pixels;  // (n, rows, cols), row-major
};

struct IdxLabels {
  int n = 0;
  std::vector<std::uint8_t> labels;  // (n)
};

// Parse decompressed IDX bytes. `bytes` is taken over (its buffer becomes the pixels, no copy).
Status parse_idx_images(std::vector<std::uint8_t>&& bytes, IdxImages* out);
Status parse_idx_labels(std::vector<std::uint8_t>&& bytes, IdxLabels* out);

// Read, decompress if gzip (see read_file_decompressed) and parse. Errors start with the path.
Status load_idx_images(const std::string& path, IdxImages* out);
Status load_idx_labels(const std::string& path, IdxLabels* out);

// The IDX bytes for images / labels (for tests, and for writing subsets).
std::vector<std::uint8_t> encode_idx_images(const IdxImages& images);
std::vector<std::uint8_t> encode_idx_labels(const IdxLabels& labels);

}  // namespace dgm
