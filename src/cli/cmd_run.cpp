// cmd_run.cpp - `dgm run` (what `make run` does): every theory check, then a short training of
// every model on the shipped Fashion-MNIST subset and on the synthetic sets, then out/index.html
// showing every sample grid, reconstruction and plot with its numbers.
#include <chrono>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "cli.h"
#include "run_figures.h"
#include "dgm/checkpoint.h"
#include "dgm/classifier.h"
#include "dgm/data.h"
#include "dgm/evaluate.h"
#include "dgm/export.h"
#include "dgm/fileio.h"
#include "dgm/plot.h"
#include "dgm/suggest.h"
#include "dgm/theory/report.h"
#include "dgm/train.h"

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
    {"aae", "aae", "", 1, 4, 0, "adversarial autoencoder [Utkin], [Vesel] 1.4"},
    {"gan-ring", "gan", "ring", 0, 0, 2000, "GAN on 8 Gaussians on a ring (mode collapse test)"},
    {"gan-grid", "gan", "grid", 0, 0, 5000, "GAN on the 5x5 grid, D as fast as G (lr-d 1e-3), 5,000 iterations"},
    {"gan-gauss1d", "gan", "gauss1d", 0, 0, 0, "1-D GAN: N(-1, 1) from Uniform(0, 1) noise [Utkin]"},
};

// What make run changes from config_defaults, each measured (docs/math.md, "make run").
void tune(const Job& j, Config* c) {
  const std::string name = j.name;
  if (name == "vae-2d") c->latent = 2;
  // WGAN: the paper's RMSProp lr 5e-5 is for 10^5 generator steps; in make run's few hundred
  // it moves G's weights by ~0.02 in all, less than their initial scale (~0.04): 100 copies of
  // the initial G's near-constant blob. lr 5e-4 draws distinct garments within 400 steps.
  if (j.model == std::string("wgan")) c->lr_g = c->lr_d = 5e-4f;
  // Grid: with D ten times slower than G (the long protocol) 8,000 iterations cover 11 of 25
  // modes; with D as fast as G, 5,000 cover 23, 21, 17, 20 (seeds 1-4).
  if (name == "gan-grid") c->lr_d = 1e-3f;
}

std::string html_escape(const std::string& s) { return xml_escape(s); }

}  // namespace

