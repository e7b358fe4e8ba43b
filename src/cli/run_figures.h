// run_figures.h - what `dgm run` measures and draws for each trained run beyond its training
// outputs: the figures with their targets (figures.json) and the views its card shows.
#pragma once
#include <string>
#include <vector>

#include "dgm/run/classifier.h"
#include "dgm/models/model.h"
#include "dgm/run/run_data.h"

namespace dgm {

// One measured figure of a run, with its target when it has one.
struct Figure {
  std::string name;
  double value;
  std::string unit, target;  // target: "" if none, else e.g. ">= 20"
  bool meets;
};

// The figures of the run `run` (its card name: "gan", "gan-grid", ...): the test metrics in ev
// (nats per image), modes covered (target: all of the ring's, >= 20 of the grid's 25),
// gauss1d's mean and std (target -1 +- 0.1, 1 +- 0.1), and with a judge (the classifier, its
// test accuracy judge_acc) a GAN's or WGAN's class entropy over 1,000 samples (target >= 2.0
// nats; log 10 = 2.303) or the cGAN's label accuracy over 1,000 samples (target >= 80%).
std::vector<Figure> run_figures(const std::string& run, Model& m, const RunData& d, const StepLog& ev,
                                Classifier* judge, double judge_acc);

// The long protocol's figure (make bench-quality, docs/math.md) for a run whose target the
// short budget misses.
const char* long_protocol(const std::string& run);

// figures.json: {"run", "data", "figures": [{"name", "value", "unit", "target", "meets"}], "note"}.
std::string figures_json(const std::string& run, const std::string& data, const std::vector<Figure>& f,
                         const std::string& note);

// The views of the run's card (dgm/run/views.h), into the run folder dir: denoise.png (dae),
// inpaint.png (dae, vae), manifold.png and interp.png (test images 0 -> 1) for "vae-2d".
Status write_run_views(const std::string& run, const Config& c, Model& m, const RunData& d, const std::string& dir);

}  // namespace dgm
