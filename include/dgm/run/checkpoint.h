// checkpoint.h - a run's whole state in one safetensors file (model.safetensors).
//
// Format "dgm-checkpoint-2" (docs/checkpoint.md has the table of names for every kind of model):
// Tensors, row-major float32, named and shaped as the PyTorch state_dict of the same network:
//   "<net>.<i>.weight" (out, in) and "<net>.<i>.bias" (out) for layer i of each network
//   ("enc.0.weight", "G.2.bias"), each tensor once (the AAE's "enc_reg" part mirrors "enc").
//   Optimizer state, per part and per tensor at the tensor's own shape (no padding):
//   "optim.<part>.<tensor>.<state>", state m and v (Adam), velocity (SGD), sum_sq (Adagrad),
//   mean_sq (RMSProp), e.g. "optim.vae.enc.0.weight.m".
// __metadata__ (strings): "format" = "dgm-checkpoint-2", "config" = the run's settings that
// change its result (config_to_text(c, true)), "data" = "dim rows cols classes"; the training
// state "step", "epoch", "rng" (the PCG32 state, 4 words), "optim.<part>.t" (steps taken, for
// Adam's bias correction); "device" (cpu or cuda: where it was trained; a record only).
// Required to evaluate, sample or export: format, config, data and the weights. The optimizer
// state (tensors and optim.*.t) and the training state (step, epoch, rng) are each all present or
// all absent; `train --resume` needs both. A tensor the model does not have is an error.
// Format "dgm-checkpoint-1" (older dgm: "<part>.<net>.<i>.W"/".b", padded "<part>.opt.s1") is
// still read; files are always written in format 2.
// A checkpoint written inside an epoch (on Ctrl-C) also has "order_rng" (TrainState::mid_epoch).
// The file is written to "<path>.tmp", fsynced, and renamed over path, with its folder fsynced
// before and after the rename (write_file_atomic, dgm/io/fileio.h), so a crash or a power loss
// mid-write leaves the previous checkpoint intact, and one after it the new one complete; a
// "<path>.tmp" left by a killed write is harmless (never read) and replaced by the next write.
// Loading restores everything, so training continues bit-identically.
#pragma once
#include <cstdint>
#include <string>

#include "dgm/run/config.h"
#include "dgm/models/model.h"
#include "dgm/core/rng.h"
#include "dgm/io/safetensors.h"
#include "dgm/io/status.h"

namespace dgm {

struct TrainState {
  std::int64_t step = 0;  // optimisation steps done
  int epoch = 0;          // epochs done (image data)
  RngState rng;           // the training Rng after those steps
  DataInfo info;          // the shape of the data trained on (so sampling needs no data)
  bool has_optimizer = false;    // the file held optimizer state (loaded into each part's opt)
  bool has_train_state = false;  // the file held step, epoch and rng
  bool resumable() const { return has_optimizer && has_train_state; }
  // A checkpoint written inside an epoch (image data: on Ctrl-C, see train.h) also stores the
  // Rng as it was before that epoch drew its order (metadata "order_rng"), so --resume draws the
  // same order again and continues bit-identically. Absent from epoch-end checkpoints.
  bool mid_epoch = false;
  RngState order_rng;
};

// Writes m's weights, its optimizers' state and s. step, epoch and rng (and order_rng) are written
// when s.rng is a generator's state (odd increment); a TrainState without one (default, or read
// from a weights-only file) gives a weights-only file again, and an error if it has a step or an
// epoch.
Status save_checkpoint(const std::string& path, const Config& c, Model& m, const TrainState& s);

// The config stored in a checkpoint, applied on top of *c (which keeps its run-control settings).
Status read_checkpoint_config(const std::string& path, Config* c);

// Checks a checkpoint as a whole against the model built from its config, before anything is
// used, and fills *s from its metadata: "step" >= 0, 0 <= "epoch" <= INT_MAX, the two consistent
// (image data: epoch >= 1 and step a multiple of it, or both 0; synthetic data: epoch 0), "data"
// within the limits with rows x cols == dim (dgm/run/limits.h), "rng" well formed, each part's
// "opt.t" in 0..step x batches_per_step(); every tensor the model holds present with its shape,
// and no tensor the model does not know. Messages name the path, the value and what was expected.
Status validate_checkpoint(const SafetensorsFile& f, const std::string& path, Model& m, TrainState* s);

// Loads the weights, and the optimizer and training state when the file has them (see
// TrainState::has_optimizer, has_train_state), into a model already built with the checkpoint's
// config, after validate_checkpoint; names and shapes must match exactly. On an error nothing in
// *s is changed.
Status load_checkpoint(const std::string& path, Model& m, TrainState* s);

// Reads the config and data shape, makes and builds the model, loads the checkpoint: what
// `dgm sample` and `dgm eval` need. iw > 0 replaces the stored config's --iw (the VAE's number of
// importance samples for test_iwae: an evaluation setting, not part of the weights).
// device: "cpu" or "cuda", where the model is built (any device can load any checkpoint).
Status open_checkpoint(const std::string& path, Config* c, std::unique_ptr<Model>* m, TrainState* s,
                       int iw = 0, const std::string& device = "cpu");

}  // namespace dgm
