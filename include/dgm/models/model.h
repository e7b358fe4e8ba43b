// model.h - what every generative model gives the trainer, the sampler and the evaluator.
//
// A model is one small file in src/models/ (ae.cpp, vae.cpp, gan.cpp, cgan.cpp, wgan.cpp,
// aae.cpp) with its networks, its loss terms (each with the lecture formula and the reduction
// stated) and its train_step. The trainer (src/run/train.cpp) owns everything around it: data,
// batches, logging, checkpoints, sample grids. Data flows one way:
//   data -> Batch (tensors in the arena) -> train_step: ops on the tape -> loss -> backward
//   -> Optimizer::step on each Part -> log
#pragma once
#include <initializer_list>
#include <memory>
#include <string>
#include <vector>

#include "dgm/data/batch.h"
#include "dgm/data/data.h"
#include "dgm/core/nn.h"
#include "dgm/core/optim.h"
#include "dgm/core/params.h"
#include "dgm/core/rng.h"
#include "dgm/io/status.h"
#include "dgm/models/options.h"
#include "dgm/models/step_log.h"
#include "dgm/core/tape.h"

namespace dgm {

struct ConvDecoder;  // conv_vae.h
struct DcganG;       // dcgan.h

// A group of parameters with its own optimizer: a VAE has one ("vae"); a GAN has "G" and "D".
struct Part {
  std::string name;
  ParamStore params;
  Optimizer opt;
};

// The network that turns z (and a label y) into a sample, as plain data: what `dgm export`
// writes out as a C header (include/dgm/run/export.h). decode(z, y) = map(net([z, label_scale y]))
// restricted to the first `keep` outputs.
struct DecoderNet {
  ParamStore* params = nullptr;  // the store that holds the network's weights
  const MLP* net = nullptr;      // the MLP, its hidden and output activations included
  float label_scale = 0.f;       // cGAN: the input is concat(z, label_scale y); 0 without labels
  int keep = 0;                  // outputs kept (a Gaussian decoder's first half: the means)
  Act map = Act::None;           // applied to the kept outputs (Sigmoid: a Bernoulli mean)
  bool generator = false;        // a GAN's generator G(z) (true) or a decoder p(x|z) (false)
  // --arch conv: the convolutional decoder (conv_vae.h) or DCGAN generator (dcgan.h) instead of
  // net (which is then null); their activations are fixed by the architecture.
  const ConvDecoder* conv = nullptr;
  const DcganG* dcgan = nullptr;
};

class Model {
 public:
  virtual ~Model() = default;

  // Declares the parameters, finalizes the stores, initialises the weights with rng and sets up
  // the optimizers from o. Errors (e.g. a cGAN without labels) are returned, not thrown.
  virtual Status build(const ModelOptions& o, const DataInfo& d, Rng& rng) = 0;
  // The parameter groups, in a fixed order (checkpoints store them by part name).
  virtual std::vector<Part*> parts() = 0;

  // Pixel range of images for this model: [0,1] (sigmoid / Bernoulli output) or [-1,1] (tanh).
  virtual PixelScale scale() const { return PixelScale::kUnit; }
  // Dimension of the z that generate() takes.
  virtual int latent_dim() const = 0;
  // True if generate() uses labels (cGAN).
  virtual bool conditional() const { return false; }
  // How many minibatches of real data one train_step consumes (a GAN with k discriminator steps
  // uses k, a WGAN n_critic). The trainer's Batch then holds that many, stacked, and says so in
  // Batch::minibatches (dgm/data/batch.h).
  virtual int batches_per_step() const { return 1; }

  // One training step: forward, loss, backward, optimizer steps of every part; logs each loss
  // term separately. The trainer has already reset the tape.
  virtual void train_step(Tape& t, const Batch& b, Rng& rng, StepLog& log) = 0;
  // Empty while training can go on; else why it cannot (e.g. the GANs' saturated discriminator:
  // no gradient reaches either network). The trainer checks it after every step and stops
  // without saving a checkpoint (`dgm train` exits 1).
  virtual std::string failure() const { return {}; }

