// cmd_bench.cpp - `dgm bench`: speed and memory, measured (never asserted in tests).
//
//   dgm bench gemm                 GFLOP/s of naive vs blocked GEMM, 1 and 2 threads
//   dgm bench vae --threads T      seconds per epoch, images/s and peak resident memory of the
//                                  VAE 784-400-20 on Fashion-MNIST (full set if installed);
//                                  --hidden H, --batch B for 784-H-20 at batch B (bench/peers.sh
//                                  runs it beside docs/reference/vae_pytorch.py)
//   dgm bench gan --threads T      milliseconds per iteration of the GAN grid protocol
//   dgm bench charrnn --threads T  milliseconds per training step of the CharRNN's defaults
//                                  (docs/reference/charrnn_torch.py times the same step)
//   dgm bench dcgan | conv-vae     seconds per epoch of `train gan --arch conv` / `train vae --arch conv`
//                                  (the PyTorch references: docs/reference/dcgan_pytorch.py, conv_vae_pytorch.py)
// `make bench` runs each in its own process, so peak memory is per configuration.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "cli.h"
#include "dgm/io/flags.h"
#include "dgm/run/bench.h"
#include "dgm/run/config.h"
#include "dgm/data/data.h"
#include "dgm/backend/device.h"
#include "dgm/backend/parallel.h"
#include "dgm/backend/tally.h"
#include "dgm/run/train.h"
#include "dgm/run/charrnn_run.h"

