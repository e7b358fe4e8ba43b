// targets.h - the fuzz targets: one function per parser that takes arbitrary bytes, runs the
// parser and checks a property of what it accepted (beyond "no crash").
//
// Each returns "" when the input is handled correctly (accepted with the property holding, or
// rejected with a message), else a sentence saying which property failed. fuzz/libfuzzer.cpp
// wraps one of them as LLVMFuzzerTestOneInput (aborting on a non-empty answer, so libFuzzer
// records the input); test/test_fuzz_regressions.cpp replays fuzz/corpus/ and fuzz/regressions/
// through the same functions in the ordinary test build (no libFuzzer needed).
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace dgm {
namespace fuzz {

using TargetFn = std::string (*)(const std::uint8_t* data, std::size_t n);

struct Target {
  const char* name;  // also the folder under fuzz/corpus/ and fuzz/regressions/
  TargetFn fn;
};

// inflate.cpp: DEFLATE (RFC 1951) and its wrappers.
std::string inflate_raw(const std::uint8_t* d, std::size_t n);  // consumed prefix re-decodes the same
std::string gunzip(const std::uint8_t* d, std::size_t n);       // last member = trailer's CRC-32 and ISIZE
std::string zlib(const std::uint8_t* d, std::size_t n);         // output = trailer's Adler-32
// formats.cpp: IDX, safetensors.
std::string idx_images(const std::uint8_t* d, std::size_t n);   // encode(parse(x)) == x
std::string idx_labels(const std::uint8_t* d, std::size_t n);   // encode(parse(x)) == x
std::string safetensors(const std::uint8_t* d, std::size_t n);  // written back, parses to the same tensors
std::string safetensors_header(const std::uint8_t* d, std::size_t n);  // the same, input = the JSON header
// run_state.cpp: checkpoints, config text, flags.
std::string checkpoint(const std::uint8_t* d, std::size_t n);   // loaded, saved, reloaded: the same state
std::string config_text(const std::uint8_t* d, std::size_t n);  // parse(print(parse(x))) == parse(x)
std::string flags(const std::uint8_t* d, std::size_t n);        // flags -> config text round trips

// A checkpoint input that loads: byte `pick`, then a checkpoint of that small model (make_corpus).
std::vector<std::uint8_t> checkpoint_seed(std::uint8_t pick);

// All of them, in a fixed order; {nullptr, nullptr} ends the list.
extern const Target kTargets[];
const Target* find_target(const std::string& name);  // nullptr if unknown

}  // namespace fuzz
}  // namespace dgm
