// tensor.h - a plain-data float32 tensor: a pointer and a shape, nothing else.
//
// Row-major (NumPy order): the last dimension is contiguous. Up to 4 dimensions.
// A Tensor never owns memory: its data lives in an Arena (per-step temporaries), a ParamStore
// (weights, gradients) or a caller's buffer. Copying a Tensor copies the view, not the floats.
// Most ops see a tensor as a matrix (rows, cols) with cols = last dimension and rows = the
// product of the others, e.g. a batch of images (B, 28, 28) is a (B*28, 28) matrix to `relu`
// but call reshape(t, B, 784) to make it (B, 784).
#pragma once
#include <cstddef>

namespace dgm {

constexpr int kMaxDims = 4;

struct Tensor {
  float* data = nullptr;
  int ndim = 0;
  int dim[kMaxDims] = {0, 0, 0, 0};

  // Number of elements (1 for a 0-d scalar).
  std::size_t size() const {
    std::size_t n = 1;
    for (int i = 0; i < ndim; ++i) n *= static_cast<std::size_t>(dim[i]);
    return n;
  }
  // Matrix view: cols = last dimension, rows = product of the others.
  int cols() const { return ndim == 0 ? 1 : dim[ndim - 1]; }
  int rows() const { return ndim == 0 ? 1 : static_cast<int>(size() / static_cast<std::size_t>(cols())); }
  float& operator[](std::size_t i) { return data[i]; }
  float operator[](std::size_t i) const { return data[i]; }
};

// A shape with no data, for describing tensors before memory exists.
Tensor make_shape(int d0);
Tensor make_shape(int d0, int d1);
Tensor make_shape(int d0, int d1, int d2);
Tensor make_shape(int d0, int d1, int d2, int d3);

// A view of the same floats with another shape; the element count must match.
Tensor reshape(Tensor t, int d0, int d1);

bool same_shape(const Tensor& a, const Tensor& b);

// "(128, 784)" into a small fixed buffer, for check messages. No allocation.
struct ShapeStr {
  char text[64];
};
ShapeStr shape_str(const Tensor& t);

// Element-wise helpers on whole tensors (plain loops, no tape).
void fill(Tensor t, float value);
void copy(Tensor dst, const Tensor& src);  // shapes must have the same element count

}  // namespace dgm
