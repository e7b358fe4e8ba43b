// json_reader.h - a tiny pull-style JSON reader for the safetensors header (internal to io/).
//
// Just enough JSON (RFC 8259) for safetensors: objects, strings with every escape including
// \uXXXX surrogate pairs (decoded to UTF-8), non-negative integers and arrays of them; any other
// value (numbers, true/false/null, nested arrays/objects) can be skipped, nesting at most 64 deep
// so a hostile header cannot overflow the stack. Every function returns false on the first error
// and leaves a message saying what was expected, what was found and at which file byte.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace dgm {

class JsonReader {
 public:
  // text: n bytes of JSON; base: the file offset of text[0], used in messages.
  JsonReader(const char* text, std::size_t n, std::size_t base) : p_(text), n_(n), base_(base) {}

  void skip_ws();
  bool at_end();                       // only whitespace left
  bool consume(char c, const char* what);  // skips whitespace, then requires c

  // Objects: object_open consumes '{' and sets *done if it is empty ('{}'). After each member's
  // value, object_next consumes ',' (*done = false) or '}' (*done = true).
  bool object_open(bool* done);
  bool object_next(bool* done);

  bool read_string(std::string* out);
  bool read_uint(std::uint64_t* out);
  bool read_uint_array(std::vector<std::uint64_t>* out);
  bool skip_value(int depth = 0);

  // Records an error at the current position (printf-style) and returns false.
  bool fail(const char* format, ...)
#if defined(__GNUC__)
      __attribute__((format(printf, 2, 3)))
#endif
      ;
  const std::string& error() const { return error_; }
  std::size_t file_offset() const { return base_ + i_; }

 private:
  std::string found() const;  // what is at the current position, for messages
  bool read_hex4(unsigned* out);

  const char* p_;
  std::size_t n_, base_, i_ = 0;
  std::string error_;
};

}  // namespace dgm
