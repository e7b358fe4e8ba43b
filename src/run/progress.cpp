// progress.cpp - the progress line (see include/dgm/run/progress.h).
#include "dgm/run/progress.h"

#if defined(__unix__) || defined(__APPLE__)
#include <unistd.h>
#endif

namespace dgm {

bool is_terminal(std::FILE* f) {
#if defined(__unix__) || defined(__APPLE__)
  return isatty(fileno(f)) != 0;
#else
  (void)f;
  return false;
#endif
}

std::string hms(double s) {
  if (!(s >= 0) || s > 1e7) return "?";
  char buf[32];
  const long t = static_cast<long>(s + 0.5);
  if (t >= 3600) std::snprintf(buf, sizeof buf, "%ld:%02ld:%02ld", t / 3600, (t / 60) % 60, t % 60);
  else std::snprintf(buf, sizeof buf, "%ld:%02ld", t / 60, t % 60);
  return buf;
}

ProgressLine::ProgressLine(bool enabled, std::int64_t start, std::FILE* out)
    : enabled_(enabled), start_(start), out_(out), t0_(std::chrono::steady_clock::now()), last_(t0_) {}

void ProgressLine::update(std::int64_t done, std::int64_t total, const char* unit, const std::string& text) {
  if (!enabled_) return;
  const auto now = std::chrono::steady_clock::now();
  if (drawn_ && std::chrono::duration<double>(now - last_).count() < 0.25 && done < total) return;
  last_ = now;
  const double elapsed = std::chrono::duration<double>(now - t0_).count();
  const double frac = total > 0 ? static_cast<double>(done) / static_cast<double>(total) : 1.0;
  const double eta = done > start_ ? elapsed / static_cast<double>(done - start_) * static_cast<double>(total - done) : -1;
  char bar[32];
  const int w = 24, filled = static_cast<int>(frac * w);
  for (int i = 0; i < w; ++i) bar[i] = i < filled ? '=' : (i == filled ? '>' : ' ');
  bar[w] = 0;
  std::fprintf(out_, "\r[%s] %3.0f%% %s %lld/%lld  %s%sETA %s   ", bar, 100 * frac, unit, static_cast<long long>(done),
               static_cast<long long>(total), text.c_str(), text.empty() ? "" : "  ", hms(eta).c_str());
  std::fflush(out_);
  drawn_ = true;
}

void ProgressLine::clear() {
  if (!drawn_) return;
  std::fprintf(out_, "\r%*s\r", 120, "");
  std::fflush(out_);
  drawn_ = false;
}

}  // namespace dgm
