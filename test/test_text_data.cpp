// test_text_data.cpp - the CharRNN's text (src/text_data.cpp): UTF-8 decoding with its errors,
// the vocabulary, the fixed 90/10 split of the shipped excerpt, priming strings.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "dgm/data/text_data.h"

using namespace dgm;

TEST_CASE("text_data: UTF-8 round trip, and malformed input is an error with its byte offset") {
  const std::string s = "a\xd0\x96\xe2\x82\xac\xf0\x9f\x98\x80\n";  // a, Ж, €, U+1F600, newline
  std::vector<std::uint32_t> cps;
  REQUIRE(decode_utf8(s, "s", &cps));
  CHECK(cps == std::vector<std::uint32_t>{0x61, 0x416, 0x20ac, 0x1f600, 0x0a});
  CHECK(encode_utf8(cps) == s);
  Status st = decode_utf8("ab\xd0", "f.txt", &cps);  // truncated
  CHECK(!st);
  CHECK(st.message == "f.txt: not UTF-8 at byte 2 (0xd0)");
  CHECK(!decode_utf8("\xc0\xaf", "x", &cps));          // overlong '/'
  CHECK(!decode_utf8("\xed\xa0\x80", "x", &cps));      // a surrogate
  CHECK(!decode_utf8("\xf4\x90\x80\x80", "x", &cps));  // above U+10FFFF
  CHECK(!decode_utf8("\x80", "x", &cps));              // a lone continuation byte
}

TEST_CASE("text_data: the shipped excerpt, its vocabulary and the 90/10 split") {
  TextData d;
  REQUIRE(load_text_data("", &d));
  CHECK(d.train.size() + d.held_out.size() == 86909);
  CHECK(d.train.size() == 86909 / 10 * 9);
  CHECK(d.vocab.size() == 98);
  for (std::size_t i = 1; i < d.vocab.size(); ++i) CHECK(d.vocab[i - 1] < d.vocab[i]);
  // The text starts "Аппетит": its first id is the one of U+0410 (Cyrillic capital A).
  CHECK(d.vocab[static_cast<std::size_t>(d.train[0])] == 0x410);
  std::vector<int> ids;
  REQUIRE(text_ids("Аппетит", d.vocab, &ids));
  CHECK(ids.size() == 7);
  for (std::size_t i = 0; i < ids.size(); ++i) CHECK(ids[i] == d.train[i]);
  Status st = text_ids("Ап\xe2\x82\xac", d.vocab, &ids);  // the euro sign is not in the text
  CHECK(!st);
  CHECK(st.message.find("character 3, '\xe2\x82\xac' (U+20AC), is not in the model's vocabulary of 98") != std::string::npos);
  std::vector<std::uint32_t> v;
  REQUIRE(vocab_from_text(vocab_to_text(d.vocab), &v));
  CHECK(v == d.vocab);
  CHECK(!vocab_from_text("10 9", &v));
  CHECK(!vocab_from_text("10 x", &v));
  CHECK(!vocab_from_text("10", &v));
  CHECK(!load_text_data("/nonexistent/file.txt", &d));
}
