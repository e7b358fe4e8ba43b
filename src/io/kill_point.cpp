// kill_point.cpp - the test-only DGM_TEST_KILL_AT hook (see include/dgm/io/kill_point.h).
#include "dgm/io/kill_point.h"

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace dgm {
namespace {

struct Trigger {
  std::string point;
  long n = 0;       // fire on the n-th pass
  long seen = 0;    // passes so far
  int signal = 0;
};

int signal_named(const std::string& s) {
#if defined(SIGKILL)
  if (s.empty() || s == "KILL") return SIGKILL;
#endif
  if (s == "INT") return SIGINT;
  if (s == "TERM") return SIGTERM;
  return 0;
}

// Parsed once; a malformed variable is reported once and ignored (it is a test tool).
std::vector<Trigger>& triggers() {
  static std::vector<Trigger> t = [] {
    std::vector<Trigger> out;
    const char* env = std::getenv("DGM_TEST_KILL_AT");
    if (!env || !*env) return out;
    std::string all = env;
    std::size_t start = 0;
    while (start <= all.size()) {
      std::size_t comma = all.find(',', start);
      if (comma == std::string::npos) comma = all.size();
      std::string item = all.substr(start, comma - start);
      start = comma + 1;
      // <point>:<n>[:<signal>]; the point may hold ':' itself (write:model.safetensors).
      Trigger tr;
      tr.signal = signal_named("");
      std::size_t colon = item.rfind(':');
      if (colon != std::string::npos && colon + 1 < item.size() && signal_named(item.substr(colon + 1))) {
        tr.signal = signal_named(item.substr(colon + 1));
        item = item.substr(0, colon);
        colon = item.rfind(':');
      }
      char* end = nullptr;
      if (colon != std::string::npos) tr.n = std::strtol(item.c_str() + colon + 1, &end, 10);
      if (colon == std::string::npos || colon == 0 || !end || *end || tr.n < 1 || !tr.signal) {
        std::fprintf(stderr, "DGM_TEST_KILL_AT: ignoring '%s' (expected <point>:<n>[:KILL|INT|TERM])\n",
                     item.c_str());
        continue;
      }
      tr.point = item.substr(0, colon);
      out.push_back(tr);
    }
    return out;
  }();
  return t;
}

}  // namespace

void kill_point(const char* point) {
  for (Trigger& t : triggers())
    if (t.point == point && ++t.seen == t.n) std::raise(t.signal);  // no flush: as a real kill
}

}  // namespace dgm
