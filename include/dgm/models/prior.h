// prior.h - the priors p(z) an adversarial autoencoder can match its codes to.
//
// [Utkin] "Соперничающие автокодеры": "a sample vector z is generated according to the prior
// p(z)"; the discriminator separates samples of p(z) from codes of the aggregated posterior
// q(z) = E_x q(z|x) ([Vesel] 1.4 Nasprotniški autoenkoder). The AAE can impose ANY prior we can
// sample from; it never needs its density. Three are here:
//
//   normal   z ~ N(0, I_d).
//   mixture  10 equal 2-D Gaussians, centres c_k = R (cos 2 pi k / 10, sin 2 pi k / 10),
//            R = kMixtureRadius, each isotropic with std kMixtureStd (Makhzani et al. 2016,
//            "Adversarial Autoencoders", use 10 2-D Gaussians arranged around the origin).
//   ring     the lecture's map g(z) = z/10 + z/||z|| applied to z ~ N(0, I_2)
//            ([Utkin] "Подход VAE": "the same sample with g(z) = z/10 + z/||z|| forms a ring"):
//            radius 1 + ||z||/10 with ||z|| Rayleigh(1), i.e. mean 1 + sqrt(pi/2)/10 = 1.1253,
//            std sqrt((4 - pi)/2)/10 = 0.0655.
// mixture and ring are 2-D shapes: for d > 2 dimensions 0 and 1 carry the shape and dimensions
// 2..d-1 are N(0, 1) (so a plot of the first two code dimensions shows it); they need d >= 2.
#pragma once
#include <string>

#include "dgm/core/rng.h"
#include "dgm/io/status.h"
#include "dgm/core/tensor.h"

namespace dgm {

enum class PriorKind { Normal, Mixture, Ring };

constexpr int kMixtureModes = 10;
constexpr float kMixtureRadius = 2.f;
constexpr float kMixtureStd = 0.25f;  // neighbouring centres are 2 R sin(pi/10) = 1.24 = 4.9 std apart

// "normal" | "mixture" | "ring"; an error naming the allowed values otherwise.
Status parse_prior(const std::string& name, PriorKind* out);
const char* prior_name(PriorKind k);
// An error if the prior cannot live in d dimensions (mixture and ring need d >= 2).
Status check_prior_dim(PriorKind k, int d);

// Fills z (n, d) with n independent samples of the prior, row by row, from rng.
void sample_prior(PriorKind k, Rng& rng, Tensor z);

// Centre of mixture component k in 2-D: c[0], c[1].
void mixture_centre(int k, float c[2]);
// The nearest mixture centre to the 2-D point (x0, x1) (for coverage-style checks).
int nearest_mixture_centre(float x0, float x1);

// A kernel bandwidth for comparing samples of this prior with MMD: the median distance between
// pairs of `n` prior samples drawn with a fixed seed (the median heuristic, Gretton et al. 2012,
// "A Kernel Two-Sample Test"). The same number for the same (k, d), whatever the run.
double prior_bandwidth(PriorKind k, int d, int n = 400);

}  // namespace dgm
