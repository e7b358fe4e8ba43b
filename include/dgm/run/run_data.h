// run_data.h - the data a run trains on, loaded once, and the batches cut from it.
//
// Images stay as bytes (ImageData) and become floats one batch at a time, in the tape's arena,
// scaled as the model asks ([0,1] or [-1,1]). Synthetic sets are sampled fresh every batch.
#pragma once
#include <string>
#include <vector>

#include "dgm/run/config.h"
#include "dgm/data/data.h"
#include "dgm/models/model.h"

namespace dgm {

struct RunData {
  DataInfo info;
  bool toy = false;
  ImageData images;  // when !toy
  ToySet set;        // when toy
  std::string where; // the folder loaded, or the synthetic set's name and parameters
};

// Loads Fashion-MNIST from c.data (resolve_data_dir) or builds the synthetic set c.data names.
Status load_run_data(const Config& c, RunData* d);

// One line saying what the run trains on: "datasets/fashion-mnist-subset: 10000 train and 1000
// test images, 28x28, 10 classes", or "synthetic ring (8 modes, std 0.02), 2-D points drawn fresh
// every step".
std::string describe_run_data(const RunData& d);

// Number of optimisation steps in one epoch (images) for batch B and `per_step` minibatches a step.
int steps_per_epoch(const RunData& d, int B, int per_step);

// Fills b.x (and b.y for labelled data) for training with `minibatches` minibatches of B rows,
// stacked (Batch::minibatches): images idx[0..minibatches B) of the train split, or as many
// fresh samples of the synthetic set. Tensors come from the tape's arena.
Batch train_batch(Tape& t, const RunData& d, const int* idx, int B, int minibatches, PixelScale scale, Rng& rng);
// Test images [begin, begin + n) (images only).
Batch test_batch(Tape& t, const RunData& d, int begin, int n, PixelScale scale);

}  // namespace dgm
