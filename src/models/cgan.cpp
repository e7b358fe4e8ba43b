// cgan.cpp - the conditional GAN ([MSU] Условные состязательные генеративные сети; [Vesel] 1.2:
// "razširitev na pogojni generativni model p(x|c) ... dodamo pogoj c na vhod tako generatorju
// kot diskriminatorju"). Both networks take the one-hot label y as extra input columns:
//   G(z, y) = G(concat(z, s_G y)),   D(x, y) = D(concat(x, s_D y))   (adversarial.cpp)
// with s_G = sqrt(latent), s_D = sqrt(dim): y scaled to the norm of the input it joins, so that
// the label's first-layer weights matter as early as the others do (AdversarialModel::build).
// and the game is the GAN's with every term conditioned on y:
//   min_G max_D  E_{x~p_data, y~p_y} log D(x, y) + E_{z~p_z, y~p_y} log(1 - D(G(z, y), y))
// so the loss terms are gan.cpp's (means over the minibatch, from logits):
//   loss_d = mean_b bce(l(x_b, y_b), 1) + mean_b bce(l(G(z_b, y_b), y_b), 0)
//   loss_g = mean_b bce(l(G(z_b, y_b), y_b), 1)        (non-saturating, --gen-loss ns)
//          = -mean_b bce(l(G(z_b, y_b), y_b), 0)       (minimax, --gen-loss minimax)
// Labels of the fake samples: y ~ p_y is realised by reusing the real minibatch's labels y_b,
// so real and fake halves of D's minibatch have the same class counts (no label noise between
// them); sampling grids pass their own labels to generate().
#include "dgm/models/adversarial.h"

namespace dgm {
namespace {

class CGan : public Gan {
 protected:
  Status check_data(const DataInfo& d) override {
    if (d.classes <= 0)
      return Status::Error(
          "cgan: the conditional GAN needs class labels (y one-hot), but this data has none "
          "(classes = %d); use Fashion-MNIST, or --model gan for unlabelled data",
          d.classes);
    return Status::Ok();
  }
  bool wants_labels() const override { return true; }
};

}  // namespace

std::unique_ptr<Model> make_cgan() { return std::make_unique<CGan>(); }

}  // namespace dgm
