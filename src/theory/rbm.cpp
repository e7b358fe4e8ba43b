// rbm.cpp (theory) - the restricted Boltzmann machine checked against exact enumeration.
//
// [Utkin] «Порождающие модели на основе нейронных сетей» names the DBM and the DBN; the formulas
// are the papers' (include/dgm/models/rbm.h, rbm_ais.h): [Hinton02] CD-k, [Tieleman08] PCD,
// [SM08] AIS. On a 10 x 8 RBM (2^18 joint states) every quantity has an exact value computed
// here from E(v, h) alone; the library side (free energy, AIS, RbmTrainer, rbm_gibbs) is the code
// that trains the real models.
#include "dgm/theory/rbm.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "dgm/core/check.h"
#include "dgm/models/rbm_ais.h"
#include "dgm/theory/report.h"

namespace dgm {

void state_bits(int s, int n, float* out) {
  for (int i = 0; i < n; ++i) out[i] = float((s >> i) & 1);
}

RbmExact rbm_enumerate(const Rbm& m) {
  DGM_CHECK(m.nv + m.nh <= 22, "rbm_enumerate: %d + %d units is too many to enumerate", m.nv, m.nh);
  RbmExact e;
  e.nv = m.nv, e.nh = m.nh, e.V = 1 << m.nv, e.H = 1 << m.nh;
  std::vector<double> negE(std::size_t(e.V) * e.H);  // -E(v, h)
  std::vector<float> v(std::size_t(m.nv)), h(std::size_t(m.nh));
  for (int s = 0; s < e.V; ++s) {
    state_bits(s, m.nv, v.data());
    for (int t = 0; t < e.H; ++t) {
      state_bits(t, m.nh, h.data());
      negE[std::size_t(s) * e.H + t] = -rbm_energy(m, v.data(), h.data());
    }
  }
  const double mx = *std::max_element(negE.begin(), negE.end());
  double z = 0;
  for (double x : negE) z += std::exp(x - mx);
  e.log_z = mx + std::log(z);
  e.p_v.assign(std::size_t(e.V), 0.0);
  e.minus_log_sum_h.assign(std::size_t(e.V), 0.0);
  e.h_given_v.assign(std::size_t(e.V) * e.H, 0.0);
  e.v_given_h.assign(std::size_t(e.H) * e.V, 0.0);
  e.mean_h.assign(std::size_t(e.V) * m.nh, 0.0);
  for (int s = 0; s < e.V; ++s) {
    double sum = 0;
    for (int t = 0; t < e.H; ++t) sum += std::exp(negE[std::size_t(s) * e.H + t] - mx);
    e.minus_log_sum_h[std::size_t(s)] = -(mx + std::log(sum));
    e.p_v[std::size_t(s)] = std::exp(mx + std::log(sum) - e.log_z);
    for (int t = 0; t < e.H; ++t) {
      const double p = std::exp(negE[std::size_t(s) * e.H + t] - mx) / sum;
      e.h_given_v[std::size_t(s) * e.H + t] = p;
      for (int j = 0; j < m.nh; ++j)
        if ((t >> j) & 1) e.mean_h[std::size_t(s) * m.nh + j] += p;
    }
  }
  for (int t = 0; t < e.H; ++t) {
    double sum = 0;
    for (int s = 0; s < e.V; ++s) sum += std::exp(negE[std::size_t(s) * e.H + t] - mx);
    for (int s = 0; s < e.V; ++s) e.v_given_h[std::size_t(t) * e.V + s] = std::exp(negE[std::size_t(s) * e.H + t] - mx) / sum;
  }
  return e;
}

// pi (V) -> pi P(h|v) P(v|h): one block Gibbs step of a distribution over v.
static std::vector<double> gibbs_step(const RbmExact& e, const std::vector<double>& pi) {
  std::vector<double> ph(std::size_t(e.H), 0.0), out(std::size_t(e.V), 0.0);
  for (int s = 0; s < e.V; ++s)
    if (pi[std::size_t(s)] != 0)
      for (int t = 0; t < e.H; ++t) ph[std::size_t(t)] += pi[std::size_t(s)] * e.h_given_v[std::size_t(s) * e.H + t];
  for (int t = 0; t < e.H; ++t)
    for (int s = 0; s < e.V; ++s) out[std::size_t(s)] += ph[std::size_t(t)] * e.v_given_h[std::size_t(t) * e.V + s];
  return out;
}

std::vector<double> gibbs_distribution(const RbmExact& e, int s0, int t) {
  std::vector<double> pi(std::size_t(e.V), 0.0);
  pi[std::size_t(s0)] = 1;
  for (int i = 0; i < t; ++i) pi = gibbs_step(e, pi);
  return pi;
}

double total_variation(const std::vector<double>& p, const std::vector<double>& q) {
  double s = 0;
  for (std::size_t i = 0; i < p.size(); ++i) s += std::fabs(p[i] - q[i]);
  return s / 2;
}

// sum_v pi(v) v E[h|v]' (and the v, E[h|v] means) into W, b, c with sign
static void add_stats(const RbmExact& e, const std::vector<double>& pi, double sign, RbmGrad* g) {
  for (int s = 0; s < e.V; ++s) {
    const double p = pi[std::size_t(s)];
    if (p == 0) continue;
    for (int i = 0; i < e.nv; ++i) {
      const double vi = (s >> i) & 1;
      g->b[std::size_t(i)] += sign * p * vi;
      if (vi)
        for (int j = 0; j < e.nh; ++j) g->W[std::size_t(i) * e.nh + j] += sign * p * e.mean_h[std::size_t(s) * e.nh + j];
    }
    for (int j = 0; j < e.nh; ++j) g->c[std::size_t(j)] += sign * p * e.mean_h[std::size_t(s) * e.nh + j];
  }
}

RbmGrad rbm_exact_gradient(const RbmExact& e, const std::vector<int>& data, int cd_k) {
  std::vector<double> pi0(std::size_t(e.V), 0.0);
  for (int s : data) pi0[std::size_t(s)] += 1.0 / data.size();
  return rbm_exact_gradient(e, pi0, cd_k);
}

RbmGrad rbm_exact_gradient(const RbmExact& e, const std::vector<double>& pi0, int cd_k) {
  RbmGrad g;
  g.W.assign(std::size_t(e.nv) * e.nh, 0.0), g.b.assign(std::size_t(e.nv), 0.0), g.c.assign(std::size_t(e.nh), 0.0);
  add_stats(e, pi0, +1, &g);  // <v h'>_data
  if (cd_k <= 0) {
    add_stats(e, e.p_v, -1, &g);  // <v h'>_model
  } else {
    std::vector<double> pi = pi0;
    for (int k = 0; k < cd_k; ++k) pi = gibbs_step(e, pi);
    add_stats(e, pi, -1, &g);  // E[v_k E[h|v_k]'] over k Gibbs steps from the data
  }
  return g;
}

namespace {

// The RBM of the checks: 10 visible x 8 hidden, W ~ N(0, w_std^2), biases N(0, 0.5^2).
Rbm small_rbm(std::uint64_t seed, float w_std = 1.2f) {
  Rng rng(seed, 3);
  Rbm m;
  rbm_init(&m, 10, 8, rng, w_std);
  for (float& x : m.b) x = 0.5f * rng.normal();
  for (float& x : m.c) x = 0.5f * rng.normal();
  return m;
}

double grad_distance(const RbmGrad& a, const RbmGrad& b) {
  double s = 0;
  for (std::size_t i = 0; i < a.W.size(); ++i) s += (a.W[i] - b.W[i]) * (a.W[i] - b.W[i]);
  for (std::size_t i = 0; i < a.b.size(); ++i) s += (a.b[i] - b.b[i]) * (a.b[i] - b.b[i]);
  for (std::size_t i = 0; i < a.c.size(); ++i) s += (a.c[i] - b.c[i]) * (a.c[i] - b.c[i]);
  return std::sqrt(s);
}

// A small data set: 12 states drawn from the model itself after shifting its biases (so the
// data and the model differ and the gradient is not zero).
std::vector<int> small_data(const RbmExact& e) {
  std::vector<int> d;
  Rng rng(5, 9);
  for (int i = 0; i < 12; ++i) d.push_back(int(rng.below(std::uint32_t(e.V))));
  return d;
}

void check_free_energy(Report& r) {
  const Rbm m = small_rbm(11);
  const RbmExact e = rbm_enumerate(m);
  std::vector<float> v(10);
  double worst = 0;
  for (int s = 0; s < e.V; ++s) {
    state_bits(s, 10, v.data());
    worst = std::max(worst, std::fabs(rbm_free_energy(m, v.data()) - e.minus_log_sum_h[std::size_t(s)]));
  }
  r.note("all 1024 v of a 10 x 8 RBM: max |F(v) - (-log sum_h exp(-E(v,h)))| = %.3g", worst);
  r.close("F(v) closed form vs enumeration over h (worst of 1024 v)", worst, 0.0, 1e-9);
  // the batched (gemm, float) version agrees to float rounding
  std::vector<float> all(std::size_t(e.V) * 10), scratch;
  for (int s = 0; s < e.V; ++s) state_bits(s, 10, all.data() + std::size_t(s) * 10);
  std::vector<double> F(std::size_t(e.V));
  rbm_free_energy_batch(m, all.data(), e.V, &scratch, F.data());
  double worst_b = 0;
  for (int s = 0; s < e.V; ++s) worst_b = std::max(worst_b, std::fabs(F[std::size_t(s)] - e.minus_log_sum_h[std::size_t(s)]));
  r.close("F(v) batched through gemm vs enumeration (worst of 1024 v, float rounding)", worst_b, 0.0, 1e-4);
}

void check_ais(Report& r) {
  const Rbm m = small_rbm(11, 2.f);  // strong couplings: a peaked p(v), far from the base p_A
  const RbmExact e = rbm_enumerate(m);
  r.note("log Z by enumerating the 2^18 joint states: %.6f", e.log_z);
  AisOptions o;
  o.runs = 100, o.betas = 1000, o.seed = 3;
  const AisResult good = rbm_ais(m, {}, o);
  r.note("AIS, 100 runs, K = 1000: log Z^ = %.6f +- %.6f (se)", good.log_z, good.log_z_se);
  r.close("AIS (K = 1000) vs enumeration, within 3 standard errors", good.log_z, e.log_z, 3 * good.log_z_se);
  // Ten independent repetitions of each: the root-mean-square error against the enumeration
  // (one repetition's error can be small by luck; ten cannot all be).
  double sq_good = 0, sq_one = 0, se_one = 0;
  for (int rep = 0; rep < 10; ++rep) {
    o.seed = 100 + rep;
    o.betas = 1000;
    sq_good += std::pow(rbm_ais(m, {}, o).log_z - e.log_z, 2) / 10;
    o.betas = 1;
    const AisResult one = rbm_ais(m, {}, o);
    sq_one += std::pow(one.log_z - e.log_z, 2) / 10, se_one += one.log_z_se / 10;
  }
  r.note("10 repetitions of 100 runs: rms error K = 1000 %.4f, K = 1 (plain importance sampling from p_A) %.4f "
         "(its mean reported se %.4f)", std::sqrt(sq_good), std::sqrt(sq_one), se_one);
  r.at_most("rms error: K = 1000 x 5 <= K = 1 (one step is visibly worse)", 5 * std::sqrt(sq_good), std::sqrt(sq_one));
  r.at_most("reported se: K = 1000 x 5 <= K = 1", 5 * good.log_z_se, se_one);
}

void check_cd_bias(Report& r) {
  const Rbm m = small_rbm(11);
  const RbmExact e = rbm_enumerate(m);
  const std::vector<int> data = small_data(e);
  const RbmGrad exact = rbm_exact_gradient(e, data, 0);
  const double norm = grad_distance(exact, RbmGrad{std::vector<double>(exact.W.size()), std::vector<double>(exact.b.size()),
                                                   std::vector<double>(exact.c.size())});
  r.note("|exact log-likelihood gradient| = %.4f (12 data vectors)", norm);
  const int ks[] = {1, 3, 10, 30, 100, 300};
  double prev = 0;
  for (int i = 0; i < 6; ++i) {
    const double bias = grad_distance(rbm_exact_gradient(e, data, ks[i]), exact);
    char what[96];
    std::snprintf(what, sizeof what, "CD-%d bias |E[g_CD] - g| = %.4f below CD-%d's", ks[i], bias, i ? ks[i - 1] : 0);
    if (i == 0) r.at_most("CD-1 is biased: |E[g_CD-1] - g| >= 5% of |g|", 0.05 * norm, bias);
    // Up to the rounding of the exact sums (each gradient sums 2^18 terms in double, so a
    // difference below 1e-10 |g| is rounding): at k = 100 and 300 both biases are ~1e-13 and
    // their order changes with the compiler's -O level (it did between -O2 and -O1 + ASan).
    else r.at_most(what, bias, prev, 1e-10 * norm);
    prev = bias;
  }
  r.at_most("CD-300 bias <= 1% of |g|", prev, 0.01 * norm);
  // The trainer's Monte Carlo CD-3 estimate agrees with the exact expectation of CD-3.
  const int reps = 50, k = 3;
  CdOptions o;
  o.k = k, o.persistent = false, o.batch = int(data.size()) * 100;
  RbmTrainer tr;
  Rng rng(17, 1);
  tr.init(m, o, rng);
  std::vector<float> v0(std::size_t(o.batch) * 10);
  for (int r0 = 0; r0 < o.batch; ++r0) state_bits(data[std::size_t(r0) % data.size()], 10, v0.data() + std::size_t(r0) * 10);
  std::vector<double> mean(tr.dW.size(), 0.0), sq(tr.dW.size(), 0.0);
  for (int rep = 0; rep < reps; ++rep) {
    tr.gradient(m, v0.data(), rng);
    for (std::size_t i = 0; i < mean.size(); ++i) mean[i] += tr.dW[i] / reps, sq[i] += double(tr.dW[i]) * tr.dW[i] / reps;
  }
  const RbmGrad cd = rbm_exact_gradient(e, data, k);
  double worst_z = 0;
  for (std::size_t i = 0; i < mean.size(); ++i) {
    const double se = std::sqrt(std::max(1e-12, (sq[i] - mean[i] * mean[i]) / (reps - 1)));
    worst_z = std::max(worst_z, std::fabs(mean[i] - cd.W[i]) / se);
  }
  r.note("RbmTrainer CD-3 dW, %d estimates of %d rows, vs the exact CD-3 expectation: worst |z| of 80 = %.2f", reps,
         o.batch, worst_z);
  r.at_most("worst |z| of the 80 weights <= 4.5 (Bonferroni: two-sided p ~ 5e-4 over 80)", worst_z, 4.5);
}

void check_gibbs(Report& r) {
  const Rbm m = small_rbm(11);
  const RbmExact e = rbm_enumerate(m);
  const int ts[] = {1, 4, 16, 64, 256};
  double prev = 1;
  for (int t : ts) {
    const double tv = total_variation(gibbs_distribution(e, 0, t), e.p_v);
    char what[96];
    std::snprintf(what, sizeof what, "exact TV(pi_%d, p) = %.4f below the previous length's", t, tv);
    r.at_most(what, tv, prev);
    prev = tv;
  }
  r.at_most("exact TV after 256 steps <= 0.01", prev, 0.01);
  // rbm_gibbs, the sampler the models use: N chains from v = 0; the empirical TV against p falls
  // with t to the floor that N exact i.i.d. draws have.
  const int N = 20000;
  std::vector<float> v(std::size_t(N) * 10, 0.f), ph(std::size_t(N) * 8), h(std::size_t(N) * 8), pv(std::size_t(N) * 10);
  Rng rng(23, 4);
  auto empirical_tv = [&](const float* x) {
    std::vector<double> q(std::size_t(e.V), 0.0);
    for (int n = 0; n < N; ++n) {
      int s = 0;
      for (int i = 0; i < 10; ++i) s |= int(x[std::size_t(n) * 10 + i] != 0) << i;
      q[std::size_t(s)] += 1.0 / N;
    }
    return total_variation(q, e.p_v);
  };
  // the floor: N draws straight from p (inverse CDF on the enumeration)
  std::vector<float> iid(std::size_t(N) * 10);
  for (int n = 0; n < N; ++n) {
    double u = rng.uniform_double(), c = 0;
    int s = 0;
    for (; s < e.V - 1; ++s)
      if ((c += e.p_v[std::size_t(s)]) > u) break;
    state_bits(s, 10, iid.data() + std::size_t(n) * 10);
  }
  const double floor_tv = empirical_tv(iid.data());
  r.note("empirical TV of %d exact draws (the floor): %.4f", N, floor_tv);
  int done = 0;
  double first = 0, last = 0;
  for (int t : ts) {
    rbm_gibbs(m, v.data(), N, t - done, rng, ph.data(), h.data(), pv.data());
    done = t;
    const double tv = empirical_tv(v.data());
    const double exact = total_variation(gibbs_distribution(e, 0, t), e.p_v);
    r.note("rbm_gibbs, %d chains from v = 0, t = %3d: empirical TV %.4f (exact TV of pi_t %.4f)", N, t, tv, exact);
    if (t == 1) first = tv;
    last = tv;
  }
  r.at_most("rbm_gibbs after 256 steps within 1.5 x the i.i.d. floor", last, 1.5 * floor_tv);
  r.at_most("rbm_gibbs: TV after 256 steps below TV after 1 step / 3", 3 * last, first);
}

}  // namespace

void add_rbm_checks(std::vector<TheoryCheck>& out) {
  out.push_back({"rbm-free-energy", "F(v) = -b'v - sum_j softplus(c_j + W_j'v) = -log sum_h exp(-E(v,h))",
                 "[Utkin] Порождающие модели на основе нейронных сетей (DBM, DBN); Hinton 2002", check_free_energy});
  out.push_back({"rbm-ais", "AIS log Z within 3 se of enumeration; K = 1 (importance sampling) visibly worse",
                 "[Utkin] Порождающие модели на основе нейронных сетей; Salakhutdinov & Murray 2008", check_ais});
  out.push_back({"rbm-cd-bias", "CD-k gradient is biased, the bias falls as k grows; the trainer estimates E[CD-k]",
                 "[Utkin] Порождающие модели на основе нейронных сетей; Hinton 2002", check_cd_bias});
  out.push_back({"rbm-gibbs", "block Gibbs sampling reaches p(v): total variation falls with the chain length",
                 "[Utkin] Порождающие модели на основе нейронных сетей; Hinton 2002", check_gibbs});
}

}  // namespace dgm
