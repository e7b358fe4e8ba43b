// cmd_sample_text.cpp - `dgm sample` on a charrnn checkpoint: prints (or writes) generated text.
#include <cstdio>
#include <string>

#include "cli.h"
#include "dgm/run/charrnn_run.h"
#include "dgm/io/fileio.h"
#include "dgm/io/flags.h"

namespace dgm {

int cmd_sample_text(int argc, char** argv) {
  CharSampleOptions o;
  std::string ckpt, out;
  FlagTable f({});
  f.str("ckpt", &ckpt, "a model.safetensors of dgm train charrnn", "F");
  f.number("temperature", &o.temperature, "> 0 (default 1): below 1 sharper and more repetitive, above 1 more random", "T");
  f.str("prime", &o.prime, "read first, printed before the sample (default a newline); every\n"
                           "character must be in the model's vocabulary", "TEXT");
  f.integer("n", &o.n, 1, 1000000, "characters to generate, 1..1000000 (default 500)", "N");
  f.u64("seed", &o.seed, "seed of the draws (default 1)", "S");
  f.str("out", &out, "write the text to F instead of printing it", "F");
  const int done = help_or_parse("sample: a charrnn checkpoint", "usage: dgm sample --ckpt F [--temperature T] [--prime TEXT] [--n N] [--seed S] [--out F.txt]\n"
                "Generates text from a charrnn checkpoint (dgm train charrnn): reads the priming string,\n"
                "then draws each next character from softmax(logits / T) (Karpathy 2015).\n%s", 18, f, argc, argv);
  if (done >= 0) return done;
  std::string text;
  Status st = sample_charrnn(ckpt, o, &text);
  if (st && f.given("out")) st = write_text_atomic(out, text);
  if (!st) {
    std::fprintf(stderr, "dgm sample: %s\n", st.message.c_str());
    return 2;
  }
  if (f.given("out"))
    std::printf("wrote %d characters after the priming string (temperature %g, seed %llu) to %s\n", o.n,
                static_cast<double>(o.temperature), static_cast<unsigned long long>(o.seed), out.c_str());
  else
    std::printf("%s\n", text.c_str());
  return 0;
}

}  // namespace dgm
