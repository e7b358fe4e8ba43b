// kinds.h - the one table of the models dgm knows: each name, its family, and how to make it.
// The flag table's --model check, `dgm train`'s list, make_model() and every "is this a GAN?"
// question read this table (src/models/kinds.cpp); no other file lists the names.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "dgm/models/model.h"

namespace dgm {

enum class Family {
  Autoencoder,     // ae, dae: a deterministic encoder and decoder
  Vae,             // vae
  Adversarial,     // gan, cgan, wgan: a generator and a discriminator / critic
  Aae,             // aae
  Autoregressive,  // made: exact log p(x) as a product of conditionals
  EnergyBased,     // rbm, dbn, dbm: no tape, trained by their own run (ebm_run.h, dbm_run.cpp)
  Sequence,        // charrnn: text, trained by its own run (charrnn_run.h)
};

struct ModelKind {
  const char* name;
  Family family;
  std::unique_ptr<Model> (*make)();  // nullptr: not a Model (an energy-based or sequence model)
};

// Every model, in the order --help lists them.
const std::vector<ModelKind>& model_kinds();
// The entry called name, or nullptr.
const ModelKind* find_model_kind(const std::string& name);
// The names, in that order ("did you mean" candidates).
std::vector<std::string> model_kind_names();
// "ae, dae, vae, ..." (every name, comma separated), for messages.
const char* model_names();
// The family of a known name (false for an unknown one).
bool model_in(const std::string& name, Family f);
inline bool is_adversarial(const std::string& name) { return model_in(name, Family::Adversarial); }
inline bool is_energy_based(const std::string& name) { return model_in(name, Family::EnergyBased); }

}  // namespace dgm
