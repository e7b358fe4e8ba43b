// dbn.cpp (theory) - the deep belief network's variational bound ([HOT06] sec. 4, eq. 5-6;
// formulas in include/dgm/models/dbn.h), checked by enumeration on a network of 8 visible, 6
// first-layer and 8 second-layer units ([Utkin] «Порождающие модели на основе нейронных сетей»
// lists the DBN).
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "dgm/models/dbn.h"
#include "dgm/theory/rbm.h"
#include "dgm/theory/report.h"

namespace dgm {
namespace {

struct Exact2 {
  std::vector<double> bound, logp_dbn;  // per data vector
};

// For each data state: the bound sum_h1 Q(h1|v) dbn_bound_term(v, h1) with Q from enumerating
// RBM 0, and the DBN's log p(v) = log sum_h1 p_0(v | h1) p_1(h1), both by enumeration over h1.
Exact2 exact_bound(const Dbn& d, const std::vector<int>& data) {
  const RbmExact e0 = rbm_enumerate(d.layers[0]), e1 = rbm_enumerate(d.layers[1]);
  Exact2 out;
  std::vector<float> v(std::size_t(e0.nv)), h1(std::size_t(e0.nh));
  for (int s : data) {
    state_bits(s, e0.nv, v.data());
    double b = 0, mx = -1e300;
    std::vector<double> terms;
    for (int t = 0; t < e0.H; ++t) {
      state_bits(t, e0.nh, h1.data());
      const double q = e0.h_given_v[std::size_t(s) * e0.H + t];
      if (q > 0) b += q * dbn_bound_term(d, v.data(), h1.data(), e1.log_z);
      // log p_0(v | h1) + log p_1(h1), p_1(h1) = sum_h2 p_1(h1, h2) from RBM 1's enumeration
      const double lp = std::log(e0.v_given_h[std::size_t(t) * e0.V + s]) + std::log(e1.p_v[std::size_t(t)]);
      terms.push_back(lp);
      mx = std::max(mx, lp);
    }
    double z = 0;
    for (double x : terms) z += std::exp(x - mx);
    out.bound.push_back(b);
    out.logp_dbn.push_back(mx + std::log(z));
  }
  return out;
}

double mean(const std::vector<double>& x) {
  double s = 0;
  for (double v : x) s += v;
  return s / double(x.size());
}

void check_dbn_bound(Report& r) {
  Rng rng(31, 5);
  Dbn d;
  Rbm r0;
  rbm_init(&r0, 8, 6, rng, 1.f);
  for (float& x : r0.b) x = 0.5f * rng.normal();
  for (float& x : r0.c) x = 0.5f * rng.normal();
  d.layers = {r0, rbm_transposed(r0)};  // [HOT06]: W_1 = W_0', the biases swapped
  const RbmExact e0 = rbm_enumerate(r0);
  std::vector<int> data;
  for (int i = 0; i < 16; ++i) data.push_back(int(rng.below(std::uint32_t(e0.V))));
  Exact2 x = exact_bound(d, data);
  double worst = 0, logp0 = 0;
  for (std::size_t i = 0; i < data.size(); ++i) {
    const double lp = std::log(e0.p_v[std::size_t(data[i])]);
    worst = std::max(worst, std::fabs(x.bound[i] - lp));
    logp0 += lp / double(data.size());
  }
  r.note("8-6-8 DBN, 16 data vectors: mean log p_RBM0(v) = %.6f, mean bound at initialisation = %.6f", logp0, mean(x.bound));
  r.close("bound at initialisation = one-layer log p(v) (worst of 16 v)", worst, 0.0, 1e-9);
  // Greedy step: raise RBM 1's log-likelihood of Q's distribution of h1 (exact gradient ascent).
  std::vector<double> pi_h1(std::size_t(e0.H), 0.0);
  for (int s : data)
    for (int t = 0; t < e0.H; ++t) pi_h1[std::size_t(t)] += e0.h_given_v[std::size_t(s) * e0.H + t] / double(data.size());
  double prev = mean(x.bound), start = prev;
  bool rises = true, below = true;
  for (int step = 0; step < 40; ++step) {
    Rbm& top = d.layers[1];
    const RbmGrad g = rbm_exact_gradient(rbm_enumerate(top), pi_h1, 0);
    for (std::size_t i = 0; i < top.W.size(); ++i) top.W[i] += 0.1f * float(g.W[i]);
    for (std::size_t i = 0; i < top.b.size(); ++i) top.b[i] += 0.1f * float(g.b[i]);
    for (std::size_t i = 0; i < top.c.size(); ++i) top.c[i] += 0.1f * float(g.c[i]);
    x = exact_bound(d, data);
    const double now = mean(x.bound);
    rises = rises && now >= prev - 1e-9;
    for (std::size_t i = 0; i < data.size(); ++i) below = below && x.bound[i] <= x.logp_dbn[i] + 1e-9;
    prev = now;
  }
  r.note("after 40 exact gradient steps on RBM 1 (lr 0.1): mean bound %.6f, mean DBN log p(v) %.6f", prev, mean(x.logp_dbn));
  r.holds("the mean bound never fell during the 40 steps", rises);
  r.at_most("mean bound at initialisation <= mean bound after the greedy step", start, prev);
  r.holds("bound <= the DBN's own log p(v) (Jensen), every v, every step", below);
}

}  // namespace

void add_dbn_checks(std::vector<TheoryCheck>& out) {
  out.push_back({"dbn-bound", "DBN: the bound equals log p(v) at W_1 = W_0' and greedy training does not lower it",
                 "[Utkin] Порождающие модели на основе нейронных сетей (DBN); Hinton, Osindero & Teh 2006", check_dbn_bound});
}

}  // namespace dgm
