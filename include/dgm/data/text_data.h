// text_data.h - text for the CharRNN: Debian's fortunes-ru (Russian fortune cookies, UTF-8),
// read as Unicode code points.
//
// Characters are UTF-8 code points, not bytes: the lectures and the text are Russian, where a
// Cyrillic letter is two bytes; a byte model would spend steps on the first byte of every letter
// and its "bits per character" would be per byte. One id per code point keeps bits per character
// what a reader means by it.
// Where the text is read from (resolve by --data):
//   ""      datasets/fortunes-ru/excerpt.txt, the shipped excerpt (86,909 characters; datasets/README.md)
//   "full"  every *.u8 file of /usr/share/games/fortunes/ru (Debian's fortunes-ru), in byte order
//           of their names, concatenated (2,029,530 characters)
//   a file  that file; a folder: its *.u8 files as for "full".
// The vocabulary is the sorted set of code points of the whole text (both splits). The split is
// fixed: the first 90% of the characters train, the last 10% are held out.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "dgm/io/status.h"

namespace dgm {

extern const char* const kTextExcerpt;    // "datasets/fortunes-ru/excerpt.txt"
extern const char* const kSystemTextDir;  // "/usr/share/games/fortunes/ru"

struct TextData {
  std::string where;                 // what was read
  std::vector<std::uint32_t> vocab;  // id -> code point, ascending
  std::vector<int> train, held_out;  // ids
};

// UTF-8 to code points; an error names `where` and the byte offset of the first bad sequence
// (overlong forms, surrogates and values above U+10FFFF are rejected).
Status decode_utf8(const std::string& bytes, const std::string& where, std::vector<std::uint32_t>* out);
std::string encode_utf8(const std::vector<std::uint32_t>& cps);

// Reads the text (see above), builds the vocabulary and the 90/10 split.
Status load_text_data(const std::string& flag, TextData* out);

// The ids of s in vocab; an error names the first character not in it (and its position).
Status text_ids(const std::string& s, const std::vector<std::uint32_t>& vocab, std::vector<int>* ids);

// The vocabulary as text for a checkpoint: code points in decimal, space-separated; and back
// (an error for anything but ascending code points <= U+10FFFF, at least 2).
std::string vocab_to_text(const std::vector<std::uint32_t>& vocab);
Status vocab_from_text(const std::string& text, std::vector<std::uint32_t>* vocab);

}  // namespace dgm
