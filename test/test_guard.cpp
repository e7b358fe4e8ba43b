// test_guard.cpp - the trainer's guard (a defect found by fuzzing and review): a non-finite loss before the first
// checkpoint says that none exists; a GAN whose discriminator saturates stops (exit 1 in
// `dgm train`) instead of training on and saving the saturated state as a normal checkpoint.
#include <doctest/doctest.h>

#include <filesystem>
#include <string>

#include "dgm/run/train.h"

using namespace dgm;

namespace {

bool exists(const std::string& p) {
  std::error_code ec;
  return std::filesystem::exists(p, ec);
}

// lr 1e6: D's weights reach ~3e7 within a few steps, its tanh units saturate, and both gradient
// norms are exactly 0 from about step 11 on (metrics.csv of this run).
Config saturating_gan(const std::string& out, int sample_every) {
  Config c = config_defaults("gan", "ring");
  c.iters = 400;
  c.lr_g = c.lr_d = 1e6f;
  c.hidden = {32, 32};
  c.latent = 8;
  c.batch = 64;
  c.sample_every = sample_every;
  c.out = out;
  std::filesystem::remove_all(out);
  return c;
}

}  // namespace

TEST_CASE("guard: a loss that diverges before the first checkpoint says that no checkpoint exists") {
  Config c = config_defaults("vae", "");
  c.lr = 1e30f;
  c.hidden = {16};
  c.batch = 100;
  c.epochs = 1;
  c.out = "build/test-runs/guard-nan";
  std::filesystem::remove_all(c.out);
  TrainReport r;
  Status s = train(c, &r, true);
  CHECK(r.diverged);
  CHECK(s.message.find("stopping. First non-finite parameter: vae.") != std::string::npos);
  CHECK_MESSAGE(s.message.find("No checkpoint of this run exists yet (the first is written at the end of epoch 1)") !=
                    std::string::npos, s.message);
  CHECK(s.message.find("Last") == std::string::npos);
  CHECK_FALSE(exists(c.out + "/model.safetensors"));
}

TEST_CASE("guard: a saturated discriminator stops the GAN, and its state is not saved as a checkpoint") {
  Config c = saturating_gan("build/test-runs/guard-saturated", 1000);  // no checkpoint before step 400
  TrainReport r;
  Status s = train(c, &r, true);
  CHECK(r.diverged);
  CHECK_MESSAGE(s.message.find("the discriminator is saturated: the gradients of G and D have been exactly 0 for 100 "
                               "steps") != std::string::npos, s.message);
  CHECK(s.message.find("No checkpoint of this run exists yet") != std::string::npos);
  CHECK_FALSE(exists(c.out + "/model.safetensors"));
  CHECK(s.message.find("step 400") == std::string::npos);  // it stopped early
}

TEST_CASE("guard: after checkpoints, the message names the last one and its step") {
  Config c = saturating_gan("build/test-runs/guard-saturated-ckpt", 20);
  TrainReport r;
  Status s = train(c, &r, true);
  CHECK(r.diverged);
  CHECK_MESSAGE(s.message.find("Last checkpoint: build/test-runs/guard-saturated-ckpt/model.safetensors (step ") !=
                    std::string::npos, s.message);
  CHECK(exists(c.out + "/model.safetensors"));
}
