// ebm_run.cpp - the training run of the RBM and the DBN (include/dgm/run/ebm_run.h): greedy
// layer-wise CD-k / PCD training ([Hinton02], [Tieleman08], [HOT06] sec. 4) on binarized
// Fashion-MNIST, the run folder, and the AIS estimate at the end ([SM08]).
#include "dgm/run/ebm_run.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>

#include "dgm/io/fileio.h"
#include "dgm/io/image.h"
#include "dgm/backend/parallel.h"
#include "dgm/run/run_data.h"
#include "dgm/io/safetensors.h"
#include "dgm/run/train.h"

namespace dgm {
namespace {

// h_l for the rows v (B, nv) of the data: h ~ p(h | below) through layers 0..l-1, in place in
// buf (B, max width) ping-ponging with tmp; returns the pointer to the result.
const float* layer_input(const Dbn& d, int l, const float* v, int B, Rng& rng, std::vector<float>* a,
                         std::vector<float>* b) {
  const float* x = v;
  for (int k = 0; k < l; ++k) {
    const Rbm& r = d.layers[std::size_t(k)];
    std::vector<float>* out = (k % 2 == 0) ? a : b;
    rbm_hidden_probs(r, x, B, out->data());
    bernoulli_sample(out->data(), std::size_t(B) * r.nh, rng, out->data());
    x = out->data();
  }
  return x;
}

}  // namespace

void bytes_to_unit(const ImageSet& s, const int* idx, int n, float* v) {
  const int D = s.dim();
  for (int r = 0; r < n; ++r)
    for (int i = 0; i < D; ++i) v[std::size_t(r) * D + i] = s.pixels[std::size_t(idx[r]) * D + i] / 255.f;
}

namespace {

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

Status write_filters(const std::string& path, const Rbm& r, int rows, int cols) {
  const int n = std::min(100, r.nh), D = r.nv;
  std::vector<float> img(std::size_t(n) * D);
  for (int j = 0; j < n; ++j) {
    float lo = 1e30f, hi = -1e30f;
    for (int i = 0; i < D; ++i) lo = std::min(lo, r.W[std::size_t(i) * r.nh + j]), hi = std::max(hi, r.W[std::size_t(i) * r.nh + j]);
    for (int i = 0; i < D; ++i) img[std::size_t(j) * D + i] = hi > lo ? (r.W[std::size_t(i) * r.nh + j] - lo) / (hi - lo) : 0.5f;
  }
  GridOptions g;
  return write_image(path, make_grid(img.data(), n, rows, cols, (n + 9) / 10, 10, g));
}

Status save_ebm(const std::string& path, const Dbn& d, const Config& c) {
  std::vector<NamedTensor> t;
  for (std::size_t l = 0; l < d.layers.size(); ++l) {
    const Rbm& r = d.layers[l];
    const std::string p = "layers." + std::to_string(l) + ".";
    t.push_back({p + "W", {r.nv, r.nh}, r.W.data()});
    t.push_back({p + "b", {r.nv}, r.b.data()});
    t.push_back({p + "c", {r.nh}, r.c.data()});
  }
  Metadata meta;
  meta["format"] = "dgm-ebm";
  meta["config"] = config_to_text(c, true);
  meta["layers"] = std::to_string(d.layers.size());
  return save_safetensors(path, t, meta);
}

Status load_ebm(const std::string& path, Dbn* d, Config* c) {
  SafetensorsFile f;
  Status st = f.load(path);
  if (!st) return st;
  const std::string* fmt = f.meta("format");
  if (!fmt || *fmt != "dgm-ebm") return Status::Error("%s: not an rbm/dbn checkpoint (metadata format is not dgm-ebm)", path.c_str());
  const std::string* text = f.meta("config");
  if (!text) return Status::Error("%s: no config in the metadata", path.c_str());
  st = config_from_text(*text, c);
  if (!st) return st.prefixed(path);
  d->layers.clear();
  for (int l = 0;; ++l) {
    const std::string p = "layers." + std::to_string(l) + ".";
    const TensorEntry* w = f.find(p + "W");
    if (!w) break;
    if (w->shape.size() != 2 || w->shape[0] < 1 || w->shape[1] < 1 || w->shape[0] > 100000 || w->shape[1] > 100000)
      return Status::Error("%s: %sW has shape %s, expected (visible, hidden)", path.c_str(), p.c_str(), shape_text(w->shape).c_str());
    Rbm r;
    r.nv = int(w->shape[0]), r.nh = int(w->shape[1]);
    if (!d->layers.empty() && d->layers.back().nh != r.nv)
      return Status::Error("%s: %sW has %d visible units, the layer below %d hidden", path.c_str(), p.c_str(), r.nv, d->layers.back().nh);
    r.W.resize(std::size_t(r.nv) * r.nh), r.b.resize(std::size_t(r.nv)), r.c.resize(std::size_t(r.nh));
    if (!(st = f.read(p + "W", {r.nv, r.nh}, r.W.data())) || !(st = f.read(p + "b", {r.nv}, r.b.data())) ||
        !(st = f.read(p + "c", {r.nh}, r.c.data())))
      return st;
    d->layers.push_back(std::move(r));
  }
  if (d->layers.empty()) return Status::Error("%s: no layers.0.W tensor", path.c_str());
  return Status::Ok();
}

bool is_ebm_checkpoint(const std::string& path) {
  SafetensorsFile f;
  if (!f.load(path)) return false;
  const std::string* fmt = f.meta("format");
  return fmt && *fmt == "dgm-ebm";
}

Status sample_ebm(const std::string& ckpt, int n, int steps, std::uint64_t seed, int cols, const std::string& out) {
  Dbn d;
  Config c;
  Status st = load_ebm(ckpt, &d, &c);
  if (!st) return st;
  const std::string ext = path_extension(out);
  if (ext != "png" && ext != "pgm") return Status::Error("%s: an rbm/dbn sample is written as .png or .pgm", out.c_str());
  const int D = d.layers[0].nv, side = int(std::lround(std::sqrt(double(D))));
  if (side * side != D) return Status::Error("%s: %d visible units are not a square image", ckpt.c_str(), D);
  Rng rng(seed);
  std::vector<float> samples;
  if (c.model == "dbm") dbm_sample(dbm_from_layers(d), n, steps, rng, &samples);
  else dbn_sample(d, n, steps, rng, &samples);  // one layer: Gibbs in the RBM itself
  GridOptions g;
  return write_image(out, make_grid(samples.data(), n, side, side, (n + cols - 1) / cols, cols, g));
}

Status eval_ebm(const std::string& ckpt, const std::string& data_flag, std::uint64_t seed) {
  Dbn d;
  Config c;
  Status st = load_ebm(ckpt, &d, &c);
  if (!st) return st;
  if (!data_flag.empty()) c.data = data_flag;
  RunData rd;
  if (!(st = load_run_data(c, &rd))) return st;
  if (rd.toy || rd.info.dim != d.layers[0].nv)
    return Status::Error("%s: %d-dim data, the model has %d visible units", rd.where.c_str(), rd.info.dim, d.layers[0].nv);
  binarize(&rd.images);
  AisOptions o;
  o.runs = c.ais_runs, o.betas = c.ais > 0 ? c.ais : 1000, o.seed = seed;
  const ImageSet& test = rd.images.test;
  if (c.model == "dbm") return eval_dbm(dbm_from_layers(d), test, &rd.images.train, o);
  const bool rbm = d.layers.size() == 1;
  const LikelihoodEstimate e = rbm ? rbm_test_log_likelihood(d.layers[0], test, &rd.images.train, o) : dbn_test_bound(d, test, o, 1);
  std::vector<float> v(std::size_t(test.n) * test.dim()), scratch;
  for (std::size_t i = 0; i < v.size(); ++i) v[i] = test.pixels[i] / 255.f;
  Rng pl(seed, 3);
  std::printf("model %s\n%s %.4f\nais_se %.4f\ndata_se %.4f\nais_runs %d\nais_betas %d\n", c.model.c_str(),
              rbm ? "test_log_likelihood" : "test_log_likelihood_bound", e.nats, e.ais_se, e.data_se, e.runs, e.betas);
  std::printf("pseudo_likelihood %.4f\nrecon_error %.4f\n", rbm_pseudo_likelihood(d.layers[0], v.data(), test.n, pl, &scratch),
              rbm_reconstruction_error(d.layers[0], v.data(), test.n, &scratch));
  return Status::Ok();
}

namespace {

// samples.png: 100 samples from the persistent chains (rbm) or the DBN's top RBM and a downward
// pass, 1000 Gibbs steps; filters.png: the first layer's weights as images.
Status write_ebm_pictures(const Dbn& dbn, const RbmTrainer& tr, int B, const ImageData& data, Rng& rng,
                          const std::string& out) {
  const int D = data.train.dim();
  std::vector<float> samples;
  const int ns = 100, steps = 1000;
  if (dbn.layers.size() == 1) {
    const Rbm& m = dbn.layers[0];
    const int n = std::min(ns, B);
    std::vector<float> ch(tr.visible_chains(), tr.visible_chains() + std::ptrdiff_t(n) * D), ph(std::size_t(n) * m.nh),
        h(std::size_t(n) * m.nh), pv(std::size_t(n) * D);
    rbm_gibbs(m, ch.data(), n, steps, rng, ph.data(), h.data(), pv.data());
    samples = pv;
  } else {
    dbn_sample(dbn, ns, steps, rng, &samples);
  }
  GridOptions g;
  const int n_s = int(samples.size() / std::size_t(D));
  Status st = write_image(join_path(out, "samples.png"),
                          make_grid(samples.data(), n_s, data.train.rows, data.train.cols, (n_s + 9) / 10, 10, g));
  if (!st) return st;
  return write_filters(join_path(out, "filters.png"), dbn.layers[0], data.train.rows, data.train.cols);
}

// likelihood.txt: the test log-likelihood by AIS (rbm), or the DBN's lower bound, with its errors.
Status write_ais_likelihood(const Dbn& dbn, const ImageData& data, const Config& c, const std::string& out, bool quiet) {
  AisOptions o;
  o.runs = c.ais_runs, o.betas = c.ais, o.seed = c.seed;
  const auto t0 = std::chrono::steady_clock::now();
  const bool rbm = dbn.layers.size() == 1;
  const LikelihoodEstimate e = rbm ? rbm_test_log_likelihood(dbn.layers[0], data.test, &data.train, o)
                                   : dbn_test_bound(dbn, data.test, o, 1);
  char buf[512];
  std::snprintf(buf, sizeof buf,
                "%s %.4f\nais_se %.4f\ndata_se %.4f\nlog_z %.4f\nimages %d\nais_runs %d\nais_betas %d\nseconds %.1f\n",
                rbm ? "test_log_likelihood" : "test_log_likelihood_bound", e.nats, e.ais_se, e.data_se, e.log_z, e.images,
                e.runs, e.betas, seconds_since(t0));
  Status st = write_text_atomic(join_path(out, "likelihood.txt"), buf);
  if (!st) return st;
  if (!quiet)
    std::printf("%s by AIS (%d runs, %d betas) on %d binarized test images: %.2f nats/image (AIS se %.2f, data se %.2f)\n",
                rbm ? "test log-likelihood" : "test log-likelihood bound", e.runs, e.betas, e.images, e.nats, e.ais_se,
                e.data_se);
  return Status::Ok();
}

}  // namespace

Status train_ebm(const Config& c, bool quiet, const volatile std::sig_atomic_t* stop) {
  Status st = validate(c);
  if (!st) return st;
  if (c.model == "dbm") return train_dbm(c, quiet, stop);
  if (c.resume) return Status::Error("--resume: %s runs have no resumable state; train again with --force", c.model.c_str());
  if (c.threads > 0) set_num_threads(c.threads);
  RunData rd;
  st = load_run_data(c, &rd);
  if (!st) return st;
  ImageData& data = rd.images;
  binarize(&data);  // the one protocol (data.h): train stream 1, test stream 2
  const std::string out = run_folder(c);
  if (!(st = make_dirs(out))) return st;
  if (!(st = write_text_atomic(join_path(out, "config.txt"), config_to_text(c)))) return st;
  const int D = data.train.dim(), B = c.batch;
  if (B > data.train.n) return Status::Error("--batch %d: more than the %d training images", B, data.train.n);
  if (!quiet) {
    std::printf("dgm train %s  (all settings in %s)\ndata: %s, binarized (data.h binarize, seed %llu)\n", c.model.c_str(),
                join_path(out, "config.txt").c_str(), describe_run_data(rd).c_str(), static_cast<unsigned long long>(kBinarizeSeed));
    std::printf("seed %llu  threads %d  %s-%d  lr %g  batch %d  hidden", static_cast<unsigned long long>(c.seed), num_threads(),
                c.cd == "pcd" ? "PCD" : "CD", c.k, double(c.lr), B);
    for (int h : c.hidden) std::printf(" %d", h);
    std::printf("\n");
  }
  std::FILE* csv = std::fopen(join_path(out, "metrics.csv").c_str(), "w");
  if (!csv) return Status::Error("%s: cannot open metrics.csv for writing", out.c_str());
  std::fprintf(csv, "layer,epoch,recon_error,pseudo_likelihood,seconds\n");
  Rng rng(c.seed);
  Dbn dbn;
  const int eval_n = std::min(1000, data.test.n);
  std::vector<int> order, test_idx(static_cast<std::size_t>(eval_n));
  for (int i = 0; i < eval_n; ++i) test_idx[std::size_t(i)] = i;
  int widest = D;
  for (int h : c.hidden) widest = std::max(widest, h);
  std::vector<float> v(std::size_t(B) * D), pa(std::size_t(std::max(B, eval_n)) * widest),
      pb(std::size_t(std::max(B, eval_n)) * widest), test_v(std::size_t(eval_n) * D), test_in, scratch;
  bytes_to_unit(data.test, test_idx.data(), eval_n, test_v.data());
  RbmTrainer tr;
  bool stopped = false;
  const auto t_run = std::chrono::steady_clock::now();
  for (std::size_t l = 0; l < c.hidden.size() && !stopped; ++l) {
    Rbm r;
    rbm_init(&r, l == 0 ? D : c.hidden[l - 1], c.hidden[l], rng);
    dbn.layers.push_back(r);
    Rbm& m = dbn.layers.back();
    CdOptions o;
    o.k = c.k, o.persistent = c.cd == "pcd", o.lr = c.lr, o.batch = B;
    tr.init(m, o, rng);
    Rng eval_rng(c.seed, 100 + l);  // the test images as this layer's input, drawn once
    const float* ti = layer_input(dbn, int(l), test_v.data(), eval_n, eval_rng, &pa, &pb);
    test_in.assign(ti, ti + std::size_t(eval_n) * m.nv);
    for (int epoch = 1; epoch <= c.epochs && !stopped; ++epoch) {
      const auto t0 = std::chrono::steady_clock::now();
      epoch_order(data.train.n, rng, &order);
      for (int s = 0; s + B <= data.train.n; s += B) {  // whole minibatches; the rest of the permutation is left
        if (stop && *stop) {
          stopped = true;
          break;
        }
        bytes_to_unit(data.train, order.data() + s, B, v.data());
        const float* x = layer_input(dbn, int(l), v.data(), B, rng, &pa, &pb);
        tr.step(&m, x, rng);
      }
      const double sec = seconds_since(t0);
      Rng pl_rng(c.seed, 200 + l);
      const double re = rbm_reconstruction_error(m, test_in.data(), eval_n, &scratch);
      const double pl = rbm_pseudo_likelihood(m, test_in.data(), eval_n, pl_rng, &scratch);
      if (!std::isfinite(re) || !std::isfinite(pl)) {
        std::fclose(csv);
        return Status::Error("layer %zu epoch %d: the reconstruction error or pseudo-likelihood is not finite (lower --lr)", l, epoch);
      }
      std::fprintf(csv, "%zu,%d,%.7g,%.7g,%.3f\n", l, epoch, re, pl, sec);
      std::fflush(csv);
      if (!quiet)
        std::printf("layer %zu epoch %d/%d  recon_error %.3f  pseudo_likelihood %.3f  %.2f s/epoch\n", l, epoch, c.epochs, re, pl, sec);
      std::fflush(stdout);
    }
  }
  std::fclose(csv);
  if (!(st = save_ebm(join_path(out, "model.safetensors"), dbn, c))) return st;
  if (!(st = write_ebm_pictures(dbn, tr, B, data, rng, out))) return st;
  if (!quiet) std::printf("wrote %s/{samples.png, filters.png, model.safetensors, metrics.csv}  (%.1f s)\n", out.c_str(), seconds_since(t_run));
  if (c.ais > 0 && !stopped && !(st = write_ais_likelihood(dbn, data, c, out, quiet))) return st;
  if (stopped) return Status::Error("interrupted: the weights so far are in %s/model.safetensors", out.c_str());
  return Status::Ok();
}

}  // namespace dgm
