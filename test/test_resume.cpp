// test_resume.cpp - resume and interrupt lose nothing: the flags a resume may change, metrics.csv
// cut back to the checkpoint, a run stopped after any step and resumed equals one never stopped,
// and a new run clears only dgm's own files. (Kills at exact moments: test/cli_smoke.sh.)
#include <doctest/doctest.h>

#include <csignal>
#include <filesystem>
#include <string>
#include <vector>

#include "small_run.h"
#include "dgm/run/checkpoint.h"
#include "dgm/io/fileio.h"
#include "dgm/run/run_files.h"
#include "dgm/run/train.h"

using namespace dgm;

namespace {

std::string text_of(const std::string& path) {
  std::vector<std::uint8_t> b;
  Status s = read_file(path, &b);
  REQUIRE_MESSAGE(s.ok, s.message);
  return std::string(b.begin(), b.end());
}

void write_text(const std::string& path, const std::string& text) {
  Status s = write_text_atomic(path, text);
  REQUIRE_MESSAGE(s.ok, s.message);
}

// metrics.csv without its last column (wall-clock seconds, different in every run).
std::string without_seconds(const std::string& csv) {
  std::string out, line;
  for (char ch : csv) {
    if (ch != '\n') {
      line += ch;
      continue;
    }
    out += line.substr(0, line.rfind(',')) + "\n";
    line.clear();
  }
  return out + line;
}

Status parse(std::vector<std::string> args, Config* c) {
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(&a[0]);
  return parse_flags(static_cast<int>(argv.size()), argv.data(), c);
}

// A VAE of 784-8-2 on the subset, 4 steps an epoch: each call below is cheap.
Config tiny_vae(const std::string& out) {
  Config c = test_run::small_run("vae", "", {8}, 2, 2500, out);
  c.epochs = 2;
  c.iw = 2;  // each epoch's test_iwae with k = 2 (50 would be most of the time)
  return c;
}

}  // namespace

TEST_CASE("resume: a flag that fixes what the stored step means is refused, naming both values") {
  const Config stored = config_defaults("vae", "");
  struct Change {
    std::vector<std::string> args;
    const char* message;
  };
  const Change refused[] = {
      {{"--batch", "64"}, "--batch 64: the run was trained with --batch 128"},
      {{"--data", "elsewhere"}, "--data elsewhere: the run was trained with --data '' (the default)"},
      {{"--model", "gan"}, "--model gan: the run was trained with --model vae"},
      {{"--hidden", "32,32"}, "--hidden 32,32: the run was trained with --hidden 400"},
      {{"--latent", "3"}, "--latent 3: the run was trained with --latent 20"},
      {{"--optim", "sgd"}, "--optim sgd: the run was trained with --optim adam"},
      {{"--seed", "7"}, "--seed 7: the run was trained with --seed 42"},
      {{"--decoder", "gaussian"}, "--decoder gaussian: the run was trained with --decoder bernoulli"},
      {{"--k", "2"}, "--k 2: the run was trained with --k 1"},
  };
  for (const Change& ch : refused) {
    CAPTURE(ch.args[0]);
    Config now = stored;
    REQUIRE(parse(ch.args, &now).ok);
    Status s = check_resume(stored, now);
    CHECK_FALSE(s.ok);
    CHECK(s.message.find(ch.message) == 0);
  }
  // How long, how fast, evaluation and run control may change.
  Config now = stored;
  REQUIRE(parse({"--epochs", "50", "--lr", "3e-4", "--lr-g", "1e-4", "--lr-d", "1e-4", "--iw", "5", "--threads", "1",
                 "--log-every", "10", "--out", "x", "--device", "cpu"},
                &now)
              .ok);
  CHECK(check_resume(stored, now).ok);
  // --help lists them (one column of the flag table decides both).
  const std::string help = resume_help();
  CHECK(help.find("These may change on --resume:\n    --epochs --iters --lr --lr-g --lr-d --iw --cd --ais --ais-runs "
                  "--pretrain --threads --device\n    --out --log-every --sample-every") != std::string::npos);
  CHECK(help.find("--batch") != std::string::npos);
}

TEST_CASE("flags: --resume and --force are switches: they take no value") {
  Config c = config_defaults("vae", "");
  REQUIRE(parse({"--resume"}, &c).ok);
  CHECK(c.resume);
  Status s = parse({"--resume=true"}, &c);
  CHECK(s.message == "--resume is a switch: it takes no value (got '--resume=true')");
  s = parse({"--force=1"}, &c);
  CHECK(s.message == "--force is a switch: it takes no value (got '--force=1')");
  s = parse({"--resume", "false"}, &c);  // "false" is not a value of --resume but a stray word
  CHECK(s.message.find("unexpected argument 'false'") == 0);
}

