// ebm_run.h - `dgm train rbm`, `dbn` and `dbm`: the energy-based models' training run.
//
// These models have no tape, no encoder/decoder pair and no optimizer state (plain SGD, as the
// papers and scikit-learn's BernoulliRBM), so they do not go through the trainer of train.h; the
// run folder holds the same kinds of files:
//   config.txt         every setting (config.h)
//   metrics.csv        layer,epoch,recon_error,pseudo_likelihood,seconds: one row per epoch and
//                      layer, both measured on the first 1,000 (binarized) test images mapped to
//                      that layer's input; recon_error is rbm_reconstruction_error (squared,
//                      summed over units), pseudo_likelihood rbm_pseudo_likelihood (nats/image)
//   samples.png        100 samples (p(v|h) of the last step) from the persistent chains (rbm,
//                      1,000 more Gibbs steps) or from the DBN (1,000 steps in the top RBM, then
//                      the downward pass)
//   filters.png        the first 100 columns W_.j of the first RBM as 28x28 images, each scaled
//                      to its own range
//   likelihood.txt     the AIS estimate of the test log-likelihood (rbm) or of the DBN's bound,
//                      nats per image, with its standard error (skipped with --ais 0)
//   model.safetensors  "layers.L.W" (nv, nh), "layers.L.b" (nv), "layers.L.c" (nh) for each
//                      RBM L, metadata format = dgm-ebm and the config (docs/checkpoint.md)
// Data: Fashion-MNIST binarized by binarize() (data.h), the one protocol of the likelihood tables.
#pragma once
#include <csignal>
#include <cstdint>
#include <string>

#include "dgm/run/config.h"
#include "dgm/models/dbm.h"
#include "dgm/models/dbn.h"
#include "dgm/io/status.h"

namespace dgm {

// Trains c.model ("rbm" or "dbn", validate()d) and writes the run folder run_folder(c).
Status train_ebm(const Config& c, bool quiet, const volatile std::sig_atomic_t* stop);

// `dgm train dbm` (src/run/dbm_run.cpp): --pretrain epochs (-1: --epochs) for each of the two
// modified RBMs ([SH09] sec. 3.1, dgm/models/dbm.h), composed, then --epochs of the DBM's own
// training. The same folder with metrics.csv stage,epoch,recon_error,seconds (stage rbm1 / rbm2:
// the pre-training RBM's reconstruction with its own scaled conditionals, on its input of the
// first 1,000 test images; dbm: the mean-field reconstruction, epoch 0 = the composed DBM before
// its own training), samples.png from the persistent chains, filters.png of W1, likelihood.txt
// (test_log_likelihood_bound: the mean-field bound with log Z by AIS on (v, h2), dbm_ais.h;
// skipped with --ais 0), model.safetensors as two layers (layers.0: W1, b, c1; layers.1: W2,
// zeros, c2).
Status train_dbm(const Config& c, bool quiet, const volatile std::sig_atomic_t* stop);
Dbm dbm_from_layers(const Dbn& d);
Dbn dbm_to_layers(const Dbm& m);
// n samples p(v | h1) after `steps` Gibbs sweeps from random states.
void dbm_sample(const Dbm& m, int n, int steps, Rng& rng, std::vector<float>* out);
// `dgm eval` of a dbm: recon_error and the mean-field test bound (log Z by AIS, base biases from
// base) on the (binarized) test images.
Status eval_dbm(const Dbm& m, const ImageSet& test, const ImageSet* base, const AisOptions& o);

// Rows idx[0..n) of the set as floats bytes / 255 into v (n, dim).
void bytes_to_unit(const ImageSet& s, const int* idx, int n, float* v);
// The first 100 columns W_.j of a (nv, nh) matrix as rows x cols images, each scaled to its own range.
Status write_filters(const std::string& path, const Rbm& r, int rows, int cols);

// Writes / reads the RBMs of a run as model.safetensors (the names above).
Status save_ebm(const std::string& path, const Dbn& d, const Config& c);
Status load_ebm(const std::string& path, Dbn* d, Config* c);
// True if path is a readable safetensors file with metadata format = dgm-ebm.
bool is_ebm_checkpoint(const std::string& path);
// `dgm sample` on such a file: n samples, p(v | h) after `steps` Gibbs steps from random states
// (rbm) or the DBN's top-RBM Gibbs + downward pass, as a PNG/PGM grid of `cols` columns.
Status sample_ebm(const std::string& ckpt, int n, int steps, std::uint64_t seed, int cols, const std::string& out);
// `dgm eval` on such a file: test_log_likelihood (rbm; the bound for a dbn or dbm) by AIS with its
// standard errors, pseudo_likelihood and recon_error, on the binarized test split of data_flag
// (empty: the run's --data), one 'name value' line each on stdout.
Status eval_ebm(const std::string& ckpt, const std::string& data_flag, std::uint64_t seed);

}  // namespace dgm
