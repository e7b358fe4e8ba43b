// prior.cpp - samplers of the AAE's priors p(z) (see include/dgm/models/prior.h).
// [Utkin] "Соперничающие автокодеры" (samples of p(z) for the discriminator), "Подход VAE" (the
// ring map g(z) = z/10 + z/||z||); [Vesel] 1.4 Nasprotniški autoenkoder.
#include "dgm/models/prior.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "dgm/core/check.h"

namespace dgm {
namespace {

constexpr double kPi = 3.14159265358979323846;

// One point of the lecture's ring: g(z) = z/10 + z/||z|| with z ~ N(0, I_2)
// ([Utkin] "Подход VAE"). ||z|| = 0 has probability zero; a draw that hits it is redrawn.
void ring_point(Rng& rng, float* out) {
  float z0 = 0.f, z1 = 0.f, r = 0.f;
  do {
    z0 = rng.normal();
    z1 = rng.normal();
    r = std::sqrt(z0 * z0 + z1 * z1);
  } while (!(r > 0.f));
  out[0] = z0 / 10.f + z0 / r;
  out[1] = z1 / 10.f + z1 / r;
}

// One point of the mixture: component k uniform in 0..9, then c_k + kMixtureStd * eps, eps ~ N(0, I_2).
void mixture_point(Rng& rng, float* out) {
  float c[2];
  mixture_centre(static_cast<int>(rng.below(kMixtureModes)), c);
  out[0] = c[0] + kMixtureStd * rng.normal();
  out[1] = c[1] + kMixtureStd * rng.normal();
}

}  // namespace

Status parse_prior(const std::string& name, PriorKind* out) {
  if (name == "normal") *out = PriorKind::Normal;
  else if (name == "mixture") *out = PriorKind::Mixture;
  else if (name == "ring") *out = PriorKind::Ring;
  else return Status::Error("--prior: unknown prior '%s' (normal, mixture or ring)", name.c_str());
  return Status::Ok();
}

const char* prior_name(PriorKind k) {
  switch (k) {
    case PriorKind::Normal: return "normal";
    case PriorKind::Mixture: return "mixture";
    case PriorKind::Ring: return "ring";
  }
  return "?";
}

Status check_prior_dim(PriorKind k, int d) {
  if (d < 1) return Status::Error("prior %s: the latent dimension must be at least 1, got %d", prior_name(k), d);
  if (k != PriorKind::Normal && d < 2)
    return Status::Error("--prior %s is a 2-D shape: it needs --latent 2 or more, got --latent %d", prior_name(k), d);
  return Status::Ok();
}

void mixture_centre(int k, float c[2]) {
  DGM_CHECK(k >= 0 && k < kMixtureModes, "mixture_centre: component %d of %d", k, kMixtureModes);
  const double a = 2.0 * kPi * k / kMixtureModes;
  c[0] = static_cast<float>(kMixtureRadius * std::cos(a));
  c[1] = static_cast<float>(kMixtureRadius * std::sin(a));
}

int nearest_mixture_centre(float x0, float x1) {
  int best = 0;
  float best_d = 0.f;
  for (int k = 0; k < kMixtureModes; ++k) {
    float c[2];
    mixture_centre(k, c);
    const float d = (x0 - c[0]) * (x0 - c[0]) + (x1 - c[1]) * (x1 - c[1]);
    if (k == 0 || d < best_d) best = k, best_d = d;
  }
  return best;
}

void sample_prior(PriorKind k, Rng& rng, Tensor z) {
  const int n = z.rows(), d = z.cols();
  DGM_CHECK(k == PriorKind::Normal || d >= 2, "sample_prior: prior %s needs at least 2 columns, got %s",
            prior_name(k), shape_str(z).text);
  // Row by row, so that the first rows of a larger draw equal a smaller draw from the same state.
  for (int r = 0; r < n; ++r) {
    float* row = z.data + static_cast<std::size_t>(r) * d;
    int first = 0;  // columns [first, d) are N(0, 1)
    if (k == PriorKind::Mixture) mixture_point(rng, row), first = 2;
    if (k == PriorKind::Ring) ring_point(rng, row), first = 2;
    for (int j = first; j < d; ++j) row[j] = rng.normal();
  }
}

double prior_bandwidth(PriorKind k, int d, int n) {
  DGM_CHECK(n >= 2 && d >= 1, "prior_bandwidth: n = %d, d = %d", n, d);
  Rng rng(20160525);  // fixed: the bandwidth is a property of (prior, d), not of the run
  std::vector<float> z(static_cast<std::size_t>(n) * d);
  Tensor t = make_shape(n, d);
  t.data = z.data();
  sample_prior(k, rng, t);
  std::vector<double> dist;
  dist.reserve(static_cast<std::size_t>(n) * (n - 1) / 2);
  for (int i = 0; i < n; ++i)
    for (int j = i + 1; j < n; ++j) {
      double s = 0.0;
      for (int c = 0; c < d; ++c) {
        const double e = z[static_cast<std::size_t>(i) * d + c] - z[static_cast<std::size_t>(j) * d + c];
        s += e * e;
      }
      dist.push_back(std::sqrt(s));
    }
  const std::size_t mid = dist.size() / 2;
  std::nth_element(dist.begin(), dist.begin() + static_cast<std::ptrdiff_t>(mid), dist.end());
  return dist[mid];
}

}  // namespace dgm
