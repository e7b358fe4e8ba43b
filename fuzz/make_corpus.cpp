// make_corpus.cpp - writes the seeds of the checkpoint, config_text and flags targets into
// fuzz/corpus/ (the other targets' seeds come from fuzz/make_corpus.py). Run from the project
// root: `make fuzz-corpus`. The seeds are small: a model of 4-dim data, hidden 3, latent 2.
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "dgm/run/config.h"
#include "targets.h"

namespace {

void put(const std::string& path, const std::vector<std::uint8_t>& b) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (!f || std::fwrite(b.data(), 1, b.size(), f) != b.size() || std::fclose(f) != 0) {
    std::fprintf(stderr, "make_corpus: cannot write %s\n", path.c_str());
    std::exit(1);
  }
}
void put(const std::string& path, const std::string& s) { put(path, std::vector<std::uint8_t>(s.begin(), s.end())); }

}  // namespace

int main() {
  using namespace dgm;
  // pick = kind + 7 * variant + 21 * optimizer (+ 84: SGD momentum), see run_state.cpp: every kind
  // once, with the optimizers that keep 0, 1 and 2 state vectors.
  const int picks[] = {0 + 84, 1 + 21, 9 + 63, 3, 4 + 63, 19 + 63, 6 + 42};
  for (int p : picks) put("fuzz/corpus/checkpoint/seed-" + std::to_string(p), fuzz::checkpoint_seed(p));
  for (const char* m : {"vae", "gan", "aae"}) {
    put(std::string("fuzz/corpus/config_text/") + m + "-identity", config_to_text(config_defaults(m, ""), true));
    put(std::string("fuzz/corpus/config_text/") + m + "-ring-all", config_to_text(config_defaults(m, "ring"), false));
  }
  const std::vector<std::vector<std::string>> flag_seeds = {
      {"--epochs", "1", "--hidden", "64,32", "--lr=0.01", "--resume"},
      {"--model", "gan", "--data", "ring", "--iters", "5", "--seed", "18446744073709551615", "--act", "tanh"},
      {"--noise_lo=-1", "--noise-hi", "2.5e-1", "--threads", "0", "--device", "cpu", "--out", "runs/x y"},
      {"--model=aae", "--encoder", "universal", "--prior", "mixture", "--resume=false", "--k", "3"},
  };
  int k = 0;
  for (const auto& args : flag_seeds) {
    std::string s;
    for (const std::string& a : args) s += (s.empty() ? "" : std::string(1, '\0')) + a;
    put("fuzz/corpus/flags/seed-" + std::to_string(k++), s);
  }
  std::printf("make_corpus: wrote the checkpoint, config_text and flags seeds\n");
  return 0;
}
