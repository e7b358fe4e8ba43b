// divergences.h - entropy, the Gibbs sums, KL and Jensen-Shannon on discrete distributions.
//
// Follows [MSU] (003, Бабин, Иванов, Петюшко) slides "Энтропия для унитарного кодирования",
// "Неравенство Гиббса (1)", "Функция близости Кульбака-Лейблера" and "Метрика на основе функции
// близости Йенсена-Шеннона (1)/(2)". A distribution is a vector p = (p_1, ..., p_n) with
// p_i >= 0 and sum_i p_i = 1, in double precision; logarithms are natural (nats).
//
// Zeros follow the lecture: 0 log 0 = 0 (the L'Hopital limit lim_{x->0} x log x = 0), and a term
// p_i log q_i with p_i = 0 is 0 whatever q_i is. A term with p_i > 0 and q_i = 0 is -infinity, so
// KL(P||Q) = +infinity when Q misses part of P's support. These are the functions the checks in
// src/theory/divergences.cpp verify and the GAN-optimum checks build on.
#pragma once
#include <cstdint>
#include <vector>

namespace dgm {

class Rng;

// x log x with the limit 0 log 0 = 0.  [MSU] Энтропия для унитарного кодирования
double xlogx(double x);

// H(p) = -sum_i p_i log p_i (sum over all n entries, 0 log 0 = 0).
double entropy(const std::vector<double>& p);

// sum_i p_i log q_i, the right-hand side of Gibbs' inequality (the left is sum_i p_i log p_i).
// Entries with p_i = 0 contribute 0; p_i > 0 with q_i = 0 gives -infinity.
double sum_p_log_q(const std::vector<double>& p, const std::vector<double>& q);

// D_KL(P||Q) = sum_x p(x) log(p(x)/q(x)), computed term by term as written on the slide
// (one log of a ratio per term, not as a difference of two sums). +infinity if some p > 0 = q.
double kl(const std::vector<double>& p, const std::vector<double>& q);

// M = 1/2 (P + Q), element by element.
std::vector<double> mixture_half(const std::vector<double>& p, const std::vector<double>& q);

// D_JS(P||Q) = 1/2 D_KL(P||M) + 1/2 D_KL(Q||M), M = 1/2 (P + Q)  (with the 1/2, as in [MSU];
// 0 <= D_JS <= log 2). [HSE] writes JS(P,Q) = KL(P||M) + KL(Q||M) = 2 D_JS without the 1/2.
double js(const std::vector<double>& p, const std::vector<double>& q);

// The same D_JS from entropies: H(M) - 1/2 H(P) - 1/2 H(Q). A second, independent formula used
// to check js().
double js_from_entropies(const std::vector<double>& p, const std::vector<double>& q);

// sqrt(D_JS(P||Q)), a metric (Endres & Schindelin 2003).
double js_distance(const std::vector<double>& p, const std::vector<double>& q);

// True if every p_i >= 0 and |sum_i p_i - 1| <= tol.
bool is_distribution(const std::vector<double>& p, double tol = 1e-12);

// A random distribution on n points: p_i = e_i / sum_j e_j with e_i ~ Exp(1) (uniform on the
// simplex, i.e. Dirichlet(1, ..., 1)); each entry is set to exactly 0 with probability
// zero_prob (at least one entry stays positive).
std::vector<double> random_distribution(Rng& rng, int n, double zero_prob = 0.0);

// The one-hot vector y_{one-hot} = (0, ..., 1, ..., 0) with the 1 at index c.
std::vector<double> one_hot(int n, int c);

}  // namespace dgm
