// built_model.h - what most model tests begin with: a model of a kind, built from a config's
// options on a data shape, its weights drawn from Rng(seed). Both steps must succeed.
#pragma once
#include <doctest/doctest.h>

#include <cstdint>
#include <memory>
#include <string>

#include "dgm/models/model.h"
#include "dgm/run/config.h"

// The weights from rng (which the test goes on drawing from).
inline std::unique_ptr<dgm::Model> built_model(const std::string& kind, const dgm::Config& c, const dgm::DataInfo& d,
                                               dgm::Rng& rng) {
  dgm::Status st;
  std::unique_ptr<dgm::Model> m = dgm::make_model(kind, &st);
  REQUIRE_MESSAGE(st.ok, st.message);
  st = m->build(dgm::model_options(c), d, rng);
  REQUIRE_MESSAGE(st.ok, st.message);
  return m;
}

inline std::unique_ptr<dgm::Model> built_model(const std::string& kind, const dgm::Config& c, const dgm::DataInfo& d,
                                               std::uint64_t seed) {
  dgm::Rng rng(seed);
  return built_model(kind, c, d, rng);
}
