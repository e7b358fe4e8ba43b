// train.h - `dgm train`: everything around a model's train_step.
//
// Prints first the flags that differ from the model's defaults (config.txt keeps every setting),
// the data (folder and image counts, or the synthetic set), the seed; then trains: a one-line progress bar with ETA on a
// terminal (plain lines otherwise) and a summary line per epoch. The run folder (--out) gets
//   config.txt              every setting, one "name = value" per line
//   metrics.csv             step, epoch, every logged term (loss terms, D(x), D(G(z)), ...), seconds
//                           (training wall time; a resumed run continues from the last row's)
//   samples/epoch_NNN.png   images from the same fixed z every epoch (synthetic data:
//                           samples/iter_NNNNNN.svg, data and samples overlaid)
//   recon.png               test images above their reconstructions (models with an encoder)
//   codes.svg               AAE on images: code dimensions 0, 1 of test images over prior samples
//   model.safetensors       the checkpoint (checkpoint.h), rewritten atomically every epoch
//                           (synthetic data: at every sample plot)
// A non-finite loss stops the run with the step, the term and the first non-finite parameter.
// At the end it prints the test-set figures, as `dgm eval --ckpt <out>/model.safetensors` does.
//
// A fresh run (not c.resume) first deletes the outputs of an earlier run in the folder
// (run_files.h; only dgm's files); `dgm train` refuses such a folder unless --force is given.
// c.resume continues from the checkpoint: a flag that fixes what its step means must keep its
// stored value (check_resume in config.h), a run already at its target changes nothing
// (report->nothing_to_do), and metrics.csv is cut back to the checkpoint's step (cut_metrics),
// so a run killed at any moment and resumed ends with the same checkpoint bytes and the same
// metrics.csv rows (all but the wall-clock "seconds" column) as one never stopped. Nothing in the
// folder is written before every check has passed.
// stop (optional): when *stop becomes non-zero (the CLI's SIGINT/SIGTERM handler sets it), the
// step in progress ends, the checkpoint is written (inside an epoch too: TrainState::mid_epoch)
// and train returns ok with report->interrupted.
#pragma once
#include <csignal>
#include <cstdint>
#include <string>

#include "dgm/run/config.h"
#include "dgm/models/model.h"
#include "dgm/io/status.h"

namespace dgm {

struct TrainReport {
  std::int64_t steps = 0;      // steps taken in this call
  double seconds = 0;          // wall time of the training loop in this call
  double seconds_per_epoch = 0;  // image data: mean over the epochs run in this call
  StepLog last_epoch;          // image data: each term's mean over the last epoch; synthetic:
                               // over the last sample_every steps
  std::string out;             // the run folder
  bool diverged = false;       // stopped by the NaN/Inf guard (not an input error)
  StepLog test;                // the test-set figures at the end (evaluate_model, seed 1, as
                               // `dgm eval` prints them); empty when quiet
  bool interrupted = false;    // stopped by *stop before the end; the checkpoint holds the last step
  bool nothing_to_do = false;  // resumed a run already at (or past) its --epochs / --iters
  std::int64_t step = 0;       // the run's step and epoch when train returned
  int epoch = 0;
  // Memory, in bytes (design.md, "known, fixed memory use"): the parameters, their gradients and
  // the optimizers' state are allocated once in build(); the step arena holds one step's batch,
  // activations and node gradients and stops growing after the first step (high-water mark); the
  // output arena holds the sample grids' and plots' tapes.
  std::size_t param_bytes = 0, grad_bytes = 0, optim_bytes = 0, step_arena_bytes = 0, out_arena_bytes = 0;
};

// quiet: no progress bar, no per-epoch lines and no test-set evaluation (benchmarks, tests).
Status train(const Config& c, TrainReport* report, bool quiet = false,
             const volatile std::sig_atomic_t* stop = nullptr);

// "runs/<model>" unless c.out is set.
std::string run_folder(const Config& c);

}  // namespace dgm
