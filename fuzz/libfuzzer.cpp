// libfuzzer.cpp - one libFuzzer binary per target: `make fuzz` compiles this file once per name in
// fuzz/targets.h with -DDGM_FUZZ_TARGET=<name> (clang++ -fsanitize=fuzzer,address,undefined).
// A property failure aborts, so libFuzzer saves the input as a finding.
#include <cstdio>
#include <cstdlib>

#include "targets.h"

#ifndef DGM_FUZZ_TARGET
#error "compile with -DDGM_FUZZ_TARGET=<target name from fuzz/targets.h>"
#endif
#define DGM_STR2(x) #x
#define DGM_STR(x) DGM_STR2(x)

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t n) {
  const std::string why = dgm::fuzz::DGM_FUZZ_TARGET(data, n);
  if (!why.empty()) {
    std::fprintf(stderr, "fuzz target %s: property failed: %s\n", DGM_STR(DGM_FUZZ_TARGET), why.c_str());
    std::abort();
  }
  return 0;
}