TEST_CASE("resume: metrics.csv is cut back to the checkpoint's step, dropping a half-written row") {
  const std::string dir = "build/test-runs/metrics-cut";
  REQUIRE(make_dirs(dir).ok);
  const std::string path = dir + "/metrics.csv";
  const std::string head = "step,epoch,loss,seconds\n1,1,5,0.1\n2,1,4,0.2\n3,1,3,0.3\n";
  write_text(path, head + "4,1,2,0.4\n5,2,1,0.5\n6,2,0.");  // killed while row 6 was written
  MetricsCut cut;
  Status s = cut_metrics(path, 3, &cut);
  REQUIRE_MESSAGE(s.ok, s.message);
  CHECK(text_of(path) == head);
  CHECK(cut.has_header);
  CHECK(cut.rows_kept == 3);
  CHECK(cut.rows_dropped == 3);
  CHECK(cut.seconds == doctest::Approx(0.3));
  CHECK_FALSE(std::filesystem::exists(path + ".tmp"));
  // Nothing past the step: the file is left as it is.
  s = cut_metrics(path, 3, &cut);
  REQUIRE(s.ok);
  CHECK(text_of(path) == head);
  CHECK(cut.rows_dropped == 0);
  // A merged row (a kill mid-row, then an old version appended after it) has too many fields: the
  // cut stops there even though its step is not past the checkpoint.
  write_text(path, "step,epoch,loss,seconds\n1,1,5,0.1\n2,1,4,0.2,3,1,3,0.3\n3,1,3,0.3\n");
  s = cut_metrics(path, 3, &cut);
  REQUIRE(s.ok);
  CHECK(text_of(path) == "step,epoch,loss,seconds\n1,1,5,0.1\n");
  // Not dgm's file: an error, and the file is left alone.
  write_text(path, "a,b\n1,2\n");
  s = cut_metrics(path, 3, &cut);
  CHECK(s.message.find("the first line is not dgm's header") != std::string::npos);
  CHECK(text_of(path) == "a,b\n1,2\n");
  // No file: nothing kept, nothing written.
  std::filesystem::remove(path);
  s = cut_metrics(path, 3, &cut);
  CHECK(s.ok);
  CHECK_FALSE(cut.has_header);
  CHECK_FALSE(std::filesystem::exists(path));
}

TEST_CASE("resume: a run stopped after every single step and resumed equals one never stopped") {
  // Image data, 4 steps an epoch: every stop but the epoch ends writes a checkpoint inside an
  // epoch (its order's Rng stored), and each resume cuts metrics.csv and draws that order again.
  TrainReport r;
  Config ref = tiny_vae("build/test-runs/stop-ref");
  r = test_run::train_ok(ref);
  CHECK(r.steps == 8);
  CHECK_FALSE(r.interrupted);
  Config c = tiny_vae("build/test-runs/stop-each");
  volatile std::sig_atomic_t stop = 1;  // as if Ctrl-C came during every step
  int calls = 0;
  for (bool first = true; calls < 20; first = false, ++calls) {
    c.resume = !first;
    Status s = train(c, &r, true, &stop);
    REQUIRE_MESSAGE(s.ok, s.message);
    if (!r.interrupted) break;
    CHECK(r.steps == 1);
    CHECK(r.step == calls + 1);
  }
  CHECK(calls == 7);  // steps 1..7 interrupted, the 8th ends the run
  CHECK(text_of("build/test-runs/stop-each/model.safetensors") == text_of("build/test-runs/stop-ref/model.safetensors"));
  CHECK(without_seconds(text_of("build/test-runs/stop-each/metrics.csv")) ==
        without_seconds(text_of("build/test-runs/stop-ref/metrics.csv")));
  // A checkpoint inside an epoch says so; one at an epoch's end does not.
  const TrainState ts = test_run::reopen("build/test-runs/stop-ref/model.safetensors").ts;
  CHECK_FALSE(ts.mid_epoch);
  // The run is at its end: resuming it again changes nothing.
  const std::string csv = text_of("build/test-runs/stop-each/metrics.csv");
  const std::string config = text_of("build/test-runs/stop-each/config.txt");
  c.resume = true;
  c.threads = 1;
  Status s = train(c, &r, true);
  REQUIRE(s.ok);
  CHECK(r.nothing_to_do);
  CHECK(r.steps == 0);
  c.epochs = 1;  // behind the run: nothing to do either
  s = train(c, &r, true);
  REQUIRE(s.ok);
  CHECK(r.nothing_to_do);
  CHECK(text_of("build/test-runs/stop-each/metrics.csv") == csv);
  CHECK(text_of("build/test-runs/stop-each/config.txt") == config);
}

