// cli.h - the verbs of the `dgm` command. Each returns the process exit code:
// 0 success, 1 a failure of the work (a check failed, training diverged), 2 bad usage or input.
#pragma once
#include <string>
#include <vector>

namespace dgm {

class FlagTable;

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

// A verb's flags (dgm/io/flags.h): with --help, prints usage (a printf format whose one %s gets
// the table's flag lines, f.help(width)) and returns 0; otherwise parses argv onto the table and,
// on an error, prints "dgm WHO: message" and returns 2. Returns -1 when the verb goes on.
int help_or_parse(const char* who, const char* usage, int width, FlagTable& f, int argc, char** argv,
                  std::vector<std::string>* positional = nullptr);

}  // namespace dgm
