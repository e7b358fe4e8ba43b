// test_fileio.cpp - atomic writes: a failed write names the file the caller asked for (not the
// temporary "<path>.tmp" beside it), leaves no temporary file, and keeps the old file whole.
#include <doctest/doctest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "dgm/io/fileio.h"

using namespace dgm;

TEST_CASE("fileio: a failed atomic write names the user's path, never the .tmp file") {
  const std::string dir = "build/test-runs/fileio";
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
  REQUIRE(make_dirs(dir).ok);

  // The folder does not exist.
  Status s = write_text_atomic(dir + "/missing/out.h", "x");
  CHECK_FALSE(s.ok);
  CHECK(s.message == "cannot write '" + dir + "/missing/out.h': no folder '" + dir + "/missing'");

  // The path is a folder: the rename over it fails.
  REQUIRE(make_dirs(dir + "/model.safetensors").ok);
  s = write_text_atomic(dir + "/model.safetensors", "x");
  CHECK_FALSE(s.ok);
  CHECK(s.message.find("cannot write '" + dir + "/model.safetensors': ") == 0);
  CHECK(s.message.find(".tmp") == std::string::npos);
  CHECK_FALSE(std::filesystem::exists(dir + "/model.safetensors.tmp"));

  // A good write replaces the file whole.
  REQUIRE(write_text_atomic(dir + "/a.txt", "old").ok);
  REQUIRE(write_text_atomic(dir + "/a.txt", "new").ok);
  std::vector<std::uint8_t> b;
  REQUIRE(read_file(dir + "/a.txt", &b).ok);
  CHECK(std::string(b.begin(), b.end()) == "new");
}
