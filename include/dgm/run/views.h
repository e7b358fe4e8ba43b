// views.h - what a trained encoder/decoder shows beyond its sample grid: the decoded latent
// manifold, the straight line between two codes, denoising and inpainting.
//
//   manifold   [MIPT] "Learned MNIST manifold" (Kingma & Welling, fig. 4; the [Utkin] SGVB demo):
//              a model with a 2-D code decodes z on a side x side grid of N(0, 1) quantiles,
//              z_ij = (Phi^-1((j + 1/2) / side), Phi^-1(1 - (i + 1/2) / side)), so equal areas
//              of the prior get equal room (normal_inverse_cdf, dgm/theory/sampling.h).
//   interp     z(t) = (1 - t) z_A + t z_B, t = k / (n - 1), k = 0..n-1, with z_A, z_B the codes
//              (Model::encode) of two test images; decoded with Model::generate. t = 0 and t = 1
//              are the reconstructions of A and B.
//   denoising  [Vesel] 1.1 ("iz nepopolnih (manjkajočih, šumnatih) slik zgenerira čiste slike"):
//              rows of clean test images, their corruption (the DAE's --corrupt / --noise), and
//              the reconstruction of the corrupted image.
//   inpainting [Vesel] 1.1 / 1.3 ("inpainting"): a square hole (mask m: 1 = known pixel) filled by
//              iterating the model's reconstruction r while keeping the known pixels:
//                x^0 = m (.) x + (1 - m) (.) fill,    x^(t+1) = m (.) x + (1 - m) (.) r(x^t).
//              For a DAE, r(x) - x estimates sigma^2 d log p(x) / dx ([MIPT] Автокодировщик:
//              порождающая модель?, Alain & Bengio), so each step moves the hole up the data
//              density with the known pixels held fixed; for a VAE, r is the decoder mean at
//              mu(x).
// All image views write one PNG grid in the model's pixel range.
#pragma once
#include <string>
#include <vector>

#include "dgm/core/arena.h"
#include "dgm/models/model.h"
#include "dgm/run/run_data.h"

namespace dgm {

// Mask (rows * cols): 0 inside the size x size square at (top, left), 1 elsewhere.
std::vector<float> square_hole(int rows, int cols, int top, int left, int size);

// x (n, dim) and mask (dim) on the host; out (n, dim) on the host gets x^iters (see the header).
// False (out untouched) for a model without an encoder.
bool inpaint(Model& m, Arena& arena, const float* x, int n, int dim, const float* mask, float fill, int iters,
             float* out);

// The codes of test images a and b, then n points on the line between them decoded: out (n, dim).
// Errors: a model without an encoder, an index outside the test set, n < 2.
Status interpolate(Model& m, Arena& arena, const RunData& d, int a, int b, int n, std::vector<float>* out);

// Image data, a model with an encoder, 2-D code: side x side decoded grid (see the header).
Status write_manifold(Model& m, Arena& arena, const RunData& d, int side, const std::string& path);
// Image data, a model with an encoder: 10 test images in three rows: originals, with a 10 x 10
// hole in the middle (shown as mid-grey), inpainted (20 iterations from fill = the known
// pixels' mean).
Status write_inpainting(Model& m, Arena& arena, const RunData& d, const std::string& path);
// Image data, a model with an encoder: 10 test images: clean, corrupted as `corrupt` / `noise`
// ("gaussian": x + noise eps; "mask": each pixel 0 with probability noise; noise from Rng(seed)),
// reconstruction of the corrupted image.
Status write_denoising(Model& m, Arena& arena, const RunData& d, const std::string& corrupt, float noise,
                       std::uint64_t seed, const std::string& path);

}  // namespace dgm
