// test_config_text.cpp - string settings in config text are escaped, so any bytes round-trip and
// a value cannot inject a setting (a defect once: 'model = gan' was obeyed).
#include <doctest/doctest.h>

#include <string>

#include "dgm/run/checkpoint.h"
#include "dgm/run/config.h"
#include "dgm/core/rng.h"

using namespace dgm;

namespace {

// A random byte string, biased toward the bytes that break line-based text: newlines, '=',
// " = ", '#', backslashes, quotes, NUL, and bytes that are not UTF-8 on their own.
std::string random_bytes(Rng& rng) {
  static const char* const pieces[] = {"\n", "\r", "=", " = ", "#", "\\", "\\n", "\\x", "\"", "'", "model = gan",
                                       "\n#", " ", "\t", "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80"};
  const int n = static_cast<int>(rng.next_u32() % 24);
  std::string s;
  for (int i = 0; i < n; ++i) {
    const std::uint32_t r = rng.next_u32();
    if (r % 3 == 0) s += pieces[(r / 3) % (sizeof pieces / sizeof pieces[0])];
    else s += static_cast<char>((r >> 8) & 0xff);  // any byte: NUL, 0x80-0xff, ...
  }
  return s;
}

bool valid_utf8(const std::string& s) {
  for (std::size_t i = 0; i < s.size();) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    std::size_t n = c < 0x80 ? 1 : c >= 0xC2 && c <= 0xDF ? 2 : c >= 0xE0 && c <= 0xEF ? 3 : c >= 0xF0 && c <= 0xF4 ? 4 : 0;
    if (n == 0 || i + n > s.size()) return false;
    for (std::size_t k = 1; k < n; ++k)
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    i += n;
  }
  return true;
}

}  // namespace

TEST_CASE("config text: string settings of arbitrary bytes round-trip, one line each, valid UTF-8") {
  Rng rng(20261201);
  for (int trial = 0; trial < 3000; ++trial) {
    Config c = config_defaults("vae", "");
    c.data = random_bytes(rng);
    c.out = random_bytes(rng);
    c.device = random_bytes(rng);
    c.prior = random_bytes(rng);
    const std::string text = config_to_text(c);
    CAPTURE(text);
    // One line per setting: no value adds a line.
    std::size_t lines = 0, settings = 0;
    for (char ch : text) lines += ch == '\n';
    for (char ch : config_to_text(config_defaults("vae", ""))) settings += ch == '\n';
    CHECK(lines == settings);
    CHECK(valid_utf8(text));  // the checkpoint's JSON header needs UTF-8
    Config back = config_defaults("gan", "grid");  // different defaults: everything must come from the text
    Status s = config_from_text(text, &back);
    REQUIRE_MESSAGE(s.ok, s.message);
    CHECK(back.data == c.data);
    CHECK(back.out == c.out);
    CHECK(back.device == c.device);
    CHECK(back.prior == c.prior);
    CHECK(back.model == "vae");
    CHECK(config_to_text(back) == text);
    // escape and unescape on their own.
    std::string u;
    REQUIRE(unescape_config_value(escape_config_value(c.data), &u).ok);
    CHECK(u == c.data);
  }
}

TEST_CASE("config text: a newline in --data cannot inject a setting ('model = gan' was once obeyed)") {
  Config c = config_defaults("vae", "");
  c.data = "runs/x\nmodel = gan\nhidden = 1000000";
  const std::string text = config_to_text(c, true);
  CHECK(text.find("data = runs/x\\nmodel = gan\\nhidden = 1000000\n") != std::string::npos);
  Config back;
  REQUIRE(config_from_text(text, &back).ok);
  CHECK(back.model == "vae");
  CHECK(back.hidden == std::vector<int>{400});
  CHECK(back.data == c.data);
  // Well-formed UTF-8 stays readable; a stray byte and a control byte are \x escapes.
  CHECK(escape_config_value("donn\xc3\xa9" "es") == "donn\xc3\xa9" "es");
  CHECK(escape_config_value(std::string("a\0b\xff\\", 5)) == "a\\x00b\\xff\\\\");
  // Malformed escapes are errors naming the setting and the line.
  Config x;
  Status s = config_from_text("data = a\\qb\n", &x);
  CHECK(s.message == "config line 1: data: unknown escape '\\q' (known: \\\\ \\n \\r \\t \\xHH)");
  CHECK_FALSE(config_from_text("data = a\\x4\n", &x).ok);
  CHECK_FALSE(config_from_text("data = a\\\n", &x).ok);
}
