// test_fuzz_regressions.cpp - replays the fuzz targets' seeds (fuzz/corpus/<target>/) and every
// input a fuzzer once found (fuzz/regressions/<target>/) through the same target functions the
// libFuzzer binaries of `make fuzz` call (fuzz/targets.h), in the ordinary build: no libFuzzer,
// any compiler. A target function answers "" when its property holds (see fuzz/targets.h).
#include <doctest/doctest.h>

#include "dgm/run/checkpoint.h"
#include "dgm/io/fileio.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <vector>

#include "../fuzz/targets.h"

namespace fs = std::filesystem;

namespace {

// The files of one folder, sorted by name (an absent folder has none).
std::vector<fs::path> files_in(const fs::path& dir) {
  std::vector<fs::path> out;
  std::error_code ec;
  for (const fs::directory_entry& e : fs::directory_iterator(dir, ec))
    if (e.is_regular_file()) out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

int replay(const dgm::fuzz::Target& t, const fs::path& dir) {
  int n = 0;
  for (const fs::path& p : files_in(dir)) {
    std::ifstream f(p, std::ios::binary);
    const std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    const std::string why = t.fn(bytes.data(), bytes.size());
    CHECK_MESSAGE(why.empty(), p.string() << ": " << why);
    ++n;
  }
  return n;
}

}  // namespace

TEST_CASE("fuzz: every seed in fuzz/corpus/ passes its target's property") {
  for (const dgm::fuzz::Target* t = dgm::fuzz::kTargets; t->name; ++t) {
    CAPTURE(t->name);
    CHECK(replay(*t, fs::path("fuzz/corpus") / t->name) >= 3);  // each target has its seeds
  }
}

TEST_CASE("fuzz: every input a fuzzer found (fuzz/regressions/) is handled now") {
  int n = 0;
  for (const dgm::fuzz::Target* t = dgm::fuzz::kTargets; t->name; ++t) n += replay(*t, fs::path("fuzz/regressions") / t->name);
  MESSAGE(n << " regression inputs replayed");
  // A folder whose name is no target would be skipped silently: refuse it.
  for (const fs::directory_entry& e : fs::directory_iterator("fuzz/regressions"))
    if (e.is_directory()) CHECK_MESSAGE(dgm::fuzz::find_target(e.path().filename().string()), "fuzz/regressions/" << e.path().filename().string() << " names no target");
}

TEST_CASE("fuzz: the checkpoint seeds are checkpoints the library opens today") {
  // A seed the loader refuses passes its target (a refusal is fine) but fuzzes nothing past the
  // first check: after a change to the checkpoint format, `make fuzz-corpus` rewrites them. (Not
  // compared byte for byte with what the library writes now: the weights of the tiny trained
  // models differ in their last bits between -O1 and -O2 builds, clang and aarch64.)
  int n = 0;
  for (const fs::path& p : files_in("fuzz/corpus/checkpoint")) {
    const std::string name = p.filename().string();
    REQUIRE(name.rfind("seed-", 0) == 0);
    std::ifstream in(p, std::ios::binary);
    const std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    REQUIRE(bytes.size() > 1);  // the model-kind byte, then the checkpoint file (checkpoint_seed)
    const std::string file = "build/test-runs/fuzz-seed.safetensors";
    REQUIRE(dgm::make_dirs("build/test-runs").ok);
    {
      std::ofstream out(file, std::ios::binary);
      out.write(bytes.data() + 1, static_cast<std::streamsize>(bytes.size() - 1));
    }
    dgm::Config c;
    std::unique_ptr<dgm::Model> m;
    dgm::TrainState ts;
    const dgm::Status st = dgm::open_checkpoint(file, &c, &m, &ts);
    CHECK_MESSAGE(st.ok, name << " is refused by the loader (make fuzz-corpus rewrites the seeds): " << st.message);
    CHECK_MESSAGE(ts.resumable(), name << " lacks the optimizer or training state: the fuzzer would not reach their parsing");
    ++n;
  }
  CHECK(n >= 7);  // every model kind
}
