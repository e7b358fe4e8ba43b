// flags.h - the one command-line flag parser: a small typed table of flags (name, kind, where the
// value goes, accepted range, help line) that parses `--name value` and `--name=value`.
//
// Every verb of `dgm` parses through it: config.cpp's table of training settings (train, and the
// checkpoint's config text) and the small tables of sample, eval, export, bench, bench-quality,
// run and the charrnn sampler (src/cli/). So every verb refuses the same things the same way,
// each with a message that names the flag and what it expects (the caller exits 2):
//   an unknown flag ("unknown flag --epoch; did you mean --epochs? (see --help)", suggest.h),
//   a missing value ("--n needs a value"), a value that is not a number of the flag's kind
//   ("--n expects an integer, got 'x'"), a number outside the flag's range
//   ("--n expects an integer in 1..1000000, got '0'"), a value given to a switch.
// Underscores in a name read as dashes (--log_every is --log-every).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "dgm/io/status.h"

namespace dgm {

enum class FlagKind {
  Int,      // int*: a decimal integer in [lo, hi] (default: any int)
  U64,      // std::uint64_t*: a non-negative decimal integer (seeds)
  Float,    // float*: a decimal number
  Str,      // std::string*: the value as given
  IntList,  // std::vector<int>*: positive integers separated by commas ("400,400")
  Bool,     // bool*: a switch, `--raw` (no value on the command line; "true"/"false" in text)
};

struct FlagSpec {
  const char* name;   // without the leading --
  FlagKind kind;
  void* ptr;          // where the value goes (the kind says its type)
  const char* help;   // one line for --help (continuation lines start with '\n')
  long long lo = -2147483647LL - 1, hi = 2147483647LL;  // Int: the accepted range
  // --help shows "--name VALUE_NAME" ("" : just "--name"); nullptr: "--name <its default>".
  const char* value_name = nullptr;
};

// Another spelling of a flag (shown in --help as "(also --batch-size)").
struct FlagAlias {
  const char* name;
  const char* flag;
};

class FlagTable {
 public:
  explicit FlagTable(std::vector<FlagSpec> specs, std::vector<FlagAlias> aliases = {})
      : specs_(std::move(specs)), aliases_(std::move(aliases)), given_(specs_.size(), false) {}

  // Adds a flag (for the small verbs' tables; returns the table, so adds chain).
  FlagTable& str(const char* name, std::string* p, const char* help, const char* value_name = nullptr);
  FlagTable& integer(const char* name, int* p, long long lo, long long hi, const char* help,
                     const char* value_name = nullptr);
  FlagTable& u64(const char* name, std::uint64_t* p, const char* help, const char* value_name = nullptr);
  FlagTable& number(const char* name, float* p, const char* help, const char* value_name = nullptr);
  FlagTable& sw(const char* name, bool* p, const char* help);

  // Parses argv[0..argc) onto the table's pointers. An argument that does not start with "--"
  // goes to *positional (in order) when given, else it is an error ("unexpected argument").
  Status parse(int argc, char** argv, std::vector<std::string>* positional = nullptr);
  // Whether the last parse() set the flag (by name, without --).
  bool given(const char* name) const;

  // The flag named name (or one of its aliases; underscores as dashes), or nullptr.
  const FlagSpec* find(std::string name) const;
  // Sets f from v: the checks and messages of parse() (a Bool takes "true", "1", "false", "0").
  static Status set(const FlagSpec& f, const std::string& v);
  // The flag's value as text: "0.001" (the shortest decimal that reads back), "400,400", "true".
  static std::string value_text(const FlagSpec& f);

  // One line per flag: "  --name VALUE" padded to `width`, then its help (continuation lines
  // indented to the same column) and its other spellings; flags with an empty help are left out.
  std::string help(std::size_t width = 28) const;

  const std::vector<FlagSpec>& specs() const { return specs_; }

 private:
  std::vector<FlagSpec> specs_;
  std::vector<FlagAlias> aliases_;
  std::vector<bool> given_;
};

// The value of --name in argv ("--name v" or "--name=v"), or nullptr: a look ahead before the
// table is built (`dgm train` picks its defaults by --data, `dgm sample` its kind by --ckpt).
const char* peek_flag(int argc, char** argv, const char* name);

}  // namespace dgm
