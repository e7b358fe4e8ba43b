// tally.cpp - the kernel time tally of `dgm bench` (see include/dgm/backend/tally.h).
#include "dgm/backend/tally.h"

#include <chrono>

namespace dgm {
namespace {
bool g_on = false;
Tally g_tally[kTallyKinds];

long long now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}
}  // namespace

void tally_enable(bool on) {
  g_on = on;
  for (Tally& t : g_tally) t = Tally{};
}

bool tally_enabled() { return g_on; }

Tally tally_read(TallyKind k) { return g_tally[static_cast<int>(k)]; }

TallyScope::TallyScope(TallyKind k, double flops) : kind_(k), flops_(flops), start_ns_(g_on ? now_ns() : -1) {}

TallyScope::~TallyScope() {
  if (start_ns_ < 0) return;
  Tally& t = g_tally[static_cast<int>(kind_)];
  t.seconds += 1e-9 * static_cast<double>(now_ns() - start_ns_);
  t.flops += flops_;
  ++t.calls;
}

}  // namespace dgm
