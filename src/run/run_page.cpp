// run_page.cpp - out/index.html of `dgm run` (see include/dgm/run/run_page.h).
#include "dgm/run/run_page.h"

#include <cstdio>
#include <cstring>

#include "dgm/io/plot.h"
#include "dgm/models/kinds.h"

namespace dgm {
namespace {

std::string esc(const std::string& s) { return xml_escape(s); }

// "60,000"
std::string grouped(long long v) {
  std::string s = std::to_string(v < 0 ? -v : v), out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (i > 0 && (s.size() - i) % 3 == 0) out += ',';
    out += s[i];
  }
  return v < 0 ? "-" + out : out;
}

std::string number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4g", v);
  return buf;
}


}  // namespace

MetricInfo metric_info(const std::string& model, bool toy, const std::string& name) {
  const bool wgan = model == "wgan";
  const std::string per = toy ? "nats per point" : "nats per image";
  const std::string summed = toy ? "" : ", summed over the 784 pixels";
  // Training terms (metrics.csv; the page shows the last epoch's mean).
  if (name == "recon" && model == "dae")
    return {per, 1, "-log p(x | decoder(encoder(x~))): the clean image's Bernoulli negative log-likelihood given its "
                    "corrupted copy x~" + summed + ", mean over the minibatch"};
  if (name == "recon")
    return {per, 1, "-log p(x | decoder(encoder(x))): the reconstruction's negative log-likelihood" + summed +
                        ", mean over the minibatch"};
  if (name == "loss" && model == "vae")
    return {per, 1, "the negative ELBO, recon + kl: an upper bound on -log p(x) ([Utkin] ELBO)"};
  if (name == "kl")
    return {per, 1, "KL(q(z|x) || N(0, I)) in closed form, summed over the latent dimensions, mean over the minibatch"};
  if (name == "loss_d" && wgan)
    return {"critic units", 1, "the critic's loss mean f(G(z)) - mean f(x) (minus the Wasserstein estimate)"};
  if (name == "loss_d" && model == "aae")
    return {"nats", 1, "the code discriminator's loss: -log D(z') over prior samples + -log(1 - D(E(x))) over codes, "
                       "each a minibatch mean; 2 log 2 = 1.386 when it cannot tell them apart"};
  if (name == "loss_d")
    return {"nats", 1, "D's loss: -log D(x) over real + -log(1 - D(G(z))) over fake images, each a minibatch mean; "
                       "2 log 2 = 1.386 at the game's equilibrium D = 1/2 ([MSU] C(G) = 2 JS - log 4)"};
  if (name == "loss_g" && wgan) return {"critic units", 1, "the generator's loss -mean f(G(z))"};
  if (name == "loss_g" && model == "aae")
    return {"nats", 1, "the encoder's adversarial loss -log D(E(x)), minibatch mean (non-saturating)"};
  if (name == "loss_g")
    return {"nats", 1, "G's non-saturating loss -log D(G(z)), minibatch mean ([HSE]); log 2 = 0.693 at D = 1/2"};
  if (name == "grad_d" || name == "grad_g")
    return {"L2 norm", 1, std::string("the length of the gradient of ") + (name == "grad_d" ? "D's" : "G's") +
                              " loss over all its weights, before the optimizer step"};
  if (name == "d_real" || name == "test_d_real")
    return {"probability", 1, std::string("mean D(x) over ") + (name == "d_real" ? "the minibatch's" : "the test") +
                                  " real images: 1/2 when D cannot tell"};
  if (name == "d_fake" || name == "test_d_fake")
    return {"probability", 1, "mean D(G(z)) over generated images: 1/2 when D cannot tell"};
  if (name == "w_estimate" || name == "test_w_estimate")
    return {"critic units", 1, std::string("mean f(x) - mean f(G(z)): the clipped critic's estimate of the Wasserstein "
                                           "distance, up to a constant") + (name == "test_w_estimate" ? " (test images)" : "")};
  if (name == "d_prior") return {"probability", 1, "mean D(z') over prior samples z' ~ p(z)"};
  if (name == "d_code") return {"probability", 1, "mean D(E(x)) over the codes of the minibatch"};
  // Test-set figures (dgm eval).
  if (name == "test_recon")
    return {per, 1, "reconstruction negative log-likelihood of the clean test images" + summed + ", mean over the test set"};
  if (name == "test_denoise")
    return {per, 1, "the same for the encoder fed corrupted test images, scored against the clean ones"};
  if (name == "test_loss") return {per, 1, "the negative ELBO on the test set (one z per image): >= -log p(x)"};
  if (name == "test_iwae")
    return {per, 1, "the importance-weighted bound with k samples per image: tighter than test_loss, still >= -log p(x)"};
  if (name == "nll")  // MADE (made.cpp): the exact likelihood, no bound
    return {per, 1, "the exact -log p(x) = -sum_d log p(x_d | x_<d) of the binarized minibatch" + summed +
                        ", mean over the minibatch"};
  if (name == "test_nll") return {per, 1, "the exact -log p(x) of the binarized test images, mean over the test set"};
  if (name == "mmd_codes_prior")
    return {"squared MMD", 1, "distance between test codes and prior samples (RBF kernel): near mmd_prior_prior when "
                              "q(z) matches p(z)"};
  if (name == "mmd_prior_prior")
    return {"squared MMD", 1, "the same between two prior samples: the estimate's noise floor"};
  if (name == "modes_covered") return {"modes", 1, "modes with at least one sample within 3 std of their centre"};
  if (name == "modes_total") return {"modes", 1, "modes of the synthetic set"};
  if (name == "high_quality") return {"%", 100, "share of samples within 3 std of their nearest mode"};
  if (name == "sample_mean" || name == "data_mean")
    return {"data units", 1, std::string("mean of the ") + (name == "sample_mean" ? "samples" : "data distribution")};
  if (name == "sample_std" || name == "data_std")
    return {"data units", 1, std::string("standard deviation of the ") +
                                 (name == "sample_std" ? "samples" : "data distribution")};
  return {"", 1, ""};
}

