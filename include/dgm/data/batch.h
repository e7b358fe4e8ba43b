// batch.h - what a model is trained on (DataInfo) and one minibatch of it (Batch), as the data
// layer hands them to the models. Plain views: the tensors live in the tape's arena.
#pragma once
#include "dgm/core/check.h"
#include "dgm/core/tensor.h"

namespace dgm {

// What the model is trained on.
struct DataInfo {
  int dim = 0;          // features per example (784 for Fashion-MNIST, 2 for ring/grid, 1 for gauss1d)
  int classes = 0;      // 10 for Fashion-MNIST, 0 for synthetic sets
  int rows = 0, cols = 0;  // image size (0 for synthetic sets)
  bool images() const { return rows > 0; }
};

// One training step's data, in the tape's arena: `minibatches` minibatches of B rows each,
// stacked (rows [i B, (i+1) B) are minibatch i). A step that consumes several minibatches (the
// GAN's k discriminator steps, the WGAN's n_critic) gets them all at once, and says so here.
struct Batch {
  Tensor x;  // (minibatches B, dim), scaled as the model's scale() asks (images), raw (synthetic)
  Tensor y;  // (minibatches B, classes) one-hot labels; y.data == nullptr when there are none
  int minibatches = 1;

  // B, the rows of one minibatch.
  int rows_each() const { return minibatches > 0 ? x.rows() / minibatches : 0; }
  // Minibatch i of x (or of y): rows [i B, (i+1) B), a view.
  Tensor x_of(int i) const { return part(x, i); }
  Tensor y_of(int i) const { return part(y, i); }

 private:
  Tensor part(const Tensor& t, int i) const {
    DGM_CHECK(minibatches > 0 && x.rows() % minibatches == 0 && i >= 0 && i < minibatches,
              "Batch: minibatch %d of %d, %d rows", i, minibatches, x.rows());
    const int B = rows_each();
    Tensor v = make_shape(B, t.cols());
    v.data = t.data + static_cast<std::size_t>(i) * static_cast<std::size_t>(B) * static_cast<std::size_t>(t.cols());
    return v;
  }
};

}  // namespace dgm
