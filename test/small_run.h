// small_run.h - what the run-level tests (test_train, test_resume, test_evaluate, test_checkpoint)
// share: a small run of a model (its defaults on its data, shrunk), trained, and its checkpoint
// reopened.
#pragma once
#include <doctest/doctest.h>

#include <memory>
#include <utility>
#include <string>
#include <vector>

#include "dgm/io/fileio.h"
#include "dgm/io/idx.h"
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

// A Fashion-MNIST folder in dir holding the shipped subset's first n_train training and n_test test
// images with their labels (uncompressed IDX files): for tests that train only to read names, files
// or bytes, where 10,000 images cost time and say nothing more (under qemu or a sanitizer most of all).
inline void write_tiny_images(const std::string& dir, int n_train, int n_test) {
  const std::string from = "datasets/fashion-mnist-subset/";
  REQUIRE(dgm::make_dirs(dir).ok);
  for (const auto& [split, n] : {std::pair<std::string, int>{"train", n_train}, {"t10k", n_test}}) {
    dgm::IdxImages im;
    dgm::IdxLabels lb;
    REQUIRE(dgm::load_idx_images(from + split + "-images-idx3-ubyte.gz", &im).ok);
    REQUIRE(dgm::load_idx_labels(from + split + "-labels-idx1-ubyte.gz", &lb).ok);
    REQUIRE((n <= im.n && n <= lb.n));
    im.n = lb.n = n;
    im.pixels.resize(static_cast<std::size_t>(n) * im.rows * im.cols);
    lb.labels.resize(static_cast<std::size_t>(n));
    REQUIRE(dgm::write_file_atomic(dir + "/" + split + "-images-idx3-ubyte", dgm::encode_idx_images(im)).ok);
    REQUIRE(dgm::write_file_atomic(dir + "/" + split + "-labels-idx1-ubyte", dgm::encode_idx_labels(lb)).ok);
  }
}

}  // namespace test_run
