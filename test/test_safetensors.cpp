// test_safetensors.cpp - checkpoint files: exact bytes, round trips, and every kind of damage
// giving an error Status (never a crash; run under `make sanitize` to be sure of "never").
#include <doctest/doctest.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "dgm/io/fileio.h"
#include "dgm/io/safetensors.h"

using namespace dgm;
using Bytes = std::vector<std::uint8_t>;

namespace {

// A file from a header JSON string and a data buffer, with the 8-byte length in front.
Bytes make_file(const std::string& json, const Bytes& data, std::uint64_t n_override = 0) {
  Bytes b(8);
  const std::uint64_t n = n_override ? n_override : json.size();
  for (int k = 0; k < 8; ++k) b[k] = static_cast<std::uint8_t>(n >> (8 * k));
  b.insert(b.end(), json.begin(), json.end());
  b.insert(b.end(), data.begin(), data.end());
  return b;
}

Status parse(const Bytes& b) {
  SafetensorsFile f;
  return f.parse(b, "test.safetensors");
}

// Parses and requires failure whose message contains `needle`.
void expect_error(const Bytes& b, const char* needle) {
  Status s = parse(b);
  CHECK_FALSE(s.ok);
  INFO("message: " << s.message);
  CHECK(s.message.find(needle) != std::string::npos);
  CHECK(s.message.find("test.safetensors") != std::string::npos);  // says where
}

}  // namespace

TEST_CASE("safetensors: exact bytes of a tiny file, computed by hand") {
  const float a[2] = {1.0f, -2.0f};
  Bytes got;
  REQUIRE(encode_safetensors({{"a", {2}, a}}, {{"k", "v"}}, &got).ok);
  // The JSON below is 79 characters (counted: {=1, "__metadata__"=14, :=1, {"k":"v"}=9, ,=1,
  // "a"=3, :=1, then {"dtype":"F32","shape":[2],"data_offsets":[0,8]} = 48, }=1), so one space
  // pads it to 80 = 0x50, a multiple of 8. 1.0f = 0x3F800000, -2.0f = 0xC0000000, little-endian.
  const std::string json = "{\"__metadata__\":{\"k\":\"v\"},\"a\":{\"dtype\":\"F32\",\"shape\":[2],"
                           "\"data_offsets\":[0,8]}} ";
  Bytes expect = {0x50, 0, 0, 0, 0, 0, 0, 0};
  expect.insert(expect.end(), json.begin(), json.end());
  const Bytes data = {0x00, 0x00, 0x80, 0x3F, 0x00, 0x00, 0x00, 0xC0};
  expect.insert(expect.end(), data.begin(), data.end());
  CHECK(expect.size() == 96u);
  CHECK(got == expect);

  // No metadata: "__metadata__" is left out, as the reference writer does.
  REQUIRE(encode_safetensors({{"a", {2}, a}}, {}, &got).ok);
  const std::string json2 = "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}";  // 54
  CHECK(json2.size() == 54u);
  CHECK(got.size() == 8 + 56 + 8u);
  CHECK(got[0] == 56);
  CHECK(std::string(got.begin() + 8, got.begin() + 64) == json2 + "  ");
}

TEST_CASE("safetensors: round trip of several tensors and metadata through a file") {
  std::vector<float> w(3 * 4), b(4), s(1), empty;
  for (std::size_t i = 0; i < w.size(); ++i) w[i] = std::sin(float(i)) * 1e-3f;
  b = {-0.0f, INFINITY, -INFINITY, 1e-40f};  // signed zero, infinities, a denormal
  s[0] = std::nanf("");
  Metadata meta = {{"step", "1234"},
                   {"config", "latent=2\nlr=0.001"},
                   {"quote\"back\\slash", "tab\there \x01 ctl, utf8 \xC3\xA9"}};
  const std::string path = (std::filesystem::temp_directory_path() / "dgm_test.safetensors").string();
  REQUIRE(save_safetensors(path, {{"enc.W", {3, 4}, w.data()}, {"enc.b", {4}, b.data()},
                                  {"scalar", {}, s.data()}, {"none", {0, 5}, nullptr}}, meta).ok);
  CHECK_FALSE(std::filesystem::exists(path + ".tmp"));  // renamed away

  SafetensorsFile f;
  Status st = f.load(path);
  std::remove(path.c_str());
  REQUIRE_MESSAGE(st.ok, st.message);
  REQUIRE(f.tensors().size() == 4u);
  CHECK(f.tensors()[0].name == "enc.W");  // header order = the order given
  CHECK(f.tensors()[3].name == "none");
  CHECK(f.metadata() == meta);
  REQUIRE(f.meta("step"));
  CHECK(*f.meta("step") == "1234");
  CHECK(f.meta("missing") == nullptr);
  std::uint64_t step = 0;
  REQUIRE(f.meta_u64("step", &step).ok);
  CHECK(step == 1234u);
  CHECK_FALSE(f.meta_u64("config", &step).ok);   // not digits
  CHECK_FALSE(f.meta_u64("missing", &step).ok);

  std::vector<float> w2(12), b2(4), s2(1);
  REQUIRE(f.read("enc.W", {3, 4}, w2.data()).ok);
  REQUIRE(f.read("enc.b", {4}, b2.data()).ok);
  Tensor ts;  // 0-d tensor = shape []
  ts.data = s2.data();
  REQUIRE(f.read("scalar", ts).ok);
  CHECK(std::memcmp(w.data(), w2.data(), w.size() * 4) == 0);  // bit-identical
  CHECK(std::memcmp(b.data(), b2.data(), b.size() * 4) == 0);
  CHECK(std::memcmp(s.data(), s2.data(), 4) == 0);
  CHECK(f.read("none", {0, 5}, nullptr).ok);

  Tensor t = make_shape(3, 4);
  t.data = w2.data();
  CHECK(f.read("enc.W", t).ok);
  Status wrong = f.read("enc.W", {4, 3}, w2.data());
  CHECK_FALSE(wrong.ok);
  CHECK(wrong.message.find("[3, 4]") != std::string::npos);
  CHECK(wrong.message.find("[4, 3]") != std::string::npos);
  Status missing = f.read("dec.W", {3, 4}, w2.data());
  CHECK_FALSE(missing.ok);
  CHECK(missing.message.find("dec.W") != std::string::npos);
}

