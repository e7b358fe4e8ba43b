// dbm_run.cpp - `dgm train dbm`: the two-hidden-layer DBM ([SH09]; include/dgm/models/dbm.h)
// pre-trained as a stack of two modified RBMs ([SH09] sec. 3.1), then trained on binarized
// Fashion-MNIST with mean-field (data term) and persistent chains (model term); the run folder of
// include/dgm/run/ebm_run.h, with the mean-field bound by AIS (dgm/models/dbm_ais.h) at the end.
#include <chrono>
#include <cmath>
#include <cstdio>

#include "dgm/run/ebm_run.h"
#include "dgm/models/dbm_ais.h"
#include "dgm/io/fileio.h"
#include "dgm/io/image.h"
#include "dgm/backend/parallel.h"
#include "dgm/run/run_data.h"
#include "dgm/run/train.h"

namespace dgm {

Dbm dbm_from_layers(const Dbn& d) {
  Dbm m;
  const Rbm &a = d.layers[0], &b = d.layers[1];
  m.nv = a.nv, m.n1 = a.nh, m.n2 = b.nh;
  m.W1 = a.W, m.b = a.b, m.c1 = a.c, m.W2 = b.W, m.c2 = b.c;
  return m;
}

Dbn dbm_to_layers(const Dbm& m) {
  Dbn d;
  d.layers.resize(2);
  Rbm &a = d.layers[0], &b = d.layers[1];
  a.nv = m.nv, a.nh = m.n1, a.W = m.W1, a.b = m.b, a.c = m.c1;
  b.nv = m.n1, b.nh = m.n2, b.W = m.W2, b.b.assign(std::size_t(m.n1), 0.f), b.c = m.c2;
  return d;
}

void dbm_sample(const Dbm& m, int n, int steps, Rng& rng, std::vector<float>* out) {
  std::vector<float> v(std::size_t(n) * m.nv), h1(std::size_t(n) * m.n1), h2(std::size_t(n) * m.n2, 0.f);
  for (float& x : v) x = rng.uniform() < 0.5f ? 1.f : 0.f;
  out->resize(v.size());
  dbm_gibbs(m, v.data(), h1.data(), h2.data(), n, steps, rng, out->data());
}

// mean over rows of sum_i (v_i - p(v_i | h1 = mu1))^2, mu1 from 10 mean-field sweeps
static double dbm_recon_error(const Dbm& m, const float* v, int n) {
  std::vector<float> mu1(std::size_t(n) * m.n1), mu2(std::size_t(n) * m.n2), pv(std::size_t(n) * m.nv);
  dbm_mean_field(m, v, n, 10, mu1.data(), mu2.data());
  Rbm low;  // p(v | h1) of the DBM is the bottom RBM's
  low.nv = m.nv, low.nh = m.n1, low.W = m.W1, low.b = m.b, low.c = m.c1;
  rbm_visible_probs(low, mu1.data(), n, pv.data());
  double s = 0;
  for (std::size_t i = 0; i < pv.size(); ++i) s += double(v[i] - pv[i]) * (v[i] - pv[i]);
  return s / n;
}

Status eval_dbm(const Dbm& m, const ImageSet& test, const ImageSet* base, const AisOptions& o) {
  std::vector<int> idx(static_cast<std::size_t>(test.n));
  for (int i = 0; i < test.n; ++i) idx[std::size_t(i)] = i;
  std::vector<float> v(std::size_t(test.n) * test.dim());
  bytes_to_unit(test, idx.data(), test.n, v.data());
  std::printf("model dbm\nrecon_error %.4f\n", dbm_recon_error(m, v.data(), test.n));
  const LikelihoodEstimate e = dbm_test_bound(m, test, base, o);
  std::printf("test_log_likelihood_bound %.4f\nais_se %.4f\ndata_se %.4f\nlog_z %.4f\nais_runs %d\nais_betas %d\n", e.nats,
              e.ais_se, e.data_se, e.log_z, e.runs, e.betas);
  return Status::Ok();
}

namespace {

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// The pre-training RBMs' learning rate: the RBM's (config.cpp's rbm default, [HintonGuide] sec. 4);
// --lr is the DBM's own (its default 0.01).
constexpr float kPretrainLr = 0.05f;

// h1 ~ p(h1 | v) of the bottom pre-training RBM, v counted twice ([SH09] sec. 3.1): the top
// RBM's data. In place in h (n, n1).
void bottom_up(const Rbm& bottom, const float* v, int n, Rng& rng, float* h) {
  rbm_hidden_probs(bottom, v, n, h, 2.f);
  bernoulli_sample(h, std::size_t(n) * bottom.nh, rng, h);
}

// One pre-training RBM ([SH09] sec. 3.1): `epochs` of CD/PCD with the weight scales up/down on the
// training images (layer 0) or on h1 ~ p(h1 | v) of the bottom RBM (layer 1); one metrics row per
// epoch, stage rbm<layer+1>, the reconstruction error on test_in (its input of that layer).
bool pretrain_layer(const Config& c, const ImageData& data, int layer, const Rbm* bottom, const std::vector<float>& test_in,
                    Rng& rng, Rbm* r, std::FILE* csv, bool quiet, const volatile std::sig_atomic_t* stop) {
  const int B = c.batch, D = data.train.dim(), eval_n = int(test_in.size() / std::size_t(r->nv));
  CdOptions o;
  o.k = c.k, o.persistent = c.cd == "pcd", o.lr = kPretrainLr, o.batch = B;
  (layer == 0 ? o.up : o.down) = 2.f;
  RbmTrainer tr;
  tr.init(*r, o, rng);
  std::vector<int> order;
  std::vector<float> v(std::size_t(B) * D), h(bottom ? std::size_t(B) * bottom->nh : 0), scratch;
  for (int epoch = 1; epoch <= (c.pretrain < 0 ? c.epochs : c.pretrain); ++epoch) {
    const auto t0 = std::chrono::steady_clock::now();
    epoch_order(data.train.n, rng, &order);
    for (int s = 0; s + B <= data.train.n; s += B) {
      if (stop && *stop) return false;
      bytes_to_unit(data.train, order.data() + s, B, v.data());
      if (bottom) bottom_up(*bottom, v.data(), B, rng, h.data());
      tr.step(r, bottom ? h.data() : v.data(), rng);
    }
    const double sec = seconds_since(t0);
    const double re = rbm_reconstruction_error(*r, test_in.data(), eval_n, &scratch, o.up, o.down);
    std::fprintf(csv, "rbm%d,%d,%.7g,%.3f\n", layer + 1, epoch, re, sec);
    std::fflush(csv);
    if (!quiet) std::printf("pre-training RBM %d (%s weights doubled) epoch %d  recon_error %.3f  %.2f s/epoch\n", layer + 1,
                            layer == 0 ? "bottom-up" : "top-down", epoch, re, sec);
  }
  return true;
}

}  // namespace

Status train_dbm(const Config& c, bool quiet, const volatile std::sig_atomic_t* stop) {
  if (c.resume) return Status::Error("--resume: dbm runs have no resumable state; train again with --force");
  if (c.threads > 0) set_num_threads(c.threads);
  RunData rd;
  Status st = load_run_data(c, &rd);
  if (!st) return st;
  binarize(&rd.images);
  const ImageData& data = rd.images;
  const std::string out = run_folder(c);
  if (!(st = make_dirs(out))) return st;
  if (!(st = write_text_atomic(join_path(out, "config.txt"), config_to_text(c)))) return st;
  const int D = data.train.dim(), B = c.batch, mf = 10, pre = c.pretrain < 0 ? c.epochs : c.pretrain;
  if (B > data.train.n) return Status::Error("--batch %d: more than the %d training images", B, data.train.n);
  if (!quiet)
    std::printf("dgm train dbm  (all settings in %s)\ndata: %s, binarized\nseed %llu  threads %d  pre-training %d epochs per "
                "RBM, mean-field %d sweeps, persistent chains %d, lr %g, hidden %d,%d\n", join_path(out, "config.txt").c_str(),
                describe_run_data(rd).c_str(), static_cast<unsigned long long>(c.seed), num_threads(), pre, mf, B,
                double(c.lr), c.hidden[0], c.hidden[1]);
  std::FILE* csv = std::fopen(join_path(out, "metrics.csv").c_str(), "w");
  if (!csv) return Status::Error("%s: cannot open metrics.csv for writing", out.c_str());
  std::fprintf(csv, "stage,epoch,recon_error,seconds\n");
  Rng rng(c.seed);
  const int eval_n = data.test.n < 1000 ? data.test.n : 1000;
  std::vector<int> order, test_idx(static_cast<std::size_t>(eval_n));
  for (int i = 0; i < eval_n; ++i) test_idx[std::size_t(i)] = i;
  std::vector<float> v(std::size_t(B) * D), test_v(std::size_t(eval_n) * D);
  bytes_to_unit(data.test, test_idx.data(), eval_n, test_v.data());
  Dbm m;
  bool stopped = false;
  const auto t_run = std::chrono::steady_clock::now();
  if (pre > 0) {  // [SH09] sec. 3.1: the two modified RBMs, greedily, then composed
    Rbm bottom, top;
    rbm_init(&bottom, D, c.hidden[0], rng);
    rbm_init(&top, c.hidden[0], c.hidden[1], rng);
    stopped = !pretrain_layer(c, data, 0, nullptr, test_v, rng, &bottom, csv, quiet, stop);
    if (!stopped) {
      Rng eval_rng(c.seed, 101);  // the test images as the top RBM's input, drawn once
      std::vector<float> test_h(std::size_t(eval_n) * c.hidden[0]);
      bottom_up(bottom, test_v.data(), eval_n, eval_rng, test_h.data());
      stopped = !pretrain_layer(c, data, 1, &bottom, test_h, rng, &top, csv, quiet, stop);
    }
    m = dbm_compose(bottom, top);
    const double re0 = dbm_recon_error(m, test_v.data(), eval_n);
    std::fprintf(csv, "dbm,0,%.7g,0\n", re0);
    if (!quiet) std::printf("composed DBM (before its own training): recon_error %.3f\n", re0);
  } else {
    dbm_init(&m, D, c.hidden[0], c.hidden[1], rng);
  }
  DbmTrainer tr;
  tr.init(m, B, mf, c.lr, rng);
  if (pre > 0) {  // the chains start at training images (DbmTrainer::start_chains)
    epoch_order(data.train.n, rng, &order);
    bytes_to_unit(data.train, order.data(), B, v.data());
    tr.start_chains(m, v.data(), rng);
  }
  for (int epoch = 1; epoch <= c.epochs && !stopped; ++epoch) {
    const auto t0 = std::chrono::steady_clock::now();
    epoch_order(data.train.n, rng, &order);
    for (int s = 0; s + B <= data.train.n; s += B) {
      if (stop && *stop) {
        stopped = true;
        break;
      }
      bytes_to_unit(data.train, order.data() + s, B, v.data());
      tr.step(&m, v.data(), rng);
    }
    const double sec = seconds_since(t0);
    const double re = dbm_recon_error(m, test_v.data(), eval_n);
    if (!std::isfinite(re)) {
      std::fclose(csv);
      return Status::Error("epoch %d: the reconstruction error is not finite (lower --lr)", epoch);
    }
    std::fprintf(csv, "dbm,%d,%.7g,%.3f\n", epoch, re, sec);
    std::fflush(csv);
    if (!quiet) std::printf("epoch %d/%d  recon_error %.3f  %.2f s/epoch\n", epoch, c.epochs, re, sec);
    std::fflush(stdout);
  }
  std::fclose(csv);
  if (!(st = save_ebm(join_path(out, "model.safetensors"), dbm_to_layers(m), c))) return st;
  // samples: 100 persistent chains, 1000 more sweeps
  const int n = B < 100 ? B : 100;
  std::vector<float> pv(std::size_t(n) * D);
  dbm_gibbs(m, tr.cv.data(), tr.ch1.data(), tr.ch2.data(), n, 1000, rng, pv.data());
  GridOptions g;
  if (!(st = write_image(join_path(out, "samples.png"), make_grid(pv.data(), n, data.train.rows, data.train.cols, (n + 9) / 10, 10, g))))
    return st;
  Rbm low;
  low.nv = m.nv, low.nh = m.n1, low.W = m.W1;
  if (!(st = write_filters(join_path(out, "filters.png"), low, data.train.rows, data.train.cols))) return st;
  if (!quiet) std::printf("wrote %s/{samples.png, filters.png, model.safetensors, metrics.csv}  (%.1f s)\n", out.c_str(),
                          seconds_since(t_run));
  if (c.ais > 0 && !stopped) {
    AisOptions o;
    o.runs = c.ais_runs, o.betas = c.ais, o.seed = c.seed;
    const auto t0 = std::chrono::steady_clock::now();
    const LikelihoodEstimate e = dbm_test_bound(m, data.test, &data.train, o);
    char buf[512];
    std::snprintf(buf, sizeof buf,
                  "test_log_likelihood_bound %.4f\nais_se %.4f\ndata_se %.4f\nlog_z %.4f\nimages %d\nais_runs %d\n"
                  "ais_betas %d\nseconds %.1f\n",
                  e.nats, e.ais_se, e.data_se, e.log_z, e.images, e.runs, e.betas, seconds_since(t0));
    if (!(st = write_text_atomic(join_path(out, "likelihood.txt"), buf))) return st;
    if (!quiet)
      std::printf("mean-field bound on the test log-likelihood, log Z by AIS on (v, h2) (%d runs, %d betas), %d binarized "
                  "test images: %.2f nats/image (AIS se %.2f, data se %.2f)\n", e.runs, e.betas, e.images, e.nats, e.ais_se,
                  e.data_se);
  }
  if (stopped) return Status::Error("interrupted: the weights so far are in %s/model.safetensors", out.c_str());
  return Status::Ok();
}

}  // namespace dgm
