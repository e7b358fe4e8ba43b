// run_figures.cpp - the figures and views of `dgm run`'s cards (see run_figures.h).
#include "run_figures.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "dgm/io/fileio.h"
#include "dgm/io/image.h"
#include "dgm/run/sample_quality.h"
#include "dgm/run/views.h"

namespace dgm {
namespace {

std::string json_escape(const std::string& s) {
  std::string o;
  for (char ch : s) {
    if (ch == '"' || ch == '\\') o += '\\';
    if (static_cast<unsigned char>(ch) >= 0x20) o += ch;
  }
  return o;
}

}  // namespace

std::vector<Figure> run_figures(const std::string& run, Model& m, const RunData& d, const StepLog& ev,
                                Classifier* judge, double judge_acc) {
  std::vector<Figure> figs;
  for (const char* key : {"test_loss", "test_iwae", "test_recon", "test_denoise"})
    if (!std::isnan(ev.get(key))) figs.push_back({key, ev.get(key), "nats per image", "", true});
  Rng rng(2);
  const bool gan = !m.conditional() && m.scale() == PixelScale::kSigned;
  if (d.toy && d.info.dim == 2) {
    const double modes = ev.get("modes_covered"), total = ev.get("modes_total");
    const double need = run == "gan-grid" ? 20 : total;
    char tgt[32];
    std::snprintf(tgt, sizeof tgt, ">= %g of %g", need, total);
    figs.push_back({"modes_covered", modes, "modes", tgt, modes >= need});
    figs.push_back({"high_quality", 100 * ev.get("high_quality"), "% of samples within 3 std of a centre", "", true});
  } else if (d.toy) {
    const double mu = ev.get("sample_mean"), sd = ev.get("sample_std");
    figs.push_back({"sample_mean", mu, "", "-1 +- 0.1", std::fabs(mu + 1) <= 0.1});
    figs.push_back({"sample_std", sd, "", "1 +- 0.1", std::fabs(sd - 1) <= 0.1});
  } else if (judge && m.conditional()) {
    const double acc = conditional_accuracy(m, *judge, 1000, rng);
    figs.push_back({"label_accuracy", 100 * acc, "% of 1,000 samples the classifier gives their conditioned label",
                    ">= 80", acc >= 0.8});
  } else if (judge && gan) {  // GAN, WGAN: tanh generators without labels
    std::vector<int> counts;
    const double h = class_entropy(m, *judge, 1000, rng, &counts);
    figs.push_back({"class_entropy", h, "nats over 1,000 samples (log 10 = 2.303: every class equally often)",
                    ">= 2.0", h >= 2.0});
    int seen = 0;
    for (int k : counts) seen += k > 0;
    figs.push_back({"classes_seen", static_cast<double>(seen), "of 10", "", true});
    // The Fréchet distance in the judge's last hidden layer (sample_quality.h), beside its floor:
    // as many training images against the test images.
    const int n = std::min(2000, d.images.test.n);
    figs.push_back({"frechet", sample_frechet(m, *judge, d.images.test, n, rng),
                    "Fréchet distance of 2,000 samples to 2,000 test images in the classifier's features", "", true});
    figs.push_back({"frechet_floor", set_frechet(*judge, d.images.train, d.images.test, n),
                    "the same distance from 2,000 training images: the floor", "", true});
  }
  if (judge && !d.toy && m.scale() == PixelScale::kSigned)
    figs.push_back({"judge_accuracy", 100 * judge_acc, "% of test images the classifier labels right", "", true});
  return figs;
}

const char* long_protocol(const std::string& run) {
  if (run == "gan-grid")
    return "the long protocol (25,000 iterations, D lr 1e-4, make bench-quality gan) covers 23.7 of 25 modes on "
           "average over 9 seeds";
  if (run == "cgan") return "the long protocol (5 epochs on the full set, make bench-quality cgan): 84.8% of samples get their label";
  if (run == "gan-gauss1d")
    return "the long protocol (make bench-quality gauss1d): 3,000 iterations, mean and std within 0.1 for 6 of 7 seeds";
  if (run == "gan" || run == "dcgan")
    return "the long protocol (5 epochs each on the full set at batch 128, dgm bench-quality images): Fréchet distance "
           "of 10,000 samples 181.2 for the MLP GAN, 62.7 for the DCGAN (floor 0.51), class entropy 2.01 and 2.26";
  return "make bench-quality has no longer protocol for this model; dgm train with a larger --iters (or --epochs) trains it longer";
}

std::string figures_json(const std::string& run, const std::string& data, const std::vector<Figure>& f,
                         const std::string& note) {
  std::string s = "{\n  \"run\": \"" + json_escape(run) + "\",\n  \"data\": \"" + json_escape(data) + "\",\n  \"figures\": [";
  char buf[64];
  for (std::size_t i = 0; i < f.size(); ++i) {
    std::snprintf(buf, sizeof buf, "%.6g", f[i].value);
    s += std::string(i ? "," : "") + "\n    {\"name\": \"" + json_escape(f[i].name) + "\", \"value\": " + buf +
         ", \"unit\": \"" + json_escape(f[i].unit) + "\", \"target\": \"" + json_escape(f[i].target) +
         "\", \"meets\": " + (f[i].target.empty() ? "null" : f[i].meets ? "true" : "false") + "}";
  }
  return s + "\n  ],\n  \"note\": \"" + json_escape(note) + "\"\n}\n";
}

Status write_run_views(const std::string& run, const Config& c, Model& m, const RunData& d, const std::string& dir) {
  Arena arena(0, model_device(m));
  Status st;
  if (c.model == "dae") st = write_denoising(m, arena, d, c.corrupt, c.noise, 5, join_path(dir, "denoise.png"));
  if (st && (c.model == "dae" || run == "vae")) st = write_inpainting(m, arena, d, join_path(dir, "inpaint.png"));
  if (st && run == "vae-2d") st = write_manifold(m, arena, d, 20, join_path(dir, "manifold.png"));
  if (st && run == "vae-2d") {
    std::vector<float> line;
    st = interpolate(m, arena, d, 0, 1, 10, &line);
    if (st)
      st = write_image(join_path(dir, "interp.png"), make_grid(line.data(), 10, d.info.rows, d.info.cols, 1, 10, GridOptions{}));
  }
  return st;
}

}  // namespace dgm