namespace dgm {
namespace {

// Peak resident set size in MB (Linux: VmHWM in /proc/self/status), or -1 if unknown.
double peak_rss_mb() {
  std::ifstream f("/proc/self/status");
  std::string line;
  while (std::getline(f, line))
    if (line.compare(0, 6, "VmHWM:") == 0) return std::atof(line.c_str() + 6) / 1024.0;
  return -1;
}

int failed(const Status& st, int code) {
  std::fprintf(stderr, "dgm bench: %s\n", st.message.c_str());
  return code;
}

// `dgm bench charrnn`: the CharRNN's defaults for `iters` steps (default 100), ms per step.
int bench_charrnn(const std::string& data, int iters, int threads) {
  Config c = config_defaults("charrnn", data);
  c.iters = c.log_every = iters > 0 ? iters : 100;
  c.out = "build/bench-charrnn";
  c.threads = threads;
  TrainReport r;
  Status st = train_charrnn(c, &r, true);
  if (!st) return failed(st, 1);
  std::printf("charrnn  threads %d  LSTM 128, batch 32 x 64 characters  %.3f ms/step (cpu %.3f ms/step)  (%lld steps)  "
              "held-out %.4f bits/char  peak RSS %.1f MB\n", num_threads(), 1000.0 * r.seconds / static_cast<double>(r.steps),
              r.test.value[2], static_cast<long long>(r.steps), r.test.value[1], peak_rss_mb());
  return 0;
}

double gflops(const Tally& t) { return t.seconds > 0 ? 1e-9 * t.flops / t.seconds : 0; }

// Where the training loop's time went (tally.h): the products' share, and the convolutions whole
// (im2col, col2im, layout copies, product) against their products alone, on the same calls.
void print_tally(const std::string& what, double loop_s, const Tally& g, const Tally& cv, const Tally& cg, Device dev) {
  if (dev != Device::CPU || loop_s <= 0) return;
  std::printf("  %s step: gemm %.1f%% of the training loop's %.1f s (%lld calls, %.1f GFLOP/s)", what.c_str(),
              100 * g.seconds / loop_s, loop_s, g.calls, gflops(g));
  if (cv.calls > 0)
    std::printf("; conv kernels %.1f%% (%lld calls): %.1f GFLOP/s whole against %.1f GFLOP/s for their products alone",
                100 * cv.seconds / loop_s, cv.calls, gflops(cv), gflops(cg));
  std::printf("\n");
}

// `dgm bench vae | dcgan | conv-vae` (seconds per epoch over `epochs`) and `dgm bench gan` (the
// grid protocol, ms per iteration over `iters`).
int bench_training(const std::string& what, std::string data, int epochs, int iters, int hidden, int batch,
                   int threads, const std::string& device, Device dev) {
  const bool conv = what == "dcgan" || what == "conv-vae";
  Config c;
  if (what == "vae" || conv) {
    if (data.empty()) {
      std::string dir;
      data = resolve_data_dir("full", &dir).ok ? "full" : "";
    }
    c = config_defaults(what == "dcgan" ? "gan" : "vae", data);
    if (conv) c.arch = "conv";
    if (what == "vae") {
      c.hidden = {hidden};
      c.batch = batch;
    }
    c.epochs = epochs;  // the first epoch warms caches and the arena; we report the mean of all
  } else {
    c = config_defaults("gan", "grid");
    c.iters = iters;
    c.sample_every = iters;
  }
  c.out = "build/bench-" + what + (dev == Device::CUDA ? "-cuda" : "");
  c.threads = threads;
  c.device = device;
  TrainReport r;
  tally_enable(dev == Device::CPU);  // the host's wall time around each kernel call (tally.h)
  Status st = train(c, &r, true);
  const Tally g = tally_read(TallyKind::kGemm), cv = tally_read(TallyKind::kConv), cg = tally_read(TallyKind::kConvGemm);
  tally_enable(false);
  if (!st) return failed(st, 1);
  if (what == "vae" || conv) {
    const double imgs = r.seconds_per_epoch > 0 ? static_cast<double>(r.steps) / epochs * c.batch / r.seconds_per_epoch : 0;
    const std::string shape = what == "vae" ? "  hidden " + std::to_string(hidden) + "  batch " + std::to_string(batch) : "";
    std::printf("%s  %s  data %-8s%s  %.3f s/epoch  %8.0f images/s  peak RSS %.1f MB\n",
                what.c_str(), dev == Device::CUDA ? "device cuda" : ("threads " + std::to_string(num_threads())).c_str(),
                data.empty() ? "subset" : data.c_str(), shape.c_str(), r.seconds_per_epoch, imgs, peak_rss_mb());
    print_tally(what, r.seconds, g, cv, cg, dev);
  } else {
    std::printf("gan  %s  grid, batch 512, z 256  %.3f ms/iteration  (%lld iterations)  peak RSS %.1f MB\n",
                dev == Device::CUDA ? "device cuda" : ("threads " + std::to_string(num_threads())).c_str(), 1000.0 * r.seconds / static_cast<double>(r.steps), static_cast<long long>(r.steps),
                peak_rss_mb());
  }
  return 0;
}

}  // namespace

int cmd_bench(int argc, char** argv) {
  int threads = 0, epochs = 2, iters = 0, hidden = 400, batch = 128;
  std::string data, device = "cpu";
  FlagTable f({});
  f.integer("threads", &threads, 0, 256, "worker threads (default 0: DGM_THREADS or all)", "T");
  f.integer("epochs", &epochs, 1, 1000, "vae: epochs (default 2), dcgan, conv-vae: epochs (default 1)", "N");
  f.integer("iters", &iters, 0, 1000000, "gan: iterations (default 400), charrnn: steps (default 100)", "N");
  f.integer("hidden", &hidden, 1, 65536, "vae: the hidden width H of 784-H-20 (default 400)", "H");
  f.integer("batch", &batch, 1, 60000, "vae: the minibatch size (default 128)", "B");
  f.str("data", &data, "Fashion-MNIST folder (vae, dcgan, conv-vae; charrnn: a text file)", "DIR");
  f.str("device", &device, "cpu (default) or cuda (a `make CUDA=1` build with a GPU)", "D");
  std::vector<std::string> what_given;
  const int done = help_or_parse("bench", "usage: dgm bench gemm | vae | gan | charrnn | dcgan | conv-vae [--threads T] [--epochs N] [--iters N] [--hidden H] [--batch B] [--data DIR] [--device D]\n"
                "  gemm   GFLOP/s, naive vs blocked, 1 and 2 threads, on the VAE's shapes and 1024^3\n"
                "  vae    VAE 784-400-20, batch 128: seconds per epoch, images/s, peak memory\n"
                "         (--data: default the full Fashion-MNIST if installed, else the subset)\n"
                "  gan    GAN grid protocol (batch 512, z 256, 2 x 128 tanh): ms per iteration\n"
                "  charrnn  CharRNN defaults (LSTM 128, 32 x 64 characters of the fortunes-ru excerpt):\n"
                "         ms per training step (--iters, default 100)\n"
                "  dcgan, conv-vae  gan / vae --arch conv, batch 128: seconds per epoch (default 1 epoch)\n%s",
                16, f, argc, argv, &what_given);
  if (done >= 0) return done;
  if (what_given.size() != 1) {
    std::fprintf(stderr, "dgm bench: name one benchmark (gemm, vae, gan, charrnn, dcgan, conv-vae; see --help)\n");
    return 2;
  }
  const std::string what = what_given[0];
  if (threads > 0) set_num_threads(threads);
  Device dev = Device::CPU;
  const Status ds = check_device(device, &dev);
  if (!ds) return failed(ds, 2);
  if (what == "gemm") {
#ifdef DGM_CUDA
    if (dev == Device::CUDA) {
      bench_gemm_cuda(stdout);
      return 0;
    }
#endif
    bench_gemm(stdout);
    return 0;
  }
  if (what == "charrnn") return bench_charrnn(data, iters, threads);
  if (what != "vae" && what != "gan" && what != "dcgan" && what != "conv-vae") {
    std::fprintf(stderr, "dgm bench: unknown benchmark '%s' (gemm, vae, gan, charrnn, dcgan, conv-vae)\n", what.c_str());
    return 2;
  }
  if (what != "vae" && (f.given("hidden") || f.given("batch"))) {
    std::fprintf(stderr, "dgm bench: --hidden and --batch apply to the vae benchmark only\n");
    return 2;
  }
  if ((what == "dcgan" || what == "conv-vae") && !f.given("epochs")) epochs = 1;
  return bench_training(what, data, epochs, iters > 0 ? iters : 400, hidden, batch, threads, device, dev);
}

}  // namespace dgm
