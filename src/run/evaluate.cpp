// evaluate.cpp - test-set metrics and sample quality (see include/dgm/run/evaluate.h).
#include "dgm/run/evaluate.h"

#include <vector>

#include "dgm/run/outputs.h"
#include "dgm/data/quality.h"

namespace dgm {

void evaluate_model(Model& m, const RunData& d, std::uint64_t seed, StepLog* out,
                    const std::function<void(int done, int total)>& progress) {
  Arena arena(0, model_device(m));
  Tape t(arena);
  Rng rng(seed, 13);
  if (!d.toy) {
    // Mean over the test images: each batch's means weighted by its size.
    const int n = d.images.test.n, B = 500;
    StepLog sum, batch;
    if (progress) progress(0, n);
    for (int begin = 0; begin < n; begin += B) {
      const int count = std::min(B, n - begin);
      t.reset();
      Batch b = test_batch(t, d, begin, count, m.scale());
      batch.clear();
      m.evaluate(t, b, rng, batch);
      for (int i = 0; i < batch.n; ++i) {
        double prev = 0;
        for (int j = 0; j < sum.n; ++j)
          if (sum.name[j] == batch.name[i]) prev = sum.value[j];
        sum.add(batch.name[i], prev + batch.value[i] * count);
      }
      if (progress) progress(begin + count, n);
    }
    for (int i = 0; i < sum.n; ++i) out->add(sum.name[i], sum.value[i] / n);
    return;
  }
  if (progress) progress(0, 1);
  const int n = 2500;
  FixedLatent fl = make_fixed_latent(m, d.info, seed ^ 0x5eedULL, n);
  std::vector<float> samples(static_cast<std::size_t>(n) * d.info.dim);
  generate_rows(m, arena, fl, d.info.dim, samples.data());
  if (d.info.dim == 2) {
    Coverage c = mode_coverage(d.set, samples.data(), n);
    out->add("modes_covered", c.modes_covered);
    out->add("modes_total", d.set.modes);
    out->add("high_quality", c.high_quality);
  } else if (d.info.dim == 1) {
    double mu, sd;
    mean_std(samples.data(), n, &mu, &sd);
    out->add("sample_mean", mu);
    out->add("sample_std", sd);
    out->add("data_mean", d.set.centres[0]);
    out->add("data_std", d.set.stddev);
  }
  t.reset();
  Batch b;
  b.x = t.host_alloc(make_shape(n, d.info.dim));
  toy_batch(d.set, rng, b.x);
  b.x = t.upload(b.x);
  m.evaluate(t, b, rng, *out);
  if (progress) progress(1, 1);
}

std::string metric_unit(const std::string& name, const RunData& d) {
  // The VAE's -ELBO and its importance-weighted bound: -log-likelihoods summed over a datum's
  // coordinates, averaged over the data (vae.cpp, evaluate).
  // MADE's exact -log p(x), summed over the pixels (made.cpp, evaluate).
  if (name == "test_loss" || name == "test_iwae" || name == "test_nll") return d.toy ? "nats per point" : "nats per image";
  return "";
}

}  // namespace dgm
