// run_page.h - out/index.html, the page `dgm run` (make run) writes: per model, what it is, the
// data and budget it got, its pictures and figures with captions, its loss curves, and every
// number with its unit and one line saying what it measures.
//
// The page lists each section's figures as they are given (PageSection::figures), so a new
// picture of a model is one push_back in src/cli/cmd_run.cpp. Links are relative to the page's
// folder; test/page_check.sh loads the page in headless Chromium and checks that each resolves.
#pragma once
#include <string>
#include <utility>
#include <vector>

#include "dgm/models/model.h"

namespace dgm {

struct PageFigure {
  std::string src;      // relative to the page, e.g. "vae/recon.png"
  std::string caption;  // HTML (escaped by the caller)
  int width = 300;      // display width in pixels
};

// A figure measured after training (e.g. the classifier's verdict on a GAN's samples), with its
// target when it has one.
struct PageResult {
  std::string name;
  double value = 0;
  std::string unit;     // shown after the value
  std::string meaning;  // one line
  std::string target;   // "" if none, else e.g. ">= 20"
  bool meets = true;
};

struct PageSection {
  std::string name;   // the run folder under the page's folder ("vae", "gan-grid")
  std::string model;  // the model kind ("vae")
  std::string what;   // one line: the model and the lectures it follows
  std::string note;   // what to expect from this budget (HTML; may be empty)
  bool toy = false;   // synthetic data
  std::string data;   // the folder the images came from, or the synthetic set's description
  int n_train = 0, n_test = 0;  // images (image data)
  int epochs = 0;               // image data
  long long steps = 0;          // optimisation steps taken
  int batch = 0, minibatches_per_step = 1;
  double seconds = 0;           // wall time of the training
  std::vector<PageFigure> figures;
  StepLog train_means;  // image data: each term's mean over the last epoch; synthetic: the last steps
  StepLog test;         // test-set figures (dgm eval)
  std::vector<PageResult> results;  // shown first in the section's table
  std::vector<std::pair<std::string, std::string>> links;  // (href, text)
  std::string failure;  // non-empty: training or evaluation failed with this message
};

struct RunPage {
  std::string data_note;    // HTML: which image data the run used, and why (the fallback)
  std::vector<PageSection> sections;
  std::string theory_rows;  // HTML <tr> rows of the theory checks; empty when skipped
  std::string likelihood_html;  // the likelihood table (likelihood_table.h) and its lesson; empty: not run
  std::string lectures_href;  // docs/lectures.md relative to the page; empty when not found
  std::string lectures_md;    // its text: the page shows its table (the short names' definitions)
  int failures = 0;
  double seconds = 0;
};

// What a logged number means: its unit, how it is shown (value * scale), and one line.
struct MetricInfo {
  std::string unit;     // "nats per image", "%", "probability", ...
  double scale = 1;     // 100 for a fraction shown in %
  std::string meaning;  // empty: not described (the page then says so)
};
MetricInfo metric_info(const std::string& model, bool toy, const std::string& name);

// The caption of a run's losses.svg (curves_svg of its metrics.csv): each term in its colour.
std::string loss_curves_caption(const std::vector<std::string>& terms);

// The rows of the first Markdown table in md ("| a | b |" lines) as an HTML table, cells escaped.
std::string markdown_table_html(const std::string& md);

std::string run_page_html(const RunPage& page);

}  // namespace dgm
