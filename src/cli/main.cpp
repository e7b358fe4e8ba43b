// main.cpp - `dgm <verb> [flags]`: a thin layer that parses flags and calls the library.
#include <cstdio>
#include <cstring>

#include "cli.h"
#include "dgm/theory/report.h"

namespace dgm {

bool wants_help(int argc, char** argv) {
  for (int i = 0; i < argc; ++i)
    if (!std::strcmp(argv[i], "--help") || !std::strcmp(argv[i], "-h")) return true;
  return false;
}

}  // namespace dgm

static void usage(std::FILE* f) {
  std::fprintf(f,
               "usage: dgm <verb> [flags]   (dgm <verb> --help for each verb's flags)\n"
               "\n"
               "  train MODEL     train ae | dae | vae | gan | cgan | aae | wgan on Fashion-MNIST or\n"
               "                  a synthetic set (--data ring | grid | gauss1d)\n"
               "  sample          generate from a checkpoint: --ckpt F --n N --out F.png|.pgm|.csv|.npy\n"
               "  eval            test-set metrics of a checkpoint, one 'name value' line each\n"
               "  export          a checkpoint's decoder/generator as a C header for microcontrollers\n"
               "  theory          the lectures' derivations as executable checks\n"
               "  run             the main job: theory, then a short training of every model (out/)\n"
               "  bench           GEMM and training speed\n"
               "  bench-quality   the project's quality protocols (long)\n");
}

int main(int argc, char** argv) {
  if (argc < 2) {
    usage(stderr);
    return 2;
  }
  const char* verb = argv[1];
  int n = argc - 2;
  char** rest = argv + 2;
  if (!std::strcmp(verb, "--help") || !std::strcmp(verb, "-h") || !std::strcmp(verb, "help")) {
    usage(stdout);
    return 0;
  }
  if (!std::strcmp(verb, "train")) return dgm::cmd_train(n, rest);
  if (!std::strcmp(verb, "sample")) return dgm::cmd_sample(n, rest);
  if (!std::strcmp(verb, "eval")) return dgm::cmd_eval(n, rest);
  if (!std::strcmp(verb, "export")) return dgm::cmd_export(n, rest);
  if (!std::strcmp(verb, "theory")) return dgm::theory_main(n, rest);
  if (!std::strcmp(verb, "run")) return dgm::cmd_run(n, rest);
  if (!std::strcmp(verb, "bench")) return dgm::cmd_bench(n, rest);
  if (!std::strcmp(verb, "bench-quality")) return dgm::cmd_bench_quality(n, rest);
  std::fprintf(stderr, "dgm: unknown verb '%s'\n", verb);
  usage(stderr);
  return 2;
}
