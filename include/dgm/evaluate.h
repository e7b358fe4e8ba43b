// evaluate.h - `dgm eval`: the numbers that say how good a trained model is.
//
// Image data: the model's own metrics (Model::evaluate, e.g. the VAE's test_loss and test_iwae)
// averaged over the whole test split, weighted by batch size.
// Synthetic data: 2,500 samples; 2-D sets: modes_covered and high_quality (quality.h); 1-D:
// sample_mean and sample_std next to the data's; plus the model's own metrics on 2,500 data points.
#pragma once
#include "dgm/models/model.h"
#include "dgm/run_data.h"

namespace dgm {

// Adds one (name, value) per metric to out. seed drives the samples drawn.
void evaluate_model(Model& m, const RunData& d, std::uint64_t seed, StepLog* out);

}  // namespace dgm
