// views.cpp - latent manifold, interpolation, denoising and inpainting views (see include/dgm/run/views.h).
#include "dgm/run/views.h"

#include <algorithm>

#include "dgm/io/image.h"
#include "dgm/run/outputs.h"
#include "dgm/theory/sampling.h"

namespace dgm {
namespace {

// x (n, dim) on the host through the model's reconstruct() into out (n, dim) on the host.
bool reconstruct_rows(Model& m, Arena& arena, const float* x, int n, int dim, float* out) {
  Tape t(arena);
  Tensor hx = make_shape(n, dim), ho = make_shape(n, dim);
  hx.data = const_cast<float*>(x);
  ho.data = out;
  const Tensor o = t.output_for(ho);
  const bool ok = m.reconstruct(t, t.upload(hx), o);
  if (ok) copy(ho, o);  // device -> host (nothing to do on the CPU: the same floats)
  t.reset();
  return ok;
}

// The first n test images (n, dim) in the model's pixel range, on the host.
std::vector<float> test_rows(Model& m, Arena& arena, const RunData& d, int begin, int n) {
  Tape t(arena);
  Batch b = test_batch(t, d, begin, n, m.scale());
  const Tensor x = t.host_copy(b.x);
  std::vector<float> rows(x.data, x.data + static_cast<std::size_t>(n) * d.info.dim);
  t.reset();
  return rows;
}

GridOptions pixel_range(const Model& m) {
  GridOptions g;
  g.lo = m.scale() == PixelScale::kSigned ? -1.f : 0.f;
  return g;
}

Status needs_images_and_encoder(Model& m, const RunData& d, const char* what) {
  if (d.toy || !d.info.images()) return Status::Error("%s needs image data", what);
  if (d.images.test.n < 10) return Status::Error("%s needs at least 10 test images, %s has %d", what, d.where.c_str(), d.images.test.n);
  (void)m;
  return Status::Ok();
}

}  // namespace

std::vector<float> square_hole(int rows, int cols, int top, int left, int size) {
  std::vector<float> mask(static_cast<std::size_t>(rows) * cols, 1.f);
  for (int r = std::max(0, top); r < std::min(rows, top + size); ++r)
    for (int c = std::max(0, left); c < std::min(cols, left + size); ++c) mask[static_cast<std::size_t>(r) * cols + c] = 0.f;
  return mask;
}

bool inpaint(Model& m, Arena& arena, const float* x, int n, int dim, const float* mask, float fill, int iters,
             float* out) {
  const std::size_t N = static_cast<std::size_t>(n) * dim;
  std::vector<float> cur(N), rec(N);
  // x^0 = m (.) x + (1 - m) (.) fill
  for (std::size_t i = 0; i < N; ++i) cur[i] = mask[i % dim] > 0.5f ? x[i] : fill;
  for (int it = 0; it < iters; ++it) {
    if (!reconstruct_rows(m, arena, cur.data(), n, dim, rec.data())) return false;
    // x^(t+1) = m (.) x + (1 - m) (.) r(x^t): the known pixels are copied, never reconstructed
    for (std::size_t i = 0; i < N; ++i) cur[i] = mask[i % dim] > 0.5f ? x[i] : rec[i];
  }
  std::copy(cur.begin(), cur.end(), out);
  return true;
}

Status interpolate(Model& m, Arena& arena, const RunData& d, int a, int b, int n, std::vector<float>* out) {
  if (d.toy) return Status::Error("--interp needs image data (a test set to take images A and B from)");
  const int ntest = d.images.test.n;
  if (a < 0 || a >= ntest || b < 0 || b >= ntest)
    return Status::Error("--interp %d,%d: test image indices must be in 0..%d (%s)", a, b, ntest - 1, d.where.c_str());
  if (n < 2) return Status::Error("--interp: needs --n of at least 2 points on the line, got %d", n);
  const int L = m.latent_dim(), dim = d.info.dim;
  Tape t(arena);
  Batch ba = test_batch(t, d, a, 1, m.scale());
  Batch bb = test_batch(t, d, b, 1, m.scale());
  Tensor za = t.alloc(make_shape(1, L)), zb = t.alloc(make_shape(1, L));
  if (!m.encode(t, ba.x, za) || !m.encode(t, bb.x, zb)) {
    t.reset();
    return Status::Error("--interp: this model has no encoder (vae, ae, dae, aae have one)");
  }
  const Tensor ha = t.host_copy(za), hb = t.host_copy(zb);
  FixedLatent fl;
  fl.n = n;
  fl.z.resize(static_cast<std::size_t>(n) * L);
  for (int k = 0; k < n; ++k) {  // z(t) = (1 - t) z_A + t z_B
    const float s = static_cast<float>(k) / static_cast<float>(n - 1);
    for (int j = 0; j < L; ++j)
      fl.z[static_cast<std::size_t>(k) * L + j] = (1.f - s) * ha.data[j] + s * hb.data[j];
  }
  t.reset();
  out->assign(static_cast<std::size_t>(n) * dim, 0.f);
  generate_rows(m, arena, fl, dim, out->data());
  return Status::Ok();
}

Status write_manifold(Model& m, Arena& arena, const RunData& d, int side, const std::string& path) {
  if (d.toy || !d.info.images()) return Status::Error("the manifold view needs image data");
  if (m.latent_dim() != 2) return Status::Error("the manifold view needs a 2-D code (--latent 2), this model has %d", m.latent_dim());
  FixedLatent fl;
  fl.n = side * side;
  fl.z.resize(static_cast<std::size_t>(fl.n) * 2);
  for (int i = 0; i < side; ++i)      // row i: z_2 from +Phi^-1(1 - 1/(2 side)) at the top down
    for (int j = 0; j < side; ++j) {  // column j: z_1 from -Phi^-1(1 - 1/(2 side)) at the left
      float* z = fl.z.data() + static_cast<std::size_t>(i * side + j) * 2;
      z[0] = static_cast<float>(normal_inverse_cdf((j + 0.5) / side));
      z[1] = static_cast<float>(normal_inverse_cdf(1.0 - (i + 0.5) / side));
    }
  std::vector<float> rows(static_cast<std::size_t>(fl.n) * d.info.dim);
  generate_rows(m, arena, fl, d.info.dim, rows.data());
  GridOptions g = pixel_range(m);
  g.border = 0;  // a continuous sheet, as in the paper's figure
  return write_image(path, make_grid(rows.data(), fl.n, d.info.rows, d.info.cols, side, side, g));
}

Status write_inpainting(Model& m, Arena& arena, const RunData& d, const std::string& path) {
  Status st = needs_images_and_encoder(m, d, "inpainting");
  if (!st) return st;
  const int n = 10, dim = d.info.dim, R = d.info.rows, C = d.info.cols, size = std::min(R, C) * 10 / 28;
  const std::vector<float> x = test_rows(m, arena, d, 0, n);
  const std::vector<float> mask = square_hole(R, C, (R - size) / 2, (C - size) / 2, size);
  double known = 0, count = 0;  // fill = the mean of the known pixels
  for (int i = 0; i < n * dim; ++i)
    if (mask[static_cast<std::size_t>(i % dim)] > 0.5f) known += x[static_cast<std::size_t>(i)], ++count;
  std::vector<float> grid(static_cast<std::size_t>(3) * n * dim);
  const GridOptions g = pixel_range(m);
  const float grey = 0.5f * (g.lo + g.hi);
  for (int i = 0; i < n * dim; ++i) {
    grid[static_cast<std::size_t>(i)] = x[static_cast<std::size_t>(i)];
    grid[static_cast<std::size_t>(n * dim + i)] = mask[static_cast<std::size_t>(i % dim)] > 0.5f ? x[static_cast<std::size_t>(i)] : grey;
  }
  if (!inpaint(m, arena, x.data(), n, dim, mask.data(), static_cast<float>(known / count), 20,
               grid.data() + static_cast<std::size_t>(2) * n * dim))
    return Status::Error("inpainting needs a model with an encoder");
  return write_image(path, make_grid(grid.data(), 3 * n, R, C, 3, n, g));
}

Status write_denoising(Model& m, Arena& arena, const RunData& d, const std::string& corrupt, float noise,
                       std::uint64_t seed, const std::string& path) {
  Status st = needs_images_and_encoder(m, d, "the denoising view");
  if (!st) return st;
  const int n = 10, dim = d.info.dim;
  const std::vector<float> x = test_rows(m, arena, d, 0, n);
  std::vector<float> grid(static_cast<std::size_t>(3) * n * dim);
  Rng rng(seed, 19);
  for (int i = 0; i < n * dim; ++i) {
    const float v = x[static_cast<std::size_t>(i)];
    grid[static_cast<std::size_t>(i)] = v;
    // the DAE's corruption (ae.cpp, Autoencoder::corrupt): x + noise eps, or masking noise
    grid[static_cast<std::size_t>(n * dim + i)] = corrupt == "mask" ? (rng.uniform() < noise ? 0.f : v) : v + noise * rng.normal();
  }
  if (!reconstruct_rows(m, arena, grid.data() + n * dim, n, dim, grid.data() + static_cast<std::size_t>(2) * n * dim))
    return Status::Error("the denoising view needs a model with an encoder");
  return write_image(path, make_grid(grid.data(), 3 * n, d.info.rows, d.info.cols, 3, n, pixel_range(m)));
}

}  // namespace dgm
