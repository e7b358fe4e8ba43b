// gan_grid_lockstep.cpp - a COMPARISON TOOL, not part of the build: runs our GAN on the grid
// protocol for N steps exactly as the trainer does (src/run/train.cpp: Rng(seed), build, then per
// step train_batch + train_step) and writes what PyTorch needs to replay the same steps:
//   DIR/init.bin, DIR/final.bin   every parameter before and after ("G/G.0.W <count>\n" + floats)
//   DIR/xz.bin                    per step: x (512, 2) then z (512, 256), float32, row-major
//   DIR/ours_losses.txt           per step: the trainer's log (loss_d, loss_g, d_real, ...)
// z is read from a copy of the Rng before train_step (its first draw is z: adversarial.cpp).
// docs/reference/gan_grid_replay.py then runs torch's nn.Linear/Tanh/BCEWithLogitsLoss/Adam
// from the same weights on the same x and z and compares step by step (docs/math.md, GAN grid).
//
// Build and run (after `make`):
//   g++ -std=c++17 -O2 -Iinclude docs/reference/gan_grid_lockstep.cpp build/libdgm.a -pthread -o build/gan_grid_lockstep
//   mkdir -p build/lock && build/gan_grid_lockstep 100 1 build/lock   # steps, seed, folder
//   python3 docs/reference/gan_grid_replay.py build/lock
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "dgm/core/arena.h"
#include "dgm/run/config.h"
#include "dgm/models/model.h"
#include "dgm/core/rng.h"
#include "dgm/run/run_data.h"
#include "dgm/core/tape.h"

using namespace dgm;

static bool dump_params(Model& m, const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) return false;
  for (Part* p : m.parts())
    for (int h = 0; h < p->params.count(); ++h) {
      Tensor v = p->params.value(h);
      std::fprintf(f, "%s/%s %zu\n", p->name.c_str(), p->params.name(h).c_str(), v.size());
      std::fwrite(v.data, sizeof(float), v.size(), f);
      std::fprintf(f, "\n");
    }
  return std::fclose(f) == 0;
}

int main(int argc, char** argv) {
  const int steps = argc > 1 ? std::atoi(argv[1]) : 100;
  const std::uint64_t seed = argc > 2 ? std::strtoull(argv[2], nullptr, 10) : 1;
  const std::string dir = argc > 3 ? argv[3] : "build/lock";
  Config c = config_defaults("gan", "grid");
  c.seed = seed;
  RunData d;
  Status st = load_run_data(c, &d);
  std::unique_ptr<Model> m;
  if (st) m = make_model("gan", &st);
  Rng rng(c.seed);  // as train(): the model is built from the training stream
  if (st) st = m->build(c, d.info, rng);
  if (!st) {
    std::fprintf(stderr, "%s\n", st.message.c_str());
    return 1;
  }
  std::FILE* fx = std::fopen((dir + "/xz.bin").c_str(), "wb");
  std::FILE* fl = std::fopen((dir + "/ours_losses.txt").c_str(), "w");
  if (!fx || !fl || !dump_params(*m, dir + "/init.bin")) {
    std::fprintf(stderr, "cannot write into %s (does the folder exist?)\n", dir.c_str());
    return 1;
  }
  Arena arena;
  Tape t(arena);
  StepLog log;
  std::vector<float> z(static_cast<std::size_t>(c.batch) * static_cast<std::size_t>(c.latent));
  for (int s = 0; s < steps; ++s) {
    t.reset();
    Batch b = train_batch(t, d, nullptr, c.batch, m->scale(), rng);
    Rng copy = rng;  // the z train_step is about to draw
    Tensor zt = make_shape(c.batch, c.latent);
    zt.data = z.data();
    copy.fill_normal(zt);
    std::fwrite(b.x.data, sizeof(float), b.x.size(), fx);
    std::fwrite(z.data(), sizeof(float), z.size(), fx);
    log.clear();
    m->train_step(t, b, rng, log);
    for (int i = 0; i < log.n; ++i) std::fprintf(fl, "%s %.9g ", log.name[i], log.value[i]);
    std::fprintf(fl, "\n");
  }
  std::fclose(fx);
  std::fclose(fl);
  return dump_params(*m, dir + "/final.bin") ? 0 : 1;
}
