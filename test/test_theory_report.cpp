// test_theory_report.cpp - how a theory check reports a part it could not run: SKIPPED with the
// reason, never PASS; a check with nothing run is SKIPPED (not a pass, not a failure).
#include <doctest/doctest.h>

#include <cstdio>
#include <string>
#include <vector>

#include "dgm/theory/report.h"

using namespace dgm;

namespace {

std::string run_and_print(const TheoryCheck& c, CheckResult* res) {
  std::FILE* f = std::tmpfile();
  REQUIRE(f != nullptr);
  *res = run_theory_check_result(c, f);
  std::fflush(f);
  std::rewind(f);
  std::string s;
  for (int ch; (ch = std::fgetc(f)) != EOF;) s += static_cast<char>(ch);
  std::fclose(f);
  return s;
}

void one_pass_one_skip(Report& r) {
  r.close("1 + 1", 2.0, 2.0, 0.0);
  r.skip("the part on real data", "no data here");
}
void only_skip(Report& r) { r.skip("everything", "no data here"); }
void one_fail_one_skip(Report& r) {
  r.close("1 + 1", 3.0, 2.0, 0.0);
  r.skip("the part on real data", "no data here");
}

}  // namespace

TEST_CASE("theory report: a skipped part prints SKIPPED and its reason, and is counted apart") {
  CheckResult res;
  const TheoryCheck partial{"partial", "a statement", "[MSU] a slide", one_pass_one_skip};
  std::string out = run_and_print(partial, &res);
  CHECK(res.outcome == CheckOutcome::kPass);
  CHECK(res.skipped_parts == 1);
  const std::size_t line = out.find("the part on real data");
  REQUIRE(line != std::string::npos);
  const std::string part_line = out.substr(line, out.find('\n', line) - line);
  CHECK(part_line.find("SKIPPED (no data here)") != std::string::npos);
  CHECK(part_line.find("PASS") == std::string::npos);
  CHECK(out.find("  PASS partial (1 comparisons, 1 part SKIPPED, ") != std::string::npos);
  CHECK(run_theory_check(partial, nullptr));

  const TheoryCheck none{"none", "a statement", "[MSU] a slide", only_skip};
  out = run_and_print(none, &res);
  CHECK(res.outcome == CheckOutcome::kSkipped);
  CHECK(std::string(res.word()) == "SKIPPED");
  CHECK(out.find("  SKIPPED none (0 comparisons, 1 part SKIPPED, ") != std::string::npos);
  CHECK(out.find("PASS") == std::string::npos);
  CHECK_FALSE(run_theory_check(none, nullptr));  // not a pass

  const TheoryCheck failing{"failing", "a statement", "[MSU] a slide", one_fail_one_skip};
  out = run_and_print(failing, &res);
  CHECK(res.outcome == CheckOutcome::kFail);
  CHECK(out.find("  FAIL failing (1 comparisons, 1 part SKIPPED, ") != std::string::npos);
}

// Every check of `dgm theory`, taken from the registry itself (not from a list here), so a check
// added to src/theory/ is in the suite the moment it is registered, and the suite run on another
// platform (make test-aarch64) covers all of `dgm theory` without running it a second time.
// A check passes when it made at least one comparison and every comparison held.
TEST_CASE("theory: every registered check of `dgm theory` passes") {
  const std::vector<TheoryCheck>& all = theory_checks();
  REQUIRE_FALSE(all.empty());
  for (const TheoryCheck& c : all) {
    INFO("dgm theory ", c.name, " (", c.statement, ")");
    CHECK_MESSAGE(run_theory_check(c, nullptr), "dgm theory ", c.name, " failed; run it to see which comparison");
  }
}
