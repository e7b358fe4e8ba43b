// rows.cpp - rows of floats as CSV or NumPy .npy files (see include/dgm/io/plot.h).
#include <cstdio>
#include <cstring>

#include "dgm/core/check.h"
#include "dgm/io/fileio.h"
#include "dgm/io/plot.h"

namespace dgm {

std::string rows_csv(const float* rows, int n, int d, const std::string& comment) {
  DGM_CHECK(n >= 0 && d > 0, "rows_csv: %d rows of %d values", n, d);
  std::string out;
  out.reserve(static_cast<std::size_t>(n) * d * 12 + comment.size() + 3);
  if (!comment.empty()) {
    out += "# ";
    for (char ch : comment) out += ch == '\n' || ch == '\r' ? ' ' : ch;
    out += '\n';
  }
  char buf[32];
  for (int i = 0; i < n; ++i) {
    for (int j = 0; j < d; ++j) {
      // %.9g: 9 significant digits always read back as the same float32 (FLT_DECIMAL_DIG).
      std::snprintf(buf, sizeof buf, j ? ",%.9g" : "%.9g", static_cast<double>(rows[i * d + j]));
      out += buf;
    }
    out += '\n';
  }
  return out;
}

std::vector<std::uint8_t> npy_bytes(const float* data, const std::vector<std::int64_t>& shape) {
  std::size_t count = 1;
  std::string dims;
  for (std::int64_t s : shape) {
    DGM_CHECK(s >= 0, "npy_bytes: negative dimension %lld", static_cast<long long>(s));
    count *= static_cast<std::size_t>(s);
    dims += std::to_string(s) + ", ";
  }
  // Python's tuple repr: () for 0-d, (n,) for 1-D, (n, d) for 2-D.
  if (shape.size() > 1) dims.resize(dims.size() - 2);
  else if (shape.size() == 1) dims.resize(dims.size() - 1);
  std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + dims + "), }";
  // numpy's rule: pad with spaces, end with '\n', so that magic (6) + version (2) + length (2)
  // + header is a multiple of 64; it always adds at least the newline and one space.
  const std::size_t hlen = header.size() + 1;
  const std::size_t pad = 64 - (10 + hlen) % 64;
  header.append(pad, ' ');
  header += '\n';
  DGM_CHECK(header.size() <= 65535, "npy_bytes: header of %zu bytes needs format 2.0", header.size());

  std::vector<std::uint8_t> out = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0};
  out.push_back(static_cast<std::uint8_t>(header.size() & 0xFF));  // u16, little-endian
  out.push_back(static_cast<std::uint8_t>(header.size() >> 8));
  out.insert(out.end(), header.begin(), header.end());
  DGM_CHECK(count == 0 || data != nullptr, "npy_bytes: no data for %zu values", count);
  const std::size_t start = out.size();
  out.resize(start + 4 * count);
  for (std::size_t i = 0; i < count; ++i) {  // '<f4': little-endian whatever the host
    std::uint32_t u;
    std::memcpy(&u, &data[i], 4);
    for (int k = 0; k < 4; ++k) out[start + 4 * i + k] = static_cast<std::uint8_t>(u >> (8 * k));
  }
  return out;
}

Status write_rows(const std::string& path, const float* rows, int n, int d, const std::string& comment) {
  const std::string ext = path_extension(path);
  if (n < 0 || d <= 0)
    return Status::Error("cannot write '%s': %d rows of %d values", path.c_str(), n, d);
  if (ext == "csv") return write_text_atomic(path, rows_csv(rows, n, d, comment));
  if (ext == "npy") return write_file_atomic(path, npy_bytes(rows, {n, d}));
  return Status::Error("cannot write rows to '%s': expected a .csv or .npy file name, found '%s%s'",
                       path.c_str(), ext.empty() ? "" : ".", ext.c_str());
}

}  // namespace dgm
