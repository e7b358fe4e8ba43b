// targets.cpp - the list of fuzz targets (see targets.h), for the replay test and the messages.
#include "targets.h"

namespace dgm {
namespace fuzz {

const Target kTargets[] = {
    {"inflate_raw", inflate_raw}, {"gunzip", gunzip},
    {"zlib", zlib},               {"idx_images", idx_images},
    {"idx_labels", idx_labels},   {"safetensors", safetensors},
    {"safetensors_header", safetensors_header}, {"checkpoint", checkpoint},
    {"config_text", config_text}, {"flags", flags},
    {nullptr, nullptr},
};

const Target* find_target(const std::string& name) {
  for (const Target* t = kTargets; t->name; ++t)
    if (name == t->name) return t;
  return nullptr;
}

}  // namespace fuzz
}  // namespace dgm
