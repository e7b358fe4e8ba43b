// charrnn_run.cpp - the CharRNN's trainer, checkpoint and sampler (see include/dgm/charrnn_run.h).
#include "dgm/run/charrnn_run.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <ctime>
#include <cstdio>
#include <memory>

#include "dgm/io/fileio.h"
#include "dgm/models/charrnn.h"
#include "dgm/backend/parallel.h"
#include "dgm/run/run_files.h"
#include "dgm/io/safetensors.h"
#include "dgm/data/text_data.h"

namespace dgm {
namespace {

constexpr double kLn2 = 0.69314718055994530942;
const char* const kFormat = "dgm-checkpoint-2";

CharRnnOptions charrnn_options(const Config& c) {
  CharRnnOptions o;
  o.embed = c.embed;
  o.hidden = c.hidden;
  o.grad_norm = c.grad_norm;
  parse_optim_kind(c.optim, &o.optim.kind);  // validate() has checked the name
  o.optim.lr = c.lr;
  o.optim.beta1 = c.beta1;
  o.optim.momentum = c.momentum;
  return o;
}

// The batch of step s: ids (T + 1, B) time-major, ids[t*B + b] = train[b*L + k*T + t], k = s mod K.
struct Streams {
  const std::vector<int>* text = nullptr;
  int B = 0, T = 0;
  std::size_t L = 0;  // characters per stream
  std::int64_t K = 0; // chunks per stream
  Status init(const std::vector<int>& train, int batch, int bptt) {
    text = &train, B = batch, T = bptt;
    L = train.size() / static_cast<std::size_t>(B);
    K = L > 0 ? static_cast<std::int64_t>((L - 1) / static_cast<std::size_t>(T)) : 0;
    if (K < 1)
      return Status::Error("the training text has %zu characters: too few for --batch %d streams of at least "
                           "--bptt %d + 1", train.size(), B, T);
    return Status::Ok();
  }
  bool new_pass(std::int64_t s) const { return s % K == 0; }
  void fill(std::int64_t s, std::vector<int>* ids) const {
    const std::size_t k = static_cast<std::size_t>(s % K);
    for (int t = 0; t <= T; ++t)
      for (int b = 0; b < B; ++b)
        (*ids)[static_cast<std::size_t>(t * B + b)] = (*text)[static_cast<std::size_t>(b) * L + k * static_cast<std::size_t>(T) + static_cast<std::size_t>(t)];
  }
};

// Held-out bits per character: one stream from a zero state, chunks of up to T, state carried.
double held_out_bpc(const Config& c, CharRnn& m, const std::vector<int>& text) {
  Rng unused(0);
  CharRnn one;  // the same weights, one stream of its own state
  one.build(charrnn_options(c), m.vocab(), 1, unused);
  std::copy(m.params().data(), m.params().data() + m.params().size(), one.params().data());
  Arena arena;
  Tape t(arena);
  double nats = 0;
  std::size_t count = 0;
  for (std::size_t p = 0; p + 1 < text.size();) {
    const int T = static_cast<int>(std::min<std::size_t>(static_cast<std::size_t>(c.bptt), text.size() - 1 - p));
    nats += one.eval_step(t, text.data() + p, T) * T;
    count += static_cast<std::size_t>(T);
    p += static_cast<std::size_t>(T);
  }
  return nats / static_cast<double>(count) / kLn2;
}

Status save(const std::string& path, const Config& c, CharRnn& m, const TextData& d, std::int64_t step) {
  std::vector<NamedTensor> ts;
  ParamStore& p = m.params();
  auto shape_of = [](const Tensor& t) {
    std::vector<std::int64_t> s;
    for (int i = 0; i < t.ndim; ++i) s.push_back(t.dim[i]);
    return s;
  };
  for (int h = 0; h < p.count(); ++h) ts.push_back({p.name(h), shape_of(p.value(h)), p.value(h).data});
  for (int h = 0; h < p.count(); ++h) {
    ts.push_back({"optim.charrnn." + p.name(h) + ".m", shape_of(p.value(h)), m.opt().s1.data() + p.offset(h)});
    ts.push_back({"optim.charrnn." + p.name(h) + ".v", shape_of(p.value(h)), m.opt().s2.data() + p.offset(h)});
  }
  for (int k = 0; k < m.layers(); ++k) {
    const std::int64_t B = static_cast<std::int64_t>(m.state_h(k).size()) / m.hidden(k);
    ts.push_back({"state.h_l" + std::to_string(k), {B, m.hidden(k)}, m.state_h(k).data()});
    ts.push_back({"state.c_l" + std::to_string(k), {B, m.hidden(k)}, m.state_c(k).data()});
  }
  Metadata meta;
  meta["format"] = kFormat;
  meta["config"] = config_to_text(c, true);
  meta["vocab"] = vocab_to_text(d.vocab);
  meta["data"] = d.where;
  meta["step"] = std::to_string(step);
  meta["optim.charrnn.t"] = std::to_string(m.opt().t);
  return save_safetensors(path, ts, meta);
}

// Reads a charrnn checkpoint into a model built from its config (vocab from the file).
Status load(const std::string& path, Config* c, std::vector<std::uint32_t>* vocab, CharRnn* m, bool train_state,
            std::int64_t* step) {
  SafetensorsFile f;
  Status st = f.load(path);
  if (!st) return st;
  const std::string* text = f.meta("config");
  const std::string* vt = f.meta("vocab");
  if (!text || !vt) return Status::Error("%s: a charrnn checkpoint needs \"config\" and \"vocab\" metadata", path.c_str());
  st = config_from_text(*text, c);
  if (st) st = vocab_from_text(*vt, vocab);
  if (st) st = validate(*c);
  if (!st) return st.prefixed(path);
  Rng rng(c->seed);
  m->build(charrnn_options(*c), static_cast<int>(vocab->size()), c->batch, rng);
  ParamStore& p = m->params();
  for (int h = 0; st && h < p.count(); ++h) st = f.read(p.name(h), p.value(h));
  if (st && train_state) {
    std::uint64_t s = 0, t = 0;
    st = f.meta_u64("step", &s);
    if (st) st = f.meta_u64("optim.charrnn.t", &t);
    for (int h = 0; st && h < p.count(); ++h) {
      Tensor v = p.value(h);
      v.data = m->opt().s1.data() + p.offset(h);
      st = f.read("optim.charrnn." + p.name(h) + ".m", v);
      v.data = m->opt().s2.data() + p.offset(h);
      if (st) st = f.read("optim.charrnn." + p.name(h) + ".v", v);
    }
    for (int k = 0; st && k < m->layers(); ++k) {
      const std::int64_t B = c->batch, H = m->hidden(k);
      st = f.read("state.h_l" + std::to_string(k), {B, H}, m->state_h(k).data());
      if (st) st = f.read("state.c_l" + std::to_string(k), {B, H}, m->state_c(k).data());
    }
    if (st && t != s) st = Status::Error("metadata optim.charrnn.t %llu differs from step %llu",
                                         static_cast<unsigned long long>(t), static_cast<unsigned long long>(s));
    if (st) m->opt().t = static_cast<std::int64_t>(t), *step = static_cast<std::int64_t>(s);
  }
  return st.prefixed(path);
}

}  // namespace

bool is_charrnn_checkpoint(const std::string& path) {
  SafetensorsFile f;
  if (!f.load(path)) return false;
  const std::string* text = f.meta("config");
  Config c;
  return text && f.meta("vocab") && config_from_text(*text, &c) && c.model == "charrnn";
}

Status train_charrnn(const Config& c, TrainReport* r, bool quiet, const volatile std::sig_atomic_t* stop) {
  using Clock = std::chrono::steady_clock;
  if (c.threads > 0) set_num_threads(c.threads);
  TextData d;
  Status st = load_text_data(c.data, &d);
  if (!st) return st;
  Streams streams;
  st = streams.init(d.train, c.batch, c.bptt);
  if (!st) return st;
  const std::string out = run_folder(c);
  const std::string ckpt = join_path(out, "model.safetensors"), csv_path = join_path(out, "metrics.csv");
  r->out = out;
  CharRnn m;
  std::int64_t step = 0;
  if (c.resume) {
    Config stored;
    std::vector<std::uint32_t> vocab;
    st = load(ckpt, &stored, &vocab, &m, true, &step);
    if (st) st = check_resume(stored, c);
    if (st && vocab != d.vocab) st = Status::Error("--resume: the text's vocabulary differs from the checkpoint's");
    if (!st) return st;
  } else {
    Rng rng(c.seed);
    m.build(charrnn_options(c), static_cast<int>(d.vocab.size()), c.batch, rng);
  }
  const std::int64_t target = c.iters;
  if (step >= target) {
    r->nothing_to_do = true;
    r->step = step;
    if (!quiet) std::printf("%s is at step %lld already (--iters %d): nothing to do\n", out.c_str(),
                            static_cast<long long>(step), c.iters);
    return Status::Ok();
  }
  MetricsCut cut;
  st = make_dirs(out);
  if (st) st = c.resume ? cut_metrics(csv_path, step, &cut) : clear_run_outputs(out);
  if (st) st = write_text_atomic(join_path(out, "config.txt"), config_to_text(c));
  if (!st) return st;
  if (!quiet)
    std::printf("charrnn: %s: %zu training and %zu held-out characters, vocabulary %zu (UTF-8 code points); "
                "%zu parameters; seed %llu; run folder %s\n", d.where.c_str(), d.train.size(), d.held_out.size(),
                d.vocab.size(), m.params().count_values(), static_cast<unsigned long long>(c.seed), out.c_str());
  std::FILE* csv = std::fopen(csv_path.c_str(), c.resume && cut.has_header ? "ab" : "wb");
  if (!csv) return Status::Error("%s: cannot open for writing", csv_path.c_str());
  if (!(c.resume && cut.has_header)) std::fprintf(csv, "step,train_bpc,held_out_bpc,grad_norm,seconds\n");
  const std::int64_t every = c.log_every > 0 ? c.log_every : std::max<std::int64_t>(1, target / 10);
  Arena arena;
  Tape t(arena);
  std::vector<int> ids(static_cast<std::size_t>((c.bptt + 1) * c.batch));
  const auto t0 = Clock::now();
  double sum_nats = 0, norm = 0, train_bpc = 0, held = 0, step_seconds = 0, step_cpu = 0;
  int since = 0;
  while (step < target) {
    const auto s0 = Clock::now();
    const std::clock_t c0 = std::clock();
    if (streams.new_pass(step)) m.reset_state();
    streams.fill(step, &ids);
    const double loss = m.train_step(t, ids.data(), c.bptt, &norm);
    step_seconds += std::chrono::duration<double>(Clock::now() - s0).count();
    step_cpu += static_cast<double>(std::clock() - c0) / CLOCKS_PER_SEC;
    if (!std::isfinite(loss) || !std::isfinite(norm)) {
      std::fclose(csv);
      r->diverged = true;
      return Status::Error("step %lld: the loss is %g and the gradient norm %g: not finite (try a smaller --lr)",
                           static_cast<long long>(step + 1), loss, norm);
    }
    sum_nats += loss;
    ++since;
    ++step;
    ++r->steps;
    const bool stopping = stop && *stop;
    if (step % every == 0 || step == target || stopping) {
      train_bpc = sum_nats / since / kLn2;
      held = held_out_bpc(c, m, d.held_out);
      sum_nats = 0, since = 0;
      const double secs = cut.seconds + std::chrono::duration<double>(Clock::now() - t0).count();
      std::fprintf(csv, "%lld,%.6f,%.6f,%.6f,%.3f\n", static_cast<long long>(step), train_bpc, held, norm, secs);
      std::fflush(csv);
      st = save(ckpt, c, m, d, step);
      if (!st) {
        std::fclose(csv);
        return st;
      }
      if (!quiet)
        std::printf("step %lld/%lld  train %.4f bits/char  held-out %.4f bits/char  grad norm %.3g  %.1f s\n",
                    static_cast<long long>(step), static_cast<long long>(target), train_bpc, held, norm, secs);
    }
    if (stopping) {
      r->interrupted = true;
      break;
    }
  }
  std::fclose(csv);
  r->seconds = step_seconds;  // the training steps only (not the held-out evaluations)
  r->step = step;
  r->test.add("train_bpc", train_bpc);
  r->test.add("held_out_bpc", held);
  r->test.add("cpu_ms_per_step", r->steps > 0 ? 1000.0 * step_cpu / static_cast<double>(r->steps) : 0.0);
  return Status::Ok();
}

Status sample_charrnn(const std::string& ckpt, const CharSampleOptions& o, std::string* text) {
  if (!(o.temperature > 0) || !std::isfinite(o.temperature))
    return Status::Error("--temperature must be a positive number, got %g", static_cast<double>(o.temperature));
  if (o.prime.empty()) return Status::Error("--prime: the priming string must not be empty");
  Config c;
  std::vector<std::uint32_t> vocab;
  CharRnn m;
  std::int64_t step = 0;
  Status st = load(ckpt, &c, &vocab, &m, false, &step);
  if (!st) return st;
  std::vector<int> prime;
  st = text_ids(o.prime, vocab, &prime);
  if (!st) return st.prefixed("--prime");
  Rng rng(o.seed);
  Arena arena;
  std::vector<int> ids;
  m.sample(arena, prime, o.n, o.temperature, rng, &ids);
  std::vector<std::uint32_t> cps;
  for (int i : ids) cps.push_back(vocab[static_cast<std::size_t>(i)]);
  *text = o.prime + encode_utf8(cps);
  return Status::Ok();
}

}  // namespace dgm
