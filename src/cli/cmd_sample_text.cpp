// cmd_sample_text.cpp - `dgm sample` on a charrnn checkpoint: prints (or writes) generated text.
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "cli.h"
#include "dgm/run/charrnn_run.h"
#include "dgm/io/fileio.h"

namespace dgm {

int cmd_sample_text(int argc, char** argv) {
  if (wants_help(argc, argv)) {
    std::printf("usage: dgm sample --ckpt F [--temperature T] [--prime TEXT] [--n N] [--seed S] [--out F.txt]\n"
                "Generates text from a charrnn checkpoint (dgm train charrnn): reads the priming string,\n"
                "then draws each next character from softmax(logits / T) (Karpathy 2015).\n"
                "  --ckpt F         a model.safetensors of dgm train charrnn\n"
                "  --temperature T  > 0 (default 1): below 1 sharper and more repetitive, above 1 more random\n"
                "  --prime TEXT     read first, printed before the sample (default a newline); every\n"
                "                   character must be in the model's vocabulary\n"
                "  --n N            characters to generate, 1..1000000 (default 500)\n"
                "  --seed S         seed of the draws (default 1)\n"
                "  --out F          write the text to F instead of printing it\n");
    return 0;
  }
  CharSampleOptions o;
  const char* ckpt = nullptr;
  const char* out = nullptr;
  for (int i = 0; i < argc; ++i) {
    std::string a = argv[i], v;
    const std::size_t eq = a.find('=');
    bool has = eq != std::string::npos;
    if (has) v = a.substr(eq + 1), a = a.substr(0, eq);
    if (!has && i + 1 < argc) v = argv[i + 1];
    const bool known = a == "--ckpt" || a == "--temperature" || a == "--prime" || a == "--n" || a == "--seed" || a == "--out";
    if (!known) {
      std::fprintf(stderr, "dgm sample: unknown flag '%s' for a charrnn checkpoint (--ckpt --temperature --prime --n "
                           "--seed --out; dgm sample --ckpt F --help)\n", argv[i]);
      return 2;
    }
    if (!has && i + 1 >= argc) {
      std::fprintf(stderr, "dgm sample: %s needs a value\n", a.c_str());
      return 2;
    }
    if (!has) ++i;
    char* end = nullptr;
    errno = 0;
    if (a == "--ckpt") ckpt = argv[i] + (has ? eq + 1 : 0);
    if (a == "--out") out = argv[i] + (has ? eq + 1 : 0);
    if (a == "--prime") o.prime = v;
    if (a == "--temperature") {
      o.temperature = std::strtof(v.c_str(), &end);
      if (v.empty() || *end || errno) {
        std::fprintf(stderr, "dgm sample: --temperature expects a positive number, got '%s'\n", v.c_str());
        return 2;
      }
    }
    if (a == "--n") {
      const long n = std::strtol(v.c_str(), &end, 10);
      if (v.empty() || *end || n < 1 || n > 1000000) {
        std::fprintf(stderr, "dgm sample: --n expects an integer in 1..1000000, got '%s'\n", v.c_str());
        return 2;
      }
      o.n = static_cast<int>(n);
    }
    if (a == "--seed") {
      o.seed = std::strtoull(v.c_str(), &end, 10);
      if (v.empty() || *end || v[0] == '-' || errno) {
        std::fprintf(stderr, "dgm sample: --seed expects a non-negative integer, got '%s'\n", v.c_str());
        return 2;
      }
    }
  }
  std::string text;
  Status st = sample_charrnn(ckpt, o, &text);
  if (st && out) st = write_text_atomic(out, text);
  if (!st) {
    std::fprintf(stderr, "dgm sample: %s\n", st.message.c_str());
    return 2;
  }
  if (out)
    std::printf("wrote %d characters after the priming string (temperature %g, seed %llu) to %s\n", o.n,
                static_cast<double>(o.temperature), static_cast<unsigned long long>(o.seed), out);
  else
    std::printf("%s\n", text.c_str());
  return 0;
}

}  // namespace dgm
