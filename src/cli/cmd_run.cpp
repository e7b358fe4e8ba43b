// cmd_run.cpp - `dgm run` (what `make run` does): every theory check, then a short training of
// every model on Fashion-MNIST (the full set when installed, else the shipped subset) and on the
// synthetic sets, then out/index.html (src/run/run_page.cpp) showing every sample grid,
// reconstruction, loss curve and number.
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "cli.h"
#include "dgm/run/ebm_run.h"
#include "run_charrnn.h"
#include "run_figures.h"
#include "dgm/run/classifier.h"
#include "dgm/run/checkpoint.h"
#include "dgm/run/export.h"
#include "dgm/io/fileio.h"
#include "dgm/io/flags.h"
#include "dgm/io/plot.h"
#include "dgm/run/run_data.h"
#include "dgm/run/run_page.h"
#include "dgm/run/likelihood_table.h"
#include "dgm/theory/report.h"
#include "dgm/run/train.h"
#include "dgm/models/kinds.h"

namespace dgm {
namespace {

struct Job {
  const char* name;   // the run folder under --out and the card's title
  const char* model;
  const char* data;   // "" = Fashion-MNIST (the full set when installed, else the shipped subset)
  int epochs_full, epochs_subset;  // image data: passes over the full set / over the subset
  int iters;          // synthetic data (0: the model's default, config_defaults)
  const char* what;   // one line for the page
};

// Budgets measured on the 2-core machine so that the whole job (build included) stays within
// 5 minutes with the full 60,000 training images (docs/math.md, "make run"): the image models
// get as many epochs as that allows; on the 10,000-image subset each epoch has a sixth of the
// steps, so the subset gets more epochs where they are cheap.
const Job kJobs[] = {
    {"ae", "ae", "", 2, 6, 0, "autoencoder [Vesel] 1.1 Autoenkoder: test images (odd rows) over their reconstructions"},
    {"dae", "dae", "", 2, 6, 0, "denoising autoencoder [Vesel] 1.1, [MIPT] Автокодировщик: порождающая модель?"},
    {"vae", "vae", "", 4, 12, 0, "variational autoencoder [Utkin], [Vesel] 1.3: samples from N(0, I), reconstructions, inpainting"},
    {"vae-2d", "vae", "", 3, 10, 0, "VAE with a 2-D code: the decoded manifold ([MIPT] Learned MNIST manifold) and a line between two codes"},
    {"gan", "gan", "", 3, 12, 0, "GAN, non-saturating loss [HSE], [Vesel] 1.2; judged by the classifier's class entropy"},
    {"cgan", "cgan", "", 3, 12, 0, "conditional GAN, one class per column [MSU]; judged by the classifier"},
    {"wgan", "wgan", "", 2, 10, 0, "Wasserstein GAN with weight clipping [HSE]; judged by the classifier's class entropy"},
    {"dcgan", "gan", "", 1, 4, 0, "DCGAN (Radford et al. 2016): the GAN with a convolutional G and D (--arch conv); judged by the classifier's Fréchet distance and class entropy"},
    {"aae", "aae", "", 1, 4, 0, "adversarial autoencoder [Utkin], [Vesel] 1.4"},
    {"made", "made", "", 2, 6, 0, "MADE, autoregressive [MIPT] method 1: exact -log p(x) on binarized images, samples pixel by pixel"},
    {"vae-bin", "vae", "", 2, 8, 0, "the VAE on the same binarized images (--binarize): its bounds beside MADE's exact NLL"},
    {"gan-ring", "gan", "ring", 0, 0, 2000, "GAN on 8 Gaussians on a ring (mode collapse test)"},
    {"gan-grid", "gan", "grid", 0, 0, 5000, "GAN on the 5x5 grid, D as fast as G (lr-d 1e-3), 5,000 iterations"},
    {"gan-gauss1d", "gan", "gauss1d", 0, 0, 0, "1-D GAN: N(-1, 1) from Uniform(0, 1) noise [Utkin]"},
};

// What make run changes from config_defaults, each measured (docs/math.md, "make run").
void tune(const Job& j, Config* c) {
  const std::string name = j.name;
  if (name == "vae-2d") c->latent = 2;
  if (name == "vae-bin") c->binarize = true;
  // DCGAN: what the samples look like depends on the steps more than on the images seen. At
  // batch 128 (the paper's, dgm train's) 1 epoch (468 steps) draws blobs and 3 epochs (1,404)
  // the first garments; at batch 32 one epoch is 1,875 steps for less than half of the 3
  // epochs' time (docs/math.md, "make run").
  if (name == "dcgan") c->arch = "conv", c->batch = 32;
  // WGAN: the paper's RMSProp lr 5e-5 is for 10^5 generator steps; in make run's few hundred
  // it moves G's weights by ~0.02 in all, less than their initial scale (~0.04): 100 copies of
  // the initial G's near-constant blob. lr 5e-4 draws distinct garments within 400 steps.
  if (j.model == std::string("wgan")) c->lr_g = c->lr_d = 5e-4f;
  // Grid: with D ten times slower than G (the long protocol) 8,000 iterations cover 11 of 25
  // modes; with D as fast as G, 5,000 cover 23, 21, 17, 20 (seeds 1-4).
  if (name == "gan-grid") c->lr_d = 1e-3f;
}

std::string html_escape(const std::string& s) { return xml_escape(s); }

// "vae", "gan-grid": the section's name and its run folder under --out.
std::string job_name(const Job& j) { return j.name; }

std::string job_names() {
  std::string s;
  for (const Job& j : kJobs) s += (s.empty() ? "" : ",") + job_name(j);
  return s + ",charrnn";  // the text model's section (run_charrnn.cpp), after the others
}


// Whether the section `name` runs: only is "" (all) or ",name,name," (--only).
bool selected(const std::string& only, const std::string& name) {
  return only.empty() || only.find("," + name + ",") != std::string::npos;
}

// The pictures and figures of one job's section, in page order. A new picture of a model is one
// push_back here (the page lists whatever this returns; test/page_check.sh checks each exists).
std::vector<PageFigure> job_figures(const Job& j, const std::string& name, const Config& c) {
  std::vector<PageFigure> f;
  const std::string model = j.model;
  char file[64];
  if (j.data[0]) {
    std::snprintf(file, sizeof file, "samples/iter_%06d.svg", c.iters);
    f.push_back({name + "/" + file,
                 std::string("Data (<span style=\"color:") + series_colour(0) + "\">&#9632; " + series_colour_name(0) +
                     "</span>) and the generator's samples from a fixed z (<span style=\"color:" + series_colour(1) +
                     "\">&#9632; " + series_colour_name(1) + "</span>) after the last iteration.",
                 320});
  } else {
    std::snprintf(file, sizeof file, "samples/epoch_%03d.png", c.epochs);
    const std::string grid = model == "cgan"   ? "one class per column, a fixed z per row"
                             : model == "made" ? "100 images drawn pixel by pixel from a fixed u ~ U(0, 1)^784"
                                               : "100 draws from a fixed z, the same every epoch";
    // An autoencoder has no prior: its decoded N(0, I) samples are not shown as if it were generative.
    if (model != "ae" && model != "dae" && name != "vae-2d")
      f.push_back({name + "/" + file, std::string(is_adversarial(model) ? "Samples G(z)"
                                                  : model == "made"       ? "Samples x_d ~ p(x_d | x_<d)"
                                                                          : "Decoded samples z ~ N(0, I)") +
                                          ": " + grid + ", after the last epoch.", 300});
    if (!is_adversarial(model) && model != "made" && name != "vae-2d")
      f.push_back({name + "/recon.png",
                   "Reconstructions: 20 test images (rows 1 and 3) above their reconstructions (rows 2 and 4).", 300});
    if (model == "dae")
      f.push_back({name + "/denoise.png", "Denoising: noisy test images above the DAE's clean outputs.", 300});
    if (model == "dae" || name == "vae")
      f.push_back({name + "/inpaint.png",
                   "Inpainting ([Vesel] 1.1): test images with a square hole, and the hole filled by iterating the "
                   "reconstruction while the known pixels are kept.", 300});
    if (name == "vae-2d") {
      f.push_back({name + "/manifold.png",
                   "The decoded manifold of the 2-D code: z over a 20 x 20 grid of N(0, 1) quantiles ([MIPT] Learned "
                   "MNIST manifold).", 300});
      f.push_back({name + "/interp.png", "Decoding the straight line between the codes of test images 0 and 1 "
                                         "(dgm sample --interp 0,1).", 300});
    }
    if (model == "aae")
      f.push_back({name + "/codes.svg",
                   std::string("Codes of 2,000 test images, dimensions 0 and 1 (<span style=\"color:") +
                       series_colour(1) + "\">&#9632; " + series_colour_name(1) + "</span>) over as many prior samples (" +
                       "<span style=\"color:" + series_colour(0) + "\">&#9632; " + series_colour_name(0) + "</span>).",
                   300});
  }
  return f;
}

// losses.svg in the run folder: every term of its metrics.csv against the step (curves_svg);
// appended to the section's figures with a caption naming each term's colour.
Status add_loss_curves(const std::string& run_dir, const std::string& name, PageSection* s) {
  std::vector<Series> series;
  Status st = read_metrics_series(join_path(run_dir, "metrics.csv"), &series);
  if (!st) return st;
  PlotOptions o;
  o.title = name + ": training curves";
  o.width = 600;
  o.height = 100;
  st = write_text_atomic(join_path(run_dir, "losses.svg"), curves_svg(series, o));
  if (!st) return st;
  std::vector<std::string> terms;
  for (const Series& c : series) terms.push_back(c.label);
  s->figures.push_back({name + "/losses.svg", loss_curves_caption(terms), 600});
  return Status::Ok();
}

// The image data of the image jobs: `dir` when it holds the four Fashion-MNIST files, else the
// shipped subset (with the reason in *note, for the console and the page).
std::string choose_image_data(const std::string& dir, std::string* note) {
  if (has_fashion_files(dir)) {
    *note = "Image data: <code>" + html_escape(dir) + "</code>.";
    return dir;
  }
  const std::string why = "the full Fashion-MNIST is not in " + dir +
                          " (as root, `make run` installs Debian's dataset-fashion-mnist there; or `make data`)";
  std::printf("dgm run: %s: using the subset shipped in %s instead\n\n", why.c_str(), kSubsetDataDir);
  *note = "<b>Image data: the shipped subset</b> <code>" + std::string(kSubsetDataDir) + "</code>, because " +
          html_escape(why) + ". The figures below are for that smaller set.";
  return kSubsetDataDir;
}

// docs/lectures.md from the working directory (the project folder), and its path from `out`.
void find_lectures(const std::string& out, RunPage* page) {
  namespace fs = std::filesystem;
  std::vector<std::uint8_t> bytes;
  if (!read_file("docs/lectures.md", &bytes)) return;
  page->lectures_md.assign(bytes.begin(), bytes.end());
  std::error_code ec;
  const fs::path rel = fs::relative(fs::absolute("docs/lectures.md", ec), fs::absolute(out, ec), ec);
  if (!ec) page->lectures_href = rel.generic_string();
}

// The likelihood table (likelihood_table.h) of the made and vae-bin runs, when both ran: a
// short version of `dgm bench-quality likelihood` (k = 500 on 200 test images, 2,000 samples,
// a 3-epoch judge), with the rbm run above (if it ran) and a DBN and a DBM trained here on small
// budgets (the shipped subset's 10,000 training images, 1 epoch per layer; the DBM 1 epoch of
// pre-training per RBM and 1 of its own), their AIS with 500 betas x 100 runs and 100 Gibbs steps
// for their samples. Returns the number of failures.
int likelihood_section(const std::string& out, const std::string& only, RunPage* page) {
  const auto t0 = std::chrono::steady_clock::now();
  for (const char* n : {"made", "vae-bin"})
    if (!selected(only, n)) return 0;
  std::printf("== likelihood table: vae-bin, made, rbm and a DBN and DBM trained here ==\n");
  std::fflush(stdout);
  LikelihoodOptions o;
  o.iw = 500;
  o.iw_images = 200;
  o.samples = 2000;
  o.judge_epochs = 3;
  o.ais_betas = 500, o.ais_runs = 100, o.gibbs = 100, o.mf_iters = 10;
  const std::string rbm = join_path(out, "rbm/model.safetensors");  // this run's rbm section, when it ran
  if (selected(only, "rbm") && is_ebm_checkpoint(rbm)) o.ebm.push_back(rbm);
  for (const char* model : {"dbn", "dbm"}) {
    Config c = config_defaults(model, kSubsetDataDir);  // the shipped subset's 10,000 images: the time
    c.epochs = 1, c.pretrain = 1, c.ais = 0, c.force = true, c.out = join_path(out, model);
    std::printf("  dgm train %s --data %s --epochs 1%s --ais 0 --out %s\n", model, c.data.c_str(),
                std::string(model) == "dbm" ? " --pretrain 1" : "", c.out.c_str());
    std::fflush(stdout);
    const Status st = train_ebm(c, true, nullptr);
    if (!st) {
      std::printf("FAILED: %s: %s\n", model, st.message.c_str());
      page->likelihood_html = "<p class=fail>FAILED: " + html_escape(st.message) + "</p>";
      return 1;
    }
    o.ebm.push_back(join_path(c.out, "model.safetensors"));
  }
  LikelihoodTable t;
  Status st = build_likelihood_table(join_path(out, "vae-bin/model.safetensors"), join_path(out, "made/model.safetensors"),
                                     o, &t);
  if (st) st = write_text_atomic(join_path(out, "likelihood.txt"), likelihood_table_text(t));
  if (!st) {
    std::printf("FAILED: likelihood table: %s\n", st.message.c_str());
    page->likelihood_html = "<p class=fail>FAILED: " + html_escape(st.message) + "</p>";
    return 1;
  }
  std::printf("likelihood table: %.0f s\n", std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  page->likelihood_html =
      "<p>On the test images of " + html_escape(t.data) +
      ", binarized by data.h <code>binarize()</code>: test NLL in nats per image of the vae-bin and made runs above, each beside "
      "two figures of " + std::to_string(t.n_samples) + " of its samples from the project's classifier (the judge, " +
      std::to_string(static_cast<int>(100 * t.judge_accuracy + 0.5)) +
      "% on the binarized test images): the class entropy of its labels, and CAS, the accuracy on real test images of a "
      "classifier trained on the samples, and the Fréchet distance of the samples to as many test images in the judge's "
      "features (the data row: training vs test images, the floor). Small budgets here, for the time: the VAE's IWAE uses "
      "k = 500 on 200 test images; the DBN (500-500) and the DBM (500-1000) are trained on the shipped subset's 10,000 "
      "training images for 1 epoch per layer (the DBM: 1 epoch of pre-training per RBM, 1 of its own) and tested on the "
      "table's test images; AIS uses 500 betas x 100 runs, the DBM 10 mean-field sweeps, the samples 100 Gibbs steps. "
      "<code>dgm bench-quality likelihood</code> uses k = 5,000, 10 epochs, 14,500 betas and 200 Gibbs steps "
      "(docs/math.md). "
      "<a href=\"likelihood.txt\">likelihood.txt</a></p>" +
      likelihood_table_html(t) + "<p>" + html_escape(t.lesson) + "</p>";
  return 0;
}

// Every name in --only is a section.
Status check_sections(const std::string& only) {
  for (std::size_t a = 1; a < only.size();) {
    const std::size_t b = only.find(',', a);
    const std::string n = only.substr(a, b - a);
    if (n != "rbm" && ("," + job_names() + ",").find("," + n + ",") == std::string::npos)
      return Status::Error("--only: no section '%s' (sections: %s,rbm)", n.c_str(), job_names().c_str());
    a = b + 1;
  }
  return Status::Ok();
}

// Every theory check (dgm theory), one row of the page's table each. Returns the failures.
int theory_section(RunPage* page) {
  std::printf("== dgm theory ==\n");
  std::fflush(stdout);
  int passed = 0, failed = 0, total = 0;
  for (const TheoryCheck& c : theory_checks()) {
    const CheckResult res = run_theory_check_result(c, stdout);
    ++total;
    passed += res.outcome == CheckOutcome::kPass;
    failed += res.outcome == CheckOutcome::kFail;
    std::string word = res.outcome == CheckOutcome::kFail ? "<b>FAIL</b>" : res.word();
    if (res.outcome == CheckOutcome::kPass && res.skipped_parts > 0) word += " (a part SKIPPED)";
    page->theory_rows += "<tr><td>" + word + "</td><td>" + c.name + "</td><td>" + html_escape(c.statement) +
                         "</td><td>" + html_escape(c.lecture) + "</td></tr>\n";
  }
  std::printf("theory: %d of %d checks passed, %d failed, %d SKIPPED\n\n", passed, total, failed,
              total - passed - failed);
  return failed;
}

// The judge of the GAN, cGAN and WGAN samples: the project's classifier (classifier.h), trained
// on the same training images, 3 epochs (87-88% test accuracy on the full set; 10 epochs, the
// long protocol's, give 89%). Trained only when a section it judges runs; *acc stays 0 when not.
// Returns the failures.
int judge_section(const std::string& images, const std::string& only, Classifier* judge, double* acc) {
  bool need_judge = false;
  for (const Job& j : kJobs) need_judge = need_judge || (!j.data[0] && is_adversarial(j.model) && selected(only, job_name(j)));
  if (!need_judge) return 0;
  RunData cd;
  ClassifierOptions o;
  o.epochs = 3;
  const auto c0 = std::chrono::steady_clock::now();
  Status st = train_judge(config_defaults("gan", images), o, judge, &cd);
  if (!st) {
    std::printf("FAILED: classifier data: %s\n", st.message.c_str());
    return 1;
  }
  *acc = judge->accuracy(cd.images.test);
  std::printf("== classifier (the judge of the GAN samples): %.2f%% test accuracy, %.1f s ==\n\n", 100 * *acc,
              std::chrono::duration<double>(std::chrono::steady_clock::now() - c0).count());
  return 0;
}

// The job's config: the model's defaults on its data, its budget, then tune().
Config job_config(const Job& j, const std::string& images, bool full) {
  const bool toy = j.data[0] != 0;
  Config c = config_defaults(j.model, toy ? j.data : images);
  if (toy) {
    if (j.iters) c.iters = j.iters;
  } else {
    c.epochs = full ? j.epochs_full : j.epochs_subset;
  }
  tune(j, &c);
  return c;
}

// Prints each figure, and adds to the section those that are not test-set figures (they have their
// own rows). Returns whether every figure meets its target.
bool add_results(const Job& j, const std::vector<Figure>& figs, const StepLog& test, PageSection* sec) {
  bool all = true;
  for (const Figure& f : figs) {
    std::printf("  figure %s %.4g %s%s\n", f.name.c_str(), f.value, f.unit.c_str(),
                f.target.empty() ? "" : (" (target " + f.target + (f.meets ? ": met)" : ": NOT met)")).c_str());
    all = all && f.meets;
    bool in_test = false;
    for (int i = 0; i < test.n; ++i) in_test = in_test || f.name == test.name[i];
    if (in_test) continue;
    const MetricInfo mi = metric_info(j.model, j.data[0] != 0, f.name);
    PageResult pr;
    pr.name = f.name;
    pr.value = f.value;
    pr.unit = mi.meaning.empty() ? "" : mi.unit;
    pr.meaning = mi.meaning.empty() ? f.unit : mi.meaning;
    pr.target = f.target;
    pr.meets = f.meets;
    sec->results.push_back(pr);
  }
  return all;
}

// The vae section's decoder as C for a microcontroller (dgm export): decoder.h in its run folder.
// Returns the failures.
int export_decoder(Model& m, const Config& cc, const TrainState& ts, const std::string& dir, PageSection* sec) {
  std::string header;
  ExportOptions eo;
  eo.source = join_path(dir, "model.safetensors");
  ExportReport er;
  Status es = export_c_header(m, cc, ts.info, eo, &header, &er);
  if (es) es = write_text_atomic(join_path(dir, "decoder.h"), header);
  if (!es) {
    std::printf("FAILED: export: %s\n", es.message.c_str());
    sec->failure = "export: " + es.message;
    return 1;
  }
  std::printf("  exported the decoder: %s/decoder.h (%zu bytes of weights)\n", dir.c_str(), er.weight_bytes);
  sec->links.push_back({sec->name + "/decoder.h", "decoder.h (the decoder as C for a microcontroller, " +
                                                      std::to_string(er.weight_bytes) + " bytes of weights: dgm export)"});
  return 0;
}

// After a job trained: reopens its checkpoint and data, and fills the section with its figures,
// views, results, figures.json (and the vae's decoder.h). Returns the failures.
int job_outputs(const Job& j, const Config& c, const TrainReport& r, Classifier* judge, double judge_acc,
                PageSection* sec) {
  const std::string& name = sec->name;
  Config cc;
  std::unique_ptr<Model> m;
  TrainState ts;
  RunData d;
  Status st = open_checkpoint(join_path(c.out, "model.safetensors"), &cc, &m, &ts);
  if (st) st = load_run_data(cc, &d);
  if (!st) {
    std::printf("FAILED: %s\n", st.message.c_str());
    sec->failure = st.message;
    return 1;
  }
  int failures = 0;
  sec->data = d.where;
  sec->n_train = d.toy ? 0 : d.images.train.n;
  sec->n_test = d.toy ? 0 : d.images.test.n;
  sec->minibatches_per_step = m->batches_per_step();
  sec->test = r.test;  // train's closing figures, as dgm eval computes them
  sec->figures = job_figures(j, name, c);
  const std::vector<Figure> figs = run_figures(name, *m, d, r.test, judge, judge_acc);
  const Status vs = write_run_views(name, cc, *m, d, c.out);
  if (!vs) {
    std::printf("FAILED: %s\n", vs.message.c_str());
    ++failures;
    sec->failure = vs.message;
  }
  std::string note;
  if (!add_results(j, figs, r.test, sec)) {
    note = std::string("Below its target at this budget (") +
           (sec->toy ? std::to_string(c.iters) + " iterations" : std::to_string(c.epochs) + " epochs") + "); " +
           long_protocol(name) + ".";
    std::printf("  note: %s\n", note.c_str());
    sec->note = html_escape(note);
  }
  st = write_text_atomic(join_path(c.out, "figures.json"), figures_json(name, d.where, figs, note));
  if (!st) {
    std::printf("FAILED: %s\n", st.message.c_str());
    ++failures;
  } else {
    sec->links.push_back({name + "/figures.json", "figures.json"});
  }
  if (name == "vae") failures += export_decoder(*m, cc, ts, c.out, sec);
  return failures;
}

// One job: dgm train, then its outputs and loss curves, as one section of the page.
PageSection job_section(const Job& j, const Config& c, Classifier* judge, double judge_acc, int* failures) {
  const std::string name = job_name(j);
  std::printf("== dgm train %s --data %s --out %s ==\n", j.model, c.data.c_str(), c.out.c_str());
  std::fflush(stdout);
  PageSection sec;
  sec.name = name;
  sec.model = j.model;
  sec.what = j.what;
  sec.toy = j.data[0] != 0;
  sec.epochs = c.epochs;
  sec.batch = c.batch;
  TrainReport r;
  Status st = train(c, &r);
  sec.steps = r.steps;
  sec.seconds = r.seconds;
  sec.train_means = r.last_epoch;
  sec.data = c.data;
  if (!st) {
    std::printf("FAILED: %s\n", st.message.c_str());
    ++*failures;
    sec.failure = st.message;
  } else {
    *failures += job_outputs(j, c, r, judge, judge_acc, &sec);
  }
  Status ls = add_loss_curves(c.out, name, &sec);
  if (!ls) {
    std::printf("FAILED: loss curves: %s\n", ls.message.c_str());
    ++*failures;
    if (sec.failure.empty()) sec.failure = "loss curves: " + ls.message;
  }
  sec.links.insert(sec.links.begin(), {{name + "/metrics.csv", "metrics.csv"}, {name + "/config.txt", "config.txt"}});
  return sec;
}

// The RBM (include/dgm/run/ebm_run.h): its own run, shown by its samples from the persistent chains
// and its filters; 1 epoch (3 on the subset), no AIS (dgm train rbm gives that).
PageSection rbm_section(const std::string& out, const std::string& images, bool full, int* failures) {
  Config c = config_defaults("rbm", images);
  c.epochs = full ? 1 : 3, c.ais = 0, c.out = join_path(out, "rbm");
  std::printf("== dgm train rbm --data %s --epochs %d --ais 0 --out %s ==\n", c.data.c_str(), c.epochs, c.out.c_str());
  std::fflush(stdout);
  PageSection sec;
  sec.name = sec.model = "rbm";
  sec.what = "restricted Boltzmann machine, the block of the DBN and DBM [Utkin]: PCD-1 (Hinton 2002, Tieleman 2008) on binarized images";
  sec.data = c.data, sec.epochs = c.epochs, sec.batch = c.batch;
  const auto r0 = std::chrono::steady_clock::now();
  Status st = train_ebm(c, false, nullptr);
  sec.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - r0).count();
  if (!st) {
    std::printf("FAILED: %s\n", st.message.c_str());
    ++*failures;
    sec.failure = st.message;
  } else {
    RunData rd;  // the counts the page shows (train_ebm keeps its data to itself): whole minibatches per epoch
    if (load_run_data(c, &rd)) {
      sec.n_train = rd.images.train.n, sec.n_test = rd.images.test.n;
      sec.steps = static_cast<long long>(c.epochs) * (rd.images.train.n / c.batch);
    }
    sec.figures.push_back({"rbm/samples.png", "100 samples: p(v|h) of 100 persistent chains after 1,000 more Gibbs steps.", 300});
    sec.figures.push_back({"rbm/filters.png", "Filters: the first 100 columns of W as 28x28 images, each scaled to its own range.", 300});
  }
  sec.links = {{"rbm/metrics.csv", "metrics.csv"}, {"rbm/config.txt", "config.txt"}};
  return sec;
}

}  // namespace

int cmd_run(int argc, char** argv) {
  std::string out = "out", data_dir = kSystemDataDir, only;
  bool skip_theory = false;
  const std::string data_help = "the full Fashion-MNIST (default " + std::string(kSystemDataDir) +
                                "); when DIR lacks\nits four files, the image models train on the subset shipped in\n" +
                                kSubsetDataDir + " instead, and the console and the page say so.";
  const std::string only_help = "train only these sections (comma-separated: " + job_names() + ",rbm)";
  FlagTable f({});
  f.str("out", &out, "the page and the run folders (default out)", "DIR");
  f.str("data", &data_dir, data_help.c_str(), "DIR");
  f.sw("skip-theory", &skip_theory, "leave out the theory checks");
  f.str("only", &only, only_help.c_str(), "NAMES");
  const int done = help_or_parse("run", "usage: dgm run [--out DIR] [--data DIR] [--skip-theory] [--only NAME,...]\n"
                "The main job: runs every theory check (dgm theory), then trains every model briefly\n"
                "on Fashion-MNIST and on the synthetic sets, and writes OUT/index.html (default out/)\n"
                "showing samples, reconstructions, denoising, inpainting, the 2-D VAE's manifold, loss\n"
                "curves and every number with its unit; the GANs' samples are judged by the project's\n"
                "classifier, and each run folder's figures.json holds its figures and targets.\n%s"
                "Run it from the project folder (the subset and docs/lectures.md are found from there).\n"
                "Exit status 1 if a theory check or a training fails.\n", 16, f, argc, argv);
  if (done >= 0) return done;
  if (f.given("only")) only = "," + only + ",";
  Status st = check_sections(only);
  if (!st) {
    std::fprintf(stderr, "dgm run: %s\n", st.message.c_str());
    return 2;
  }
  const auto t0 = std::chrono::steady_clock::now();
  RunPage page;
  const std::string images = choose_image_data(data_dir, &page.data_note);
  find_lectures(out, &page);
  int failures = skip_theory ? 0 : theory_section(&page);
  const bool full = images != kSubsetDataDir;
  Classifier judge;
  double judge_acc = 0;
  failures += judge_section(images, only, &judge, &judge_acc);
  for (const Job& j : kJobs) {
    if (!selected(only, job_name(j))) continue;
    Config c = job_config(j, images, full);
    c.out = join_path(out, job_name(j));
    page.sections.push_back(job_section(j, c, judge_acc > 0 ? &judge : nullptr, judge_acc, &failures));
  }
  if (selected(only, "rbm")) page.sections.push_back(rbm_section(out, images, full, &failures));
  if (selected(only, "charrnn")) page.sections.push_back(charrnn_section(out, 300, &failures));
  failures += likelihood_section(out, only, &page);
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  page.failures = failures;
  page.seconds = secs;
  st = write_text_atomic(join_path(out, "index.html"), run_page_html(page));
  if (!st) {
    std::fprintf(stderr, "dgm run: %s\n", st.message.c_str());
    return 2;
  }
  std::printf("\ndgm run: %d failure(s) in %.0f s; open %s/index.html\n", failures, secs, out.c_str());
  return failures ? 1 : 0;
}

}  // namespace dgm
