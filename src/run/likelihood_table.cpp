// likelihood_table.cpp - the likelihood table of `dgm bench-quality likelihood` and `make run`
// (see include/dgm/run/likelihood_table.h for every column's definition and the lectures).
#include "dgm/run/likelihood_table.h"

#include <algorithm>
#include <chrono>
#include <cstdio>

#include "dgm/core/check.h"
#include "dgm/run/checkpoint.h"
#include "dgm/models/dbm_ais.h"
#include "dgm/models/made.h"
#include "dgm/run/ebm_run.h"
#include "dgm/run/sample_quality.h"

namespace dgm {
namespace {

double since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// Pixels in [0, 1] as the bytes of an ImageSet (0 or 255: the samples are binary).
ImageSet as_image_set(const std::vector<float>& x, int n, int rows, int cols, const std::vector<int>& labels) {
  ImageSet s;
  s.n = n;
  s.rows = rows;
  s.cols = cols;
  s.pixels.resize(x.size());
  for (std::size_t i = 0; i < x.size(); ++i) s.pixels[i] = x[i] >= 0.5f ? 255 : 0;
  s.labels.assign(labels.begin(), labels.end());
  return s;
}

std::string fmt(const char* f, double v) {
  if (std::isnan(v)) return "-";
  char buf[64];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}

}  // namespace

void train_judge(Classifier* judge, const RunData& d, int epochs, Rng& rng) {
  ClassifierOptions o;
  o.epochs = epochs;
  o.scale = PixelScale::kUnit;  // the samples' range: binary images in {0, 1}
  judge->build(d.info.dim, d.info.classes, o, rng);
  judge->train(d.images.train, rng);
}

void test_metric(Model& m, const RunData& d, int n, int batch, const char* name, std::uint64_t seed, double* mean,
                 double* se, double* seconds) {
  DGM_CHECK(n > 0 && n <= d.images.test.n && batch > 0, "test_metric: %d of %d test images, batch %d", n,
            d.images.test.n, batch);
  const auto t0 = std::chrono::steady_clock::now();
  Arena arena;
  Tape t(arena);
  Rng rng(seed, 13);
  std::vector<double> means;
  double sum = 0;
  for (int begin = 0; begin < n; begin += batch) {
    const int count = std::min(batch, n - begin);
    t.reset();
    Batch b = test_batch(t, d, begin, count, m.scale());
    StepLog log;
    m.evaluate(t, b, rng, log);
    const double v = log.get(name);
    DGM_CHECK(!std::isnan(v), "test_metric: the model logs no '%s'", name);
    sum += v * count;
    if (count == batch) means.push_back(v);  // equal-size batches for the spread
  }
  *mean = sum / n;
  // se of the mean of n images from nb batch means of `batch` images: sd(batch means) / sqrt(nb)
  const double nb = static_cast<double>(means.size());
  double mu = 0, var = 0;
  for (double v : means) mu += v / nb;
  for (double v : means) var += (v - mu) * (v - mu) / (nb - 1);
  *se = nb > 1 ? std::sqrt(var / nb) : NAN;
  *seconds = since(t0);
}

std::vector<float> binary_samples(Model& m, int dim, int n, Rng& rng) {
  std::vector<float> x(static_cast<std::size_t>(n) * dim);
  Arena arena;
  Tape t(arena);
  const int chunk = 500;
  for (int s = 0; s < n; s += chunk) {
    const int B = std::min(chunk, n - s);
    t.reset();
    Tensor z = t.alloc(make_shape(B, m.latent_dim()));
    m.sample_latent(rng, z);
    Tensor out = make_shape(B, dim);
    out.data = x.data() + static_cast<std::size_t>(s) * dim;
    m.generate(t, z, Tensor{}, out);
  }
  for (float& v : x) v = rng.uniform() < v ? 1.f : 0.f;  // x ~ Bernoulli(mean); 0 and 1 stay
  return x;
}

void sample_quality(Classifier& judge, const RunData& d, const std::vector<float>& samples, int n, Rng& rng,
                    double* entropy, double* cas, double* frechet) {
  const int dim = d.info.dim;
  std::vector<float> x = samples;  // predict reads (n, dim) floats
  Tensor xt = make_shape(n, dim);
  xt.data = x.data();
  std::vector<int> labels(static_cast<std::size_t>(n));
  judge.predict(xt, labels.data());
  *entropy = label_entropy(labels.data(), n, judge.classes());
  Classifier c;
  c.build(dim, judge.classes(), judge.options(), rng);
  c.train(as_image_set(samples, n, d.info.rows, d.info.cols, labels), rng);
  *cas = c.accuracy(d.images.test);
  if (frechet) {
    const int nf = std::min(n, d.images.test.n);
    const std::vector<float> first(samples.begin(), samples.begin() + static_cast<std::ptrdiff_t>(nf) * dim);
    *frechet = images_frechet(judge, first, nf, d.images.test);
  }
}

Status ebm_row(const std::string& ckpt, const RunData& d, const LikelihoodOptions& o, Classifier& judge, int ns, Rng& rng,
               LikelihoodRow* r) {
  Dbn net;
  Config c;
  Status st = load_ebm(ckpt, &net, &c);
  if (!st) return st;
  if (net.layers[0].nv != d.info.dim)
    return Status::Error("%s: %d visible units, the table's images have %d pixels", ckpt.c_str(), net.layers[0].nv, d.info.dim);
  const auto t0 = std::chrono::steady_clock::now();
  AisOptions ao;
  ao.runs = o.ais_runs, ao.betas = o.ais_betas, ao.seed = 1;
  const ImageSet &test = d.images.test, &train = d.images.train;
  std::string widths;
  for (const Rbm& l : net.layers) widths += (widths.empty() ? "" : "-") + std::to_string(l.nh);
  LikelihoodEstimate e;
  std::vector<float> p;
  if (c.model == "dbm") {
    const Dbm m = dbm_from_layers(net);
    e = dbm_test_bound(m, test, &train, ao, o.mf_iters);
    r->seconds = since(t0);
    dbm_sample(m, ns, o.gibbs, rng, &p);
    r->model = "DBM " + widths;
    r->method = "-(mean-field bound), AIS";
    r->note = "an upper bound on -log p(x) up to the AIS error of log Z (AIS on (v, h2), h1 summed out); " +
              std::to_string(o.mf_iters) + " mean-field sweeps";
  } else {
    const bool rbm = net.layers.size() == 1;
    e = rbm ? rbm_test_log_likelihood(net.layers[0], test, &train, ao) : dbn_test_bound(net, test, ao, 1);
    r->seconds = since(t0);
    dbn_sample(net, ns, o.gibbs, rng, &p);
    r->model = (rbm ? "RBM " : "DBN ") + widths;
    r->method = rbm ? "AIS" : "-(variational bound), AIS";
    r->note = rbm ? "-log p(x) = F(x) + log Z^, log Z by AIS on the RBM" : "an upper bound on -log p(x) (Q = p(h1 | v), one draw)";
  }
  char buf[160];
  std::snprintf(buf, sizeof buf, "; %d AIS runs x %d betas, log Z^ se %.2f; samples: %d Gibbs steps", ao.runs, ao.betas,
                e.ais_se, o.gibbs);
  r->note += buf;
  r->nll = -e.nats;
  r->se = std::sqrt(e.ais_se * e.ais_se + e.data_se * e.data_se);
  r->n_test = e.images;
  for (float& v : p) v = rng.uniform() < v ? 1.f : 0.f;  // x ~ Bernoulli(p(v | h))
  sample_quality(judge, d, p, ns, rng, &r->entropy, &r->cas, &r->frechet);
  return Status::Ok();
}

LikelihoodRow theis_row(Model& best, const std::string& best_name, const std::vector<float>& best_samples,
                        Classifier& judge, const RunData& d, int n, Rng& rng, double* gap, double* noise_fraction) {
  Made* made = as_made(&best);
  DGM_CHECK(made != nullptr, "theis_row: the best model must give an exact per-image log p (MADE)");
  const auto t0 = std::chrono::steady_clock::now();
  const int dim = d.info.dim;
  const double log_noise = -dim * std::log(2.0);  // uniform on {0,1}^D
  const double la = std::log(0.01), lb = std::log(0.99);
  Arena arena;
  Tape t(arena);
  double sum_best = 0, sum_mix = 0;
  std::vector<double> mix_means;
  const int B = 500;
  for (int begin = 0; begin < n; begin += B) {
    const int count = std::min(B, n - begin);
    t.reset();
    Batch b = test_batch(t, d, begin, count, best.scale());
    std::vector<double> lp(static_cast<std::size_t>(count));
    made->log_px(t, b.x, lp.data());
    double batch_mix = 0;
    for (double v : lp) {
      // log p_mix = log(0.01 p_best + 0.99 p_noise), a log-sum-exp of two terms
      const double a = la + v, c = lb + log_noise, m = std::max(a, c);
      const double lmix = m + std::log(std::exp(a - m) + std::exp(c - m));
      DGM_CHECK(lmix >= a, "theis_row: log p_mix %g < log 0.01 + log p_best %g", lmix, a);
      sum_best -= v;
      sum_mix -= lmix;
      batch_mix -= lmix;
    }
    if (count == B) mix_means.push_back(batch_mix / count);
  }
  LikelihoodRow r;
  r.model = "0.01 " + best_name + " + 0.99 noise";
  r.method = "exact mixture";
  r.nll = sum_mix / n;
  r.n_test = n;
  const double nb = static_cast<double>(mix_means.size());
  double mu = 0, var = 0;
  for (double v : mix_means) mu += v / nb;
  for (double v : mix_means) var += (v - mu) * (v - mu) / (nb - 1);
  r.se = nb > 1 ? std::sqrt(var / nb) : NAN;
  *gap = r.nll - sum_best / n;
  r.seconds = since(t0);
  // Samples: each the best model's (in order) with probability 0.01, else uniform noise.
  const int ns = static_cast<int>(best_samples.size() / static_cast<std::size_t>(dim));
  std::vector<float> x(best_samples.size());
  int noise = 0;
  for (int i = 0; i < ns; ++i) {
    const bool from_best = rng.uniform() < 0.01f;
    noise += !from_best;
    for (int j = 0; j < dim; ++j) {
      const std::size_t k = static_cast<std::size_t>(i) * dim + j;
      x[k] = from_best ? best_samples[k] : (rng.uniform() < 0.5f ? 1.f : 0.f);
    }
  }
  *noise_fraction = static_cast<double>(noise) / ns;
  sample_quality(judge, d, x, ns, rng, &r.entropy, &r.cas, &r.frechet);
  char note[160];
  std::snprintf(note, sizeof note, "NLL %.2f nats above %s's (<= log 100 = 4.61); %.1f%% of its samples are noise",
                *gap, best_name.c_str(), 100 * *noise_fraction);
  r.note = note;
  return r;
}

Status build_likelihood_table(const std::string& vae_ckpt, const std::string& made_ckpt, const LikelihoodOptions& o,
                              LikelihoodTable* t) {
  Config vc, mc;
  std::unique_ptr<Model> vae, vae_iw, made;
  TrainState ts;
  Status st = open_checkpoint(made_ckpt, &mc, &made, &ts);
  if (st) st = open_checkpoint(vae_ckpt, &vc, &vae, &ts, 1);
  if (st) st = open_checkpoint(vae_ckpt, &vc, &vae_iw, &ts, o.iw);
  if (!st) return st;
  if (mc.model != "made" || vc.model != "vae")
    return Status::Error("likelihood table: expected a vae and a made checkpoint, got %s and %s", vc.model.c_str(),
                         mc.model.c_str());
  if (!vc.binarize || !mc.binarize || vc.data != mc.data)
    return Status::Error("likelihood table: both runs must be trained with --binarize on the same --data (vae: "
                         "binarize %d, data '%s'; made: binarize %d, data '%s')", vc.binarize, vc.data.c_str(),
                         mc.binarize, mc.data.c_str());
  RunData d;
  st = load_run_data(mc, &d);
  if (!st) return st;
  const int n_test = d.images.test.n, iw_n = std::min(o.iw_images, n_test), ns = o.samples;
  auto say = [&](const LikelihoodRow& r) {
    if (o.verbose)
      std::printf("  %-30s %-18s NLL %s (se %s, %d images, %.1f s)  entropy %.3f  CAS %.1f%%  Frechet %s\n",
                  r.model.c_str(), r.method.c_str(), fmt("%.2f", r.nll).c_str(), fmt("%.2f", r.se).c_str(), r.n_test,
                  r.seconds, r.entropy, 100 * r.cas, fmt("%.2f", r.frechet).c_str());
    std::fflush(stdout);
  };
  t->data = d.where;
  t->n_samples = ns;
  Rng rng(20151101);  // judge, samples, CAS classifiers
  Classifier judge;
  train_judge(&judge, d, o.judge_epochs, rng);
  t->judge_accuracy = judge.accuracy(d.images.test);
  if (o.verbose) std::printf("  judge: %.2f%% on the binarized test set\n", 100 * t->judge_accuracy);

  LikelihoodRow data;  // the reference: real binarized training images in place of samples
  data.model = "binarized training images";
  data.method = "(data: no model)";
  const int nd = std::min(ns, d.images.train.n);
  std::vector<float> real(static_cast<std::size_t>(nd) * d.info.dim);
  for (std::size_t i = 0; i < real.size(); ++i) real[i] = d.images.train.pixels[i] ? 1.f : 0.f;
  sample_quality(judge, d, real, nd, rng, &data.entropy, &data.cas);
  t->frechet_n = std::min(ns, d.images.test.n);
  data.frechet = t->frechet_floor = set_frechet(judge, d.images.train, d.images.test, t->frechet_n);
  data.note = "what real images score: the ceiling of the sample columns; Fréchet: training vs test images, the floor";
  t->rows.push_back(data);
  say(data);

  LikelihoodRow elbo, iwae;
  elbo.model = iwae.model = "VAE " + std::to_string(vc.latent) + "-d code";
  elbo.method = "-ELBO, 1 z";
  test_metric(*vae, d, n_test, 500, "test_loss", 1, &elbo.nll, &elbo.se, &elbo.seconds);
  elbo.n_test = n_test;
  const std::vector<float> vs = binary_samples(*vae, d.info.dim, ns, rng);
  sample_quality(judge, d, vs, ns, rng, &elbo.entropy, &elbo.cas, &elbo.frechet);
  elbo.note = "an upper bound on -log p(x); samples x ~ Bernoulli(decoder(z)), z ~ N(0, I)";
  t->rows.push_back(elbo);
  say(elbo);
  iwae.method = "-IWAE, k = " + std::to_string(o.iw);
  // Batches of up to 100 images (k decoder passes each), at least 10 batches for the se.
  test_metric(*vae_iw, d, iw_n, std::max(10, std::min(100, iw_n / 10)), "test_iwae", 1, &iwae.nll, &iwae.se,
              &iwae.seconds);
  iwae.n_test = iw_n;
  iwae.entropy = elbo.entropy;
  iwae.cas = elbo.cas;
  iwae.frechet = elbo.frechet;
  iwae.note = "a tighter upper bound (Burda et al. 2016); same samples";
  if (iw_n < n_test) {  // a subset: the -ELBO and MADE's NLL on the same images, to compare
    double e = 0, m = 0, se = 0, s = 0;
    test_metric(*vae, d, iw_n, 100, "test_loss", 1, &e, &se, &s);
    test_metric(*made, d, iw_n, 100, "test_nll", 1, &m, &se, &s);
    char note[240];
    std::snprintf(note, sizeof note, "; test images 0..%d only (the time); on them -ELBO %.2f, MADE %.2f", iw_n - 1, e,
                  m);
    iwae.note += note;
  }
  t->rows.push_back(iwae);
  say(iwae);

  LikelihoodRow mr;
  mr.model = "MADE " + std::to_string(mc.hidden.size()) + " x " + std::to_string(mc.hidden[0]);
  mr.method = "exact";
  test_metric(*made, d, n_test, 500, "test_nll", 1, &mr.nll, &mr.se, &mr.seconds);
  mr.n_test = n_test;
  const std::vector<float> ms = binary_samples(*made, d.info.dim, ns, rng);
  sample_quality(judge, d, ms, ns, rng, &mr.entropy, &mr.cas, &mr.frechet);
  mr.note = mr.nll <= iwae.nll ? "the best likelihood of the table: p_best below"
                               : "p_best below (exact; the VAE's IWAE bound is lower still)";
  t->rows.push_back(mr);
  say(mr);

  for (const std::string& ckpt : o.ebm) {
    LikelihoodRow er;
    if (!(st = ebm_row(ckpt, d, o, judge, ns, rng, &er))) return st.prefixed("likelihood table");
    t->rows.push_back(er);
    say(er);
  }

  LikelihoodRow th = theis_row(*made, "MADE", ms, judge, d, n_test, rng, &t->theis_gap, &t->theis_noise);
  t->rows.push_back(th);
  say(th);
  char lesson[1200];
  int n = std::snprintf(lesson, sizeof lesson,
                "What it teaches ([MIPT], Theis et al.): the mixture's NLL is %.2f nats above MADE's, within log 100 = "
                "4.61, while %.1f%% of its samples are uniform "
                "noise (class entropy %.3f vs MADE's %.3f, CAS %.1f%% vs %.1f%%, Frechet %.1f vs %.1f, floor %.2f). A "
                "high likelihood and good samples need not go together: neither column can stand in for the other.",
                t->theis_gap, 100 * t->theis_noise, th.entropy, mr.entropy, 100 * th.cas, 100 * mr.cas, th.frechet,
                mr.frechet, t->frechet_floor);
  if (!o.ebm.empty() && n > 0 && n < int(sizeof lesson))
    std::snprintf(lesson + n, sizeof lesson - std::size_t(n),
                  " The energy-based rows (AIS) put the RBM, DBN and DBM on the same scale: their NLLs are estimates "
                  "(the RBM) or bounds (the DBN, DBM) with the AIS error of log Z in their se, and their Gibbs samples "
                  "are judged by the same three columns.");
  t->lesson = lesson;
  return Status::Ok();
}

std::string likelihood_table_text(const LikelihoodTable& t) {
  std::string s;
  char line[1024];
  std::snprintf(line, sizeof line, "%-30s %-26s %9s %6s %6s %9s %8s %9s  %s\n", "model", "NLL method", "NLL", "se", "n",
                "entropy", "CAS", "Frechet", "note");
  s += line;
  for (const LikelihoodRow& r : t.rows) {
    std::snprintf(line, sizeof line, "%-30s %-26s %9s %6s %6s %9s %8s %9s  %s\n", r.model.c_str(), r.method.c_str(),
                  fmt("%.2f", r.nll).c_str(), fmt("%.2f", r.se).c_str(), r.n_test ? std::to_string(r.n_test).c_str() : "-",
                  fmt("%.3f", r.entropy).c_str(), fmt("%.1f%%", 100 * r.cas).c_str(), fmt("%.2f", r.frechet).c_str(),
                  r.note.c_str());
    s += line;
  }
  std::snprintf(line, sizeof line,
                "NLL: nats per binarized test image (lower is better); entropy: nats, of the judge's labels of %d "
                "samples (log 10 = 2.303 at most); CAS: test accuracy of a classifier trained on those samples; the "
                "judge: %.1f%% on the binarized test set; Frechet: distance of %d samples to %d test images in the "
                "judge's features (floor, training vs test images: %.2f).\n",
                t.n_samples, 100 * t.judge_accuracy, t.frechet_n, t.frechet_n, t.frechet_floor);
  s += line;
  if (!t.lesson.empty()) s += t.lesson + "\n";
  return s;
}

std::string likelihood_table_html(const LikelihoodTable& t) {
  auto esc = [](const std::string& v) {
    std::string o;
    for (char c : v) o += c == '<' ? "&lt;" : c == '>' ? "&gt;" : c == '&' ? "&amp;" : std::string(1, c);
    return o;
  };
  std::string s = "<table>\n<tr><th>model</th><th>NLL method</th><th>NLL (nats per image)</th><th>se</th>"
                  "<th>test images</th><th>class entropy (nats)</th><th>CAS accuracy</th><th>Fréchet distance</th><th>note</th></tr>\n";
  for (const LikelihoodRow& r : t.rows)
    s += "<tr><td>" + esc(r.model) + "</td><td>" + esc(r.method) + "</td><td>" + fmt("%.2f", r.nll) + "</td><td>" +
         fmt("%.2f", r.se) + "</td><td>" + (r.n_test ? std::to_string(r.n_test) : "-") + "</td><td>" +
         fmt("%.3f", r.entropy) + "</td><td>" + fmt("%.1f%%", 100 * r.cas) + "</td><td>" + fmt("%.2f", r.frechet) + "</td><td>" +
         esc(r.note) + "</td></tr>\n";
  s += "</table>\n";
  return s;
}

}  // namespace dgm
