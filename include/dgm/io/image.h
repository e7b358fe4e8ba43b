// image.h - sample grids as 8-bit grayscale images, written as PNG or PGM.
//
// A batch of images (count, h*w), row-major, becomes one picture of rows x cols tiles with a
// border between them. Image i goes to tile (i / cols, i % cols), so a 10x10 grid with "one class
// per column" is a batch ordered as z[r*10 + c] with label c. Tiles past `count` stay border-grey.
//
// Values map to pixels as p = round(255 * (v - lo) / (hi - lo)), clamped to 0..255: a decoder
// with a tanh output has lo = -1, hi = 1 (-1 -> 0, 0 -> 128, 1 -> 255); a sigmoid output has lo = 0,
// hi = 1. NaN becomes 0 (black). Getting this range wrong is the classic "my GAN samples are
// grey" bug, so the range is a required argument, not a default.
//
// PNG is written by our own encoder: signature, IHDR, one IDAT holding a zlib stream (RFC 1950)
// of deflate *stored* blocks (RFC 1951 section 3.2.4, no compression, up to 65535 bytes each)
// with its Adler-32 trailer, and IEND; each chunk carries its CRC-32 (dgm/io/checksum.h).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "dgm/io/status.h"
#include "dgm/core/tensor.h"

namespace dgm {

// An 8-bit grayscale picture, row-major: pixel (y, x) is pixels[y * width + x].
struct Image {
  int width = 0;
  int height = 0;
  std::vector<std::uint8_t> pixels;  // (height, width)
};

struct GridOptions {
  float lo = 0.f, hi = 1.f;              // value range mapped to 0..255 (see top of file)
  int border = 1;                        // pixels between tiles and around the edge (>= 0)
  std::uint8_t border_value = 128;       // grey: visible on both black and white tiles
};

// One value to one pixel: round(255 * (v - lo) / (hi - lo)) clamped to 0..255; NaN -> 0.
std::uint8_t to_pixel(float v, float lo, float hi);

// images: (count, h*w). The grid is (rows*(h+border)+border) x (cols*(w+border)+border) pixels.
// Programmer errors (sizes <= 0, count > rows*cols, lo >= hi) are DGM_CHECKs.
Image make_grid(const float* images, int count, int h, int w, int rows, int cols,
                const GridOptions& options);
// The same from a tensor of shape (count, h*w) or (count, h, w).
Image make_grid(const Tensor& images, int h, int w, int rows, int cols, const GridOptions& options);

// File bytes. The image must have width, height >= 1 and pixels.size() == width * height.
std::vector<std::uint8_t> encode_png(const Image& image);
std::vector<std::uint8_t> encode_pgm(const Image& image);  // binary PGM, "P5 w h 255"

// Writes .png or .pgm (chosen by the extension, any case) atomically (dgm/io/fileio.h).
Status write_image(const std::string& path, const Image& image);

}  // namespace dgm
