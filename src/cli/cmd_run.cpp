// cmd_run.cpp - `dgm run` (what `make run` does): every theory check, then a short training of
// every model on the shipped Fashion-MNIST subset and on the synthetic sets, then out/index.html
// showing every sample grid, reconstruction and plot with its numbers.
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "cli.h"
#include "dgm/checkpoint.h"
#include "dgm/export.h"
#include "dgm/fileio.h"
#include "dgm/plot.h"
#include "dgm/suggest.h"
#include "dgm/theory/report.h"
#include "dgm/train.h"

namespace dgm {
namespace {

struct Job {
  const char* model;
  const char* data;  // "" = the shipped subset
  int epochs, iters;
  const char* what;  // one line for the page
};

// Short runs: enough to show each model learning, small enough for about two minutes on 2 cores.
const Job kJobs[] = {
    {"ae", "", 2, 0, "autoencoder [Vesel] 1.1 Autoenkoder"},
    {"dae", "", 2, 0, "denoising autoencoder [MIPT]"},
    {"vae", "", 3, 0, "variational autoencoder [Utkin], [Vesel] 1.3"},
    {"gan", "", 3, 0, "GAN, non-saturating loss [HSE], [Vesel] 1.2"},
    {"cgan", "", 3, 0, "conditional GAN, one class per column [MSU]"},
    {"wgan", "", 3, 0, "Wasserstein GAN with weight clipping [HSE]"},
    {"aae", "", 3, 0, "adversarial autoencoder [Utkin], [Vesel] 1.4"},
    {"gan", "ring", 0, 2000, "GAN on 8 Gaussians on a ring (mode collapse test)"},
    {"gan", "grid", 0, 2000, "GAN on the 5x5 grid (bench-quality's protocol, 2,000 of its 25,000 iterations)"},
    {"gan", "gauss1d", 0, 2000, "1-D GAN: N(-1, 1) from Uniform(0, 1) noise [Utkin]"},
};

std::string html_escape(const std::string& s) { return xml_escape(s); }

}  // namespace

int cmd_run(int argc, char** argv) {
  if (wants_help(argc, argv)) {
    std::printf("usage: dgm run [--out DIR] [--skip-theory]\n"
                "The main job: runs every theory check (dgm theory), then trains every model briefly\n"
                "on the Fashion-MNIST subset in datasets/ and on the synthetic sets, and writes\n"
                "DIR/index.html (default out/) showing samples, reconstructions and plots with\n"
                "their numbers. Exit status 1 if a theory check or a training fails.\n");
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

  std::string cards;
  for (const Job& j : kJobs) {
    Config c = config_defaults(j.model, j.data);
    c.epochs = j.epochs;
    c.iters = j.iters;
    const std::string name = std::string(j.model) + (j.data[0] ? std::string("-") + j.data : "");
    c.out = join_path(out, name);
    std::printf("== dgm train %s%s%s --out %s ==\n", j.model, j.data[0] ? " --data " : "", j.data, c.out.c_str());
    std::fflush(stdout);
    TrainReport r;
    Status st = train(c, &r);
    std::string numbers, links;
    if (!st) {
      std::printf("FAILED: %s\n", st.message.c_str());
      ++failures;
      numbers = "<b>failed</b>: " + html_escape(st.message);
    } else {
      Config cc;
      std::unique_ptr<Model> m;
      TrainState ts;
      st = open_checkpoint(join_path(c.out, "model.safetensors"), &cc, &m, &ts);
      if (st) {
        const StepLog& ev = r.test;  // train's closing figures, as dgm eval computes them
        char buf[96];
        for (int i = 0; i < r.last_epoch.n; ++i) {
          std::snprintf(buf, sizeof buf, "%s %.4g<br>", r.last_epoch.name[i], r.last_epoch.value[i]);
          numbers += buf;
        }
        for (int i = 0; i < ev.n; ++i) {
          std::snprintf(buf, sizeof buf, "<b>%s %.4g</b><br>", ev.name[i], ev.value[i]);
          numbers += buf;
        }
        if (std::string(j.model) == "vae") {  // the decoder as C for a microcontroller (dgm export)
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
      }
      char tbuf[64];
      std::snprintf(tbuf, sizeof tbuf, "%.1f s", r.seconds);
      numbers += std::string("time ") + tbuf;
    }
    std::string pics;
    if (j.data[0]) {
      char svg[64];
      std::snprintf(svg, sizeof svg, "samples/iter_%06d.svg", j.iters);
      pics = "<img src=\"" + name + "/" + svg + "\" width=320>";
    } else {
      char png[64];
      std::snprintf(png, sizeof png, "samples/epoch_%03d.png", j.epochs);
      pics = "<img src=\"" + name + "/" + png + "\" width=300>";
      if (std::string(j.model) != "gan" && std::string(j.model) != "cgan" && std::string(j.model) != "wgan")
        pics += " <img src=\"" + name + "/recon.png\" width=300>";
      if (std::string(j.model) == "aae") pics += " <img src=\"" + name + "/codes.svg\" width=300>";
    }
    cards += "<div class=card><h3>" + name + "</h3><p>" + html_escape(j.what) + "</p>" + pics + "<p class=num>" +
             numbers + "</p><p><a href=\"" + name + "/metrics.csv\">metrics.csv</a> <a href=\"" + name +
             "/config.txt\">config.txt</a>" + links + "</p></div>\n";
  }
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  char foot[128];
  std::snprintf(foot, sizeof foot, "<p>dgm run: %d failure(s), %.0f s.</p>", failures, secs);
  std::string html =
      "<!doctype html><html><head><meta charset=utf-8><title>dgm run</title><style>"
      "body{font-family:sans-serif;margin:2em}.card{display:inline-block;vertical-align:top;border:1px solid #ccc;"
      "padding:8px;margin:6px;width:640px}.num{font-family:monospace;font-size:12px}table{border-collapse:collapse}"
      "td{border:1px solid #ddd;padding:2px 6px;font-size:13px}</style></head><body>"
      "<h1>dgm: deep generative models, run on the shipped data</h1>"
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
