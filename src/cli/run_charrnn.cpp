// run_charrnn.cpp - the CharRNN's section of `dgm run`'s page: a short run on the shipped
// fortunes-ru excerpt, its held-out bits per character, and samples at temperatures 0.5 and 1.0.
#include "run_charrnn.h"

#include <cstdio>

#include "dgm/run/charrnn_run.h"
#include "dgm/io/fileio.h"
#include "dgm/io/plot.h"
#include "dgm/data/text_data.h"

namespace dgm {

PageSection charrnn_section(const std::string& out, int steps, int* failures) {
  Config c = config_defaults("charrnn", "");
  c.iters = steps;
  c.out = join_path(out, "charrnn");
  PageSection sec;
  sec.name = "charrnn";
  sec.model = "charrnn";
  sec.what = "CharRNN (Karpathy 2015): embedding, one LSTM of 128, softmax over the characters; an explicit, "
             "autoregressive likelihood p(x) = prod_t p(x_t | x_<t) ([MIPT] Как строить порождающие модели?, Метод 1)";
  sec.batch = c.batch;
  std::printf("== dgm train charrnn --iters %d --out %s ==\n", steps, c.out.c_str());
  std::fflush(stdout);
  TrainReport r;
  Status st = train_charrnn(c, &r);
  TextData d;
  if (st) st = load_text_data(c.data, &d);
  sec.steps = r.steps;
  sec.seconds = r.seconds;
  sec.data = d.where.empty() ? std::string(kTextExcerpt) : d.where;
  sec.n_train = static_cast<int>(d.train.size());
  sec.n_test = static_cast<int>(d.held_out.size());
  std::string samples;
  for (float temp : {0.5f, 1.0f}) {
    CharSampleOptions o;
    o.temperature = temp;
    o.n = 300;
    std::string text;
    if (st) st = sample_charrnn(join_path(c.out, "model.safetensors"), o, &text);
    const std::string file = temp < 0.75f ? "sample_t0.5.txt" : "sample_t1.0.txt";
    if (st) st = write_text_atomic(join_path(c.out, file), text);
    if (st) {
      samples += std::string("<b>T = ") + (temp < 0.75f ? "0.5" : "1.0") + "</b> (seed 1, after a newline):<pre>" +
                 xml_escape(text) + "</pre>";
      sec.links.push_back({"charrnn/" + file, file});
    }
  }
  if (!st) {
    std::printf("FAILED: %s\n", st.message.c_str());
    ++*failures;
    sec.failure = st.message;
    return sec;
  }
  const char* names[2] = {"held_out_bpc", "train_bpc"};
  const char* meaning[2] = {"mean -log2 p(x_t+1 | x_<=t) over the held-out text (the last 10%), read as one stream",
                            "the same over the training chunks of the last logging interval"};
  for (int k = 0; k < 2; ++k) {
    PageResult pr;
    pr.name = names[k];
    pr.value = r.test.value[k == 0 ? 1 : 0];
    pr.unit = "bits per character";
    pr.meaning = meaning[k];
    sec.results.push_back(pr);
  }
  std::printf("  held-out %.4f bits/char after %lld steps\n", r.test.value[1], static_cast<long long>(r.steps));
  sec.note = "A short run: a uniform guess over the vocabulary is log2 V bits per character; the samples "
             "below, drawn from softmax(logits / T), show what it has learned (docs/math.md, \"CharRNN\"). " + samples;
  sec.links.insert(sec.links.begin(), {{"charrnn/metrics.csv", "metrics.csv"}, {"charrnn/config.txt", "config.txt"}});
  return sec;
}

}  // namespace dgm
