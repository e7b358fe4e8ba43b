// sample_quality.cpp - the Fréchet distance of generated images (see include/dgm/run/sample_quality.h).
#include "dgm/run/sample_quality.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "dgm/core/check.h"
#include "dgm/run/frechet.h"
#include "dgm/models/model.h"

namespace dgm {
namespace {

// Features (n, F) of the first n images of set, pixels in the classifier's range.
std::vector<float> set_features(Classifier& c, const ImageSet& set, int n) {
  const int F = c.feature_dim(), dim = set.dim();
  std::vector<float> px(static_cast<std::size_t>(n) * dim), f(static_cast<std::size_t>(n) * F);
  std::vector<int> idx(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) idx[static_cast<std::size_t>(i)] = i;
  Tensor x = make_shape(n, dim), out = make_shape(n, F);
  x.data = px.data(), out.data = f.data();
  image_batch(set, idx.data(), n, c.options().scale, x);
  c.features(x, out);
  return f;
}

}  // namespace

double set_frechet(Classifier& c, const ImageSet& a, const ImageSet& b, int n) {
  n = std::min({n, a.n, b.n});
  DGM_CHECK(n > 1, "set_frechet: needs at least 2 images in each set");
  const std::vector<float> fa = set_features(c, a, n), fb = set_features(c, b, n);
  return frechet_distance(fa.data(), n, fb.data(), n, c.feature_dim());
}

double images_frechet(Classifier& c, const std::vector<float>& x, int n, const ImageSet& set) {
  DGM_CHECK(n > 1 && n <= set.n && x.size() == static_cast<std::size_t>(n) * set.dim(),
            "images_frechet: %d images (%zu floats) against %d of %d pixels", n, x.size(), set.n, set.dim());
  const int F = c.feature_dim();
  std::vector<float> px = x, fg(static_cast<std::size_t>(n) * F);
  Tensor xt = make_shape(n, set.dim()), out = make_shape(n, F);
  xt.data = px.data(), out.data = fg.data();
  c.features(xt, out);
  const std::vector<float> fr = set_features(c, set, n);
  return frechet_distance(fg.data(), n, fr.data(), n, F);
}

// Features (n, F) of n samples of m: z from its prior, a cGAN's labels cycling through the classes.
static std::vector<float> sample_features(Model& m, Classifier& c, int dim, int n, Rng& rng) {
  const int F = c.feature_dim(), classes = c.classes(), chunk = 500;
  std::vector<float> fg(static_cast<std::size_t>(n) * F);
  Arena arena;
  Tape t(arena);
  for (int s = 0; s < n; s += chunk) {
    const int B = std::min(chunk, n - s);
    t.reset();
    Tensor z = t.alloc(make_shape(B, m.latent_dim()));
    m.sample_latent(rng, z);
    Tensor y;
    if (m.conditional()) {
      y = arena.tensor_zero(make_shape(B, classes));
      for (int b = 0; b < B; ++b) y.data[static_cast<std::size_t>(b) * classes + (s + b) % classes] = 1.f;
    }
    Tensor x = t.alloc(make_shape(B, dim));
    m.generate(t, z, y, x);  // pixels in the model's scale(); the classifier was trained on it
    Tensor out = make_shape(B, F);
    out.data = fg.data() + static_cast<std::size_t>(s) * F;
    c.features(x, out);
  }
  return fg;
}

double sample_frechet(Model& m, Classifier& c, const ImageSet& set, int n, Rng& rng) {
  n = std::min(n, set.n);
  DGM_CHECK(n > 1, "sample_frechet: needs at least 2 images");
  const std::vector<float> fg = sample_features(m, c, set.dim(), n, rng), fr = set_features(c, set, n);
  return frechet_distance(fg.data(), n, fr.data(), n, c.feature_dim());
}

SampleBirthday birthday_against_real(const float* fake, const float* real, int F, int s, int batches, double q) {
  DGM_CHECK(s >= 2 && batches >= 1 && q > 0 && q < 1, "birthday_against_real: s %d, batches %d, q %g", s, batches, q);
  // The closest pair of each real batch: its squared distance summed in float in the order
  // count_near_duplicate_pairs sums it (so the threshold below decides the same way there).
  std::vector<float> closest(static_cast<std::size_t>(batches));
  for (int b = 0; b < batches; ++b) {
    float best = std::numeric_limits<float>::infinity();
    for (int i = b * s; i < (b + 1) * s; ++i)
      for (int k = i + 1; k < (b + 1) * s; ++k) {
        const float* x = real + static_cast<std::size_t>(i) * F;
        const float* y = real + static_cast<std::size_t>(k) * F;
        float d2 = 0;
        for (int j = 0; j < F; ++j) d2 += (x[j] - y[j]) * (x[j] - y[j]);
        best = std::min(best, d2);
      }
    closest[static_cast<std::size_t>(b)] = best;
  }
  std::sort(closest.begin(), closest.end());
  // The threshold t: the smallest float with t^2 above the closest pair of the ceil(q batches)-th
  // real batch, so that that many real batches (ties aside) hold a near-duplicate. Exact
  // duplicates (distance 0) need t^2 > 0 in float: t at least 2 sqrt(FLT_MIN).
  const float c = closest[static_cast<std::size_t>(std::max(1, static_cast<int>(std::ceil(q * batches))) - 1)];
  float t = c > 0 ? std::sqrt(c) : 2 * std::sqrt(std::numeric_limits<float>::min());
  while (t * t <= c) t = std::nextafter(t, std::numeric_limits<float>::infinity());
  SampleBirthday r;
  r.s = s, r.batches = batches, r.q = q, r.threshold = t;
  r.real = birthday_support_estimate(real, batches * s, F, s, t);
  r.model = birthday_support_estimate(fake, batches * s, F, s, t);
  return r;
}

SampleBirthday sample_birthday(Model& m, Classifier& c, const ImageSet& set, int s, int batches, double q, Rng& rng) {
  const int n = s * batches;
  DGM_CHECK(n <= set.n, "sample_birthday: %d batches of %d need %d real images, the set has %d", batches, s, n, set.n);
  const std::vector<float> fg = sample_features(m, c, set.dim(), n, rng), fr = set_features(c, set, n);
  return birthday_against_real(fg.data(), fr.data(), c.feature_dim(), s, batches, q);
}

}  // namespace dgm
