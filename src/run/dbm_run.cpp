// dbm_run.cpp - `dgm train dbm`: the two-hidden-layer DBM ([SH09]; include/dgm/models/dbm.h)
// trained on binarized Fashion-MNIST with mean-field (data term) and persistent chains (model
// term); the run folder of include/dgm/run/ebm_run.h.
#include <chrono>
#include <cmath>
#include <cstdio>

#include "dgm/run/ebm_run.h"
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

Status eval_dbm(const Dbm& m, const ImageSet& test) {
  std::vector<int> idx(static_cast<std::size_t>(test.n));
  for (int i = 0; i < test.n; ++i) idx[std::size_t(i)] = i;
  std::vector<float> v(std::size_t(test.n) * test.dim());
  bytes_to_unit(test, idx.data(), test.n, v.data());
  std::printf("model dbm\nrecon_error %.4f\n", dbm_recon_error(m, v.data(), test.n));
  std::printf("# no test log-likelihood: AIS for the DBM is not implemented (include/dgm/run/ebm_run.h)\n");
  return Status::Ok();
}

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
  const int D = data.train.dim(), B = c.batch, mf = 10;
  if (B > data.train.n) return Status::Error("--batch %d: more than the %d training images", B, data.train.n);
  if (!quiet)
    std::printf("dgm train dbm  (all settings in %s)\ndata: %s, binarized\nseed %llu  threads %d  mean-field %d sweeps, "
                "persistent chains %d, lr %g, hidden %d,%d\n", join_path(out, "config.txt").c_str(),
                describe_run_data(rd).c_str(), static_cast<unsigned long long>(c.seed), num_threads(), mf, B, double(c.lr),
                c.hidden[0], c.hidden[1]);
  std::FILE* csv = std::fopen(join_path(out, "metrics.csv").c_str(), "w");
  if (!csv) return Status::Error("%s: cannot open metrics.csv for writing", out.c_str());
  std::fprintf(csv, "epoch,recon_error,seconds\n");
  Rng rng(c.seed);
  Dbm m;
  dbm_init(&m, D, c.hidden[0], c.hidden[1], rng);
  DbmTrainer tr;
  tr.init(m, B, mf, c.lr, rng);
  const int eval_n = data.test.n < 1000 ? data.test.n : 1000;
  std::vector<int> order, test_idx(static_cast<std::size_t>(eval_n));
  for (int i = 0; i < eval_n; ++i) test_idx[std::size_t(i)] = i;
  std::vector<float> v(std::size_t(B) * D), test_v(std::size_t(eval_n) * D);
  bytes_to_unit(data.test, test_idx.data(), eval_n, test_v.data());
  bool stopped = false;
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
    const double sec = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const double re = dbm_recon_error(m, test_v.data(), eval_n);
    if (!std::isfinite(re)) {
      std::fclose(csv);
      return Status::Error("epoch %d: the reconstruction error is not finite (lower --lr)", epoch);
    }
    std::fprintf(csv, "%d,%.7g,%.3f\n", epoch, re, sec);
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
  if (!quiet) std::printf("wrote %s/{samples.png, filters.png, model.safetensors, metrics.csv}; no AIS for the DBM\n", out.c_str());
  if (stopped) return Status::Error("interrupted: the weights so far are in %s/model.safetensors", out.c_str());
  return Status::Ok();
}

}  // namespace dgm
