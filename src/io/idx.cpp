// idx.cpp - IDX images and labels (see include/dgm/io/idx.h).
#include "dgm/io/idx.h"

#include <climits>
#include <cstdio>

#include "dgm/io/inflate.h"

namespace dgm {
namespace {

constexpr std::uint32_t kImagesMagic = 0x00000803;  // unsigned bytes, 3 dimensions
constexpr std::uint32_t kLabelsMagic = 0x00000801;  // unsigned bytes, 1 dimension

std::uint32_t be32(const std::uint8_t* p) {
  return std::uint32_t(p[0]) << 24 | std::uint32_t(p[1]) << 16 | std::uint32_t(p[2]) << 8 | p[3];
}

void put_be32(std::vector<std::uint8_t>* v, std::uint32_t x) {
  v->push_back(static_cast<std::uint8_t>(x >> 24));
  v->push_back(static_cast<std::uint8_t>(x >> 16));
  v->push_back(static_cast<std::uint8_t>(x >> 8));
  v->push_back(static_cast<std::uint8_t>(x));
}

const char* type_name(unsigned t) {
  switch (t) {
    case 0x08: return "unsigned byte";
    case 0x09: return "signed byte";
    case 0x0B: return "short";
    case 0x0C: return "int";
    case 0x0D: return "float";
    case 0x0E: return "double";
    default: return "unknown type";
  }
}

// Checks the magic number and reads the ndim sizes into dims. what: "images" or "labels".
Status parse_header(const std::vector<std::uint8_t>& b, std::uint32_t magic, const char* what, std::uint32_t* dims) {
  const int ndim = static_cast<int>(magic & 0xFF);
  if (b.size() < 4)
    return Status::Error("IDX %s: file has %zu bytes, too short for the 4-byte magic number", what, b.size());
  const std::uint32_t found = be32(b.data());
  if (found != magic) {
    if (b[0] != 0 || b[1] != 0)
      return Status::Error("IDX %s: expected magic 0x%08x (unsigned bytes, %d dimensions), found 0x%08x: not an IDX "
                           "file (an IDX file starts with two zero bytes)", what, magic, ndim, found);
    return Status::Error("IDX %s: expected magic 0x%08x (unsigned bytes, %d dimensions), found 0x%08x (%s, %u "
                         "dimensions)", what, magic, ndim, found, type_name(b[2]), b[3]);
  }
  const std::size_t header = 4 + 4 * static_cast<std::size_t>(ndim);
  if (b.size() < header)
    return Status::Error("IDX %s: file has %zu bytes, too short for the %zu-byte header (truncated?)", what, b.size(),
                         header);
  for (int i = 0; i < ndim; ++i) {
    dims[i] = be32(b.data() + 4 + 4 * i);
    if (dims[i] > INT_MAX)
      return Status::Error("IDX %s: size %d in the header is %u, more than this reader supports (%d)", what, i,
                           dims[i], INT_MAX);
  }
  return Status::Ok();
}

// Checks that the data after the header is exactly `expected` bytes.
Status check_length(const std::vector<std::uint8_t>& b, std::size_t header, unsigned long long expected,
                    const char* what, const char* sizes) {
  const unsigned long long have = b.size() - header;
  if (have == expected) return Status::Ok();
  return Status::Error("IDX %s: header says %s = %llu data bytes after the %zu-byte header, but the file has %llu "
                       "(%s)", what, sizes, expected, header, have,
                       have < expected ? "truncated?" : "extra bytes at the end");
}

}  // namespace

Status parse_idx_images(std::vector<std::uint8_t>&& bytes, IdxImages* out) {
  std::uint32_t d[3];
  Status s = parse_header(bytes, kImagesMagic, "images", d);
  if (!s) return s;
  if (d[1] == 0 || d[2] == 0)
    return Status::Error("IDX images: header says images of %u x %u pixels; both sizes must be positive", d[1], d[2]);
  char sizes[96];
  std::snprintf(sizes, sizeof sizes, "%u images x %u x %u", d[0], d[1], d[2]);
  // Each size is < 2^31, so rows*cols < 2^62 fits in 64 bits but n*rows*cols may not.
  const unsigned long long per_image = static_cast<unsigned long long>(d[1]) * d[2];
  if (d[0] != 0 && per_image > ULLONG_MAX / d[0])
    return Status::Error("IDX images: header says %s, more than 2^64 bytes (corrupt header)", sizes);
  s = check_length(bytes, 16, per_image * d[0], "images", sizes);
  if (!s) return s;
  out->n = static_cast<int>(d[0]);
  out->rows = static_cast<int>(d[1]);
  out->cols = static_cast<int>(d[2]);
  out->pixels = std::move(bytes);
  out->pixels.erase(out->pixels.begin(), out->pixels.begin() + 16);  // a memmove: no second buffer
  return Status::Ok();
}

Status parse_idx_labels(std::vector<std::uint8_t>&& bytes, IdxLabels* out) {
  std::uint32_t d[1];
  Status s = parse_header(bytes, kLabelsMagic, "labels", d);
  if (!s) return s;
  char sizes[64];
  std::snprintf(sizes, sizeof sizes, "%u labels", d[0]);
  s = check_length(bytes, 8, d[0], "labels", sizes);
  if (!s) return s;
  out->n = static_cast<int>(d[0]);
  out->labels = std::move(bytes);
  out->labels.erase(out->labels.begin(), out->labels.begin() + 8);
  return Status::Ok();
}

namespace {

// The file at path (gunzipped when it is gzip), parsed by parse; a parse error names the file.
template <class Out>
Status load_idx(const std::string& path, Status (*parse)(std::vector<std::uint8_t>&&, Out*), Out* out) {
  std::vector<std::uint8_t> bytes;
  Status s = read_file_decompressed(path, &bytes);
  if (!s) return s;
  s = parse(std::move(bytes), out);
  return s.prefixed(path);
}

}  // namespace

Status load_idx_images(const std::string& path, IdxImages* out) { return load_idx(path, parse_idx_images, out); }

Status load_idx_labels(const std::string& path, IdxLabels* out) { return load_idx(path, parse_idx_labels, out); }

std::vector<std::uint8_t> encode_idx_images(const IdxImages& images) {
  std::vector<std::uint8_t> v;
  v.reserve(16 + images.pixels.size());
  put_be32(&v, kImagesMagic);
  put_be32(&v, static_cast<std::uint32_t>(images.n));
  put_be32(&v, static_cast<std::uint32_t>(images.rows));
  put_be32(&v, static_cast<std::uint32_t>(images.cols));
  v.insert(v.end(), images.pixels.begin(), images.pixels.end());
  return v;
}

std::vector<std::uint8_t> encode_idx_labels(const IdxLabels& labels) {
  std::vector<std::uint8_t> v;
  v.reserve(8 + labels.labels.size());
  put_be32(&v, kLabelsMagic);
  put_be32(&v, static_cast<std::uint32_t>(labels.n));
  v.insert(v.end(), labels.labels.begin(), labels.labels.end());
  return v;
}

}  // namespace dgm
