// sample_quality.h - how close a generator's images are to the real ones, in the feature space
// of the project's classifier (include/dgm/classifier.h, its last hidden layer): the Fréchet
// distance of Heusel et al. 2017 (include/dgm/run/frechet.h) between n generated images and n images
// of a reference set, and the same distance between two real sets as its floor (what a
// perfect generator would score with n samples). Smaller is better; 0 only for equal Gaussians.
#pragma once
#include "dgm/run/classifier.h"
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

}  // namespace dgm
