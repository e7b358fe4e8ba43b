// small_run.h - what the run-level tests (test_train, test_resume, test_evaluate, test_checkpoint)
// share: a small run of a model (its defaults on its data, shrunk), trained, and its checkpoint
// reopened.
#pragma once
#include <doctest/doctest.h>

#include <memory>
#include <string>
#include <vector>

#include "dgm/run/checkpoint.h"
#include "dgm/run/config.h"
#include "dgm/run/train.h"

namespace test_run {

// config_defaults(model, data) with these hidden widths, code size and minibatch, run in out.
inline dgm::Config small_run(const std::string& model, const std::string& data, std::vector<int> hidden, int latent,
                             int batch, const std::string& out) {
  dgm::Config c = dgm::config_defaults(model, data);
  c.hidden = std::move(hidden);
  c.latent = latent;
  c.batch = batch;
  c.out = out;
  return c;
}

// train(c) without console output; the run must succeed. Returns its report.
inline dgm::TrainReport train_ok(const dgm::Config& c) {
  dgm::TrainReport r;
  const dgm::Status st = dgm::train(c, &r, true);
  REQUIRE_MESSAGE(st.ok, st.message);
  return r;
}

// A checkpoint opened (open_checkpoint must succeed): its config, model and training state.
struct Reopened {
  dgm::Config c;
  std::unique_ptr<dgm::Model> m;
  dgm::TrainState ts;
};
inline Reopened reopen(const std::string& path) {
  Reopened r;
  const dgm::Status st = dgm::open_checkpoint(path, &r.c, &r.m, &r.ts);
  REQUIRE_MESSAGE(st.ok, st.message);
  return r;
}

}  // namespace test_run
