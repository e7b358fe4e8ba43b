// test_fuzz_regressions.cpp - replays the fuzz targets' seeds (fuzz/corpus/<target>/) and every
// input a fuzzer once found (fuzz/regressions/<target>/) through the same target functions the
// libFuzzer binaries of `make fuzz` call (fuzz/targets.h), in the ordinary build: no libFuzzer,
// any compiler. A target function answers "" when its property holds (see fuzz/targets.h).
#include <doctest/doctest.h>

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

TEST_CASE("fuzz: the checkpoint seeds are the checkpoints the library writes today") {
  // A seed the loader refuses passes its target (a refusal is fine) but fuzzes nothing past the
  // first check: after a change to the checkpoint format, `make fuzz-corpus` rewrites them.
  int n = 0;
  for (const fs::path& p : files_in("fuzz/corpus/checkpoint")) {
    const std::string name = p.filename().string();
    REQUIRE(name.rfind("seed-", 0) == 0);
    std::ifstream f(p, std::ios::binary);
    const std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    CHECK_MESSAGE(bytes == dgm::fuzz::checkpoint_seed(static_cast<std::uint8_t>(std::stoi(name.substr(5)))),
                  name << " differs from what make fuzz-corpus writes now");
    ++n;
  }
  CHECK(n >= 7);  // every model kind
}
