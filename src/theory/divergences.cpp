// divergences.cpp - entropy, Gibbs' inequality, KL and Jensen-Shannon: the library functions of
// include/dgm/theory/divergences.h and the theory checks `entropy`, `gibbs`, `kl`, `js`.
//
// Follows the first block of [MSU] (003, "Вывод формул!"): "Энтропия для унитарного
// кодирования", "Неравенство Гиббса (1)", "Функция близости Кульбака-Лейблера", "Метрика на
// основе функции близости Йенсена-Шеннона (1)" and "(2)". Everything here is exact arithmetic on
// discrete distributions in double precision: the only tolerances are for rounding, and each
// says how large the rounding can be.
#include "dgm/theory/divergences.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "dgm/core/check.h"
#include "dgm/core/rng.h"
#include "dgm/theory/report.h"

namespace dgm {

// ---------------------------------------------------------------------------------------------
// Library functions
// ---------------------------------------------------------------------------------------------

static const double kInf = std::numeric_limits<double>::infinity();

// [MSU] Энтропия для унитарного кодирования: p_i log p_i = lim_{x->0} x log x = 0 (L'Hopital).
double xlogx(double x) { return x == 0.0 ? 0.0 : x * std::log(x); }

// [MSU] Энтропия для унитарного кодирования: H(p) = -sum_{i=1}^n p_i log p_i.
double entropy(const std::vector<double>& p) {
  double s = 0.0;
  for (double pi : p) s += xlogx(pi);
  return -s;
}

// [MSU] Неравенство Гиббса (1): the right-hand side sum_{i=1}^n p_i log q_i.
double sum_p_log_q(const std::vector<double>& p, const std::vector<double>& q) {
  DGM_CHECK(p.size() == q.size(), "sum_p_log_q: p has %zu entries, q has %zu", p.size(), q.size());
  double s = 0.0;
  for (std::size_t i = 0; i < p.size(); ++i) {
    if (p[i] == 0.0) continue;  // the proof's case p_i = 0: the term is 0
    if (q[i] == 0.0) return -kInf;
    s += p[i] * std::log(q[i]);
  }
  return s;
}

// [MSU] Функция близости Кульбака-Лейблера: D_KL(P||Q) = sum_x p(x) log(p(x)/q(x)).
double kl(const std::vector<double>& p, const std::vector<double>& q) {
  DGM_CHECK(p.size() == q.size(), "kl: p has %zu entries, q has %zu", p.size(), q.size());
  double s = 0.0;
  for (std::size_t i = 0; i < p.size(); ++i) {
    if (p[i] == 0.0) continue;
    if (q[i] == 0.0) return kInf;
    s += p[i] * std::log(p[i] / q[i]);
  }
  return s;
}

std::vector<double> mixture_half(const std::vector<double>& p, const std::vector<double>& q) {
  DGM_CHECK(p.size() == q.size(), "mixture_half: p has %zu entries, q has %zu", p.size(), q.size());
  std::vector<double> m(p.size());
  for (std::size_t i = 0; i < p.size(); ++i) m[i] = 0.5 * (p[i] + q[i]);
  return m;
}

// [MSU] Метрика на основе функции близости Йенсена-Шеннона (1):
// D_JS(P||Q) = 1/2 D_KL(P||M) + 1/2 D_KL(Q||M), M = 1/2 (P + Q).
double js(const std::vector<double>& p, const std::vector<double>& q) {
  std::vector<double> m = mixture_half(p, q);
  return 0.5 * kl(p, m) + 0.5 * kl(q, m);
}

// D_JS = H(M) - 1/2 H(P) - 1/2 H(Q): expand log(p/m) = log p - log m in both KL terms and use
// sum_x (p + q)/2 log m = sum_x m log m.
double js_from_entropies(const std::vector<double>& p, const std::vector<double>& q) {
  return entropy(mixture_half(p, q)) - 0.5 * entropy(p) - 0.5 * entropy(q);
}

// [MSU] Метрика ... (1), Теорема: sqrt(D_JS(P||Q)) is a metric. max(0, .) guards a rounding of
// D_JS(P||P) to -0 or a tiny negative.
double js_distance(const std::vector<double>& p, const std::vector<double>& q) {
  return std::sqrt(std::max(0.0, js(p, q)));
}

bool is_distribution(const std::vector<double>& p, double tol) {
  double s = 0.0;
  for (double pi : p) {
    if (!(pi >= 0.0)) return false;
    s += pi;
  }
  return std::fabs(s - 1.0) <= tol;
}

std::vector<double> random_distribution(Rng& rng, int n, double zero_prob) {
  DGM_CHECK(n >= 1, "random_distribution: n = %d must be >= 1", n);
  std::vector<double> p(static_cast<std::size_t>(n));
  double s = 0.0;
  for (double& pi : p) {
    bool zero = zero_prob > 0.0 && rng.uniform_double() < zero_prob;
    pi = zero ? 0.0 : -std::log(1.0 - rng.uniform_double());  // Exp(1); 1 - u in (0, 1]
    s += pi;
  }
  if (s == 0.0) {  // every entry was zeroed (or every draw was exactly 0): keep one mass point
    p[rng.below(static_cast<std::uint32_t>(n))] = 1.0;
    return p;
  }
  for (double& pi : p) pi /= s;
  return p;
}

std::vector<double> one_hot(int n, int c) {
  DGM_CHECK(n >= 1 && c >= 0 && c < n, "one_hot: class %d out of range for n = %d", c, n);
  std::vector<double> y(static_cast<std::size_t>(n), 0.0);
  y[static_cast<std::size_t>(c)] = 1.0;
  return y;
}

// ---------------------------------------------------------------------------------------------
// Checks
// ---------------------------------------------------------------------------------------------

// A random pair (p, q) on 2..12 points; `kind` cycles through: no zeros, zeros in p, zeros in q,
// zeros in both (probability 0.3 per entry), so the proof's case p_i = 0 and the case q_i = 0
// (then sum p log q = -inf when p_i > 0) both occur.
static void random_pair(Rng& rng, int kind, std::vector<double>* p, std::vector<double>* q) {
  int n = 2 + static_cast<int>(rng.below(11));
  *p = random_distribution(rng, n, (kind == 1 || kind == 3) ? 0.3 : 0.0);
  *q = random_distribution(rng, n, (kind == 2 || kind == 3) ? 0.3 : 0.0);
}

static double l1_distance(const std::vector<double>& p, const std::vector<double>& q) {
  double s = 0.0;
  for (std::size_t i = 0; i < p.size(); ++i) s += std::fabs(p[i] - q[i]);
  return s;
}

// Check 2. [MSU] Энтропия для унитарного кодирования.
static void check_entropy(Report& r) {
  // The limit the slide takes by L'Hopital: x log x -> 0 as x -> 0. Computed directly (not
  // through xlogx) at x = 1e-12: |x log x| = 1e-12 * 27.6 = 2.8e-11, so tolerance 1e-10.
  for (double x : {1e-2, 1e-4, 1e-8})
    r.note("x log x at x = %g: %.3g (log x / (1/x) = %.3g)", x, x * std::log(x),
           std::log(x) / (1.0 / x));
  r.close("x log x at x = 1e-12 (-> 0, the limit 0 log 0 = 0)", 1e-12 * std::log(1e-12), 0.0,
          1e-10);
  r.close("xlogx(0) (the convention used by H)", xlogx(0.0), 0.0, 0.0);

  // H(y_one-hot) = 0 for every n and class c: 1 log 1 = 0 and 0 log 0 = 0, exactly.
  double worst = 0.0;
  for (int n = 1; n <= 10; ++n)
    for (int c = 0; c < n; ++c) worst = std::max(worst, std::fabs(entropy(one_hot(n, c))));
  r.close("max |H(one-hot)| over n = 1..10, every class", worst, 0.0, 0.0);

  // The same 0 as a limit, without the convention: p_eps = (1 - 9 eps, eps, ..., eps) on n = 10.
  // H(p_eps) ~ 9 eps (1 - log eps): 2.6e-10 at eps = 1e-12, so tolerance 1e-9.
  for (double eps : {1e-2, 1e-4, 1e-8, 1e-12}) {
    double h = -(1.0 - 9 * eps) * std::log(1.0 - 9 * eps) - 9 * eps * std::log(eps);
    if (eps > 1e-12)
      r.note("H(1 - 9 eps, eps, ..., eps) at eps = %g: %.3g", eps, h);
    else
      r.close("H(1 - 9 eps, eps x 9) at eps = 1e-12 (-> H(one-hot) = 0)", h, 0.0, 1e-9);
  }

  // Two more values known in closed form, as a check of entropy() itself: H(uniform on n) =
  // log n; a fair coin has log 2. Rounding of a sum of 8 terms: < 1e-15.
  r.close("H(uniform on 8 points) = log 8", entropy(std::vector<double>(8, 0.125)), std::log(8.0),
          1e-15);
  // Zeros do not change H: (1/2, 0, 1/2, 0) has the entropy of a fair coin.
  r.close("H(1/2, 0, 1/2, 0) = log 2", entropy({0.5, 0.0, 0.5, 0.0}), std::log(2.0), 1e-15);

  // 0 <= H(p) <= log n on 2000 random distributions, a quarter of them with zeros.
  Rng rng(2);
  double min_h = kInf, max_excess = -kInf;
  for (int t = 0; t < 2000; ++t) {
    int n = 1 + static_cast<int>(rng.below(12));
    std::vector<double> p = random_distribution(rng, n, t % 4 == 0 ? 0.3 : 0.0);
    double h = entropy(p);
    min_h = std::min(min_h, h);
    max_excess = std::max(max_excess, h - std::log(static_cast<double>(n)));
  }
  r.at_most("-min H(p) over 2000 random p (H >= 0)", -min_h, 0.0, 0.0);
  r.at_most("max H(p) - log n over the same p (H <= log n)", max_excess, 0.0, 1e-15);
}

// Check 3. [MSU] Неравенство Гиббса (1).
static void check_gibbs(Report& r) {
  // The proof's lemma: log x <= x - 1 for x > 0, equality only at x = 1 (on 10^5 grid points).
  double worst_lemma = -kInf;
  for (int i = 1; i <= 100000; ++i) {
    double x = i * 5e-5;  // (0, 5]
    if (std::fabs(x - 1.0) > 1e-9) worst_lemma = std::max(worst_lemma, std::log(x) - (x - 1.0));
  }
  r.at_most("lemma: max (log x - (x - 1)) over x in (0,5], x != 1", worst_lemma, 0.0, 0.0);

  // sum p log p - sum p log q >= 0 on 4000 random pairs (all four zero patterns). The gap can
  // be +inf (q_i = 0 < p_i): the inequality holds strictly there.
  // "Equality only at p = q", made quantitative: Pinsker's inequality gives
  // gap >= 1/2 ||p - q||_1^2, so gap / (1/2 ||p - q||_1^2) >= 1 whenever p != q.
  Rng rng(3);
  double min_gap = kInf, min_ratio = kInf;
  int infinite = 0, with_zero_p = 0;
  for (int t = 0; t < 4000; ++t) {
    std::vector<double> p, q;
    random_pair(rng, t % 4, &p, &q);
    double gap = sum_p_log_q(p, p) - sum_p_log_q(p, q);
    min_gap = std::min(min_gap, gap);
    if (std::isinf(gap)) ++infinite;
    if (std::count(p.begin(), p.end(), 0.0) > 0) ++with_zero_p;
    double d = l1_distance(p, q);
    if (d > 0 && std::isfinite(gap)) min_ratio = std::min(min_ratio, gap / (0.5 * d * d));
  }
  r.note("4000 pairs: %d with zeros in p, %d with sum p log q = -inf (q_i = 0 < p_i)", with_zero_p,
         infinite);
  r.at_most("-min (sum p log p - sum p log q) (Gibbs: >= 0)", -min_gap, 0.0, 0.0);
  // Pinsker's constant 1/2 is sharp (two-point P, Q near 1/2), so the ratio may come close to 1;
  // rounding of the gap (a difference of sums of <= 12 terms: ~1e-15 absolute, on gaps that are
  // >= 1e-6 here) moves the ratio by < 1e-9.
  r.at_most("1 - min gap / (1/2 ||p - q||_1^2) (Pinsker: gap > 0 if p != q)", 1.0 - min_ratio,
            0.0, 1e-9);

  // Equality at p = q, and the approach to it: with q = (1 - d) p + d u, the gap is
  // 1/2 d^2 sum_i (u_i - p_i)^2 / p_i + O(d^3) (second-order Taylor of -log). At d = 1e-3 the
  // relative error of that approximation is O(d) ~ 1e-3, so relative tolerance 1e-2.
  std::vector<double> p = {0.1, 0.2, 0.3, 0.4}, u = {0.25, 0.25, 0.25, 0.25};
  r.close("sum p log p - sum p log q at q = p", sum_p_log_q(p, p) - sum_p_log_q(p, p), 0.0, 0.0);
  double chi2 = 0.0;
  for (std::size_t i = 0; i < p.size(); ++i) chi2 += (u[i] - p[i]) * (u[i] - p[i]) / p[i];
  for (double d : {1e-1, 1e-2, 1e-3}) {
    std::vector<double> q(p.size());
    for (std::size_t i = 0; i < p.size(); ++i) q[i] = (1.0 - d) * p[i] + d * u[i];
    double gap = sum_p_log_q(p, p) - sum_p_log_q(p, q);
    if (d > 1e-3)
      r.note("q = (1 - %g) p + %g u: gap %.6g, 1/2 d^2 chi^2 %.6g", d, d, gap, 0.5 * d * d * chi2);
    else
      r.close_rel("gap at q = (1 - 1e-3) p + 1e-3 u vs 1/2 d^2 chi^2(u, p)", gap, 0.5 * d * d * chi2,
                  1e-2);
  }
}

// Check 4. [MSU] Функция близости Кульбака-Лейблера.
static void check_kl(Report& r) {
  // Two formulas from the slide's proof: sum p log(p/q) (kl) and sum p log p - sum p log q.
  // Rounding: <= 12 terms of size <= 40 each, so 1e-12 absolute.
  Rng rng(4);
  double max_diff = 0.0, min_kl = kInf, min_ratio = kInf;
  for (int t = 0; t < 4000; ++t) {
    std::vector<double> p, q;
    random_pair(rng, t % 4, &p, &q);
    double k = kl(p, q), g = sum_p_log_q(p, p) - sum_p_log_q(p, q);
    if (std::isinf(k) || std::isinf(g)) {
      if (k != g) max_diff = kInf;  // both must be +inf together
    } else {
      max_diff = std::max(max_diff, std::fabs(k - g));
      double d = l1_distance(p, q);
      if (d > 0) min_ratio = std::min(min_ratio, k / (0.5 * d * d));
    }
    min_kl = std::min(min_kl, k);
  }
  r.close("max |sum p log(p/q) - (sum p log p - sum p log q)|", max_diff, 0.0, 1e-12);
  r.at_most("-min KL(P||Q) over 4000 random pairs (KL >= 0)", -min_kl, 0.0, 0.0);
  r.at_most("1 - min KL / (1/2 ||P - Q||_1^2) (KL = 0 only if P = Q)", 1.0 - min_ratio, 0.0,
            1e-9);  // Pinsker, rounding as in `gibbs`
  std::vector<double> p0 = random_distribution(rng, 7, 0.3);
  r.close("KL(P||P) for a random P with zeros", kl(p0, p0), 0.0, 0.0);

  // Not symmetric. P = (1/2, 1/2), Q = (9/10, 1/10), by hand:
  //   KL(P||Q) = 1/2 log(5/9) + 1/2 log 5 = 1/2 log(25/9) = 0.51083
  //   KL(Q||P) = 9/10 log(9/5) + 1/10 log(1/5)            = 0.36806
  std::vector<double> P = {0.5, 0.5}, Q = {0.9, 0.1};
  double pq = kl(P, Q), qp = kl(Q, P);
  r.close("KL(P||Q), P = (1/2,1/2), Q = (9/10,1/10), vs 1/2 log(25/9)", pq, 0.5 * std::log(25.0 / 9.0),
          1e-15);
  r.close("KL(Q||P) vs 9/10 log(9/5) - 1/10 log 5", qp, 0.9 * std::log(1.8) - 0.1 * std::log(5.0),
          1e-15);
  r.holds("KL(P||Q) != KL(Q||P) (differ by 0.14 > 0.1)", std::fabs(pq - qp) > 0.1);
  // The extreme case: Q misses half of P's support.
  std::vector<double> A = {0.5, 0.5}, B = {1.0, 0.0};
  r.note("KL((1/2,1/2) || (1,0)) = %g, KL((1,0) || (1/2,1/2)) = %.6g = log 2", kl(A, B), kl(B, A));
  r.holds("KL(A||B) = +inf while KL(B||A) = log 2 is finite",
          std::isinf(kl(A, B)) && std::fabs(kl(B, A) - std::log(2.0)) < 1e-15);
}

// Check 5. [MSU] Метрика на основе функции близости Йенсена-Шеннона (1) and (2).
static void check_js(Report& r) {
  const double log2 = std::log(2.0);
  Rng rng(5);
  double max_form = 0.0, max_asym = 0.0, max_js = 0.0, min_js = kInf;
  for (int t = 0; t < 4000; ++t) {
    std::vector<double> p, q;
    random_pair(rng, t % 4, &p, &q);
    double a = js(p, q), b = js(q, p);
    max_form = std::max(max_form, std::fabs(a - js_from_entropies(p, q)));
    max_asym = std::max(max_asym, std::fabs(a - b));
    max_js = std::max(max_js, a);
    min_js = std::min(min_js, a);
  }
  // Rounding: both formulas sum <= 12 terms of size <= 3 (|log m| <= log 2 + |log p|, weighted by
  // p <= 1): 1e-13 is generous.
  r.close("max |1/2 KL(P||M) + 1/2 KL(Q||M) - (H(M) - H(P)/2 - H(Q)/2)|", max_form, 0.0, 1e-13);
  // Symmetric in exact arithmetic, and also in floating point: M is the same vector and the two
  // halves are added in either order (+ is commutative in IEEE arithmetic).
  r.close("max |D_JS(P||Q) - D_JS(Q||P)| (symmetric)", max_asym, 0.0, 0.0);
  r.at_most("-min D_JS (>= 0)", -min_js, 0.0, 0.0);
  // Pairs with disjoint supports (zeros in both) reach log 2 exactly; the sum of <= 12 rounded
  // terms may land a few ulps above it, hence 1e-14.
  r.at_most("max D_JS over 4000 random pairs <= log 2", max_js, log2, 1e-14);
  // log 2 is reached at disjoint supports: M = P/2 + Q/2, KL(P||M) = sum p log 2 = log 2.
  r.close("D_JS at disjoint supports = log 2", js({0.3, 0.7, 0.0, 0.0}, {0.0, 0.0, 0.4, 0.6}), log2,
          1e-15);

  // The metric's three axioms for d = sqrt(D_JS).
  std::vector<double> p0 = random_distribution(rng, 6, 0.2);
  r.close("d(P,P) = sqrt(D_JS(P||P)) (axiom 1)", js_distance(p0, p0), 0.0, 0.0);
  // Axiom 3 (Endres & Schindelin 2003) on 20000 random triples on 2..8 points with zeros. The
  // slack d(x,y) + d(y,z) - d(x,z) is >= 0; a negative value beyond rounding (sqrt of a value
  // with error 1e-16 near 0 gives 1e-8) fails.
  double worst = -kInf;
  for (int t = 0; t < 20000; ++t) {
    int n = 2 + static_cast<int>(rng.below(7));
    double zp = (t % 2) ? 0.3 : 0.0;
    std::vector<double> x = random_distribution(rng, n, zp), y = random_distribution(rng, n, zp),
                        z = random_distribution(rng, n, zp);
    if (t % 5 == 0) y = mixture_half(x, z);  // y on the segment between x and z: a tight case
    worst = std::max(worst, js_distance(x, z) - js_distance(x, y) - js_distance(y, z));
  }
  r.at_most("max d(x,z) - d(x,y) - d(y,z) over 20000 triples", worst, 0.0, 1e-8);

  // Without the square root the triangle inequality fails, so the test above can fail:
  // x = (1,0), z = (0,1), y = (1/2,1/2): D_JS(x,z) = log 2 = 0.693 > 2 D_JS(x,y) = 0.432.
  std::vector<double> x = {1.0, 0.0}, z = {0.0, 1.0}, y = {0.5, 0.5};
  double lhs = js(x, z), rhs = js(x, y) + js(y, z);
  r.note("D_JS itself is not a metric: D_JS(x,z) = %.4f > D_JS(x,y) + D_JS(y,z) = %.4f", lhs, rhs);
  r.holds("the same triangle test rejects D_JS without sqrt", lhs - rhs > 1e-8);
  r.at_most("... and accepts sqrt(D_JS) on that triple",
            js_distance(x, z) - js_distance(x, y) - js_distance(y, z), 0.0, 1e-8);
}

void add_divergence_checks(std::vector<TheoryCheck>& out) {
  out.push_back({"entropy", "H(p) = -sum p log p with 0 log 0 = 0; H(one-hot) = 0; 0 <= H <= log n",
                 "[MSU] Энтропия для унитарного кодирования", check_entropy});
  out.push_back({"gibbs", "sum p log p >= sum p log q, equality only at p = q",
                 "[MSU] Неравенство Гиббса (1)", check_gibbs});
  out.push_back({"kl", "D_KL(P||Q) >= 0, = 0 iff P = Q, and KL is not symmetric",
                 "[MSU] Функция близости Кульбака-Лейблера", check_kl});
  out.push_back({"js",
                 "D_JS = 1/2 KL(P||M) + 1/2 KL(Q||M) is symmetric, <= log 2; sqrt(D_JS) is a metric",
                 "[MSU] Метрика на основе функции близости Йенсена-Шеннона (1), (2)", check_js});
}

}  // namespace dgm
