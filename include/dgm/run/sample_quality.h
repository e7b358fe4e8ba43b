// sample_quality.h - how close a generator's images are to the real ones, in the feature space
// of the project's classifier (include/dgm/classifier.h, its last hidden layer): the Fréchet
// distance of Heusel et al. 2017 (include/dgm/run/frechet.h) between n generated images and n images
// of a reference set, and the same distance between two real sets as its floor (what a
// perfect generator would score with n samples). Smaller is better; 0 only for equal Gaussians.
#pragma once
#include "dgm/run/classifier.h"
#include "dgm/theory/diagnostics.h"
#include "dgm/data/data.h"
#include "dgm/core/rng.h"

#include <vector>

namespace dgm {

class Model;

// d^2 between n samples G(z), z from the model's prior (unconditional models; a cGAN gets labels
// cycling through the classes), and the first n images of set (all of them if it has fewer).
double sample_frechet(Model& m, Classifier& c, const ImageSet& set, int n, Rng& rng);
// d^2 between n given images x (n, dim floats, in the classifier's pixel range) and the first n
// images of set (n <= set.n): for samples made outside a Model (the RBM, DBN, DBM's Gibbs chains).
double images_frechet(Classifier& c, const std::vector<float>& x, int n, const ImageSet& set);
// d^2 between the first n images of a and the first n of b (the floor: a vs b both real).
double set_frechet(Classifier& c, const ImageSet& a, const ImageSet& b, int n);

// ---- [HSE] "Как эмпирически понять, что коллапс моды состоялся?" (Arora & Zhang 2017) on a
// trained generator: draw batches of s samples, look for near-duplicates in each, and read the
// support size off the birthday paradox (theory/diagnostics.h: birthday_support_estimate). The
// paper's human judge of "duplicate" is replaced by a distance threshold in the classifier's
// feature space, calibrated on real images of the same count: the threshold below which a
// fraction q of the real batches hold a pair (the q-quantile of each real batch's closest pair).
// At that threshold the real images estimate a support of C(s, 2) / -log(1 - q); a generator
// whose batches collide more often has a smaller one (mode collapse), one that collides about
// as often is as varied as the data at this resolution.
struct SampleBirthday {
  int s = 0, batches = 0;
  double q = 0;
  float threshold = 0;
  BirthdayEstimate real, model;
};
// fake, real: (batches s, F) features each; batches of s consecutive rows.
SampleBirthday birthday_against_real(const float* fake, const float* real, int F, int s, int batches, double q);
// The same on batches s samples of m (its prior, cGAN labels cycling) against the first
// batches s images of set (batches s <= set.n).
SampleBirthday sample_birthday(Model& m, Classifier& c, const ImageSet& set, int s, int batches, double q, Rng& rng);

}  // namespace dgm
