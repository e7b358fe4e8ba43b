// test_flags.cpp - the one flag parser (include/dgm/io/flags.h): both spellings of a value, the
// messages for each kind of bad input, positional arguments, given(), and --help from the rows.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "dgm/io/flags.h"

using namespace dgm;

namespace {

struct Small {
  int n = 100;
  std::uint64_t seed = 1;
  float t = 1.f;
  std::string out;
  bool raw = false;
  FlagTable table;
  Small() : table({}) {
    table.integer("n", &n, 1, 1000, "samples", "N").u64("seed", &seed, "seed", "S");
    table.number("temperature", &t, "T > 0", "T").str("out", &out, "file", "F").sw("raw", &raw, "raw output");
  }
  Status parse(std::vector<const char*> args, std::vector<std::string>* pos = nullptr) {
    std::vector<char*> argv;
    for (const char* a : args) argv.push_back(const_cast<char*>(a));
    return table.parse(static_cast<int>(argv.size()), argv.data(), pos);
  }
};

}  // namespace

TEST_CASE("flags: --name value and --name=value, switches, given()") {
  Small s;
  REQUIRE(s.parse({"--n", "7", "--out=a b.png", "--raw", "--temperature=0.5", "--seed", "18446744073709551615"}).ok);
  CHECK(s.n == 7);
  CHECK(s.out == "a b.png");
  CHECK(s.raw);
  CHECK(s.t == 0.5f);
  CHECK(s.seed == 18446744073709551615ull);
  CHECK(s.table.given("n"));
  CHECK(s.table.given("raw"));
  Small d;
  REQUIRE(d.parse({"--out", "x"}).ok);
  CHECK(!d.table.given("n"));
  CHECK(d.n == 100);  // the default stays
}

TEST_CASE("flags: each bad input names the flag and what it expects") {
  auto msg = [](std::vector<const char*> args) {
    Small s;
    Status st = s.parse(args);
    CHECK(!st.ok);
    return st.message;
  };
  CHECK(msg({"--n", "x"}) == "--n expects an integer in 1..1000, got 'x'");
  CHECK(msg({"--n", "0"}) == "--n expects an integer in 1..1000, got '0'");
  CHECK(msg({"--n=1001"}) == "--n expects an integer in 1..1000, got '1001'");
  CHECK(msg({"--n", "99999999999999999999"}) == "--n expects an integer in 1..1000, got '99999999999999999999'");
  CHECK(msg({"--n"}) == "--n needs a value");
  CHECK(msg({"--seed", "-1"}) == "--seed expects a non-negative integer, got '-1'");
  CHECK(msg({"--seed", "abc"}) == "--seed expects a non-negative integer, got 'abc'");
  CHECK(msg({"--temperature", "hot"}) == "--temperature expects a number, got 'hot'");
  CHECK(msg({"--raw=1"}) == "--raw is a switch: it takes no value (got '--raw=1')");
  CHECK(msg({"--temp", "1"}) == "unknown flag --temp; did you mean --temperature? (see --help)");
  CHECK(msg({"--outt", "x"}) == "unknown flag --outt; did you mean --out? (see --help)");
  CHECK(msg({"extra"}).find("unexpected argument 'extra'") == 0);
  CHECK(msg({"-n", "3"}).find("unexpected argument '-n'") == 0);
}

TEST_CASE("flags: positional arguments, underscores, aliases") {
  std::vector<std::string> pos;
  Small t;
  REQUIRE(t.parse({"gan", "--n", "5", "vae"}, &pos).ok);
  CHECK(pos == std::vector<std::string>{"gan", "vae"});
  int every = 0;
  FlagTable a({}, {{"log-interval", "log-every"}});
  a.integer("log-every", &every, 0, 100, "rows");
  char n1[] = "--log_every", v1[] = "5", n2[] = "--log-interval=7";
  char* argv1[] = {n1, v1};
  REQUIRE(a.parse(2, argv1).ok);
  CHECK(every == 5);
  char* argv2[] = {n2};
  REQUIRE(a.parse(1, argv2).ok);
  CHECK(every == 7);
  CHECK(a.help().find("(also --log-interval)") != std::string::npos);
}

TEST_CASE("flags: --help lines come from the rows, continuation lines aligned") {
  int k = 3;
  bool raw = false;
  FlagTable t({});
  t.integer("k", &k, 1, 9, "steps\nsecond line", "K").sw("raw", &raw, "raw").integer("hidden", &k, 1, 9, "");
  CHECK(t.help(10) == "  --k K    steps\n"
                      "           second line\n"
                      "  --raw    raw\n");
  CHECK(peek_flag(2, std::vector<char*>{const_cast<char*>("--data"), const_cast<char*>("ring")}.data(), "data") ==
        std::string("ring"));
}
