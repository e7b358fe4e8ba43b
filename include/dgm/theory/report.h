// report.h - how an executable theory check states and verifies a lecture result.
//
// A check prints the statement, the lecture it comes from (short name and slide heading, see
// ../shared/lectures/README.md), both sides computed independently, the tolerance and PASS/FAIL.
// A part that cannot run here (e.g. its data is missing) prints SKIPPED and the reason, never
// PASS; a check none of whose parts ran is SKIPPED, not passed (and not a failure: exit 0).
// `dgm theory` runs every registered check (src/theory/registry.cpp); each group of checks lives
// in its own file, grouped as the lectures group them:
//   src/theory/divergences.cpp   entropy, Gibbs, KL, JS and sqrt(JS)
//   src/theory/gan_optimum.cpp   D*, C(G) = 2 JS - log 4, non-saturating loss, saturation, dataset shift
//   src/theory/elbo.cpp          ELBO, closed-form KL, estimators L^A / L^B, reparametrization, ring map
//   src/theory/sampling.cpp      inverse transform, rejection, bootstrap, likelihood vs quality, evidence
//   src/theory/diagnostics.cpp   generative vs discriminative, birthday paradox, DAE score
//   src/theory/rbm.cpp           RBM: F(v) by enumeration, AIS log Z, CD-k bias, Gibbs TV
//   src/theory/dbn.cpp           DBN: the variational bound at initialisation and after a greedy step
//   src/theory/dbm.cpp           DBM: the mean-field bound below log p(v), rising with each sweep
#pragma once
#include <cstdio>
#include <string>
#include <vector>

namespace dgm {

class Report {
 public:
  explicit Report(std::FILE* out) : out_(out) {}  // out may be nullptr: silent

  // |lhs - rhs| <= tol. Prints what, both sides, the difference, the tolerance and PASS/FAIL.
  bool close(const char* what, double lhs, double rhs, double tol);
  // |lhs - rhs| <= rel_tol * max(|lhs|, |rhs|).
  bool close_rel(const char* what, double lhs, double rhs, double rel_tol);
  // lhs <= rhs + tol (an inequality of the lecture; tol absorbs float rounding only).
  bool at_most(const char* what, double lhs, double rhs, double tol = 0.0);
  // A condition that is not a comparison of two numbers (e.g. "argmax is unique").
  bool holds(const char* what, bool condition);
  // A part of the check that could not run: prints what and why with SKIPPED; counts no comparison.
  void skip(const char* what, const char* why);
  // An informational line (printf-style), e.g. a variance or a test accuracy.
  void note(const char* format, ...)
#if defined(__GNUC__)
      __attribute__((format(printf, 2, 3)))
#endif
      ;

  bool passed() const { return failures_ == 0; }
  int failures() const { return failures_; }
  int comparisons() const { return comparisons_; }
  int skipped() const { return skipped_; }

 private:
  bool record(bool ok);
  std::FILE* out_;
  int failures_ = 0, comparisons_ = 0, skipped_ = 0;
};

// What became of one check: every comparison passed (some parts may have been skipped), one
// failed, or nothing could run; and how many of its parts were skipped.
enum class CheckOutcome { kPass, kFail, kSkipped };
struct CheckResult {
  CheckOutcome outcome = CheckOutcome::kFail;
  int skipped_parts = 0;
  const char* word() const;  // "PASS", "FAIL" or "SKIPPED", as the result line prints it
};

struct TheoryCheck {
  const char* name;       // short id for `dgm theory NAME`, e.g. "kl"
  const char* statement;  // the result, e.g. "KL(P||Q) >= 0, = 0 iff P = Q, not symmetric"
  const char* lecture;    // e.g. "[MSU] Дивергенция Кульбака-Лейблера"
  void (*run)(Report& r);
};

// Each group file adds its checks, in lecture order.
void add_divergence_checks(std::vector<TheoryCheck>& out);
void add_gan_optimum_checks(std::vector<TheoryCheck>& out);
void add_elbo_checks(std::vector<TheoryCheck>& out);
void add_sampling_checks(std::vector<TheoryCheck>& out);
void add_diagnostics_checks(std::vector<TheoryCheck>& out);
void add_rbm_checks(std::vector<TheoryCheck>& out);  // src/theory/rbm.cpp
void add_dbn_checks(std::vector<TheoryCheck>& out);  // src/theory/dbn.cpp
void add_dbm_checks(std::vector<TheoryCheck>& out);  // src/theory/dbm.cpp

// All checks, in the order `dgm theory` runs them.
const std::vector<TheoryCheck>& theory_checks();
const TheoryCheck* find_theory_check(const std::string& name);  // nullptr if unknown

// Runs one check, printing its header and result to out (may be nullptr): "PASS name (N
// comparisons, 1 part SKIPPED, 0.2 s)", "FAIL ..." or "SKIPPED name (...)" when nothing ran.
CheckResult run_theory_check_result(const TheoryCheck& c, std::FILE* out);
// The same; true on PASS (a wholly skipped check is not a pass).
bool run_theory_check(const TheoryCheck& c, std::FILE* out);

// `dgm theory [NAME...] [--list] [--help]`: returns the process exit code (0 all passed,
// 1 a check failed, 2 bad usage).
int theory_main(int argc, char** argv);

}  // namespace dgm
