// limits.h - the largest value dgm accepts for every size that comes from a flag or a file, and
// the memory a run needs, computed from its config and data shape before anything is allocated.
//
// Each size is checked against its limit first (the message names both: "hidden width 1000000
// exceeds the limit 65536"), then plan_memory adds up what the run will hold (parameters,
// gradients, optimizer state, the step's arena, the sample grids' arena) with overflow-checked
// arithmetic (dgm/core/checked.h), and check_memory refuses a plan above the memory limit: --max-memory,
// by default half of the machine's physical memory. So no flag or file makes the library run out
// of memory (std::bad_alloc, an arena check) or overflow a size: it returns a Status.
// Why each limit has its value: src/run/limits.cpp.
#pragma once
#include <cstdint>
#include <string>

#include "dgm/run/config.h"
#include "dgm/models/model.h"
#include "dgm/io/status.h"

namespace dgm {

constexpr int kMaxWidth = 65536;        // a hidden layer's width (--hidden)
constexpr int kMaxLayers = 64;          // hidden layers (--hidden 8,8,...)
constexpr int kMaxLatent = 4096;        // dimension of z (--latent)
constexpr int kMaxBatch = 65536;        // minibatch size (--batch)
constexpr int kMaxDSteps = 100;         // D / critic steps per G step (--k, --n-critic)
constexpr int kMaxSamples = 1000;       // VAE z samples per datapoint in training (--samples)
constexpr int kMaxImportance = 5000;    // VAE importance samples in evaluation (--iw)
constexpr int kMaxDim = 1 << 20;        // features per example (a checkpoint's or data set's dim)
constexpr int kMaxClasses = 1000;       // label classes

// The config's sizes against the limits above (called by validate()).
Status check_config_limits(const Config& c);
// A data shape as a checkpoint or a data set states it: 1 <= dim <= kMaxDim, 0 <= classes <=
// kMaxClasses, rows and cols both 0 (synthetic data) or both positive with rows * cols == dim.
Status check_data_info(const DataInfo& d);

// What a run holds, in bytes (totals saturate at UINT64_MAX rather than wrap).
struct MemoryPlan {
  std::uint64_t params = 0;  // parameter floats over all parts (with the store's 16-float padding)
  std::uint64_t param_bytes = 0, grad_bytes = 0, optim_bytes = 0;
  std::uint64_t step_arena_bytes = 0;    // an upper estimate of one training step's arena
  std::uint64_t sample_arena_bytes = 0;  // the same for sample grids / `dgm sample` (sample_rows rows)
  std::uint64_t total() const;
};
// The plan of model c.model on data d. sample_rows: rows generated at once (0: what training
// does: 100 images, or 2500 points of synthetic data). Checks the sizes first. MLPs by formula;
// --arch conv by measuring a throwaway copy of the nets (two steps of a few examples, the arena
// extrapolated in the batch: limits.cpp, measure_conv_plan).
Status plan_memory(const Config& c, const DataInfo& d, int sample_rows, MemoryPlan* plan);
// Refuses a plan above the limit (--max-memory, default half of physical memory), with both figures.
Status check_memory(const Config& c, const MemoryPlan& plan);
// plan_memory then check_memory: what train() and open_checkpoint() call before build().
Status check_run_memory(const Config& c, const DataInfo& d, int sample_rows = 0);

// The machine's physical memory (sysconf), 0 if unknown.
std::uint64_t physical_memory_bytes();
// The limit in bytes: --max-memory if set, else half of physical memory (8 GiB if unknown).
Status memory_limit(const Config& c, std::uint64_t* bytes);
// "8G", "512M", "64K", "1.5G", "1000000" (bytes); powers of 1024. Errors name the text.
Status parse_memory_size(const std::string& text, std::uint64_t* bytes);
// "1.50 GiB", "12.0 MiB", "512 B".
std::string bytes_text(std::uint64_t bytes);

}  // namespace dgm
