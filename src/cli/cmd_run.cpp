// cmd_run.cpp - `dgm run` (what `make run` does): every theory check, then a short training of
// every model on Fashion-MNIST (the full set when installed, else the shipped subset) and on the
// synthetic sets, then out/index.html (src/run_page.cpp) showing every sample grid,
// reconstruction, loss curve and number.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "cli.h"
#include "dgm/checkpoint.h"
#include "dgm/export.h"
#include "dgm/fileio.h"
#include "dgm/plot.h"
#include "dgm/suggest.h"
#include "dgm/run_data.h"
#include "dgm/run_page.h"
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

// "vae", "gan-grid": the section's name and its run folder under --out.
std::string job_name(const Job& j) { return std::string(j.model) + (j.data[0] ? std::string("-") + j.data : ""); }

std::string job_names() {
  std::string s;
  for (const Job& j : kJobs) s += (s.empty() ? "" : ",") + job_name(j);
  return s;
}

bool is_adversarial(const std::string& model) { return model == "gan" || model == "cgan" || model == "wgan"; }

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
    const std::string grid = model == "cgan" ? "one class per column, a fixed z per row"
                                             : "100 draws from a fixed z, the same every epoch";
    f.push_back({name + "/" + file, std::string(is_adversarial(model) ? "Samples G(z)" : "Decoded samples") + ": " +
                                        grid + ", after the last epoch.", 300});
    if (!is_adversarial(model))
      f.push_back({name + "/recon.png",
                   "Reconstructions: 20 test images (rows 1 and 3) above their reconstructions (rows 2 and 4).", 300});
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

}  // namespace

int cmd_run(int argc, char** argv) {
  if (wants_help(argc, argv)) {
    std::printf("usage: dgm run [--out DIR] [--data DIR] [--skip-theory] [--only NAME,...]\n"
                "The main job: runs every theory check (dgm theory), then trains every model briefly\n"
                "on Fashion-MNIST and on the synthetic sets, and writes OUT/index.html (default out/)\n"
                "showing samples, reconstructions, loss curves and every number with its unit.\n"
                "  --data DIR  the full Fashion-MNIST (default %s); when DIR lacks\n"
                "              its four files, the image models train on the subset shipped in\n"
                "              %s instead, and the console and the page say so.\n"
                "  --only NAMES  train only these sections (comma-separated: %s)\n"
                "Run it from the project folder (the subset and docs/lectures.md are found from there).\n"
                "Exit status 1 if a theory check or a training fails.\n",
                kSystemDataDir, kSubsetDataDir, job_names().c_str());
    return 0;
  }
  std::string out = "out", data_dir = kSystemDataDir, only;
  bool skip_theory = false;
  for (int i = 0; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--out" && i + 1 < argc) out = argv[++i];
    else if (a == "--data" && i + 1 < argc) data_dir = argv[++i];
    else if (a == "--skip-theory") skip_theory = true;
    else if (a == "--only" && i + 1 < argc) only = "," + std::string(argv[++i]) + ",";
    else {
      std::fprintf(stderr, "dgm run: unexpected argument '%s'%s (see --help)\n", argv[i],
                   did_you_mean(a, {"--out", "--data", "--skip-theory", "--only"}).c_str());
      return 2;
    }
  }
  for (std::size_t a = 1; a < only.size();) {  // every name in --only is a section
    const std::size_t b = only.find(',', a);
    const std::string n = only.substr(a, b - a);
    if (("," + job_names() + ",").find("," + n + ",") == std::string::npos) {
      std::fprintf(stderr, "dgm run: --only: no section '%s' (sections: %s)\n", n.c_str(), job_names().c_str());
      return 2;
    }
    a = b + 1;
  }
  const auto t0 = std::chrono::steady_clock::now();
  RunPage page;
  const std::string images = choose_image_data(data_dir, &page.data_note);
  find_lectures(out, &page);
  int failures = 0;
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
      page.theory_rows += "<tr><td>" + word + "</td><td>" + c.name + "</td><td>" + html_escape(c.statement) +
                          "</td><td>" + html_escape(c.lecture) + "</td></tr>\n";
    }
    std::printf("theory: %d of %d checks passed, %d failed, %d SKIPPED\n\n", passed, total, failed,
                total - passed - failed);
    failures += failed;
  }

  for (const Job& j : kJobs) {
    Config c = config_defaults(j.model, j.data[0] ? j.data : images);
    c.epochs = j.epochs;
    c.iters = j.iters;
    const std::string name = job_name(j);
    if (!only.empty() && only.find("," + name + ",") == std::string::npos) continue;
    c.out = join_path(out, name);
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
      ++failures;
      sec.failure = st.message;
    } else {
      Config cc;
      std::unique_ptr<Model> m;
      TrainState ts;
      RunData d;
      st = open_checkpoint(join_path(c.out, "model.safetensors"), &cc, &m, &ts);
      if (st) st = load_run_data(cc, &d);
      if (st) {
        sec.data = d.where;
        sec.n_train = d.toy ? 0 : d.images.train.n;
        sec.n_test = d.toy ? 0 : d.images.test.n;
        sec.minibatches_per_step = m->batches_per_step();
        sec.test = r.test;  // train's closing figures, as dgm eval computes them
        sec.figures = job_figures(j, name, c);
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
            sec.failure = "export: " + es.message;
          } else {
            std::printf("  exported the decoder: %s/decoder.h (%zu bytes of weights)\n", c.out.c_str(), er.weight_bytes);
            sec.links.push_back({name + "/decoder.h", "decoder.h (the decoder as C for a microcontroller, " +
                                                          std::to_string(er.weight_bytes) + " bytes of weights: dgm export)"});
          }
        }
      } else {
        std::printf("FAILED: %s\n", st.message.c_str());
        ++failures;
        sec.failure = st.message;
      }
    }
    Status ls = add_loss_curves(c.out, name, &sec);
    if (!ls) {
      std::printf("FAILED: loss curves: %s\n", ls.message.c_str());
      ++failures;
      if (sec.failure.empty()) sec.failure = "loss curves: " + ls.message;
    }
    sec.links.insert(sec.links.begin(), {{name + "/metrics.csv", "metrics.csv"}, {name + "/config.txt", "config.txt"}});
    page.sections.push_back(sec);
  }
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  page.failures = failures;
  page.seconds = secs;
  Status st = write_text_atomic(join_path(out, "index.html"), run_page_html(page));
  if (!st) {
    std::fprintf(stderr, "dgm run: %s\n", st.message.c_str());
    return 2;
  }
  std::printf("\ndgm run: %d failure(s) in %.0f s; open %s/index.html\n", failures, secs, out.c_str());
  return failures ? 1 : 0;
}

}  // namespace dgm
