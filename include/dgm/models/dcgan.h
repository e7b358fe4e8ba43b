// dcgan.h - the convolutional generator and discriminator of DCGAN (Radford, Metz, Chintala
// 2016, "Unsupervised Representation Learning with Deep Convolutional GANs", ICLR), sized for
// 28x28 images (any H, W divisible by 4), used by the GAN and the WGAN with --arch conv
// (src/models/adversarial.cpp). The losses are those of gan.cpp / wgan.cpp, unchanged.
//
//   G: z (B, in) -> fc -> (B, 128 H/4 W/4) -> view (B, 128, H/4, W/4) -> BN, ReLU
//      -> convT 4x4 stride 2 pad 1 -> (B, 64, H/2, W/2) -> BN, ReLU
//      -> convT 4x4 stride 2 pad 1 -> (B, 1, H, W) -> tanh -> view (B, H W)
//   D: x (B, H W) -> view (B, 1, H, W) -> conv 4x4 stride 2 pad 1 -> (B, 64, H/2, W/2) -> LeakyReLU 0.2
//      -> conv 4x4 stride 2 pad 1 -> (B, 128, H/4, W/4) -> LeakyReLU 0.2 -> view (B, 128 H/4 W/4)
//      -> fc -> (B, 1) logit / critic value (cGAN: fc(concat(features, s y)); G's input is concat(z, s y))
// Radford et al. 2016, section 3 ("Architecture guidelines"): strided convolutions instead of
// pooling in D, fractionally-strided (transposed) ones in G; batch normalization in G (not on its
// output layer); ReLU in G with tanh on the output; LeakyReLU (slope 0.2) in D. We leave BN out
// of D, so the WGAN's weight clipping has only weights to clip and D sees every example on its
// own. Section 4: weights ~ N(0, 0.02^2); BN gamma ~ N(1, 0.02^2) and beta = 0 as
// pytorch/examples dcgan does; biases 0.
//
// Parameter names are the state_dict names of torch.nn modules with the same attributes
// (docs/reference/dcgan.py): "G.fc.weight" (out, in), "G.bn0.weight" / ".bias" / ".running_mean"
// / ".running_var" (C), "G.up1.weight" (in, out, 4, 4) as ConvTranspose2d stores it, "D.conv1.weight"
// (out, in, 4, 4) as Conv2d. The running statistics live in the ParamStore so checkpoints keep
// them; they never enter the tape as parameters, so their gradient stays 0 and no optimizer
// (SGD, Adagrad, RMSProp, Adam: an update proportional to the gradient's moments) moves them.
#pragma once
#include <string>

#include "dgm/core/nn.h"
#include "dgm/core/params.h"
#include "dgm/core/rng.h"
#include "dgm/core/tape.h"

namespace dgm {

struct ConvLayer {
  int W = -1, b = -1;  // W: conv (out, in, k, k), transposed (in, out, k, k); b: (out) or -1
  int in = 0, out = 0, k = 4, stride = 2, pad = 1;
  bool transposed = false;
};
struct BatchNormLayer {
  int gamma = -1, beta = -1, mean = -1, var = -1;  // each (C)
  int C = 0;
};

// A conv layer "<name>.weight" (+ "<name>.bias" if bias), 4x4 stride 2 pad 1 unless changed;
// transposed: a ConvTranspose2d (weight (in, out, k, k)).
ConvLayer make_conv(ParamStore& p, const std::string& name, int in, int out, bool transposed, bool bias);
// PyTorch's default init of Conv2d / ConvTranspose2d: W, b ~ U(-1/sqrt(fan_in), 1/sqrt(fan_in)),
// fan_in = W.size(1) k k (in k k for a conv, out k k for a transposed conv, as torch computes it).
void init_conv(ParamStore& p, const ConvLayer& l, Rng& rng);
Var forward(Tape& t, const ParamStore& p, const ConvLayer& l, Var x);

struct DcganG {
  Linear fc;
  BatchNormLayer bn0, bn1;
  ConvLayer up1, up2;
  int H = 0, W = 0;
};
struct DcganD {
  ConvLayer conv1, conv2;
  Linear fc;
  int H = 0, W = 0;
  int features() const { return 128 * (H / 4) * (W / 4); }
};

// in = G's input width (latent [+ classes]); H, W the image size (each divisible by 4).
DcganG make_dcgan_g(ParamStore& p, const std::string& name, int in, int H, int W);
// labels: the cGAN's one-hot width (0 without), joined to the features before fc.
DcganD make_dcgan_d(ParamStore& p, const std::string& name, int H, int W, int labels = 0);
void init_dcgan(ParamStore& p, Rng& rng);  // every tensor of the store, by its name's suffix
// G(z): (B, in) -> (B, H W) in [-1, 1]. training: BN with the batch's statistics (and the running
// ones updated); else with the running statistics (sampling, evaluation).
Var forward(Tape& t, const ParamStore& p, const DcganG& g, Var z, bool training);
// D(x): (B, H W) -> (B, 1). cGAN: D(x, y) = fc(concat(features(x), y_in)), y_in (B, labels) the
// (scaled) one-hot label ([MSU] Условные состязательные генеративные сети: D sees x and y).
Var forward(Tape& t, const ParamStore& p, const DcganD& d, Var x, Var y_in = Var{});

}  // namespace dgm
