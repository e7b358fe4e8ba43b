// classifier.h - an MLP classifier for Fashion-MNIST, the judge of the conditional GAN.
//
// The cGAN's target: a classifier trained by the project (its test accuracy reported,
// aim >= 88%) gives >= 80% of generated samples the label they were conditioned on. The
// classifier is a plain MLP 784 -> 256 -> 256 -> 10 with ReLU, trained with Adam on the mean
// over the minibatch of the categorical cross-entropy from logits:
//   loss = mean_b [-sum_j y_bj log softmax(l_b)_j]      (softmax_cross_entropy, log-sum-exp)
// Its inputs are pixels in the range the generator outputs (PixelScale::kSigned, [-1, 1], for
// the tanh generator), so samples go in without rescaling.
#pragma once
#include <cstdint>
#include <vector>

#include "dgm/core/arena.h"
#include "dgm/data/data.h"
#include "dgm/core/nn.h"
#include "dgm/core/optim.h"
#include "dgm/core/rng.h"
#include "dgm/core/tape.h"
#include "dgm/run/config.h"
#include "dgm/run/run_data.h"

namespace dgm {

class Model;

struct ClassifierOptions {
  std::vector<int> hidden = {256, 256};
  int epochs = 10;
  int batch = 128;
  float lr = 1e-3f;                         // Adam, starting rate (cosine-annealed per epoch)
  PixelScale scale = PixelScale::kSigned;   // pixel range of the inputs
};

class Classifier {
 public:
  Classifier() : tape_(arena_) {}
  // The MLP dim -> hidden... -> classes (ReLU), weights from rng, and its Adam optimizer.
  void build(int dim, int classes, const ClassifierOptions& o, Rng& rng);
  // o.epochs passes over set, each in a random order drawn from rng; returns the last epoch's
  // mean training loss (mean over its minibatches of the minibatch-mean cross-entropy).
  double train(const ImageSet& set, Rng& rng);
  // One Adam step on a minibatch x (B, dim) with one-hot y (B, classes); returns its loss.
  double train_batch(const Tensor& x, const Tensor& y);
  // labels[b] = argmax_j logit_bj for each row of x (n, dim), pixels in options().scale's range.
  void predict(const Tensor& x, int* labels);
  // Fraction of the images of set whose label is predicted correctly.
  double accuracy(const ImageSet& set);
  // The last hidden layer's activations (after its ReLU) for x (n, dim): out (n, feature_dim()).
  // The feature space of the Fréchet distance (include/dgm/run/sample_quality.h).
  void features(const Tensor& x, Tensor out);
  int feature_dim() const { return net_.layers.empty() ? 0 : net_.layers.back().in; }

  const ClassifierOptions& options() const { return opt_cfg_; }
  ParamStore& params() { return params_; }
  int classes() const { return classes_; }

 private:
  ClassifierOptions opt_cfg_;
  template <class Fn> void in_chunks(const Tensor& x, Fn fn);  // classifier.cpp
  ParamStore params_;
  MLP net_;
  Optimizer opt_;
  int dim_ = 0, classes_ = 0;
  Arena arena_;
  Tape tape_;
};

// The judge of a run's samples: loads the data of c (load_run_data) into *d, then builds *clf
// and trains it on the training images with o, weights and order from Rng(1). Fails only when
// the data do not load (`dgm run`, `dgm bench-quality cgan` and `images`).
Status train_judge(const Config& c, const ClassifierOptions& o, Classifier* clf, RunData* d);

// The cGAN's score: generates n samples, sample i conditioned on label i % classes, from z drawn
// with rng, and returns the fraction the classifier labels as their condition. The model must
// be conditional() and output pixels in the classifier's range.
double conditional_accuracy(Model& m, Classifier& c, int n, Rng& rng);

// The entropy of a class histogram, in nats: H = -sum_c p_c log p_c with p_c = (count of label c)
// / n (0 log 0 = 0; [MSU] the entropy of a one-hot distribution is 0). log(classes) when every
// class is equally frequent, 0 when all n labels agree.
double label_entropy(const int* labels, int n, int classes);

// A GAN's spread over the classes: generates n samples from z drawn with rng (no labels), lets
// the classifier label them, and returns label_entropy of those labels (log 10 = 2.303 nats for
// Fashion-MNIST when every class is equally often drawn; a collapsed G scores near 0). counts
// (if given) receives the per-class counts. The model must output pixels in the classifier's
// range.
double class_entropy(Model& m, Classifier& c, int n, Rng& rng, std::vector<int>* counts = nullptr);

}  // namespace dgm
