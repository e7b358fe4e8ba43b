// dbm.cpp (theory) - the deep Boltzmann machine's mean-field bound ([SH09] sec. 3, eq. 5;
// include/dgm/models/dbm.h), checked by enumerating a 7-5-4 DBM (2^16 joint states).
// ([Utkin] «Порождающие модели на основе нейронных сетей» lists the DBM.)
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "dgm/models/dbm.h"
#include "dgm/theory/rbm.h"
#include "dgm/theory/report.h"

namespace dgm {

// log Z and log p(v) for every v of a DBM small enough to enumerate, from dbm_energy alone.
void dbm_enumerate(const Dbm& m, double* log_z, std::vector<double>* log_p_v) {
  const int V = 1 << m.nv, H1 = 1 << m.n1, H2 = 1 << m.n2;
  std::vector<float> v(std::size_t(m.nv)), h1(std::size_t(m.n1)), h2(std::size_t(m.n2));
  std::vector<double> lv(static_cast<std::size_t>(V));
  for (int s = 0; s < V; ++s) {
    state_bits(s, m.nv, v.data());
    std::vector<double> t;
    for (int a = 0; a < H1; ++a) {
      state_bits(a, m.n1, h1.data());
      for (int c = 0; c < H2; ++c) {
        state_bits(c, m.n2, h2.data());
        t.push_back(-dbm_energy(m, v.data(), h1.data(), h2.data()));
      }
    }
    const double mx = *std::max_element(t.begin(), t.end());
    double z = 0;
    for (double x : t) z += std::exp(x - mx);
    lv[std::size_t(s)] = mx + std::log(z);  // log sum_h exp(-E(v, h))
  }
  const double mx = *std::max_element(lv.begin(), lv.end());
  double z = 0;
  for (double x : lv) z += std::exp(x - mx);
  *log_z = mx + std::log(z);
  log_p_v->resize(std::size_t(V));
  for (int s = 0; s < V; ++s) (*log_p_v)[std::size_t(s)] = lv[std::size_t(s)] - *log_z;
}

namespace {

void check_dbm_mean_field(Report& r) {
  Rng rng(41, 2);
  Dbm m;
  dbm_init(&m, 7, 5, 4, rng, 1.f);
  for (float& x : m.b) x = 0.5f * rng.normal();
  for (float& x : m.c1) x = 0.5f * rng.normal();
  for (float& x : m.c2) x = 0.5f * rng.normal();
  double log_z = 0;
  std::vector<double> log_p;
  dbm_enumerate(m, &log_z, &log_p);
  bool below = true, rises = true;
  double gap0 = 0, gap = 0;
  std::vector<float> v(7), mu1(5), mu2(4);
  const int n = 1 << 7;
  for (int s = 0; s < n; ++s) {
    state_bits(s, 7, v.data());
    double prev = -1e300;
    for (int it = 0; it <= 30; ++it) {
      dbm_mean_field(m, v.data(), 1, it, mu1.data(), mu2.data());
      const double bound = dbm_mean_field_bound(m, v.data(), mu1.data(), mu2.data(), log_z);
      below = below && bound <= log_p[std::size_t(s)] + 1e-9;
      if (it > 0) rises = rises && bound >= prev - 1e-6;  // float updates: 1e-6 of rounding
      prev = bound;
      if (it == 0) gap0 += (log_p[std::size_t(s)] - bound) / n;
      if (it == 30) gap += (log_p[std::size_t(s)] - bound) / n;
    }
  }
  r.note("7-5-4 DBM, all 128 v: mean log p(v) - bound = %.4f after 0 sweeps, %.4f after 30", gap0, gap);
  r.holds("mean-field bound <= log p(v) by enumeration, every v and every sweep count", below);
  r.holds("each mean-field sweep (mu1 then mu2) does not lower the bound (coordinate ascent)", rises);
  r.at_most("the gap after 30 sweeps <= the gap after 0", gap, gap0);
}

}  // namespace

void add_dbm_checks(std::vector<TheoryCheck>& out) {
  out.push_back({"dbm-mean-field", "DBM: the mean-field bound is below log p(v) and rises with every sweep",
                 "[Utkin] Порождающие модели на основе нейронных сетей (DBM); Salakhutdinov & Hinton 2009",
                 check_dbm_mean_field});
}

}  // namespace dgm