  // Draws z from the model's prior/noise distribution into z (n, latent_dim()).
  virtual void sample_latent(Rng& rng, Tensor z) { rng.fill_normal(z); }
  // sample_latent's distribution in words, for the exported header ("N(0, I)").
  virtual std::string latent_law() const { return "N(0, I)"; }
  // x = G(z, y) or decoder(z): out (n, dim) in the data's range (probabilities for a Bernoulli
  // decoder, the mean for a Gaussian one). y (n, classes) one-hot, used only if conditional().
  virtual void generate(Tape& t, const Tensor& z, const Tensor& y, Tensor out) = 0;
  // Encoder then decoder (mean z, no noise): out (n, dim). False if the model has no encoder.
  virtual bool reconstruct(Tape& t, const Tensor& x, Tensor out) {
    (void)t, (void)x, (void)out;
    return false;
  }
  // The code the decoder reconstructs x from, z (n, latent_dim()): the VAE's mean mu(x), the
  // AE's E(x), the AAE's noise-free code; decoding it with generate() is reconstruct(). False if
  // the model has no encoder.
  virtual bool encode(Tape& t, const Tensor& x, Tensor z) {
    (void)t, (void)x, (void)z;
    return false;
  }
  // The decoder (VAE, AE, AAE) or generator (GAN, cGAN, WGAN) as plain data, the same network
  // generate() runs. net == nullptr for a model without one.
  virtual DecoderNet decoder_net() { return {}; }
  // Model-specific metrics on one test batch, each a mean over the batch (the evaluator
  // averages them over batches weighted by batch size), e.g. the VAE's test_loss, test_iwae.
  virtual void evaluate(Tape& t, const Batch& b, Rng& rng, StepLog& out) { (void)t, (void)b, (void)rng, (void)out; }
};

// The model called name, from the table of models (dgm/models/kinds.h); nullptr and an error for
// an unknown name or one that is not a Model (rbm, dbn, dbm, charrnn).
std::unique_ptr<Model> make_model(const std::string& name, Status* st);

// Factories, one per model file.
std::unique_ptr<Model> make_ae(bool denoising);
std::unique_ptr<Model> make_vae();
std::unique_ptr<Model> make_gan();
std::unique_ptr<Model> make_cgan();
std::unique_ptr<Model> make_wgan();
std::unique_ptr<Model> make_aae();
std::unique_ptr<Model> make_made();  // src/models/made.cpp

// Helpers the models share (src/models/common.cpp).
// Sizes {in, hidden..., out}, and the same hidden widths mirrored: {in, reverse(hidden)..., out}.
std::vector<int> mlp_sizes(int in, const std::vector<int>& hidden, int out, bool mirror = false);
// Ends a part's set-up: one allocation for its parameters (ParamStore::finalize) on device dev,
// the weights of each network initialised from rng in the order given, and its optimizer opt
// (ModelOptions::optim_with(the part's learning rate)).
void finish_part(Part& p, const OptimConfig& opt, Device dev, std::initializer_list<const MLP*> nets, Rng& rng);
// The value of a one-element node as a double (for logging; a download on a device tape).
double scalar(Tape& t, Var v);
// Mean over the rows of a (rows, 1) node, in double (for logging; a download on a device tape).
double mean_rows(Tape& t, Var v);
// Mean over the rows of D = sigmoid(l) from a (B, 1) node of logits, in double (read on the host):
// the GANs' D(x), D(G(z)) and the AAE's D(z') and D(q(z|x)).
double mean_sigmoid(Tape& t, Var logits);
// Where the model's parameters live (the device of its first part; ModelOptions::device at build).
Device model_device(Model& m);
// The model's number of parameters, exactly (no padding), each tensor counted once: a part that
// mirrors another's tensors under the same names (the AAE's "enc_reg") adds nothing.
std::size_t parameter_count(Model& m);

}  // namespace dgm
