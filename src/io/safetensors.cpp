// safetensors.cpp - write and validate safetensors files (see include/dgm/io/safetensors.h).
#include "dgm/io/safetensors.h"

#include <algorithm>
#include <cstring>

#include "dgm/io/fileio.h"
#include "json_reader.h"

namespace dgm {
namespace {

constexpr std::uint64_t kMaxHeader = 100000000;  // the reference reader's limit (100 MB)

// A JSON string as serde_json writes it: '"' and '\\' escaped, \b \f \n \r \t short, other
// control characters as \u00XX, everything else (UTF-8 included) as is.
void put_json_string(std::string* out, const std::string& s) {
  out->push_back('"');
  for (unsigned char c : s) {
    switch (c) {
      case '"': *out += "\\\""; break;
      case '\\': *out += "\\\\"; break;
      case '\b': *out += "\\b"; break;
      case '\f': *out += "\\f"; break;
      case '\n': *out += "\\n"; break;
      case '\r': *out += "\\r"; break;
      case '\t': *out += "\\t"; break;
      default:
        if (c < 0x20) {
          static const char hex[] = "0123456789abcdef";
          *out += "\\u00";
          out->push_back(hex[c >> 4]);
          out->push_back(hex[c & 15]);
        } else {
          out->push_back(static_cast<char>(c));
        }
    }
  }
  out->push_back('"');
}

void put_u64_le(std::uint8_t* p, std::uint64_t v) {
  for (int k = 0; k < 8; ++k) p[k] = static_cast<std::uint8_t>(v >> (8 * k));
}

// float32 <-> 4 little-endian bytes, by value, so the host's byte order never matters.
void put_f32_le(std::uint8_t* p, float f) {
  std::uint32_t u;
  std::memcpy(&u, &f, 4);
  p[0] = static_cast<std::uint8_t>(u);
  p[1] = static_cast<std::uint8_t>(u >> 8);
  p[2] = static_cast<std::uint8_t>(u >> 16);
  p[3] = static_cast<std::uint8_t>(u >> 24);
}

float get_f32_le(const std::uint8_t* p) {
  const std::uint32_t u = std::uint32_t(p[0]) | (std::uint32_t(p[1]) << 8) |
                          (std::uint32_t(p[2]) << 16) | (std::uint32_t(p[3]) << 24);
  float f;
  std::memcpy(&f, &u, 4);
  return f;
}

// Product of dims * 4 bytes, false on overflow.
bool byte_size(const std::vector<std::int64_t>& shape, std::uint64_t* bytes) {
  std::uint64_t n = 4;
  for (std::int64_t d : shape) {
    if (d < 0) return false;
    const std::uint64_t u = static_cast<std::uint64_t>(d);
    if (u != 0 && n > UINT64_MAX / u) return false;
    n *= u;
  }
  *bytes = n;
  return true;
}

}  // namespace

std::string shape_text(const std::vector<std::int64_t>& shape) {
  std::string s = "[";
  for (std::size_t i = 0; i < shape.size(); ++i) {
    if (i) s += ", ";
    s += std::to_string(shape[i]);
  }
  return s + "]";
}

Status encode_safetensors(const std::vector<NamedTensor>& tensors, const Metadata& metadata,
                          std::vector<std::uint8_t>* out) {
  out->clear();
  std::string json = "{";
  if (!metadata.empty()) {
    json += "\"__metadata__\":{";
    bool first = true;
    for (const auto& kv : metadata) {
      if (!first) json += ",";
      first = false;
      put_json_string(&json, kv.first);
      json += ":";
      put_json_string(&json, kv.second);
    }
    json += "}";
  }
  std::uint64_t offset = 0;
  std::vector<std::string> seen;
  for (const NamedTensor& t : tensors) {
    if (t.name == "__metadata__")
      return Status::Error("safetensors: '__metadata__' is reserved and cannot name a tensor");
    if (std::find(seen.begin(), seen.end(), t.name) != seen.end())
      return Status::Error("safetensors: two tensors are named '%s'", t.name.c_str());
    seen.push_back(t.name);
    std::uint64_t bytes;
    if (!byte_size(t.shape, &bytes))
      return Status::Error("safetensors: tensor '%s' has an invalid shape %s", t.name.c_str(),
                           shape_text(t.shape).c_str());
    if (bytes > 0 && t.data == nullptr)
      return Status::Error("safetensors: tensor '%s' %s has no data", t.name.c_str(),
                           shape_text(t.shape).c_str());
    if (json.size() > 1) json += ",";
    put_json_string(&json, t.name);
    json += ":{\"dtype\":\"F32\",\"shape\":[";
    for (std::size_t i = 0; i < t.shape.size(); ++i) {
      if (i) json += ",";
      json += std::to_string(t.shape[i]);
    }
    json += "],\"data_offsets\":[" + std::to_string(offset) + "," + std::to_string(offset + bytes) + "]}";
    offset += bytes;
  }
  json += "}";
  // The reference pads the header with spaces so that the byte buffer starts 8-aligned.
  json.append((8 - json.size() % 8) % 8, ' ');
  out->resize(8 + json.size() + offset);
  put_u64_le(out->data(), json.size());
  std::memcpy(out->data() + 8, json.data(), json.size());
  std::uint8_t* p = out->data() + 8 + json.size();
  for (const NamedTensor& t : tensors) {
    std::uint64_t bytes = 0;
    byte_size(t.shape, &bytes);
    for (std::uint64_t i = 0; i < bytes / 4; ++i, p += 4) put_f32_le(p, t.data[i]);
  }
  return Status::Ok();
}

Status save_safetensors(const std::string& path, const std::vector<NamedTensor>& tensors,
                        const Metadata& metadata) {
  std::vector<std::uint8_t> bytes;
  Status s = encode_safetensors(tensors, metadata, &bytes);
  if (!s) return Status::Error("cannot write '%s': %s", path.c_str(), s.message.c_str());
  return write_file_atomic(path, bytes);
}

Status SafetensorsFile::load(const std::string& path) {
  std::vector<std::uint8_t> bytes;
  Status s = read_file(path, &bytes);
  if (!s) {
    *this = SafetensorsFile();
    return s;
  }
  return parse(std::move(bytes), path);
}

namespace {

Status json_error(const char* w, const JsonReader& r) {
  return Status::Error("'%s': invalid safetensors header: %s", w, r.error().c_str());
}

// The header's size n (the first 8 bytes, little-endian), checked against the file's size, the
// reference reader's limit and the '{' that must open the header.
Status read_header_size(const std::vector<std::uint8_t>& bytes, const char* w, std::uint64_t* out) {
  const std::size_t size = bytes.size();
  if (size < 8)
    return Status::Error("'%s': not a safetensors file: %zu bytes, expected at least 8 (the header "
                         "size) (truncated?)", w, size);
  std::uint64_t n = 0;
  for (int k = 7; k >= 0; --k) n = (n << 8) | bytes[k];
  if (n > size - 8)
    return Status::Error("'%s': header size %llu (first 8 bytes, little-endian) runs past the end "
                         "of the %zu-byte file (truncated or not a safetensors file?)", w,
                         static_cast<unsigned long long>(n), size);
  if (n > kMaxHeader)
    return Status::Error("'%s': header size %llu is above the %llu-byte limit", w,
                         static_cast<unsigned long long>(n), static_cast<unsigned long long>(kMaxHeader));
  if (n < 2 || bytes[8] != '{')
    return Status::Error("'%s': the header must be a JSON object starting with '{' at byte 8", w);
  *out = n;
  return Status::Ok();
}

// The "__metadata__" object: string keys to string values, each key once.
Status read_metadata(JsonReader& r, const char* w, Metadata* metadata) {
  bool mdone;
  if (!r.object_open(&mdone)) return json_error(w, r);
  while (!mdone) {
    std::string k, v;
    if (!r.read_string(&k) || !r.consume(':', "':' after a key") || !r.read_string(&v)) return json_error(w, r);
    if (metadata->count(k)) return Status::Error("'%s': metadata key '%s' appears twice", w, k.c_str());
    (*metadata)[k] = v;
    if (!r.object_next(&mdone)) return json_error(w, r);
  }
  return Status::Ok();
}

// A tensor's object as written: its "dtype", "shape" and "data_offsets" (each exactly once;
// unknown fields are ignored, as serde does by default).
struct TensorFields {
  std::string dtype;
  std::vector<std::uint64_t> shape, offsets;
};

Status read_tensor_fields(JsonReader& r, const char* w, const std::string& key, TensorFields* t) {
  bool has_dtype = false, has_shape = false, has_offsets = false, tdone;
  if (!r.object_open(&tdone)) return json_error(w, r);
  while (!tdone) {
    std::string field;
    if (!r.read_string(&field) || !r.consume(':', "':' after a key")) return json_error(w, r);
    bool ok;
    bool* seen = nullptr;
    if (field == "dtype") {
      ok = r.read_string(&t->dtype);
      seen = &has_dtype;
    } else if (field == "shape") {
      ok = r.read_uint_array(&t->shape);
      seen = &has_shape;
    } else if (field == "data_offsets") {
      ok = r.read_uint_array(&t->offsets);
      seen = &has_offsets;
    } else {
      ok = r.skip_value();
    }
    if (!ok) return json_error(w, r);
    if (seen) {
      if (*seen) return Status::Error("'%s': tensor '%s' has two \"%s\" fields", w, key.c_str(), field.c_str());
      *seen = true;
    }
    if (!r.object_next(&tdone)) return json_error(w, r);
  }
  if (!has_dtype || !has_shape || !has_offsets)
    return Status::Error("'%s': tensor '%s' lacks its \"%s\" field", w, key.c_str(),
                         !has_dtype ? "dtype" : !has_shape ? "shape" : "data_offsets");
  return Status::Ok();
}

// The entry of tensor `key` from its fields: F32, two offsets, a shape whose F32 size is the
// offsets' span, inside the data buffer of `buffer` bytes.
Status tensor_entry(const char* w, const std::string& key, const TensorFields& t, std::uint64_t buffer,
                    TensorEntry* out) {
  TensorEntry e;
  e.name = key;
  if (t.dtype != "F32")
    return Status::Error("'%s': tensor '%s' has dtype \"%s\"; dgm reads only \"F32\" (float32) "
                         "tensors (convert with e.g. tensor.float() before saving)", w,
                         key.c_str(), t.dtype.c_str());
  if (t.offsets.size() != 2)
    return Status::Error("'%s': tensor '%s' has %zu data_offsets, expected 2 ([begin, end])", w,
                         key.c_str(), t.offsets.size());
  for (std::uint64_t d : t.shape) {
    if (d > static_cast<std::uint64_t>(INT64_MAX))
      return Status::Error("'%s': tensor '%s' has a dimension too large", w, key.c_str());
    e.shape.push_back(static_cast<std::int64_t>(d));
  }
  e.begin = t.offsets[0];
  e.end = t.offsets[1];
  std::uint64_t expect;
  if (e.begin > e.end)
    return Status::Error("'%s': tensor '%s' has data_offsets [%llu, %llu] with begin > end", w,
                         key.c_str(), static_cast<unsigned long long>(e.begin),
                         static_cast<unsigned long long>(e.end));
  if (!byte_size(e.shape, &expect) || expect != e.end - e.begin)
    return Status::Error("'%s': tensor '%s' has shape %s (%s bytes as F32) but data_offsets "
                         "[%llu, %llu] hold %llu bytes", w, key.c_str(),
                         shape_text(e.shape).c_str(),
                         byte_size(e.shape, &expect) ? std::to_string(expect).c_str() : "too many",
                         static_cast<unsigned long long>(e.begin),
                         static_cast<unsigned long long>(e.end),
                         static_cast<unsigned long long>(e.end - e.begin));
  if (e.end > buffer)
    return Status::Error("'%s': tensor '%s' data_offsets [%llu, %llu] run past the %llu-byte data "
                         "buffer (file truncated?)", w, key.c_str(),
                         static_cast<unsigned long long>(e.begin),
                         static_cast<unsigned long long>(e.end),
                         static_cast<unsigned long long>(buffer));
  *out = e;
  return Status::Ok();
}

// The spec: the buffer is entirely indexed, without holes or overlaps.
Status check_buffer_covered(const std::vector<TensorEntry>& entries, std::uint64_t buffer, const char* w) {
  std::vector<const TensorEntry*> by_offset;
  for (const TensorEntry& e : entries) by_offset.push_back(&e);
  std::sort(by_offset.begin(), by_offset.end(), [](const TensorEntry* a, const TensorEntry* b) {
    return a->begin != b->begin ? a->begin < b->begin : a->end < b->end;
  });
  std::uint64_t covered = 0;
  const TensorEntry* prev = nullptr;
  for (const TensorEntry* e : by_offset) {
    if (e->begin < covered)
      return Status::Error("'%s': tensors '%s' [%llu, %llu] and '%s' [%llu, %llu] overlap in the data "
                           "buffer", w, prev->name.c_str(), static_cast<unsigned long long>(prev->begin),
                           static_cast<unsigned long long>(prev->end), e->name.c_str(),
                           static_cast<unsigned long long>(e->begin),
                           static_cast<unsigned long long>(e->end));
    if (e->begin > covered)
      return Status::Error("'%s': data bytes [%llu, %llu) before tensor '%s' belong to no tensor (the "
                           "buffer must have no holes)", w, static_cast<unsigned long long>(covered),
                           static_cast<unsigned long long>(e->begin), e->name.c_str());
    covered = e->end;
    prev = e;
  }
  if (covered != buffer)
    return Status::Error("'%s': the tensors cover %llu bytes of the data buffer but the file holds "
                         "%llu bytes after the header", w, static_cast<unsigned long long>(covered),
                         static_cast<unsigned long long>(buffer));
  return Status::Ok();
}

}  // namespace

Status SafetensorsFile::parse(std::vector<std::uint8_t> bytes, const std::string& where) {
  *this = SafetensorsFile();
  const char* w = where.c_str();
  std::uint64_t n = 0;
  Status st = read_header_size(bytes, w, &n);
  if (!st) return st;
  const std::uint64_t buffer = bytes.size() - 8 - n;  // bytes after the header
  JsonReader r(reinterpret_cast<const char*>(bytes.data() + 8), static_cast<std::size_t>(n), 8);
  std::vector<TensorEntry> entries;
  Metadata metadata;
  bool saw_metadata = false, done = false;
  if (!r.object_open(&done)) return json_error(w, r);
  while (!done) {
    std::string key;
    if (!r.read_string(&key) || !r.consume(':', "':' after a key")) return json_error(w, r);
    if (key == "__metadata__") {
      if (saw_metadata) return Status::Error("'%s': '__metadata__' appears twice in the header", w);
      saw_metadata = true;
      st = read_metadata(r, w, &metadata);
    } else {
      for (const TensorEntry& e : entries)
        if (e.name == key) return Status::Error("'%s': tensor '%s' appears twice in the header", w, key.c_str());
      TensorFields t;
      TensorEntry e;
      st = read_tensor_fields(r, w, key, &t);
      if (st) st = tensor_entry(w, key, t, buffer, &e);
      if (st) entries.push_back(e);
    }
    if (!st) return st;
    if (!r.object_next(&done)) return json_error(w, r);
  }
  if (!r.at_end())  // only the space padding may follow the object
    return Status::Error("'%s': invalid safetensors header: unexpected data after the JSON object "
                         "at byte %zu of the file", w, r.file_offset());
  st = check_buffer_covered(entries, buffer, w);
  if (!st) return st;
  where_ = where;
  bytes_ = std::move(bytes);
  data_start_ = static_cast<std::size_t>(8 + n);
  entries_ = std::move(entries);
  metadata_ = std::move(metadata);
  return Status::Ok();
}

const TensorEntry* SafetensorsFile::find(const std::string& name) const {
  for (const TensorEntry& e : entries_)
    if (e.name == name) return &e;
  return nullptr;
}

const std::string* SafetensorsFile::meta(const std::string& key) const {
  auto it = metadata_.find(key);
  return it == metadata_.end() ? nullptr : &it->second;
}

Status SafetensorsFile::meta_u64(const std::string& key, std::uint64_t* out) const {
  const std::string* v = meta(key);
  if (!v) return Status::Error("'%s': no metadata key '%s'", where_.c_str(), key.c_str());
  std::uint64_t x = 0;
  bool ok = !v->empty() && v->size() <= 20;
  for (char c : *v) {
    if (!ok || c < '0' || c > '9') {
      ok = false;
      break;
    }
    const unsigned d = static_cast<unsigned>(c - '0');
    if (x > (UINT64_MAX - d) / 10) ok = false;
    x = x * 10 + d;
  }
  if (!ok)
    return Status::Error("'%s': metadata '%s' is \"%s\", expected an unsigned decimal integer",
                         where_.c_str(), key.c_str(), v->c_str());
  *out = x;
  return Status::Ok();
}

Status SafetensorsFile::read(const std::string& name, const std::vector<std::int64_t>& shape,
                             float* dst) const {
  const TensorEntry* e = find(name);
  if (!e) return Status::Error("'%s': no tensor named '%s'", where_.c_str(), name.c_str());
  if (e->shape != shape)
    return Status::Error("'%s': tensor '%s' has shape %s, expected %s", where_.c_str(), name.c_str(),
                         shape_text(e->shape).c_str(), shape_text(shape).c_str());
  const std::uint8_t* p = bytes_.data() + data_start_ + e->begin;
  for (std::size_t i = 0; i < e->count(); ++i) dst[i] = get_f32_le(p + 4 * i);
  return Status::Ok();
}

Status SafetensorsFile::read(const std::string& name, Tensor dst) const {
  std::vector<std::int64_t> shape(dst.dim, dst.dim + dst.ndim);
  return read(name, shape, dst.data);
}

}  // namespace dgm