TEST_CASE("resume: synthetic data stopped between two sample plots resumes bit-identically") {
  TrainReport r;
  Config c = test_run::small_run("wgan", "ring", {8}, 2, 16, "build/test-runs/stop-toy-ref");
  c.iters = 30;
  c.sample_every = 10;
  r = test_run::train_ok(c);
  c.out = "build/test-runs/stop-toy";
  volatile std::sig_atomic_t stop = 1;
  Status s = train(c, &r, true, &stop);  // stops after step 1
  REQUIRE(s.ok);
  CHECK(r.interrupted);
  stop = 0;
  c.resume = true;
  s = train(c, &r, true, &stop);
  REQUIRE(s.ok);
  CHECK(r.steps == 29);
  CHECK(text_of("build/test-runs/stop-toy/model.safetensors") == text_of("build/test-runs/stop-toy-ref/model.safetensors"));
  CHECK(without_seconds(text_of("build/test-runs/stop-toy/metrics.csv")) ==
        without_seconds(text_of("build/test-runs/stop-toy-ref/metrics.csv")));
}

TEST_CASE("resume: a changed flag is refused before anything in the folder is written") {
  TrainReport r;
  Config c = tiny_vae("build/test-runs/resume-refused");
  c.epochs = 1;
  r = test_run::train_ok(c);
  const std::string config = text_of("build/test-runs/resume-refused/config.txt");
  const std::string ckpt = text_of("build/test-runs/resume-refused/model.safetensors");
  c.resume = true;
  c.epochs = 3;
  c.batch = 1000;  // 10 steps an epoch instead of 4: step 4 would be inside epoch 1
  Status s = train(c, &r, true);
  CHECK_FALSE(s.ok);
  CHECK(s.message.find("--batch 1000: the run was trained with --batch 2500") != std::string::npos);
  CHECK(text_of("build/test-runs/resume-refused/config.txt") == config);
  CHECK(text_of("build/test-runs/resume-refused/model.safetensors") == ckpt);
  c.batch = 2500;
  c.force = true;
  s = train(c, &r, true);
  CHECK(s.message.find("--force starts it over: give one of them") != std::string::npos);
}

TEST_CASE("run folder: a new run deletes the old run's outputs, and only dgm's") {
  namespace fs = std::filesystem;
  const std::string dir = "build/test-runs/clear";
  fs::remove_all(dir);
  REQUIRE(make_dirs(dir + "/samples").ok);
  for (const char* f : {"config.txt", "metrics.csv", "model.safetensors", "model.safetensors.tmp", "recon.png",
                        "codes.svg", "samples/epoch_001.png", "samples/epoch_012.png", "samples/iter_000200.svg"})
    write_text(dir + "/" + f, "old");
  for (const char* f : {"notes.txt", "config.txt.bak", "samples/epoch_1.png", "samples/mine.png", "model.pt"})
    write_text(dir + "/" + f, "mine");
  CHECK(run_outputs(dir) == std::vector<std::string>{"codes.svg", "config.txt", "metrics.csv", "model.safetensors",
                                                     "model.safetensors.tmp", "recon.png", "samples/epoch_001.png",
                                                     "samples/epoch_012.png", "samples/iter_000200.svg"});
  Status s = clear_run_outputs(dir);
  REQUIRE_MESSAGE(s.ok, s.message);
  CHECK(run_outputs(dir).empty());
  for (const char* f : {"notes.txt", "config.txt.bak", "samples/epoch_1.png", "samples/mine.png", "model.pt"})
    CHECK(text_of(dir + "/" + f) == "mine");
  CHECK(run_outputs("build/test-runs/no-such-folder").empty());
  // train() starting over in a folder of a longer run leaves none of its samples behind.
  TrainReport r;
  Config c = tiny_vae("build/test-runs/clear-train");
  c.epochs = 2;
  REQUIRE(train(c, &r, true).ok);
  c.epochs = 1;
  REQUIRE(train(c, &r, true).ok);
  CHECK(fs::exists("build/test-runs/clear-train/samples/epoch_001.png"));
  CHECK_FALSE(fs::exists("build/test-runs/clear-train/samples/epoch_002.png"));
}
