// evaluate.h - `dgm eval`: the numbers that say how good a trained model is.
//
// Image data: the model's own metrics (Model::evaluate, e.g. the VAE's test_loss and test_iwae)
// averaged over the whole test split, weighted by batch size.
// Synthetic data: 2,500 samples; 2-D sets: modes_covered and high_quality (quality.h); 1-D:
// sample_mean and sample_std next to the data's; plus the model's own metrics on 2,500 data points.
#pragma once
#include <functional>
#include <string>

#include "dgm/models/model.h"
#include "dgm/run/run_data.h"

namespace dgm {

// Adds one (name, value) per metric to out. seed drives the samples drawn (`dgm eval` and the end
// of `dgm train` use seed 1, so they print the same figures). progress, if given, is called with
// (test images done, total) after each batch (synthetic data: (0, 1) and (1, 1)).
void evaluate_model(Model& m, const RunData& d, std::uint64_t seed, StepLog* out,
                    const std::function<void(int done, int total)>& progress = nullptr);

// The unit of a metric of evaluate_model, to print beside it ("nats per image"), or "" where the
// figure is a count, a probability or a distance with no unit of its own.
std::string metric_unit(const std::string& name, const RunData& d);

}  // namespace dgm
