// main.cpp - `dgm <verb> [flags]`: a thin layer that parses flags and calls the library.
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "cli.h"
#include "dgm/io/flags.h"
#include "dgm/io/suggest.h"
#include "dgm/theory/report.h"
#include "dgm/run/version.h"

namespace dgm {

bool wants_help(int argc, char** argv) {
  for (int i = 0; i < argc; ++i)
    if (!std::strcmp(argv[i], "--help") || !std::strcmp(argv[i], "-h")) return true;
  return false;
}

int help_or_parse(const char* who, const char* usage, int width, FlagTable& f, int argc, char** argv,
                  std::vector<std::string>* positional) {
  if (wants_help(argc, argv)) {
    std::printf(usage, f.help(static_cast<std::size_t>(width)).c_str());
    return 0;
  }
  const Status st = f.parse(argc, argv, positional);
  if (st) return -1;
  std::fprintf(stderr, "dgm %s: %s\n", who, st.message.c_str());
  return 2;
}

}  // namespace dgm

static void usage(std::FILE* f) {
  std::fprintf(f,
               "usage: dgm <verb> [flags]   (dgm <verb> --help for each verb's flags)\n"
               "\n"
               "  train MODEL     train ae | dae | vae | gan | cgan | aae | wgan on Fashion-MNIST or\n"
               "                  a synthetic set (--data ring | grid | gauss1d); rbm | dbn | dbm on\n"
               "                  binarized Fashion-MNIST; charrnn on text\n"
               "  sample          generate from a checkpoint: --ckpt F --n N --out F.png|.pgm|.csv|.npy\n"
               "  eval            test-set metrics of a checkpoint, one 'name value' line each\n"
               "  export          a checkpoint's decoder/generator as a C header for microcontrollers\n"
               "  theory          the lectures' derivations as executable checks\n"
               "  run             the main job: theory, then a short training of every model (out/)\n"
               "  bench           GEMM and training speed\n"
               "  bench-quality   the long quality protocols of docs/math.md (minutes)\n"
               "  version         the version (also --version)\n");
}

// The verbs, in the order of the usage text.
struct Verb {
  const char* name;
  int (*run)(int argc, char** argv);
};
const Verb kVerbs[] = {{"train", dgm::cmd_train},   {"sample", dgm::cmd_sample},
                       {"eval", dgm::cmd_eval},     {"export", dgm::cmd_export},
                       {"theory", dgm::theory_main}, {"run", dgm::cmd_run},
                       {"bench", dgm::cmd_bench},   {"bench-quality", dgm::cmd_bench_quality}};

int main(int argc, char** argv) {
  if (argc < 2) {
    usage(stderr);
    return 2;
  }
  const char* verb = argv[1];
  if (!std::strcmp(verb, "--help") || !std::strcmp(verb, "-h") || !std::strcmp(verb, "help")) {
    usage(stdout);
    return 0;
  }
  if (!std::strcmp(verb, "--version") || !std::strcmp(verb, "-V") || !std::strcmp(verb, "version")) {
    std::printf("dgm %s\n", dgm::version_text());
    return 0;
  }
  std::vector<std::string> names = {"help", "version"};
  for (const Verb& v : kVerbs) {
    if (!std::strcmp(verb, v.name)) return v.run(argc - 2, argv + 2);
    names.push_back(v.name);
  }
  std::fprintf(stderr, "dgm: unknown verb '%s'%s\n", verb, dgm::did_you_mean(verb, names).c_str());
  usage(stderr);
  return 2;
}
