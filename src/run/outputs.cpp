// outputs.cpp - sample grids, reconstructions and plots (see include/dgm/run/outputs.h).
#include "dgm/run/outputs.h"

#include <algorithm>

#include "dgm/io/fileio.h"
#include "dgm/io/image.h"
#include "dgm/models/aae.h"
#include "dgm/io/plot.h"
#include "dgm/models/prior.h"

namespace dgm {

FixedLatent make_fixed_latent(Model& m, const DataInfo& info, std::uint64_t seed, int n, int label) {
  FixedLatent fl;
  fl.n = n;
  const int L = m.latent_dim();
  fl.z.assign(static_cast<std::size_t>(n) * L, 0.f);
  Rng rng(seed, 7);
  Tensor z = make_shape(n, L);
  z.data = fl.z.data();
  m.sample_latent(rng, z);
  if (m.conditional() && info.classes > 0) {
    fl.y.assign(static_cast<std::size_t>(n) * info.classes, 0.f);
    for (int i = 0; i < n; ++i) {
      const int c = label >= 0 ? label : i % info.classes;
      fl.y[static_cast<std::size_t>(i) * info.classes + c] = 1.f;
    }
  }
  return fl;
}

// z and y go up to the tape's memory and the samples come down (no-ops on a CPU arena).
void generate_rows(Model& m, Arena& arena, const FixedLatent& fl, int dim, float* out) {
  // kGenerateChunk rows per tape, so that the memory is that of a chunk whatever n is (a
  // convolutional generator's activations are ~4 MB per row); each row depends only on its own
  // z (and y), batch norm using its running statistics here, so the rows are those of one pass.
  Tape t(arena);
  const int L = m.latent_dim(), Y = fl.y.empty() ? 0 : static_cast<int>(fl.y.size()) / fl.n;
  for (int r0 = 0; r0 < fl.n; r0 += kGenerateChunk) {
    const int B = std::min(kGenerateChunk, fl.n - r0);
    Tensor z = make_shape(B, L);
    z.data = const_cast<float*>(fl.z.data()) + static_cast<std::size_t>(r0) * L;
    z = t.upload(z);
    Tensor y;
    if (Y > 0) {
      y = make_shape(B, Y);
      y.data = const_cast<float*>(fl.y.data()) + static_cast<std::size_t>(r0) * Y;
      y = t.upload(y);
    }
    Tensor host = make_shape(B, dim);
    host.data = out + static_cast<std::size_t>(r0) * dim;
    const Tensor o = t.output_for(host);
    m.generate(t, z, y, o);
    copy(host, o);  // device -> host (nothing to do on the CPU: the same floats)
    t.reset();
  }
}

static GridOptions grid_range(const Model& m) {
  GridOptions g;
  g.lo = m.scale() == PixelScale::kSigned ? -1.f : 0.f;
  g.hi = 1.f;
  return g;
}

Status write_sample_grid(Model& m, Arena& arena, const RunData& d, const FixedLatent& fl, int cols,
                         const std::string& path) {
  std::vector<float> rows(static_cast<std::size_t>(fl.n) * d.info.dim);
  generate_rows(m, arena, fl, d.info.dim, rows.data());
  const int grid_rows = (fl.n + cols - 1) / cols;
  Image img = make_grid(rows.data(), fl.n, d.info.rows, d.info.cols, grid_rows, cols, grid_range(m));
  return write_image(path, img);
}

Status write_reconstructions(Model& m, Arena& arena, const RunData& d, const std::string& path) {
  if (d.toy) return Status::Ok();
  const int n = 20, dim = d.info.dim;
  Tape t(arena);
  Batch b = test_batch(t, d, 0, n, m.scale());
  Tensor rec = t.alloc(make_shape(n, dim));
  if (!m.reconstruct(t, b.x, rec)) {
    t.reset();
    return Status::Ok();
  }
  const Tensor x = t.host_copy(b.x);
  rec = t.host_copy(rec);
  // Rows: originals 0-9, reconstructions 0-9, originals 10-19, reconstructions 10-19.
  std::vector<float> grid(static_cast<std::size_t>(2 * n) * dim);
  for (int i = 0; i < n; ++i) {
    const int block = i / 10, col = i % 10;
    const std::size_t orig_row = static_cast<std::size_t>(block * 20 + col);
    const std::size_t rec_row = orig_row + 10;
    std::copy(x.data + static_cast<std::size_t>(i) * dim, x.data + static_cast<std::size_t>(i + 1) * dim,
              grid.begin() + static_cast<std::ptrdiff_t>(orig_row * dim));
    std::copy(rec.data + static_cast<std::size_t>(i) * dim, rec.data + static_cast<std::size_t>(i + 1) * dim,
              grid.begin() + static_cast<std::ptrdiff_t>(rec_row * dim));
  }
  t.reset();
  Image img = make_grid(grid.data(), 2 * n, d.info.rows, d.info.cols, 4, 10, grid_range(m));
  return write_image(path, img);
}

std::vector<float> aae_test_codes(Model& m, Arena& arena, const RunData& d, int n, Rng& rng) {
  Aae* a = as_aae(&m);
  if (!a || d.toy) return {};
  const int L = a->latent_dim(), B = 500;
  std::vector<float> z(static_cast<std::size_t>(n) * L);
  Tape t(arena);
  for (int begin = 0; begin < n; begin += B) {
    const int count = std::min(B, n - begin);
    t.reset();
    Batch b = test_batch(t, d, begin, count, m.scale());
    Tensor zt = make_shape(count, L);  // a view of rows [begin, begin + count) of z
    zt.data = z.data() + static_cast<std::size_t>(begin) * L;
    a->codes(t, b.x, &rng, zt);  // codes() copies into zt (down from the device if need be)
  }
  t.reset();
  return z;
}

Status write_code_plot(Model& m, Arena& arena, const RunData& d, const std::string& title, const std::string& path) {
  Aae* a = as_aae(&m);
  if (!a || d.toy || a->latent_dim() < 2) return Status::Ok();
  const int n = std::min(2000, d.images.test.n), L = a->latent_dim();
  Rng rng(20160525, 17);  // fixed: the same noise and prior samples every epoch
  const std::vector<float> z = aae_test_codes(m, arena, d, n, rng);
  std::vector<float> codes(static_cast<std::size_t>(n) * 2), prior(static_cast<std::size_t>(n) * L);
  for (int i = 0; i < n; ++i) {  // keep dimensions 0 and 1
    codes[static_cast<std::size_t>(i) * 2] = z[static_cast<std::size_t>(i) * L];
    codes[static_cast<std::size_t>(i) * 2 + 1] = z[static_cast<std::size_t>(i) * L + 1];
  }
  Tensor p = make_shape(n, L);
  p.data = prior.data();
  sample_prior(a->prior_kind(), rng, p);
  for (int i = 0; i < n; ++i) {  // compact to (n, 2) in place: row i's first two values
    prior[static_cast<std::size_t>(i) * 2] = prior[static_cast<std::size_t>(i) * L];
    prior[static_cast<std::size_t>(i) * 2 + 1] = prior[static_cast<std::size_t>(i) * L + 1];
  }
  PlotOptions o;
  o.title = title;
  o.data_label = std::string("prior ") + prior_name(a->prior_kind());
  o.sample_label = "test codes";
  return write_text_atomic(path, scatter_svg(prior.data(), n, codes.data(), n, o));
}

Status write_toy_plot(const RunData& d, const float* samples, int n, Rng& rng, const std::string& title,
                      const std::string& path) {
  const int n_data = n;
  std::vector<float> data(static_cast<std::size_t>(n_data) * d.set.dim);
  Tensor x = make_shape(n_data, d.set.dim);
  x.data = data.data();
  toy_batch(d.set, rng, x);
  PlotOptions o;
  o.title = title;
  std::string svg = d.set.dim == 2 ? scatter_svg(data.data(), n_data, samples, n, o)
                                   : histogram_svg(data.data(), n_data, samples, n, o);
  return write_text_atomic(path, svg);
}

}  // namespace dgm
