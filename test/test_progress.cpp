// test_progress.cpp - the progress line: what it draws, that it erases itself, and that a
// disabled one (not a terminal) writes nothing at all.
#include <doctest/doctest.h>

#include <cstdio>
#include <string>

#include "dgm/run/progress.h"

using namespace dgm;

namespace {

std::string contents(std::FILE* f) {
  std::fflush(f);
  std::rewind(f);
  std::string s;
  for (int ch; (ch = std::fgetc(f)) != EOF;) s += static_cast<char>(ch);
  return s;
}

}  // namespace

TEST_CASE("progress: hms") {
  CHECK(hms(0) == "0:00");
  CHECK(hms(65) == "1:05");
  CHECK(hms(7384) == "2:03:04");
  CHECK(hms(-1) == "?");
}

TEST_CASE("progress: the line shows the count, the share and an ETA, and clear() erases it") {
  std::FILE* f = std::tmpfile();
  REQUIRE(f != nullptr);
  {
    ProgressLine p(true, 0, f);
    p.update(0, 1000, "test", "");
    p.update(1000, 1000, "test", "loss 3");  // the last one is always drawn
    p.clear();
  }
  const std::string s = contents(f);
  CHECK(s.find("\r[>                       ]   0% test 0/1000  ETA ?") != std::string::npos);
  CHECK(s.find("] 100% test 1000/1000  loss 3  ETA 0:00") != std::string::npos);
  CHECK(s.substr(s.size() - 1) == "\r");  // erased: the cursor is back at the start of the line
  std::fclose(f);

  std::FILE* g = std::tmpfile();
  REQUIRE(g != nullptr);
  {
    ProgressLine off(false, 0, g);  // e.g. stderr is a file or a pipe
    off.update(5, 10, "step", "loss 1");
    off.clear();
  }
  CHECK(contents(g).empty());
  std::fclose(g);
}
