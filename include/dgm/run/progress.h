// progress.h - the one progress line with ETA that `dgm train` and `dgm eval` draw on a terminal
// (design.md need 13: "a one-line progress bar with ETA"; plain lines otherwise).
//
//   [==========>             ]  42% step 33/78  loss 300.1  recon 290  ETA 0:03
//
// Drawn on stderr, redrawn at most four times a second, and only when stderr is a terminal, so
// a log file or a pipe never sees it.
#pragma once
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>

namespace dgm {

// True if f is a terminal (isatty); false where that cannot be asked.
bool is_terminal(std::FILE* f);

// "1:05", "2:03:04" for seconds; "?" for a negative or absurd value.
std::string hms(double seconds);

class ProgressLine {
 public:
  // enabled: draw at all (e.g. `!quiet && is_terminal(stderr)`); start: the count already done
  // when timing starts (a resumed run's step), so the ETA uses this call's rate only.
  ProgressLine(bool enabled, std::int64_t start, std::FILE* out = stderr);
  ~ProgressLine() { clear(); }
  // done of total units ("step", "image", ...), then text (the latest losses, or "").
  void update(std::int64_t done, std::int64_t total, const char* unit, const std::string& text);
  // Erases the line if one is drawn, before other output.
  void clear();
  bool enabled() const { return enabled_; }

 private:
  bool enabled_, drawn_ = false;
  std::int64_t start_;
  std::FILE* out_;
  std::chrono::steady_clock::time_point t0_, last_;
};

}  // namespace dgm
