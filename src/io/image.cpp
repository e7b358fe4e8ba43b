// image.cpp - sample grids and our own PNG / PGM encoders (see include/dgm/io/image.h).
#include "dgm/io/image.h"

#include <cmath>
#include <cstdio>

#include "dgm/core/check.h"
#include "dgm/io/checksum.h"
#include "dgm/io/fileio.h"

namespace dgm {

std::uint8_t to_pixel(float v, float lo, float hi) {
  // Double precision so that 0 in [-1, 1] is exactly 127.5 before rounding (half away from
  // zero: 128), and values at the ends land exactly on 0 and 255.
  double t = 255.0 * (static_cast<double>(v) - lo) / (static_cast<double>(hi) - lo);
  if (!(t > 0.0)) return 0;  // also NaN
  if (t >= 255.0) return 255;
  return static_cast<std::uint8_t>(std::floor(t + 0.5));
}

Image make_grid(const float* images, int count, int h, int w, int rows, int cols,
                const GridOptions& options) {
  DGM_CHECK(h > 0 && w > 0 && rows > 0 && cols > 0,
            "make_grid: tiles %dx%d and grid %dx%d must be positive", h, w, rows, cols);
  DGM_CHECK(count >= 0 && count <= rows * cols, "make_grid: %d images do not fit a %dx%d grid",
            count, rows, cols);
  DGM_CHECK(options.border >= 0, "make_grid: border %d is negative", options.border);
  DGM_CHECK(options.lo < options.hi, "make_grid: value range [%g, %g] is empty",
            static_cast<double>(options.lo), static_cast<double>(options.hi));
  DGM_CHECK(count == 0 || images != nullptr, "make_grid: no image data");
  const int b = options.border;
  Image img;
  img.width = cols * (w + b) + b;
  img.height = rows * (h + b) + b;
  img.pixels.assign(static_cast<std::size_t>(img.width) * static_cast<std::size_t>(img.height),
                    options.border_value);
  for (int i = 0; i < count; ++i) {
    const float* src = images + static_cast<std::size_t>(i) * h * w;  // image i: (h, w)
    const int y0 = b + (i / cols) * (h + b), x0 = b + (i % cols) * (w + b);
    for (int y = 0; y < h; ++y)
      for (int x = 0; x < w; ++x)
        img.pixels[static_cast<std::size_t>(y0 + y) * img.width + (x0 + x)] =
            to_pixel(src[y * w + x], options.lo, options.hi);
  }
  return img;
}

Image make_grid(const Tensor& images, int h, int w, int rows, int cols, const GridOptions& options) {
  DGM_CHECK(images.ndim >= 1 && images.size() == static_cast<std::size_t>(images.dim[0]) * h * w,
            "make_grid: tensor %s is not (count, %d*%d)", shape_str(images).text, h, w);
  return make_grid(images.data, images.dim[0], h, w, rows, cols, options);
}

namespace {

void put_u32_be(std::vector<std::uint8_t>& out, std::uint32_t v) {
  out.push_back(static_cast<std::uint8_t>(v >> 24));
  out.push_back(static_cast<std::uint8_t>(v >> 16));
  out.push_back(static_cast<std::uint8_t>(v >> 8));
  out.push_back(static_cast<std::uint8_t>(v));
}

// A PNG chunk: length (big-endian), 4-letter type, data, CRC-32 over type and data.
void put_chunk(std::vector<std::uint8_t>& out, const char type[4], const std::vector<std::uint8_t>& data) {
  put_u32_be(out, static_cast<std::uint32_t>(data.size()));
  const std::size_t crc_from = out.size();
  out.insert(out.end(), type, type + 4);
  out.insert(out.end(), data.begin(), data.end());
  put_u32_be(out, crc32(out.data() + crc_from, out.size() - crc_from));
}

// zlib stream (RFC 1950) of deflate stored blocks (RFC 1951 3.2.4).
std::vector<std::uint8_t> zlib_stored(const std::vector<std::uint8_t>& raw) {
  std::vector<std::uint8_t> z;
  z.reserve(raw.size() + raw.size() / 65535 * 5 + 16);
  // CMF 0x78: deflate, 32K window. FLG 0x01: no dictionary, level "fastest", and
  // (0x78 * 256 + 0x01) = 30721 = 31 * 991, the required multiple of 31.
  z.push_back(0x78);
  z.push_back(0x01);
  std::size_t pos = 0;
  do {
    const std::size_t len = raw.size() - pos < 65535 ? raw.size() - pos : 65535;
    const bool final_block = pos + len == raw.size();
    // Block header bits: BFINAL, then BTYPE = 00 (stored); the rest of the byte is padding.
    z.push_back(final_block ? 0x01 : 0x00);
    const std::uint16_t n = static_cast<std::uint16_t>(len), nn = static_cast<std::uint16_t>(~n);
    z.push_back(static_cast<std::uint8_t>(n & 0xFF));  // LEN, little-endian
    z.push_back(static_cast<std::uint8_t>(n >> 8));
    z.push_back(static_cast<std::uint8_t>(nn & 0xFF));  // NLEN = one's complement of LEN
    z.push_back(static_cast<std::uint8_t>(nn >> 8));
    z.insert(z.end(), raw.begin() + static_cast<std::ptrdiff_t>(pos),
             raw.begin() + static_cast<std::ptrdiff_t>(pos + len));
    pos += len;
  } while (pos < raw.size());
  put_u32_be(z, adler32(raw.data(), raw.size()));  // Adler-32 of the uncompressed data, big-endian
  return z;
}

void check_image(const Image& image, const char* what) {
  DGM_CHECK(image.width > 0 && image.height > 0, "%s: image %dx%d is empty", what, image.width,
            image.height);
  DGM_CHECK(image.pixels.size() == static_cast<std::size_t>(image.width) * image.height,
            "%s: %zu pixels for a %dx%d image", what, image.pixels.size(), image.width, image.height);
}

}  // namespace

std::vector<std::uint8_t> encode_png(const Image& image) {
  check_image(image, "encode_png");
  std::vector<std::uint8_t> png = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
  std::vector<std::uint8_t> ihdr;
  put_u32_be(ihdr, static_cast<std::uint32_t>(image.width));
  put_u32_be(ihdr, static_cast<std::uint32_t>(image.height));
  ihdr.push_back(8);  // bit depth
  ihdr.push_back(0);  // colour type 0: grayscale
  ihdr.push_back(0);  // compression method 0: deflate
  ihdr.push_back(0);  // filter method 0
  ihdr.push_back(0);  // no interlace
  put_chunk(png, "IHDR", ihdr);
  // Scanlines: each row is a filter-type byte (0: none) followed by its pixels.
  std::vector<std::uint8_t> raw;
  raw.reserve(static_cast<std::size_t>(image.height) * (image.width + 1));
  for (int y = 0; y < image.height; ++y) {
    raw.push_back(0);
    const std::uint8_t* row = image.pixels.data() + static_cast<std::size_t>(y) * image.width;
    raw.insert(raw.end(), row, row + image.width);
  }
  put_chunk(png, "IDAT", zlib_stored(raw));
  put_chunk(png, "IEND", {});
  return png;
}

std::vector<std::uint8_t> encode_pgm(const Image& image) {
  check_image(image, "encode_pgm");
  char head[64];
  int n = std::snprintf(head, sizeof head, "P5\n%d %d\n255\n", image.width, image.height);
  std::vector<std::uint8_t> out(head, head + n);
  out.insert(out.end(), image.pixels.begin(), image.pixels.end());
  return out;
}

Status write_image(const std::string& path, const Image& image) {
  const std::string ext = path_extension(path);
  if (ext != "png" && ext != "pgm")
    return Status::Error("cannot write image '%s': expected a .png or .pgm file name, found '%s%s'",
                         path.c_str(), ext.empty() ? "" : ".", ext.c_str());
  if (image.width <= 0 || image.height <= 0 ||
      image.pixels.size() != static_cast<std::size_t>(image.width) * image.height)
    return Status::Error("cannot write image '%s': %dx%d image with %zu pixels", path.c_str(),
                         image.width, image.height, image.pixels.size());
  return write_file_atomic(path, ext == "png" ? encode_png(image) : encode_pgm(image));
}

}  // namespace dgm
