// test_run_page.cpp - the page `dgm run` writes (src/run/run_page.cpp): every number a model logs or
// is evaluated on has a unit and a description; a section shows its data, budget, figures with
// their captions, and each metric with its unit; the lecture table comes from Markdown.
#include <doctest/doctest.h>

#include <filesystem>
#include <string>

#include "dgm/run/checkpoint.h"
#include "dgm/run/evaluate.h"
#include "dgm/io/fileio.h"
#include "dgm/io/plot.h"
#include "dgm/run/run_data.h"
#include "dgm/run/run_page.h"
#include "dgm/run/train.h"
#include "small_run.h"

using namespace dgm;

TEST_CASE("run page: every term each model logs and every test figure has a unit and a description") {
  const std::string dir = (std::filesystem::temp_directory_path() / "dgm_test_run_page").string();
  struct Job {
    const char* model;
    const char* data;
  } jobs[] = {{"ae", ""},  {"dae", ""},  {"vae", ""},  {"gan", ""},     {"cgan", ""},
              {"wgan", ""}, {"aae", ""}, {"made", ""}, {"gan", "ring"}, {"gan", "grid"}, {"gan", "gauss1d"}};
  // The image models train one epoch on 600 of the subset's images and are evaluated on 200: the
  // names of the terms they log are the same as on the 10,000 (87 s of the aarch64 suite under
  // qemu with those, 1.5 s natively).
  const std::string images = dir + "/tiny-images";
  test_run::write_tiny_images(images, 600, 200);
  for (const Job& j : jobs) {
    Config c = config_defaults(j.model, j.data[0] ? j.data : images);
    c.hidden = {32};
    c.latent = 4;
    c.batch = j.data[0] ? 64 : 100;
    c.iw = 2;  // the VAE's test_iwae with k = 2, not 50: the metric's name and unit are what matter here
    if (j.data[0]) c.iters = 20;
    else c.epochs = 1;
    c.out = dir + "/" + j.model + j.data;
    TrainReport r;
    Status st = train(c, &r, true);
    REQUIRE_MESSAGE(st, st.message);
    Config cc;
    std::unique_ptr<Model> m;
    TrainState ts;
    RunData d;
    st = open_checkpoint(join_path(c.out, "model.safetensors"), &cc, &m, &ts);
    if (st) st = load_run_data(cc, &d);
    REQUIRE_MESSAGE(st, st.message);
    StepLog test;
    evaluate_model(*m, d, 1, &test);
    CHECK(r.last_epoch.n > 0);
    CHECK(test.n > 0);
    for (const StepLog* log : {&r.last_epoch, &test})
      for (int i = 0; i < log->n; ++i) {
        const MetricInfo mi = metric_info(j.model, d.toy, log->name[i]);
        CHECK_MESSAGE(!mi.unit.empty(), j.model, " ", j.data, ": ", log->name[i], " has no unit");
        CHECK_MESSAGE(!mi.meaning.empty(), j.model, " ", j.data, ": ", log->name[i], " has no description");
      }
  }
  CHECK(metric_info("vae", false, "no_such_metric").meaning.empty());
  std::filesystem::remove_all(dir);
}

TEST_CASE("run page: the likelihood table has its section and a link at the top, only when it ran") {
  RunPage p;
  CHECK(run_page_html(p).find("id=likelihood") == std::string::npos);
  p.likelihood_html = "<table><tr><td>MADE</td></tr></table>";
  const std::string h = run_page_html(p);
  CHECK(h.find("<a href=\"#likelihood\">likelihood table</a>") != std::string::npos);
  CHECK(h.find("<section id=likelihood>") != std::string::npos);
  CHECK(h.find("<td>MADE</td>") != std::string::npos);
}

TEST_CASE("run page: a section shows its data, budget, figures, metrics with units, and links") {
  RunPage p;
  p.data_note = "Image data: <code>/data</code>.";
  p.lectures_href = "../docs/lectures.md";
  p.lectures_md = "# x\n\n| short name | author |\n|---|---|\n| [HSE] | Kovalenko & co |\n\nafter\n| not | this |\n";
  PageSection s;
  s.name = "vae";
  s.model = "vae";
  s.what = "variational autoencoder";
  s.data = "/data";
  s.n_train = 60000;
  s.n_test = 10000;
  s.epochs = 2;
  s.steps = 938;
  s.batch = 128;
  s.seconds = 12.34;
  s.figures.push_back({"vae/recon.png", "Reconstructions.", 300});
  s.train_means.add("kl", 14.5);
  s.test.add("test_loss", 250.25);
  s.links.push_back({"vae/metrics.csv", "metrics.csv"});
  s.results.push_back({"class_entropy", 2.25, "nats", "entropy of the predicted classes", ">= 2.0", true});
  s.results.push_back({"modes", 17, "of 25", "modes reached", ">= 20", false});
  p.sections.push_back(s);
  PageSection g = s;
  g.name = "gan-grid";
  g.model = "gan";
  g.toy = true;
  g.data = "grid (25 modes, std 0.05)";
  g.figures.clear();
  g.train_means.clear();
  g.test.clear();
  g.test.add("high_quality", 0.875);
  g.minibatches_per_step = 1;
  p.sections.push_back(g);
  const std::string html = run_page_html(p);
  for (const char* want :
       {"Image data: <code>/data</code>.", "<section id=\"vae\">", "60,000 training / 10,000 test images",
        "2 epochs, 938 steps of batch 128", "12.3 s", "<img src=\"vae/recon.png\" width=300",
        "<figcaption>Reconstructions.</figcaption>", "14.5 nats per image", "250.2 nats per image",
        "<a href=\"vae/metrics.csv\">metrics.csv</a>", "<a href=\"#vae\">vae</a>", "fresh samples every step",
        "938 iterations of batch 128", "87.5 %", "<a href=\"../docs/lectures.md\">",
        "<tr><th>short name</th><th>author</th></tr>", "<td>Kovalenko &amp; co</td>",
        "2.25 nats</td><td>entropy of the predicted classes <b>Target &gt;= 2.0: met</b>",
        "17 of 25</td><td>modes reached <b>Target &gt;= 20: not met</b>"})
    CHECK_MESSAGE(html.find(want) != std::string::npos, "missing: ", want);
  // only the first table is shown
  CHECK(html.find("<td>this</td>") == std::string::npos);
  CHECK(html.find("no description") == std::string::npos);
}

TEST_CASE("run page: the loss curves' caption names each term in the colour curves_svg draws it") {
  const std::string cap = loss_curves_caption({"loss_d", "loss_g", "grad_d"});
  for (int i = 0; i < 3; ++i) {
    const std::string name = std::string("(") + series_colour_name(i) + ")";
    const std::string colour = std::string("color:") + series_colour(i);
    CHECK(cap.find(colour) != std::string::npos);
    CHECK(cap.find(name) != std::string::npos);
    CHECK(cap.find(colour) < cap.find(name));
  }
  CHECK(cap.find("loss_g (orange)") != std::string::npos);
}
