// tensor.cpp - shape helpers for the plain-data Tensor (see include/dgm/core/tensor.h).
#include "dgm/core/tensor.h"

#include <cstdio>
#include <cstring>

#include "dgm/core/check.h"
#include "dgm/backend/device.h"

namespace dgm {

static Tensor shape_of(int n, const int* d) {
  Tensor t;
  t.ndim = n;
  for (int i = 0; i < n; ++i) {
    DGM_CHECK(d[i] >= 0, "make_shape: dimension %d is negative (%d)", i, d[i]);
    t.dim[i] = d[i];
  }
  return t;
}

Tensor make_shape(int d0) {
  int d[1] = {d0};
  return shape_of(1, d);
}
Tensor make_shape(int d0, int d1) {
  int d[2] = {d0, d1};
  return shape_of(2, d);
}
Tensor make_shape(int d0, int d1, int d2) {
  int d[3] = {d0, d1, d2};
  return shape_of(3, d);
}
Tensor make_shape(int d0, int d1, int d2, int d3) {
  int d[4] = {d0, d1, d2, d3};
  return shape_of(4, d);
}

Tensor reshape(Tensor t, int d0, int d1) {
  Tensor r = make_shape(d0, d1);
  DGM_CHECK(r.size() == t.size(), "reshape: %s has %zu elements, (%d, %d) has %zu",
            shape_str(t).text, t.size(), d0, d1, r.size());
  r.data = t.data;
  return r;
}

bool same_shape(const Tensor& a, const Tensor& b) {
  if (a.ndim != b.ndim) return false;
  for (int i = 0; i < a.ndim; ++i)
    if (a.dim[i] != b.dim[i]) return false;
  return true;
}

ShapeStr shape_str(const Tensor& t) {
  ShapeStr s;
  int n = std::snprintf(s.text, sizeof s.text, "(");
  for (int i = 0; i < t.ndim; ++i)
    n += std::snprintf(s.text + n, sizeof s.text - static_cast<std::size_t>(n), i ? ", %d" : "%d",
                       t.dim[i]);
  std::snprintf(s.text + n, sizeof s.text - static_cast<std::size_t>(n), ")");
  return s;
}

// fill and copy also serve device tensors (CUDA builds): they ask where the pointers live.
void fill(Tensor t, float value) {
  const std::size_t n = t.size();
  if (on_device(t.data)) return device_fill(t.data, n, value);
  for (std::size_t i = 0; i < n; ++i) t.data[i] = value;
}

void copy(Tensor dst, const Tensor& src) {
  DGM_CHECK(dst.size() == src.size(), "copy: dst %s and src %s differ in size",
            shape_str(dst).text, shape_str(src).text);
  if (on_device(dst.data) || on_device(src.data)) return device_copy(dst.data, src.data, src.size());
  if (dst.data != src.data) std::memmove(dst.data, src.data, src.size() * sizeof(float));
}

}  // namespace dgm
