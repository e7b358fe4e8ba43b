// dbm.cpp (theory) - the deep Boltzmann machine's mean-field bound ([SH09] sec. 3, eq. 5;
// include/dgm/models/dbm.h), checked by enumerating a 7-5-4 DBM (2^16 joint states).
// ([Utkin] «Порождающие модели на основе нейронных сетей» lists the DBM.)
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "dgm/models/dbm.h"
#include "dgm/models/dbm_ais.h"
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

// A 7-5-4 DBM with couplings N(0, w^2) and biases N(0, 0.25): small enough to enumerate.
Dbm small_dbm(std::uint64_t seed, float w) {
  Rng rng(seed, 2);
  Dbm m;
  dbm_init(&m, 7, 5, 4, rng, w);
  for (float& x : m.b) x = 0.5f * rng.normal();
  for (float& x : m.c1) x = 0.5f * rng.normal();
  for (float& x : m.c2) x = 0.5f * rng.normal();
  return m;
}

void check_dbm_mean_field(Report& r) {
  const Dbm m = small_dbm(41, 1.f);
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
  // the batched bound (two gemms, float) against the one-image double version, every v
  std::vector<float> all(std::size_t(n) * 7), m1(std::size_t(n) * 5), m2(std::size_t(n) * 4), scratch;
  for (int s = 0; s < n; ++s) state_bits(s, 7, all.data() + std::size_t(s) * 7);
  dbm_mean_field(m, all.data(), n, 10, m1.data(), m2.data());
  std::vector<double> rows(static_cast<std::size_t>(n));
  dbm_mean_field_bound_rows(m, all.data(), m1.data(), m2.data(), n, log_z, &scratch, rows.data());
  double worst = 0;
  for (int s = 0; s < n; ++s)
    worst = std::max(worst, std::fabs(rows[std::size_t(s)] - dbm_mean_field_bound(m, all.data() + std::size_t(s) * 7,
                                                                                  m1.data() + std::size_t(s) * 5,
                                                                                  m2.data() + std::size_t(s) * 4, log_z)));
  r.close("batched bound (gemm, float) vs the double one, worst of 128 v", worst, 0.0, 1e-4);
}

// AIS on (v, h2) with h1 summed out ([SH09] sec. 4; dgm/models/dbm_ais.h) against the enumeration.
void check_dbm_ais(Report& r) {
  const Dbm m = small_dbm(43, 1.5f);  // strong couplings: p far from the base
  double log_z = 0;
  std::vector<double> log_p;
  dbm_enumerate(m, &log_z, &log_p);
  r.note("7-5-4 DBM: log Z by enumerating the 2^16 joint states: %.6f", log_z);
  AisOptions o;
  o.runs = 100, o.betas = 1000, o.seed = 5;
  const AisResult good = dbm_ais(m, {}, o);
  r.note("AIS on (v, h2), 100 runs, K = 1000: log Z^ = %.6f +- %.6f (se)", good.log_z, good.log_z_se);
  r.close("AIS (K = 1000) vs enumeration, within 3 standard errors", good.log_z, log_z, 3 * good.log_z_se);
  double sq_good = 0, sq_one = 0, se_one = 0;
  for (int rep = 0; rep < 10; ++rep) {  // ten repetitions: one error can be small by luck, ten cannot
    o.seed = 200 + rep;
    o.betas = 1000;
    sq_good += std::pow(dbm_ais(m, {}, o).log_z - log_z, 2) / 10;
    o.betas = 1;
    const AisResult one = dbm_ais(m, {}, o);
    sq_one += std::pow(one.log_z - log_z, 2) / 10, se_one += one.log_z_se / 10;
  }
  r.note("10 repetitions of 100 runs: rms error K = 1000 %.4f, K = 1 (importance sampling from p_A) %.4f (its mean "
         "reported se %.4f)", std::sqrt(sq_good), std::sqrt(sq_one), se_one);
  r.at_most("rms error: K = 1000 x 5 <= K = 1 (one step is visibly worse)", 5 * std::sqrt(sq_good), std::sqrt(sq_one));
  // The test figure: the mean-field bound with AIS's log Z^ differs from the bound with the exact
  // log Z by log Z - log Z^ only, and stays below the exact log p(v) within that AIS error.
  std::vector<float> v(7), mu1(5), mu2(4);
  double worst = -1e300;
  for (int s = 0; s < (1 << 7); ++s) {
    state_bits(s, 7, v.data());
    dbm_mean_field(m, v.data(), 1, 30, mu1.data(), mu2.data());
    worst = std::max(worst, dbm_mean_field_bound(m, v.data(), mu1.data(), mu2.data(), good.log_z) - log_p[std::size_t(s)]);
  }
  r.note("max over v of (bound with log Z^) - log p(v) = %.4f", worst);
  r.at_most("bound with AIS's log Z^ <= exact log p(v) + 3 se, every v", worst, 3 * good.log_z_se);
}

}  // namespace

void add_dbm_checks(std::vector<TheoryCheck>& out) {
  out.push_back({"dbm-mean-field", "DBM: the mean-field bound is below log p(v) and rises with every sweep",
                 "[Utkin] Порождающие модели на основе нейронных сетей (DBM); Salakhutdinov & Hinton 2009",
                 check_dbm_mean_field});
  out.push_back({"dbm-ais", "DBM: AIS on (v, h2), h1 summed out, within 3 se of the enumerated log Z; K = 1 visibly worse",
                 "[Utkin] Порождающие модели на основе нейронных сетей (DBM); Salakhutdinov & Hinton 2009 sec. 4",
                 check_dbm_ais});
}

}  // namespace dgm