int cmd_run(int argc, char** argv) {
  if (wants_help(argc, argv)) {
    std::printf("usage: dgm run [--out DIR] [--skip-theory]\n"
                "The main job: runs every theory check (dgm theory), then trains every model briefly\n"
                "on Fashion-MNIST (the full set when installed, `make data`; else the subset in\n"
                "datasets/) and on the synthetic sets, judges the GANs' samples with a classifier,\n"
                "and writes DIR/index.html (default out/) showing samples, reconstructions,\n"
                "denoising, inpainting, the 2-D VAE's manifold and plots with their numbers; each\n"
                "run folder DIR/<run>/figures.json holds its figures and targets. Exit status 1 if\n"
                "a theory check, a training or a view fails.\n");
    return 0;
  }
  std::string out = "out";
  bool skip_theory = false;
  for (int i = 0; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--out" && i + 1 < argc) out = argv[++i];
    else if (a == "--skip-theory") skip_theory = true;
    else {
      std::fprintf(stderr, "dgm run: unexpected argument '%s'%s (see --help)\n", argv[i],
                   did_you_mean(a, {"--out", "--skip-theory"}).c_str());
      return 2;
    }
  }
  const auto t0 = std::chrono::steady_clock::now();
  int failures = 0;
  std::string theory_html;
  if (!skip_theory) {
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
      theory_html += "<tr><td>" + word + "</td><td>" + c.name + "</td><td>" + html_escape(c.statement) + "</td><td>" +
                     html_escape(c.lecture) + "</td></tr>\n";
    }
    std::printf("theory: %d of %d checks passed, %d failed, %d SKIPPED\n\n", passed, total, failed,
                total - passed - failed);
    failures += failed;
  }

  // The image data: the full Fashion-MNIST when installed (make data), else the shipped subset.
  std::string full_dir;
  const bool full = resolve_data_dir("full", &full_dir).ok;
  const std::string image_data = full ? "full" : "";
  if (!full)
    std::printf("make run: the full Fashion-MNIST is not installed (%s; `make data` installs it): training on the "
                "shipped 10,000-image subset\n\n", full_dir.empty() ? "/usr/share/datasets/fashion-mnist" : full_dir.c_str());
  // The judge of the GAN, cGAN and WGAN samples: the project's classifier (classifier.h), trained
  // on the same training images, 3 epochs (88% test accuracy on the full set; 10 epochs, the
  // long protocol's, give 89%).
  Classifier judge;
  double judge_acc = 0;
  {
    RunData cd;
    Config cc = config_defaults("gan", image_data);
    Status st = load_run_data(cc, &cd);
    if (!st) {
      std::printf("FAILED: classifier data: %s\n", st.message.c_str());
      ++failures;
    } else {
      const auto c0 = std::chrono::steady_clock::now();
      ClassifierOptions o;
      o.epochs = 3;
      Rng rng(1);
      judge.build(cd.info.dim, cd.info.classes, o, rng);
      judge.train(cd.images.train, rng);
      judge_acc = judge.accuracy(cd.images.test);
      std::printf("== classifier (the judge of the GAN samples): %.2f%% test accuracy, %.1f s ==\n\n", 100 * judge_acc,
                  std::chrono::duration<double>(std::chrono::steady_clock::now() - c0).count());
    }
  }

  std::string cards;
  for (const Job& j : kJobs) {
    const bool toy = j.data[0] != 0;
    Config c = config_defaults(j.model, toy ? j.data : image_data);
    if (toy) {
      if (j.iters) c.iters = j.iters;
    } else {
      c.epochs = full ? j.epochs_full : j.epochs_subset;
    }
    tune(j, &c);
    const std::string name = j.name, model = j.model;
    c.out = join_path(out, name);
    std::printf("== dgm train %s --data %s --out %s ==\n", j.model, c.data.empty() ? "(subset)" : c.data.c_str(),
                c.out.c_str());
    std::fflush(stdout);
    TrainReport r;
    Status st = train(c, &r);
    std::string numbers, links, pics;
    std::vector<Figure> figs;
    std::string note;
    if (!st) {
      std::printf("FAILED: %s\n", st.message.c_str());
      ++failures;
      numbers = "<b>failed</b>: " + html_escape(st.message);
    } else {
      Config cc;
      std::unique_ptr<Model> m;
      TrainState ts;
      RunData d;
      st = open_checkpoint(join_path(c.out, "model.safetensors"), &cc, &m, &ts);
      if (st) st = load_run_data(cc, &d);
      if (st) {
        const StepLog& ev = r.test;  // train's closing figures, as dgm eval computes them
        char buf[160];
        for (int i = 0; i < r.last_epoch.n; ++i) {
          std::snprintf(buf, sizeof buf, "%s %.4g<br>", r.last_epoch.name[i], r.last_epoch.value[i]);
          numbers += buf;
        }
        for (int i = 0; i < ev.n; ++i) {
          std::snprintf(buf, sizeof buf, "<b>%s %.4g</b><br>", ev.name[i], ev.value[i]);
          numbers += buf;
        }
        figs = run_figures(name, *m, d, ev, judge_acc > 0 ? &judge : nullptr, judge_acc);
        const Status vs = write_run_views(name, cc, *m, d, c.out);
        if (!vs) {
          std::printf("FAILED: %s\n", vs.message.c_str());
          ++failures;
          numbers += "<b>view failed</b>: " + html_escape(vs.message) + "<br>";
        }
        if (name == "vae") {  // the decoder as C for a microcontroller (dgm export)
          std::string header;
          ExportOptions eo;
          eo.source = join_path(c.out, "model.safetensors");
          ExportReport er;
          Status es = export_c_header(*m, cc, ts.info, eo, &header, &er);
          if (es) es = write_text_atomic(join_path(c.out, "decoder.h"), header);
          if (!es) {
            std::printf("FAILED: export: %s\n", es.message.c_str());
            ++failures;
            numbers += "<b>export failed</b>: " + html_escape(es.message) + "<br>";
          } else {
            std::printf("  exported the decoder: %s/decoder.h (%zu bytes of weights)\n", c.out.c_str(), er.weight_bytes);
            links += " <a href=\"" + name + "/decoder.h\">decoder.h</a> (the decoder as C for a microcontroller, " +
                     std::to_string(er.weight_bytes) + " bytes of weights: dgm export)";
          }
        }
        bool all = true;
        for (const Figure& f : figs) {
          std::printf("  figure %s %.4g %s%s%s\n", f.name.c_str(), f.value, f.unit.c_str(),
                      f.target.empty() ? "" : (" (target " + f.target + (f.meets ? ": met)" : ": NOT met)")).c_str(), "");
          all = all && f.meets;
        }
        if (!all) {
          note = std::string("Below its target at this budget (") + (toy ? std::to_string(c.iters) + " iterations" : std::to_string(c.epochs) + " epochs") +
                 "); " + long_protocol(name) + ".";
          std::printf("  note: %s\n", note.c_str());
        }
        st = write_text_atomic(join_path(c.out, "figures.json"), figures_json(name, d.where, figs, note));
        if (!st) {
          std::printf("FAILED: %s\n", st.message.c_str());
          ++failures;
        }
      }
      char tbuf[64];
      std::snprintf(tbuf, sizeof tbuf, "%.1f s", r.seconds);
      numbers += std::string("time ") + tbuf;
    }
    auto img = [&](const std::string& file, int w) { return "<img src=\"" + name + "/" + file + "\" width=" + std::to_string(w) + "> "; };
    if (toy) {
      char svg[64];
      std::snprintf(svg, sizeof svg, "samples/iter_%06d.svg", c.iters);
      pics = img(svg, 320);
    } else {
      char png[64];
      std::snprintf(png, sizeof png, "samples/epoch_%03d.png", c.epochs);
      // An autoencoder has no prior: its decoded N(0, I) samples are not shown as if it were generative.
      if (model != "ae" && model != "dae" && name != "vae-2d") pics += img(png, 300);
      if (model != "gan" && model != "cgan" && model != "wgan" && name != "vae-2d") pics += img("recon.png", 300);
      if (model == "dae") pics += img("denoise.png", 300);
      if (model == "dae" || name == "vae") pics += img("inpaint.png", 300);
      if (name == "vae-2d") pics += img("manifold.png", 300) + img("interp.png", 300);
      if (model == "aae") pics += img("codes.svg", 300);
    }
    std::string figs_html;
    for (const Figure& f : figs) {
      char buf[96];
      std::snprintf(buf, sizeof buf, "%.4g", f.value);
      figs_html += "<b>" + html_escape(f.name) + " " + buf + "</b> " + html_escape(f.unit) +
                   (f.target.empty() ? "" : " (target " + html_escape(f.target) + (f.meets ? ": met)" : ": <b>not met</b>)")) + "<br>";
    }
    cards += "<div class=card><h3>" + name + "</h3><p>" + html_escape(j.what) + "</p>" + pics +
             (note.empty() ? "" : "<p class=note>" + html_escape(note) + "</p>") + "<p class=num>" + figs_html +
             numbers + "</p><p><a href=\"" + name + "/metrics.csv\">metrics.csv</a> <a href=\"" + name +
             "/config.txt\">config.txt</a> <a href=\"" + name + "/figures.json\">figures.json</a>" + links + "</p></div>\n";
  }
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  char foot[128];
  std::snprintf(foot, sizeof foot, "<p>dgm run: %d failure(s), %.0f s.</p>", failures, secs);
  std::string html =
      "<!doctype html><html><head><meta charset=utf-8><title>dgm run</title><style>"
      "body{font-family:sans-serif;margin:2em}.card{display:inline-block;vertical-align:top;border:1px solid #ccc;"
      "padding:8px;margin:6px;width:640px}.num{font-family:monospace;font-size:12px}table{border-collapse:collapse}"
      "td{border:1px solid #ddd;padding:2px 6px;font-size:13px}</style></head><body>"
      "<h1>dgm: deep generative models</h1><p>Image data: " + html_escape(full ? full_dir + " (the full Fashion-MNIST)" : std::string("the shipped 10,000-image subset (the full set is not installed: make data)")) + ".</p>"
      "<p>Sample grids use the same fixed z every epoch; reconstructions show test images (odd rows) above "
      "their reconstructions (even rows). Scatter plots overlay data (grey) and samples.</p>" +
      cards + (theory_html.empty() ? "" : "<h2>Theory checks</h2><table>" + theory_html + "</table>") + foot +
      "</body></html>\n";
  Status st = write_text_atomic(join_path(out, "index.html"), html);
  if (!st) {
    std::fprintf(stderr, "dgm run: %s\n", st.message.c_str());
    return 2;
  }
  std::printf("\ndgm run: %d failure(s) in %.0f s; open %s/index.html\n", failures, secs, out.c_str());
  return failures ? 1 : 0;
}

}  // namespace dgm
