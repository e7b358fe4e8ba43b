// cli.h - the verbs of the `dgm` command. Each returns the process exit code:
// 0 success, 1 a failure of the work (a check failed, training diverged), 2 bad usage or input.
#pragma once

namespace dgm {

int cmd_train(int argc, char** argv);
int cmd_sample(int argc, char** argv);
int cmd_eval(int argc, char** argv);
int cmd_export(int argc, char** argv);
int cmd_run(int argc, char** argv);
int cmd_bench(int argc, char** argv);
int cmd_bench_quality(int argc, char** argv);
// `dgm sample` on a charrnn checkpoint (cmd_sample_text.cpp): text instead of images.
int cmd_sample_text(int argc, char** argv);

// True if argv holds --help or -h.
bool wants_help(int argc, char** argv);

}  // namespace dgm
