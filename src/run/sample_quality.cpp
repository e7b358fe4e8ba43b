// sample_quality.cpp - the Fréchet distance of generated images (see include/dgm/run/sample_quality.h).
#include "dgm/run/sample_quality.h"

#include <algorithm>
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

double sample_frechet(Model& m, Classifier& c, const ImageSet& set, int n, Rng& rng) {
  n = std::min(n, set.n);
  DGM_CHECK(n > 1, "sample_frechet: needs at least 2 images");
  const int F = c.feature_dim(), dim = set.dim(), classes = c.classes(), chunk = 500;
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
  const std::vector<float> fr = set_features(c, set, n);
  return frechet_distance(fg.data(), n, fr.data(), n, F);
}

}  // namespace dgm
