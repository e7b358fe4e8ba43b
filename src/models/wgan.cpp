// wgan.cpp - placeholder until the model lands (issue 4).
#include "dgm/models/model.h"

namespace dgm {

std::unique_ptr<Model> make_wgan() { return nullptr; }

}  // namespace dgm