std::string loss_curves_caption(const std::vector<std::string>& terms) {
  std::string s = "Every term of metrics.csv against the step, one panel each on its own scale: ";
  for (std::size_t i = 0; i < terms.size(); ++i) {
    const int k = static_cast<int>(i);
    s += std::string(i ? ", " : "") + "<span style=\"color:" + series_colour(k) + "\">&#9632; " + esc(terms[i]) +
         " (" + series_colour_name(k) + ")</span>";
  }
  return s + ". Light line: each logged step (bin means beyond 600 steps); dark line: running mean.";
}

namespace {

std::string metric_rows(const PageSection& s, const StepLog& log, const char* when) {
  std::string rows;
  for (int i = 0; i < log.n; ++i) {
    const MetricInfo mi = metric_info(s.model, s.toy, log.name[i]);
    rows += "<tr><td>" + std::string(when) + "</td><td><code>" + esc(log.name[i]) + "</code></td><td class=v>" +
            number(log.value[i] * mi.scale) + " " + esc(mi.unit) + "</td><td>" +
            (mi.meaning.empty() ? std::string("<b>no description</b> (add it to metric_info, src/run/run_page.cpp)")
                                : esc(mi.meaning)) +
            "</td></tr>\n";
  }
  return rows;
}

std::string budget_line(const PageSection& s) {
  char t[32];
  std::snprintf(t, sizeof t, "%.1f s", s.seconds);
  std::string b = "<p class=budget><b>Data:</b> <code>" + esc(s.data) + "</code>";
  const bool text = s.model == "charrnn";  // characters, not images; steps, not epochs
  if (s.toy) b += ", fresh samples every step";
  else b += ", " + grouped(s.n_train) + " training / " + grouped(s.n_test) + (text ? " held-out characters" : " test images");
  b += ". <b>Budget:</b> ";
  if (!s.toy && !text) b += std::to_string(s.epochs) + " epoch" + (s.epochs == 1 ? "" : "s") + ", ";
  b += grouped(s.steps) + (s.toy ? " iterations" : " steps") + " of batch " + std::to_string(s.batch);
  if (s.minibatches_per_step > 1)
    b += " (x " + std::to_string(s.minibatches_per_step) + " minibatches a step: " +
         std::to_string(s.minibatches_per_step) + (is_adversarial(s.model) ? " critic" : "") +
         " steps, then one generator step)";
  b += std::string(". <b>Wall time:</b> ") + t + ".</p>";
  return b;
}

std::string section_html(const PageSection& s) {
  std::string h = "<section id=\"" + esc(s.name) + "\"><h2>" + esc(s.name) + "</h2><p>" + esc(s.what) + "</p>" +
                  budget_line(s);
  if (!s.failure.empty()) h += "<p class=fail><b>failed</b>: " + esc(s.failure) + "</p>";
  if (!s.note.empty()) h += "<p class=note>" + s.note + "</p>";
  h += "<div class=figs>";
  for (const PageFigure& f : s.figures)
    h += "<figure style=\"width:" + std::to_string(f.width) + "px\"><img src=\"" + esc(f.src) + "\" width=" +
         std::to_string(f.width) + " alt=\"" + esc(f.src) +
         "\"><figcaption>" + f.caption + "</figcaption></figure>";
  h += "</div>";
  std::string rows;
  for (const PageResult& r : s.results)
    rows += "<tr><td>after training</td><td><code>" + esc(r.name) + "</code></td><td class=v>" + number(r.value) + " " +
            esc(r.unit) + "</td><td>" + esc(r.meaning) +
            (r.target.empty() ? std::string() : " <b>Target " + esc(r.target) + (r.meets ? ": met" : ": not met") + "</b>") +
            "</td></tr>\n";
  rows += metric_rows(s, s.train_means, s.toy ? "last steps" : "last epoch") + metric_rows(s, s.test, "test");
  if (!rows.empty())
    h += "<table class=metrics><tr><th>when</th><th>metric</th><th>value</th><th>what it measures</th></tr>\n" + rows +
         "</table>";
  h += "<p>";
  for (std::size_t i = 0; i < s.links.size(); ++i)
    h += std::string(i ? " &middot; " : "") + "<a href=\"" + esc(s.links[i].first) + "\">" + s.links[i].second + "</a>";
  return h + "</p></section>\n";
}

}  // namespace

