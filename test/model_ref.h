// model_ref.h - test helpers for the autoencoder-family models (test_ae.cpp, test_vae.cpp):
// a double-precision reference forward pass of an MLP read back from a ParamStore by name
// (independent of the tape and gemm), a fixed synthetic image batch, and a trainer-like step.
#pragma once
#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "dgm/models/model.h"
#include "dgm/run/config.h"

namespace ref {

// y = MLP(x) in double for the layers "<name>.0", "<name>.1", ... of p; `hidden` after every layer
// but the last, no output activation. x: (rows, in) row-major -> (rows, out).
inline std::vector<double> mlp(const dgm::ParamStore& p, const std::string& name, const std::vector<double>& x,
                               int rows, dgm::Act hidden) {
  std::vector<double> a = x;
  int nl = 0;
  while (p.find(name + "." + std::to_string(nl) + ".weight") >= 0) ++nl;
  for (int i = 0; i < nl; ++i) {
    const dgm::Tensor W = p.value(p.find(name + "." + std::to_string(i) + ".weight"));  // (out, in)
    const dgm::Tensor b = p.value(p.find(name + "." + std::to_string(i) + ".bias"));  // (out)
    const int out = W.dim[0], in = W.dim[1];
    std::vector<double> y(static_cast<std::size_t>(rows) * out);
    for (int r = 0; r < rows; ++r)
      for (int o = 0; o < out; ++o) {
        double s = b.data[o];
        for (int k = 0; k < in; ++k) s += static_cast<double>(W.data[o * in + k]) * a[static_cast<std::size_t>(r) * in + k];
        if (i + 1 < nl) {
          if (hidden == dgm::Act::ReLU) s = s > 0 ? s : 0;
          else if (hidden == dgm::Act::Tanh) s = std::tanh(s);
          else if (hidden == dgm::Act::LeakyReLU) s = s > 0 ? s : 0.2 * s;
        }
        y[static_cast<std::size_t>(r) * out + o] = s;
      }
    a.swap(y);
  }
  return a;
}

inline double softplus(double l) { return std::fmax(l, 0.0) + std::log1p(std::exp(-std::fabs(l))); }

// sum_j softplus(l_j) - x_j l_j for row r of logits (rows, dim) and targets x (rows, dim).
inline double bce_row(const std::vector<double>& l, const float* x, int r, int dim) {
  double s = 0;
  for (int j = 0; j < dim; ++j) {
    const double lj = l[static_cast<std::size_t>(r) * dim + j];
    s += softplus(lj) - x[r * dim + j] * lj;
  }
  return s;
}

// 32 "binary-ish" 8x8 images: 4 random binary prototypes, each pixel flipped with probability 0.1.
inline std::vector<float> binary_images(int n, int dim, std::uint64_t seed) {
  dgm::Rng rng(seed);
  std::vector<float> proto(static_cast<std::size_t>(4) * dim), x(static_cast<std::size_t>(n) * dim);
  for (float& v : proto) v = rng.uniform() < 0.4f ? 1.f : 0.f;
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < dim; ++j) {
      const float v = proto[static_cast<std::size_t>(i % 4) * dim + j];
      x[static_cast<std::size_t>(i) * dim + j] = rng.uniform() < 0.1f ? 1.f - v : v;
    }
  return x;
}

// The batch as the trainer makes it: the tape reset, the rows copied into its arena.
inline dgm::Batch batch_on_tape(dgm::Tape& t, const std::vector<float>& data, int dim) {
  t.reset();
  const int rows = static_cast<int>(data.size()) / dim;
  dgm::Batch b;
  b.x = t.alloc(dgm::make_shape(rows, dim));
  std::memcpy(b.x.data, data.data(), data.size() * sizeof(float));
  return b;
}

// What the trainer does each step: a fresh batch on the tape, then train_step.
inline dgm::StepLog train_step(dgm::Model& m, dgm::Tape& t, const std::vector<float>& data, int dim,
                               dgm::Rng& rng) {
  dgm::Batch b = batch_on_tape(t, data, dim);
  dgm::StepLog log;
  m.train_step(t, b, rng, log);
  return log;
}

inline dgm::StepLog evaluate(dgm::Model& m, dgm::Tape& t, const std::vector<float>& data, int dim, dgm::Rng& rng) {
  dgm::Batch b = batch_on_tape(t, data, dim);
  dgm::StepLog log;
  m.evaluate(t, b, rng, log);
  return log;
}

// The value logged under `key` (NaN if absent).
inline double get(const dgm::StepLog& log, const char* key) {
  for (int i = 0; i < log.n; ++i)
    if (!std::strcmp(log.name[i], key)) return log.value[i];
  return std::nan("");
}

// Sample mean and the standard error of the mean.
inline void mean_se(const std::vector<double>& v, double* mean, double* se) {
  double s = 0, s2 = 0;
  for (double x : v) s += x;
  *mean = s / v.size();
  for (double x : v) s2 += (x - *mean) * (x - *mean);
  *se = std::sqrt(s2 / (v.size() - 1) / v.size());
}


// generate() and reconstruct() of a Bernoulli-output model give (n, dim) values in [0, 1], and
// an output tensor of the wrong width is refused.
inline void check_outputs_in_unit_range(dgm::Model& m, dgm::Tape& t, int dim, int latent) {
  using namespace dgm;
  Rng rng(7);
  t.reset();
  Tensor z = t.alloc(make_shape(5, latent));
  m.sample_latent(rng, z);
  Tensor out = t.alloc(make_shape(5, dim));
  m.generate(t, z, Tensor{}, out);
  const std::vector<float> x = binary_images(5, dim, 1);
  Tensor xt = t.alloc(make_shape(5, dim));
  std::memcpy(xt.data, x.data(), x.size() * sizeof(float));
  Tensor rec = t.alloc(make_shape(5, dim));
  CHECK(m.reconstruct(t, xt, rec));
  for (std::size_t i = 0; i < out.size(); ++i) {
    REQUIRE((out.data[i] >= 0.f && out.data[i] <= 1.f));
    REQUIRE((rec.data[i] >= 0.f && rec.data[i] <= 1.f));
  }
  Tensor bad = t.alloc(make_shape(5, dim - 1));
  CHECK_THROWS(m.generate(t, z, Tensor{}, bad));
  CHECK_THROWS(m.reconstruct(t, xt, bad));
  CHECK(m.latent_dim() == latent);
}

}  // namespace ref
