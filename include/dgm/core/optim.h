// optim.h - SGD (with momentum), Adagrad, RMSProp and Adam (bias-corrected).
//
// Each optimizer is one flat loop over a ParamStore's buffer: w[i] -= f(g[i], state[i]).
// State is two parallel buffers s1, s2 of the same size as the parameters:
//   SGD      s1 = velocity
//   Adagrad  s1 = sum of squared gradients
//   RMSProp  s1 = moving average of squared gradients
//   Adam     s1 = m (first moment), s2 = v (second moment)
// The formulas are in src/core/optim.cpp next to each loop.
// Device::CUDA (CUDA builds): the state lives in device memory (d1, d2) and step() runs on the
// GPU, on the device buffers of a device ParamStore; s1, s2 are then the host copy of the state
// for checkpoints (to_host() refreshes them, to_device() sends them back).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "dgm/backend/device.h"
#include "dgm/core/params.h"

namespace dgm {

enum class OptimKind { SGD, Adagrad, RMSProp, Adam };

struct OptimConfig {
  OptimKind kind = OptimKind::Adam;
  float lr = 1e-3f;
  float momentum = 0.f;  // SGD
  float beta1 = 0.9f;    // Adam
  float beta2 = 0.999f;  // Adam
  float alpha = 0.99f;   // RMSProp decay (PyTorch's default)
  float eps = 1e-8f;     // Adam, RMSProp, Adagrad (Adagrad/RMSProp: PyTorch uses 1e-10 / 1e-8)
};

// "sgd" | "adagrad" | "rmsprop" | "adam"; returns false on an unknown name.
bool parse_optim_kind(const std::string& name, OptimKind* out);
const char* optim_kind_name(OptimKind k);
// Adam's step t (>= 1) on w[0, n) as Kingma & Ba 2015, Algorithm 1 write it (m_hat, v_hat), one
// parameter at a time: the readable reference. Optimizer::step runs the same update in vector
// blocks and parallel chunks and gives the same bits (test/test_optim.cpp).
void adam_reference(float* w, float* m, float* v, const float* g, std::size_t n, const OptimConfig& cfg,
                    std::int64_t t);
// Every name, as a message lists them ("sgd, adagrad, rmsprop or adam").
const char* optim_kind_names();
// The name of state buffer `slot` (0: s1, 1: s2) in checkpoints: SGD "velocity", Adagrad "sum_sq",
// RMSProp "mean_sq", Adam "m" and "v"; nullptr for a buffer the optimizer does not have.
const char* optim_state_name(OptimKind k, int slot);

struct Optimizer {
  OptimConfig cfg;
  std::vector<float> s1, s2;  // state, parallel to the parameter buffer
  std::int64_t t = 0;         // steps taken (Adam's bias correction uses it)
  Device device = Device::CPU;
  DeviceBuffer d1, d2;        // the state on the device (Device::CUDA), same sizes as s1, s2

  Optimizer() = default;
  Optimizer(const OptimConfig& c, std::size_t n_params, Device d = Device::CPU);
  void to_host();
  void to_device();
  // One update of every parameter from its gradient. Does not zero the gradients.
  void step(float* w, const float* g, std::size_t n);
  void step(ParamStore& p) { step(p.data(), p.grads(), p.size()); }
  // step(p), then p.zero_grad(), in one pass over memory (what a training step does; the same
  // numbers as the two calls).
  void step_and_zero_grad(ParamStore& p);

 private:
  void step_impl(float* w, float* g, std::size_t n, bool zero_g);
};

}  // namespace dgm