std::string markdown_table_html(const std::string& md) {
  std::string rows;
  bool in_table = false, header = true;
  std::size_t pos = 0;
  while (pos < md.size()) {
    std::size_t end = md.find('\n', pos);
    if (end == std::string::npos) end = md.size();
    const std::string line = md.substr(pos, end - pos);
    pos = end + 1;
    if (line.size() < 2 || line[0] != '|') {
      if (in_table) break;
      continue;
    }
    in_table = true;
    if (line.find("---") != std::string::npos && line.find_first_not_of("|-: ") == std::string::npos) continue;
    rows += "<tr>";
    for (std::size_t a = 1; a < line.size();) {
      std::size_t b = line.find('|', a);
      if (b == std::string::npos) break;
      std::string cell = line.substr(a, b - a);
      const std::size_t f = cell.find_first_not_of(' '), l = cell.find_last_not_of(' ');
      cell = f == std::string::npos ? "" : cell.substr(f, l - f + 1);
      rows += std::string(header ? "<th>" : "<td>") + esc(cell) + (header ? "</th>" : "</td>");
      a = b + 1;
    }
    rows += "</tr>\n";
    header = false;
  }
  return rows.empty() ? "" : "<table>" + rows + "</table>";
}

std::string run_page_html(const RunPage& p) {
  std::string toc;
  for (const PageSection& s : p.sections) toc += " <a href=\"#" + esc(s.name) + "\">" + esc(s.name) + "</a>";
  std::string body;
  for (const PageSection& s : p.sections) body += section_html(s);
  char foot[96];
  std::snprintf(foot, sizeof foot, "<p>dgm run: %d failure(s), %.0f s in all.</p>", p.failures, p.seconds);
  return "<!doctype html><html><head><meta charset=utf-8><title>dgm run</title><style>"
         "body{font-family:sans-serif;margin:2em;max-width:1400px}section{border-top:1px solid #ccc;margin-top:1.5em}"
         ".figs{display:flex;flex-wrap:wrap;gap:12px;align-items:flex-start}figure{margin:0;max-width:620px}"
         "figcaption{font-size:13px;color:#333}.budget{font-size:14px}.note{background:#fff6d6;padding:4px 8px}"
         ".fail{color:#b00}table{border-collapse:collapse;margin-top:8px}td,th{border:1px solid #ddd;padding:2px 6px;"
         "font-size:13px;text-align:left}td.v{font-family:monospace;white-space:nowrap}</style></head><body>"
         "<h1>dgm: deep generative models, the main job (<code>make run</code>)</h1>"
         "<p>" + p.data_note + "</p>"
         "<p>Lecture short names ([Utkin], [HSE], [Vesel], [MSU], [MIPT]) are defined in "
         "<a href=\"#lectures\">the table at the end</a>, from " +
         (p.lectures_href.empty() ? std::string("docs/lectures.md in the project's sources")
                                  : "<a href=\"" + esc(p.lectures_href) + "\">docs/lectures.md</a>") +
         ". Sample grids use the same fixed z every epoch. "
         "Units: nats are natural-log units (a negative log-likelihood of 784 pixels is in nats per image); "
         "lower is better for every loss except where the line says otherwise.</p>"
         "<p>Models:" + toc + (p.theory_rows.empty() ? "" : " <a href=\"#theory\">theory checks</a>") +
         (p.likelihood_html.empty() ? "" : " <a href=\"#likelihood\">likelihood table</a>") + "</p>" + body +
         (p.likelihood_html.empty() ? ""
                                    : "<section id=likelihood><h2>One likelihood table, beside sample quality ([MIPT] "
                                      "Как строить порождающие модели?, Theis et al.)</h2>" + p.likelihood_html +
                                          "</section>") +
         (p.theory_rows.empty() ? ""
                                : "<section id=theory><h2>Theory checks (dgm theory)</h2><table><tr><th>result</th>"
                                  "<th>check</th><th>statement</th><th>lecture</th></tr>\n" + p.theory_rows +
                                      "</table></section>") +
         "<section id=lectures><h2>The lectures cited</h2>" +
         (p.lectures_md.empty() ? std::string("<p>docs/lectures.md was not found from the working directory.</p>")
                                : markdown_table_html(p.lectures_md)) +
         "</section>" + foot + "</body></html>\n";
}

}  // namespace dgm
