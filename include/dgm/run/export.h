// export.h - a trained model's sampler as one C header, for microcontrollers (design.md, user
// need 11; the TensorFlow Lite Micro way: the model is a C array, the caller owns the memory).
//
// `dgm export --ckpt F --out F.h` writes the network that turns z (and a label y) into a sample
// x - the VAE's, AE's and AAE's decoder, the GAN's, cGAN's and WGAN's generator - as:
//   * its sizes as macros: PREFIX_LATENT, PREFIX_CLASSES, PREFIX_OUT, PREFIX_SCRATCH, ...;
//   * each step's weights as `static const float` arrays: a dense step's W (out, in) row-major,
//     so W[j * in + i] multiplies input i into output j, then b (out); a transposed convolution's
//     W (in, out, k, k) as torch.nn.ConvTranspose2d stores it (--arch conv decoders and DCGAN's
//     generator), then b; a batch norm's running mean, gamma / sqrt(running var + eps) and
//     beta; or, with weights = "int8", W as int8_t q with one float scale s_j per row j of W's
//     first dimension (a dense step's output, a transposed convolution's input channel),
//     W_ji ~ s_j q_ji (symmetric, s_j = max_i |W_ji| / 127; 4x less flash; biases stay float);
//   * one plain C99 function, PREFIX_decode(z, y, x, scratch): the same forward pass the library
//     runs (x_out = act(W x_in + b), a transposed convolution or a batch norm, step by step),
//     then the model's output map (sigmoid for a Bernoulli decoder's probabilities, the mean
//     half of a Gaussian decoder, tanh images as is);
//   * a self-test: PREFIX_TEST_N latent rows drawn by the library, the library's own decoded
//     output for them (with int8, the library run on the dequantized weights s_j q_ji), and
//     PREFIX_self_test(x, scratch), which returns the largest difference.
// It needs <math.h> only (expf, tanhf); no allocation, no I/O, no threads; scratch is
// PREFIX_SCRATCH floats the caller provides (two activations of the widest step).
//
// Floats are written with 9 significant digits, so every weight reads back bit for bit.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>

#include "dgm/run/config.h"
#include "dgm/models/model.h"
#include "dgm/io/status.h"

namespace dgm {

struct ExportOptions {
  std::string prefix = "dgm";  // identifiers: prefix_decode, PREFIX_LATENT, ... (a C identifier)
  std::string source;          // where the weights came from (the checkpoint path), for the comment
  int test_rows = 4;           // rows of the self-test (at least 1)
  std::string weights = "float";  // "float" (exact) or "int8" (per-row scaled, 4x smaller)
};

// What an export wrote, for the command to print.
struct ExportReport {
  std::size_t weight_bytes = 0;  // the weight and bias arrays (and int8 scales), in bytes
  // int8 only: how far the dequantized network's outputs moved from the float network's on 1000
  // latent rows drawn as the sample grids' are (max and mean of |x_int8 - x_float|); 0 for float.
  double quant_max = 0, quant_mean = 0;
};

// The C header text for m (trained with config c on data described by info). Fails for a model
// that has no decoder/generator network (made, the energy-based models) or a prefix that is not
// a C identifier.
Status export_c_header(Model& m, const Config& c, const DataInfo& info, const ExportOptions& o,
                       std::string* text, ExportReport* report = nullptr);

// Symmetric int8 quantization of W (out, in), one scale per output row j:
//   s_j = max_i |W_ji| / 127,  q_ji = round(W_ji / s_j) in [-127, 127],  so |W_ji - s_j q_ji| <= s_j / 2
// (a row of zeros gets s_j = 0 and q = 0).
void quantize_rows(const float* W, int out, int in, std::int8_t* q, float* s);

}  // namespace dgm
