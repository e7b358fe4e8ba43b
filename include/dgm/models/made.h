// made.h - MADE, the masked autoencoder for distribution estimation (Germain, Gregor, Murray,
// Larochelle 2015, ICML): a pixel-level autoregressive model of binary images, [MIPT] "Как строить
// порождающие модели?", method 1 ("задать явную функцию правдоподобия, декомпозирующую
// правдоподобие всего объекта на мелкие части", "Autoregressive models").
//
// The chain rule in the raster order d = 1..D (D = 784 pixels) makes the likelihood exact:
//   log p(x) = sum_{d=1}^{D} log p(x_d | x_<d),   p(x_d = 1 | x_<d) = sigmoid(l_d(x_<d))
// and MADE computes all D conditionals in ONE pass of an MLP whose weights are masked so that
// the logit l_d sees only x_<d (the masks are in src/models/made.cpp, with their formula).
// Sampling runs D passes, one pixel at a time. The model itself is in src/models/made.cpp.
#pragma once
#include <vector>

#include "dgm/models/model.h"

namespace dgm {

class Made : public Model {
 public:
  // The D logits l (rows, D) of a batch x (rows, D) in {0, 1}: l_d depends on x_<d only.
  virtual Var logits(Tape& t, Var x) = 0;
  // Exact log p(x) in nats of each row of x (rows, D), in double, into logp[0..rows).
  virtual void log_px(Tape& t, const Tensor& x, double* logp) = 0;
  // The degree m^l(k) of every unit: layer 0 the inputs (m(d) = d, 1-based), then each hidden
  // layer (see made.cpp).
  virtual const std::vector<std::vector<int>>& degrees() const = 0;
};

// m as a MADE, or nullptr when m is another model.
Made* as_made(Model* m);

}  // namespace dgm
