// registry.cpp - the list of theory checks and the `dgm theory` command.
#include <chrono>
#include <cstring>

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
    return v;
  }();
  return all;
}

const TheoryCheck* find_theory_check(const std::string& name) {
  for (const TheoryCheck& c : theory_checks())
    if (name == c.name) return &c;
  return nullptr;
}

bool run_theory_check(const TheoryCheck& c, std::FILE* out) {
  if (out) std::fprintf(out, "%s: %s\n    lecture: %s\n", c.name, c.statement, c.lecture);
  auto t0 = std::chrono::steady_clock::now();
  Report r(out);
  c.run(r);
  double sec = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  bool ok = r.passed() && r.comparisons() > 0;
  if (out) std::fprintf(out, "  %s %s (%d comparisons, %.2f s)\n\n", ok ? "PASS" : "FAIL", c.name,
                        r.comparisons(), sec);
  return ok;
}

static void theory_usage(std::FILE* f) {
  std::fprintf(f,
               "usage: dgm theory [NAME...] [--list]\n"
               "Runs the lectures' derivations as executable checks: each prints the statement,\n"
               "the lecture and slide, both sides computed independently, the tolerance, and\n"
               "PASS or FAIL. Exit status 0 if every check passed, 1 if any failed.\n"
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
      std::fprintf(stderr, "dgm theory: unknown check '%s' (dgm theory --list shows them)\n", argv[i]);
      return 2;
    }
    chosen.push_back(c);
  }
  if (chosen.empty())
    for (const TheoryCheck& c : theory_checks()) chosen.push_back(&c);
  int failed = 0;
  auto t0 = std::chrono::steady_clock::now();
  for (const TheoryCheck* c : chosen)
    if (!run_theory_check(*c, stdout)) ++failed;
  double sec = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("theory: %zu checks, %zu passed, %d failed (%.1f s)\n", chosen.size(),
              chosen.size() - static_cast<std::size_t>(failed), failed, sec);
  return failed ? 1 : 0;
}

}  // namespace dgm
