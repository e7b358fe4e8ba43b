// registry.cpp - the list of theory checks and the `dgm theory` command.
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>

#include "dgm/io/suggest.h"
#include "dgm/theory/report.h"

namespace dgm {

const std::vector<TheoryCheck>& theory_checks() {
  static const std::vector<TheoryCheck> all = [] {
    std::vector<TheoryCheck> v;
    add_diagnostics_checks(v);  // starts with generative vs discriminative, as [Utkin] does
    add_divergence_checks(v);
    add_gan_optimum_checks(v);
    add_elbo_checks(v);
    add_sampling_checks(v);
    add_rbm_checks(v);
    add_dbn_checks(v);
    add_dbm_checks(v);
    return v;
  }();
  return all;
}

const TheoryCheck* find_theory_check(const std::string& name) {
  for (const TheoryCheck& c : theory_checks())
    if (name == c.name) return &c;
  return nullptr;
}

const char* CheckResult::word() const {
  return outcome == CheckOutcome::kPass ? "PASS" : outcome == CheckOutcome::kFail ? "FAIL" : "SKIPPED";
}

CheckResult run_theory_check_result(const TheoryCheck& c, std::FILE* out) {
  if (out) std::fprintf(out, "%s: %s\n    lecture: %s\n", c.name, c.statement, c.lecture);
  auto t0 = std::chrono::steady_clock::now();
  Report r(out);
  c.run(r);
  double sec = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  CheckResult res;
  res.skipped_parts = r.skipped();
  if (!r.passed()) res.outcome = CheckOutcome::kFail;
  else if (r.comparisons() > 0) res.outcome = CheckOutcome::kPass;
  else res.outcome = r.skipped() > 0 ? CheckOutcome::kSkipped : CheckOutcome::kFail;  // a check that checks nothing fails
  if (out) {
    char skips[48] = "";
    if (r.skipped() > 0) std::snprintf(skips, sizeof skips, ", %d part%s SKIPPED", r.skipped(), r.skipped() > 1 ? "s" : "");
    std::fprintf(out, "  %s %s (%d comparisons%s, %.2f s)\n\n", res.word(), c.name, r.comparisons(), skips, sec);
  }
  return res;
}

bool run_theory_check(const TheoryCheck& c, std::FILE* out) {
  return run_theory_check_result(c, out).outcome == CheckOutcome::kPass;
}

static void theory_usage(std::FILE* f) {
  std::fprintf(f,
               "usage: dgm theory [NAME...] [--list]\n"
               "Runs the lectures' derivations as executable checks: each prints the statement,\n"
               "the lecture and slide, both sides computed independently, the tolerance, and\n"
               "PASS or FAIL; a part that cannot run here (e.g. its data is missing) prints\n"
               "SKIPPED and why. Exit status 0 if no check failed (skips included), 1 if any failed.\n"
               "  NAME     run only these checks (see --list)\n"
               "  --list   list the checks and exit\n");
}

int theory_main(int argc, char** argv) {
  std::vector<const TheoryCheck*> chosen;
  for (int i = 0; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--help") || !std::strcmp(argv[i], "-h")) {
      theory_usage(stdout);
      return 0;
    }
    if (!std::strcmp(argv[i], "--list")) {
      for (const TheoryCheck& c : theory_checks())
        std::printf("%-22s %s  %s\n", c.name, c.statement, c.lecture);
      return 0;
    }
    const TheoryCheck* c = find_theory_check(argv[i]);
    if (!c) {
      std::vector<std::string> names;
      for (const TheoryCheck& t : theory_checks()) names.push_back(t.name);
      std::fprintf(stderr, "dgm theory: unknown check '%s'%s (dgm theory --list shows them)\n", argv[i],
                   did_you_mean(argv[i], names).c_str());
      return 2;
    }
    chosen.push_back(c);
  }
  if (chosen.empty())
    for (const TheoryCheck& c : theory_checks()) chosen.push_back(&c);
  int passed = 0, failed = 0, skipped = 0, skipped_parts = 0;
  std::string partial;  // the passing checks that skipped a part
  auto t0 = std::chrono::steady_clock::now();
  for (const TheoryCheck* c : chosen) {
    const CheckResult res = run_theory_check_result(*c, stdout);
    passed += res.outcome == CheckOutcome::kPass;
    failed += res.outcome == CheckOutcome::kFail;
    skipped += res.outcome == CheckOutcome::kSkipped;
    if (res.outcome == CheckOutcome::kPass && res.skipped_parts > 0) {
      skipped_parts += res.skipped_parts;
      partial += std::string(partial.empty() ? "" : ", ") + c->name;
    }
  }
  double sec = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("theory: %zu checks, %d passed, %d failed, %d SKIPPED", chosen.size(), passed, failed, skipped);
  if (skipped_parts > 0) std::printf("; %d part%s of passing checks SKIPPED (%s)", skipped_parts,
                                     skipped_parts > 1 ? "s" : "", partial.c_str());
  std::printf(" (%.1f s)\n", sec);
  return failed ? 1 : 0;  // a skip is not a failure
}

}  // namespace dgm
