// suggest.cpp - the nearest name to a mistyped one (see include/dgm/io/suggest.h).
#include "dgm/io/suggest.h"

#include <algorithm>

namespace dgm {

int edit_distance(const std::string& a, const std::string& b) {
  // d[i][j]: distance between a[0, i) and b[0, j); three rows suffice for the swap rule.
  const std::size_t n = a.size(), m = b.size();
  std::vector<int> prev2(m + 1), prev(m + 1), cur(m + 1);
  for (std::size_t j = 0; j <= m; ++j) prev[j] = static_cast<int>(j);
  for (std::size_t i = 1; i <= n; ++i) {
    cur[0] = static_cast<int>(i);
    for (std::size_t j = 1; j <= m; ++j) {
      const int cost = a[i - 1] == b[j - 1] ? 0 : 1;
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) cur[j] = std::min(cur[j], prev2[j - 2] + 1);
    }
    std::swap(prev2, prev);
    std::swap(prev, cur);
  }
  return prev[m];
}

std::string nearest_name(const std::string& word, const std::vector<std::string>& candidates) {
  if (word.empty()) return "";
  const int limit = std::min(3, std::max(1, static_cast<int>(word.size()) / 3));
  std::string best;
  int best_d = limit + 1;
  for (const std::string& c : candidates) {  // the first of equally near candidates wins
    // The distance is at least the difference of the lengths: skip a candidate that cannot be
    // near without filling the |word| x |c| table (a 4 KB argument against every flag name).
    const std::size_t gap = word.size() > c.size() ? word.size() - c.size() : c.size() - word.size();
    if (gap >= static_cast<std::size_t>(best_d)) continue;
    const int d = edit_distance(word, c);
    if (d < best_d) {
      best_d = d;
      best = c;
    }
  }
  if (!best.empty()) return best;
  std::string start;  // else: the one candidate that word begins
  for (const std::string& c : candidates)
    if (c.size() > word.size() && c.compare(0, word.size(), word) == 0) {
      if (!start.empty()) return "";
      start = c;
    }
  return start;
}

std::string did_you_mean(const std::string& word, const std::vector<std::string>& candidates,
                         const std::string& prefix) {
  const std::string n = nearest_name(word, candidates);
  return n.empty() ? "" : "; did you mean " + prefix + n + "?";
}

}  // namespace dgm