TEST_CASE("safetensors: JSON escapes written by others are decoded") {
  // \u00e9 is e-acute (UTF-8 C3 A9); \ud83d\ude00 is U+1F600 (F0 9F 98 80); \/ is '/'.
  const std::string json = "{ \"__metadata__\" : { \"k\\/\\u00e9\" : \"\\ud83d\\ude00\\n\" } ,\n"
                           " \"x\": {\"shape\": [ ], \"dtype\": \"F32\", \"data_offsets\": [0, 4],"
                           " \"extra\": {\"q\": [1, true, null, -2.5e3, \"s\"]}}}   ";
  const Bytes data = {0, 0, 0x40, 0x40};  // 3.0f
  SafetensorsFile f;
  Status s = f.parse(make_file(json, data), "escapes");
  REQUIRE_MESSAGE(s.ok, s.message);
  REQUIRE(f.meta("k/\xC3\xA9"));
  CHECK(*f.meta("k/\xC3\xA9") == "\xF0\x9F\x98\x80\n");
  float x = 0;
  REQUIRE(f.read("x", {}, &x).ok);
  CHECK(x == 3.0f);
}

TEST_CASE("safetensors: every truncation of a small file is an error, not a crash") {
  const float a[3] = {1, 2, 3}, b[2] = {4, 5};
  Bytes full;
  REQUIRE(encode_safetensors({{"a", {3}, a}, {"b", {1, 2}, b}}, {{"seed", "7"}}, &full).ok);
  REQUIRE(parse(full).ok);
  for (std::size_t k = 0; k < full.size(); ++k) {
    Bytes cut(full.begin(), full.begin() + static_cast<std::ptrdiff_t>(k));
    Status s = parse(cut);
    CHECK_FALSE(s.ok);
    CHECK_FALSE(s.message.empty());
  }
  // One byte too many is also caught (the buffer must be entirely indexed).
  Bytes longer = full;
  longer.push_back(0);
  expect_error(longer, "cover");
}

TEST_CASE("safetensors: any single corrupted byte never crashes") {
  const float a[3] = {1, 2, 3};
  Bytes full;
  REQUIRE(encode_safetensors({{"a", {3}, a}}, {{"k", "v"}}, &full).ok);
  const std::uint8_t values[] = {0x00, 0x22, 0x5C, 0x7B, 0x7D, 0x5B, 0x5D, 0x3A, 0x2C, 0x39, 0xFF};
  int errors = 0, oks = 0;
  for (std::size_t i = 0; i < full.size(); ++i)
    for (std::uint8_t v : values) {
      if (full[i] == v) continue;
      Bytes bad = full;
      bad[i] = v;
      SafetensorsFile f;
      if (f.parse(bad, "fuzz").ok) {
        ++oks;  // e.g. a changed data byte or a renamed key: still a valid file, so readable
        for (const TensorEntry& e : f.tensors()) {
          std::vector<float> dst(e.count());
          CHECK(f.read(e.name, e.shape, dst.data()).ok);
        }
      } else {
        ++errors;
      }
    }
  CHECK(errors > 0);
  CHECK(oks > 0);
}

