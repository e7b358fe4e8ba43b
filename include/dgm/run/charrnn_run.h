// charrnn_run.h - `dgm train charrnn` and `dgm sample` on its checkpoint: the CharRNN's own
// trainer (text streams instead of image batches; include/dgm/models/charrnn.h has the model).
//
// Batches: the training text (text_data.h: the first 90%) is cut into B = --batch equal streams;
// step s reads chunk k = s mod K (K = chunks per stream, T = --bptt characters each) of every
// stream, and the carried LSTM state is zeroed when k = 0 (a new pass over the text). No random
// order: the run is fixed by the seed (the initial weights) and the text.
// Held-out bits per character: the held-out text (the last 10%) read as one stream from a zero
// state in chunks of T, the state carried across chunks; the mean over its n - 1 predictions of
// -log2 p(x_{t+1} | x_<=t). Evaluated every --log-every steps (0: 10 times per run) and at the end.
// The run folder gets config.txt, metrics.csv (step, train_bpc: the mean over the steps since the
// previous row, held_out_bpc, grad_norm: before clipping, seconds) and model.safetensors:
//   the weights under PyTorch's names (embed.weight, lstm.weight_ih_l0, ..., fc.bias), the Adam
//   state "optim.charrnn.<name>.m" / ".v", the carried state "state.h_l<k>", "state.c_l<k>"
//   (B, H_k); metadata format "dgm-checkpoint-2", config, "vocab" (code points, decimal),
//   "step", "optim.charrnn.t", "data" (where the text came from). --resume continues
//   bit-identically (the same weights and metrics rows as a run never stopped).
#pragma once
#include <csignal>
#include <string>

#include "dgm/run/config.h"
#include "dgm/io/status.h"
#include "dgm/run/train.h"

namespace dgm {

// report: steps, seconds (of the training steps alone, evaluations left out), step, interrupted,
// nothing_to_do, out; report->test gets "train_bpc" and "held_out_bpc" (the last row's) and
// "cpu_ms_per_step" (processor time of all threads per training step, std::clock).
Status train_charrnn(const Config& c, TrainReport* report, bool quiet = false,
                     const volatile std::sig_atomic_t* stop = nullptr);

// True if the file's config says model = charrnn (false for other checkpoints and on errors:
// the caller's own loader then reports them).
bool is_charrnn_checkpoint(const std::string& path);

struct CharSampleOptions {
  std::string prime = "\n";  // read first (at least one character, all in the vocabulary)
  int n = 500;               // characters to generate
  float temperature = 1.f;   // > 0
  std::uint64_t seed = 1;
};
// Generates text from a charrnn checkpoint; *text gets the priming string then the sample.
Status sample_charrnn(const std::string& ckpt, const CharSampleOptions& o, std::string* text);

}  // namespace dgm
