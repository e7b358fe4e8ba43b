// outputs.h - what a person looks at: sample grids from a fixed z, reconstructions, scatter
// plots and histograms of synthetic data, sample rows for scripts.
#pragma once
#include <string>
#include <vector>

#include "dgm/core/arena.h"
#include "dgm/models/model.h"
#include "dgm/run/run_data.h"

namespace dgm {

// The z (and labels) every sample grid of a run uses: n rows of the model's latent noise drawn
// from Rng(seed, stream 7), so grids from different epochs show the same z. For a conditional
// model, row i has label i % 10: on a 10-column grid, one class per column.
struct FixedLatent {
  int n = 0;
  std::vector<float> z;  // (n, latent)
  std::vector<float> y;  // (n, classes) one-hot, or empty
};
FixedLatent make_fixed_latent(Model& m, const DataInfo& info, std::uint64_t seed, int n, int label = -1);

// Decodes fl into out (fl.n, dim) with a fresh tape in `arena`, kGenerateChunk rows at a time.
constexpr int kGenerateChunk = 500;
void generate_rows(Model& m, Arena& arena, const FixedLatent& fl, int dim, float* out);

// Image data: a grid of cols columns of generated images (png or pgm by the extension).
Status write_sample_grid(Model& m, Arena& arena, const RunData& d, const FixedLatent& fl, int cols,
                         const std::string& path);
// Image data: 20 test images in rows of 10, each row of originals above its reconstructions.
// Does nothing (and returns ok) for a model without an encoder.
Status write_reconstructions(Model& m, Arena& arena, const RunData& d, const std::string& path);
// AAE on image data: the codes z ~ q(z|x) of the first n test images, (n, latent) row-major on the
// host, made in batches of 500 on a tape over `arena` (the model's device) with noise from rng.
// Empty for other models and for synthetic data.
std::vector<float> aae_test_codes(Model& m, Arena& arena, const RunData& d, int n, Rng& rng);

// AAE on image data: SVG scatter of dimensions 0 and 1 of the codes of the first 2,000 test
// images (sampled from q(z|x), as evaluate() uses them) over as many prior samples - the shape
// the mixture and ring priors draw lives in those two dimensions. Does nothing (and returns ok)
// for other models and for synthetic data.
Status write_code_plot(Model& m, Arena& arena, const RunData& d, const std::string& title, const std::string& path);
// Synthetic data: SVG of n_data data points and the generated rows (scatter for 2-D, histogram
// for 1-D).
Status write_toy_plot(const RunData& d, const float* samples, int n, Rng& rng, const std::string& title,
                      const std::string& path);

}  // namespace dgm