TEST_CASE("safetensors: damaged headers give clear errors") {
  const std::string t = "\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}";
  const Bytes d8(8, 0), d12(12, 0);
  REQUIRE(parse(make_file("{" + t + "}", d8)).ok);  // the good file the others break

  expect_error(Bytes{}, "at least 8");
  expect_error(make_file("{" + t, d8), "expected ',' or '}'");  // missing brace
  expect_error(make_file("{" + t + "}", d8, 1000), "runs past the end");
  expect_error(make_file("{" + t + "}", d8, ~std::uint64_t(0)), "runs past the end");  // no overflow
  expect_error(make_file("[" + t + "]", d8), "'{'");
  expect_error(make_file("{" + t + "} x", d8), "after the JSON object");
  expect_error(make_file("{\"a\":{\"dtype\":\"F16\",\"shape\":[4],\"data_offsets\":[0,8]}}", d8),
               "\"F16\"");
  expect_error(make_file("{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", d8),
               "run past");  // offsets out of range
  expect_error(make_file("{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", d8),
               "hold 8 bytes");  // shape * 4 != end - begin
  expect_error(make_file("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,0]}}", d8),
               "begin > end");
  expect_error(make_file("{" + t + ",\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", d12),
               "overlap");
  expect_error(make_file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                         "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}", d12),
               "no holes");
  expect_error(make_file("{" + t + "," + t + "}", d8), "appears twice");
  expect_error(make_file("{\"a\":{\"dtype\":\"F32\",\"shape\":[2.5],\"data_offsets\":[0,8]}}", d8),
               "non-negative integer");
  expect_error(make_file("{\"a\":{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]}}", d8),
               "non-negative integer");
  expect_error(make_file("{\"a\":{\"dtype\":\"F32\",\"shape\":[99999999999999999999],"
                         "\"data_offsets\":[0,8]}}", d8), "64 bits");
  expect_error(make_file("{\"a\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296,4294967296],"
                         "\"data_offsets\":[0,8]}}", d8), "too many");  // product overflows
  expect_error(make_file("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0]}}", d8),
               "expected 2");
  expect_error(make_file("{\"a\":{\"dtype\":\"F32\",\"shape\":[2]}}", d8), "data_offsets");
  expect_error(make_file("{\"__metadata__\":{\"k\":1}," + t + "}", d8), "'\"' (a string)");
  expect_error(make_file("{\"__metadata__\":{\"k\":\"a\nb\"}," + t + "}", d8), "control");
  expect_error(make_file("{\"__metadata__\":{\"k\":\"\\ud800\"}," + t + "}", d8), "surrogate");
  expect_error(make_file("{\"__metadata__\":{\"k\":\"\\q\"}," + t + "}", d8), "found 'q'");
  expect_error(make_file("{\"__metadata__\":{\"k\":\"abc", {}), "unterminated");
  // Deep nesting in an ignored field is refused, not recursed into without limit.
  std::string deep = "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8],\"x\":";
  deep += std::string(100000, '[') + std::string(100000, ']') + "}}";
  expect_error(make_file(deep, d8), "64 levels");
  // The error says at which file byte the JSON went wrong: byte 8 + 6 here.
  Status s = parse(make_file("{\"a\":{]", d8));
  CHECK(s.message.find("at byte 14 of the file") != std::string::npos);
}

TEST_CASE("safetensors: file errors and writer misuse are Status errors") {
  SafetensorsFile f;
  Status s = f.load("/nonexistent-dir/x.safetensors");
  CHECK_FALSE(s.ok);
  CHECK(s.message.find("/nonexistent-dir/x.safetensors") != std::string::npos);
  const float a[1] = {0};
  CHECK_FALSE(save_safetensors("/nonexistent-dir/x.safetensors", {{"a", {1}, a}}, {}).ok);
  Bytes out;
  CHECK_FALSE(encode_safetensors({{"a", {1}, a}, {"a", {1}, a}}, {}, &out).ok);
  CHECK_FALSE(encode_safetensors({{"__metadata__", {1}, a}}, {}, &out).ok);
  CHECK_FALSE(encode_safetensors({{"a", {-1}, a}}, {}, &out).ok);
  CHECK_FALSE(encode_safetensors({{"a", {1}, nullptr}}, {}, &out).ok);
  // An empty file list with metadata only is valid ("{...}" and no data).
  REQUIRE(encode_safetensors({}, {{"k", "v"}, {"max", "18446744073709551615"},
                                  {"over", "18446744073709551616"}, {"empty", ""}}, &out).ok);
  SafetensorsFile m;
  REQUIRE(m.parse(out, "meta").ok);
  std::uint64_t x = 0;
  CHECK(m.meta_u64("max", &x).ok);
  CHECK(x == UINT64_MAX);
  Status over = m.meta_u64("over", &x);
  CHECK_FALSE(over.ok);
  CHECK(over.message.find("18446744073709551616") != std::string::npos);
  CHECK_FALSE(m.meta_u64("empty", &x).ok);
}
