// formats.cpp - fuzz targets for the IDX reader (src/io/idx.cpp) and the safetensors reader and
// writer (src/io/safetensors.cpp, json_reader.cpp); see targets.h.
//   IDX: a file accepted is exactly what the writer makes of what was read (encode(parse(x)) == x),
//        and the sizes read multiply to the data read.
//   safetensors: what was read, written back, reads as the same tensors (names in order, shapes,
//        float bits) and metadata; and writing that again gives the same bytes.
#include <cstring>
#include <vector>

#include "dgm/io/idx.h"
#include "dgm/io/safetensors.h"
#include "targets.h"

namespace dgm {
namespace fuzz {
namespace {

std::string rejected(const Status& st) { return st.message.empty() ? "rejected with an empty message" : ""; }

// Everything a parsed file holds, with the float data as bytes so NaNs compare by their bits.
struct Contents {
  std::vector<std::string> names;
  std::vector<std::vector<std::int64_t>> shapes;
  std::vector<std::vector<float>> data;
  Metadata meta;
  bool same_as(const Contents& o) const {
    if (names != o.names || shapes != o.shapes || meta != o.meta || data.size() != o.data.size()) return false;
    for (std::size_t i = 0; i < data.size(); ++i)
      if (data[i].size() != o.data[i].size() ||
          (!data[i].empty() && std::memcmp(data[i].data(), o.data[i].data(), data[i].size() * sizeof(float))))
        return false;
    return true;
  }
};

std::string contents(const SafetensorsFile& f, Contents* c) {
  for (const TensorEntry& e : f.tensors()) {
    unsigned __int128 product = 1;  // exact: a product that overflows 64 bits must have been refused
    bool zero = false;
    for (std::int64_t d : e.shape) {
      if (d < 0) return "tensor '" + e.name + "': negative dimension accepted";
      zero = zero || d == 0;
      if (!zero && (product *= static_cast<std::uint64_t>(d)) >> 64) return "tensor '" + e.name + "': shape overflows 64 bits";
    }
    const std::size_t count = zero ? 0 : static_cast<std::size_t>(product);
    if (count != e.count()) return "tensor '" + e.name + "': the shape's product differs from its byte range / 4";
    c->names.push_back(e.name);
    c->shapes.push_back(e.shape);
    c->data.emplace_back(count);
    Status st = f.read(e.name, e.shape, c->data.back().data());
    if (!st) return "tensor '" + e.name + "' listed but not readable: " + st.message;
  }
  c->meta = f.metadata();
  return "";
}

std::string encode(const Contents& c, std::vector<std::uint8_t>* out) {
  std::vector<NamedTensor> t;
  for (std::size_t i = 0; i < c.names.size(); ++i) t.push_back(NamedTensor{c.names[i], c.shapes[i], c.data[i].data()});
  Status st = encode_safetensors(t, c.meta, out);
  return st ? "" : "a file that was read cannot be written back: " + st.message;
}

std::string safetensors_bytes(std::vector<std::uint8_t> bytes) {
  SafetensorsFile f;
  Status st = f.parse(std::move(bytes), "fuzz");
  if (!st) return rejected(st);
  Contents a, b;
  std::string why = contents(f, &a);
  std::vector<std::uint8_t> written, again;
  if (why.empty()) why = encode(a, &written);
  if (!why.empty()) return why;
  SafetensorsFile g;
  st = g.parse(written, "written back");
  if (!st) return "the file written back does not parse: " + st.message;
  why = contents(g, &b);
  if (!why.empty()) return "written back: " + why;
  if (!a.same_as(b)) return "the file written back holds other tensors or metadata";
  why = encode(b, &again);
  if (!why.empty()) return why;
  if (again != written) return "writing what was written back gives other bytes";
  return "";
}

}  // namespace

std::string idx_images(const std::uint8_t* d, std::size_t n) {
  IdxImages im;
  Status st = parse_idx_images(std::vector<std::uint8_t>(d, d + n), &im);
  if (!st) return rejected(st);
  if (im.n < 0 || im.rows < 1 || im.cols < 1 ||
      im.pixels.size() != std::size_t(im.n) * std::size_t(im.rows) * std::size_t(im.cols))
    return "sizes " + std::to_string(im.n) + " x " + std::to_string(im.rows) + " x " + std::to_string(im.cols) +
           " do not match the " + std::to_string(im.pixels.size()) + " pixels read";
  if (encode_idx_images(im) != std::vector<std::uint8_t>(d, d + n)) return "encode(parse(x)) != x";
  return "";
}

std::string idx_labels(const std::uint8_t* d, std::size_t n) {
  IdxLabels lb;
  Status st = parse_idx_labels(std::vector<std::uint8_t>(d, d + n), &lb);
  if (!st) return rejected(st);
  if (lb.n < 0 || lb.labels.size() != std::size_t(lb.n))
    return "size " + std::to_string(lb.n) + " does not match the " + std::to_string(lb.labels.size()) + " labels read";
  if (encode_idx_labels(lb) != std::vector<std::uint8_t>(d, d + n)) return "encode(parse(x)) != x";
  return "";
}

std::string safetensors(const std::uint8_t* d, std::size_t n) {
  return safetensors_bytes(std::vector<std::uint8_t>(d, d + n));
}

// The input is the header: bytes 0-1 give the buffer's length (mod 4097), the rest is the JSON.
// The file is then 8-byte length + JSON + that many buffer bytes, so the fuzzer spends its time
// on the JSON and the offsets instead of on the framing.
std::string safetensors_header(const std::uint8_t* d, std::size_t n) {
  if (n < 2) return "";
  const std::size_t buffer = (d[0] | d[1] << 8) % 4097, json = n - 2;
  std::vector<std::uint8_t> bytes(8 + json + buffer);
  for (int k = 0; k < 8; ++k) bytes[k] = static_cast<std::uint8_t>(std::uint64_t(json) >> (8 * k));
  if (json) std::memcpy(bytes.data() + 8, d + 2, json);
  for (std::size_t i = 0; i < buffer; ++i) bytes[8 + json + i] = static_cast<std::uint8_t>(i * 37 + 11);
  return safetensors_bytes(std::move(bytes));
}

}  // namespace fuzz
}  // namespace dgm
