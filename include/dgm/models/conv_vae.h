// conv_vae.h - the convolutional encoder and decoder of the VAE and the AAE with --arch conv
// (src/models/vae.cpp, src/models/aae.cpp; [Vesel] 1.1: "polnopovezane sloje zamenjamo s konvolucijskimi sloji" -
// for images, the fully connected layers are replaced by convolutional ones). Sized for
// one-channel H x W images with H, W divisible by 4 (28x28 Fashion-MNIST):
//   encoder: x (B, H W) -> view (B, 1, H, W) -> conv 4/2/1 -> (B, 32, H/2, W/2) -> ReLU
//            -> conv 4/2/1 -> (B, 64, H/4, W/4) -> ReLU -> view (B, 64 H/4 W/4) -> fc -> (B, 2J) = mu | logvar
//   decoder: z (B, J) -> fc -> (B, 64 H/4 W/4) -> ReLU -> view (B, 64, H/4, W/4)
//            -> convT 4/2/1 -> (B, 32, H/2, W/2) -> ReLU -> convT 4/2/1 -> (B, out, H, W) -> view (B, out H W)
// with out = 1 (Bernoulli logits) or 2 (Gaussian: the flattened row is [means (H W) | log-variances
// (H W)], the layout the MLP decoder's 2 dim outputs have). The loss terms are vae.cpp's, unchanged.
// Init: PyTorch's defaults (nn.Linear, nn.Conv2d, nn.ConvTranspose2d: U(-1/sqrt(fan_in), 1/sqrt(fan_in))).
// Names: "enc.conv1.weight", "enc.fc.weight", "dec.fc.weight", "dec.up1.weight", ... (torch.nn's).
#pragma once
#include "dgm/models/dcgan.h"

namespace dgm {

struct ConvEncoder {
  ConvLayer conv1, conv2;
  Linear fc;
  int H = 0, W = 0;
};
struct ConvDecoder {
  Linear fc;
  ConvLayer up1, up2;
  int H = 0, W = 0;
};

ConvEncoder make_conv_encoder(ParamStore& p, int H, int W, int out);          // out = 2J
ConvDecoder make_conv_decoder(ParamStore& p, int latent, int H, int W, int channels);  // channels 1 or 2
void init_conv_encoder(ParamStore& p, const ConvEncoder& e, Rng& rng);  // PyTorch's default init
void init_conv_decoder(ParamStore& p, const ConvDecoder& d, Rng& rng);
void init_conv_coder(ParamStore& p, const ConvEncoder& e, const ConvDecoder& d, Rng& rng);  // encoder, then decoder
Var forward(Tape& t, const ParamStore& p, const ConvEncoder& e, Var x);  // (B, H W) -> (B, 2J)
Var forward(Tape& t, const ParamStore& p, const ConvDecoder& d, Var z);  // (B, J) -> (B, channels H W)

}  // namespace dgm
