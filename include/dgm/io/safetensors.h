// safetensors.h - checkpoints in the safetensors format, so Python can open them directly
// (`safetensors.numpy.load_file`, or 10 lines of json + numpy).
//
// Layout (https://github.com/huggingface/safetensors, "Format"):
//   8 bytes       N, the header size, unsigned 64-bit little-endian
//   N bytes       JSON: {"__metadata__": {"key": "value", ...},
//                        "name": {"dtype": "F32", "shape": [d0, d1], "data_offsets": [begin, end]}, ...}
//                 padded at the end with spaces so that 8 + N is a multiple of 8 (as the reference
//                 writer does)
//   rest          the byte buffer: each tensor's elements, row-major, little-endian;
//                 data_offsets are relative to the start of this buffer, [begin, end)
// We write tensors contiguously in the order given, metadata first, compact JSON as the
// reference's serde_json writes it. dgm stores only F32 (IEEE float32); floats are converted to
// and from little-endian byte by byte, so files are the same on any host.
//
// Reading validates everything and returns a Status (never crashes) on: a file shorter than 8
// bytes, a header size past the end of the file or above 100 MB, JSON errors (with the byte
// position in the header), a dtype other than F32, shape * 4 != end - begin, offsets past the
// buffer, overlapping tensors, holes or trailing bytes in the buffer, duplicate names.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "dgm/io/status.h"
#include "dgm/core/tensor.h"

namespace dgm {

using Metadata = std::map<std::string, std::string>;  // the "__metadata__" object: string -> string

// One tensor to write: (product of shape) floats at `data`, row-major. Shape [] is a scalar.
struct NamedTensor {
  std::string name;
  std::vector<std::int64_t> shape;
  const float* data = nullptr;
};

// The whole file as bytes. Fails on duplicate or reserved ("__metadata__") names, negative
// dimensions, or null data for a non-empty tensor. Empty metadata omits "__metadata__".
Status encode_safetensors(const std::vector<NamedTensor>& tensors, const Metadata& metadata,
                          std::vector<std::uint8_t>* out);

// encode_safetensors, then write "<path>.tmp" and rename it over path (dgm/io/fileio.h).
Status save_safetensors(const std::string& path, const std::vector<NamedTensor>& tensors,
                        const Metadata& metadata);

// One tensor described by a file's header.
struct TensorEntry {
  std::string name;
  std::vector<std::int64_t> shape;
  std::uint64_t begin = 0, end = 0;  // data_offsets, relative to the byte buffer
  std::size_t count() const { return static_cast<std::size_t>((end - begin) / 4); }
};

// A parsed, validated safetensors file held in memory.
class SafetensorsFile {
 public:
  // Reads and validates a file. On error the object is empty and the message names the path.
  Status load(const std::string& path);
  // Validates bytes already in memory; `where` names them in messages.
  Status parse(std::vector<std::uint8_t> bytes, const std::string& where);

  const std::vector<TensorEntry>& tensors() const { return entries_; }  // in header order
  const TensorEntry* find(const std::string& name) const;              // nullptr if absent
  const Metadata& metadata() const { return metadata_; }
  const std::string* meta(const std::string& key) const;                // nullptr if absent
  // A metadata value that must be a decimal unsigned integer (a step, an RNG state word, a seed):
  // an error names the key and what was found if it is absent, empty, not digits, or > 2^64 - 1.
  Status meta_u64(const std::string& key, std::uint64_t* out) const;

  // Copies tensor `name` into dst (product of shape floats) after checking that the file's
  // shape equals `shape` exactly. Errors name the tensor and both shapes.
  Status read(const std::string& name, const std::vector<std::int64_t>& shape, float* dst) const;
  // The same, with the expected shape and the destination taken from a Tensor.
  Status read(const std::string& name, Tensor dst) const;

 private:
  std::string where_;
  std::vector<std::uint8_t> bytes_;
  std::size_t data_start_ = 0;  // 8 + N
  std::vector<TensorEntry> entries_;
  Metadata metadata_;
};

// "[2, 3]": a shape as the messages print it.
std::string shape_text(const std::vector<std::int64_t>& shape);

}  // namespace dgm
