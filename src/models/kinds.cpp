// kinds.cpp - the table of models (include/dgm/models/kinds.h).
#include "dgm/models/kinds.h"

namespace dgm {
namespace {

std::unique_ptr<Model> make_plain_ae() { return make_ae(false); }
std::unique_ptr<Model> make_denoising_ae() { return make_ae(true); }

}  // namespace

const std::vector<ModelKind>& model_kinds() {
  static const std::vector<ModelKind> kinds = {
      {"ae", Family::Autoencoder, make_plain_ae},
      {"dae", Family::Autoencoder, make_denoising_ae},
      {"vae", Family::Vae, make_vae},
      {"gan", Family::Adversarial, make_gan},
      {"cgan", Family::Adversarial, make_cgan},
      {"aae", Family::Aae, make_aae},
      {"wgan", Family::Adversarial, make_wgan},
      {"rbm", Family::EnergyBased, nullptr},
      {"dbn", Family::EnergyBased, nullptr},
      {"dbm", Family::EnergyBased, nullptr},
      {"charrnn", Family::Sequence, nullptr},
      {"made", Family::Autoregressive, make_made},
  };
  return kinds;
}

const ModelKind* find_model_kind(const std::string& name) {
  for (const ModelKind& k : model_kinds())
    if (name == k.name) return &k;
  return nullptr;
}

std::vector<std::string> model_kind_names() {
  std::vector<std::string> names;
  for (const ModelKind& k : model_kinds()) names.push_back(k.name);
  return names;
}

const char* model_names() {
  static const std::string list = [] {
    std::string s;
    for (const ModelKind& k : model_kinds()) s += (s.empty() ? "" : ", ") + std::string(k.name);
    return s;
  }();
  return list.c_str();
}

bool model_in(const std::string& name, Family f) {
  const ModelKind* k = find_model_kind(name);
  return k && k->family == f;
}

std::unique_ptr<Model> make_model(const std::string& name, Status* st) {
  const ModelKind* k = find_model_kind(name);
  std::unique_ptr<Model> m = k && k->make ? k->make() : nullptr;
  if (m) *st = Status::Ok();
  else if (k) *st = Status::Error("model '%s' is trained by its own run, not built as a Model", name.c_str());
  else *st = Status::Error("unknown model '%s' (models: %s)", name.c_str(), model_names());
  return m;
}

}  // namespace dgm
