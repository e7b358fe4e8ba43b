// json_reader.cpp - the minimal JSON reader behind the safetensors header (see json_reader.h).
#include "json_reader.h"

#include <cstdarg>
#include <cstdio>

namespace dgm {

void JsonReader::skip_ws() {
  while (i_ < n_ && (p_[i_] == ' ' || p_[i_] == '\t' || p_[i_] == '\n' || p_[i_] == '\r')) ++i_;
}

bool JsonReader::at_end() {
  skip_ws();
  return i_ == n_;
}

std::string JsonReader::found() const {
  if (i_ >= n_) return "the end of the header";
  char buf[32];
  const unsigned char c = static_cast<unsigned char>(p_[i_]);
  if (c >= 0x20 && c < 0x7F)
    std::snprintf(buf, sizeof buf, "'%c'", c);
  else
    std::snprintf(buf, sizeof buf, "byte 0x%02X", c);
  return buf;
}

bool JsonReader::fail(const char* format, ...) {
  if (!error_.empty()) return false;  // keep the first, most specific message
  char what[256];
  va_list args;
  va_start(args, format);
  std::vsnprintf(what, sizeof what, format, args);
  va_end(args);
  char where[64];
  std::snprintf(where, sizeof where, " at byte %zu of the file", file_offset());
  error_ = std::string(what) + where;
  return false;
}

bool JsonReader::consume(char c, const char* what) {
  skip_ws();
  if (i_ < n_ && p_[i_] == c) {
    ++i_;
    return true;
  }
  return fail("expected %s, found %s", what, found().c_str());
}

bool JsonReader::object_open(bool* done) {
  if (!consume('{', "'{' (an object)")) return false;
  skip_ws();
  *done = i_ < n_ && p_[i_] == '}';
  if (*done) ++i_;
  return true;
}

bool JsonReader::object_next(bool* done) {
  skip_ws();
  if (i_ < n_ && (p_[i_] == ',' || p_[i_] == '}')) {
    *done = p_[i_] == '}';
    ++i_;
    return true;
  }
  return fail("expected ',' or '}' after an object member, found %s", found().c_str());
}

bool JsonReader::read_hex4(unsigned* out) {
  unsigned v = 0;
  for (int k = 0; k < 4; ++k, ++i_) {
    if (i_ >= n_) return fail("expected 4 hex digits after \\u, found %s", found().c_str());
    const char c = p_[i_];
    unsigned d;
    if (c >= '0' && c <= '9') d = static_cast<unsigned>(c - '0');
    else if (c >= 'a' && c <= 'f') d = static_cast<unsigned>(c - 'a' + 10);
    else if (c >= 'A' && c <= 'F') d = static_cast<unsigned>(c - 'A' + 10);
    else return fail("expected 4 hex digits after \\u, found %s", found().c_str());
    v = v * 16 + d;
  }
  *out = v;
  return true;
}

static void put_utf8(std::string* s, unsigned cp) {
  if (cp < 0x80) {
    s->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    s->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    s->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    s->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    s->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    s->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    s->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    s->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    s->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    s->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

bool JsonReader::read_string(std::string* out) {
  out->clear();
  if (!consume('"', "'\"' (a string)")) return false;
  for (;;) {
    if (i_ >= n_) return fail("unterminated string: expected '\"', found the end of the header");
    const unsigned char c = static_cast<unsigned char>(p_[i_]);
    if (c == '"') {
      ++i_;
      return true;
    }
    if (c < 0x20) return fail("expected a string character, found control %s", found().c_str());
    if (c != '\\') {
      out->push_back(static_cast<char>(c));
      ++i_;
      continue;
    }
    ++i_;  // the backslash
    if (i_ >= n_) return fail("expected an escape after '\\', found the end of the header");
    const char e = p_[i_++];
    switch (e) {
      case '"': out->push_back('"'); break;
      case '\\': out->push_back('\\'); break;
      case '/': out->push_back('/'); break;
      case 'b': out->push_back('\b'); break;
      case 'f': out->push_back('\f'); break;
      case 'n': out->push_back('\n'); break;
      case 'r': out->push_back('\r'); break;
      case 't': out->push_back('\t'); break;
      case 'u': {
        unsigned cp;
        if (!read_hex4(&cp)) return false;
        if (cp >= 0xDC00 && cp <= 0xDFFF) return fail("unpaired low surrogate \\u%04X", cp);
        if (cp >= 0xD800 && cp <= 0xDBFF) {  // a high surrogate must be followed by a low one
          unsigned lo;
          if (i_ + 1 >= n_ || p_[i_] != '\\' || p_[i_ + 1] != 'u')
            return fail("expected \\uDC00-\\uDFFF after the high surrogate \\u%04X", cp);
          i_ += 2;
          if (!read_hex4(&lo)) return false;
          if (lo < 0xDC00 || lo > 0xDFFF)
            return fail("expected \\uDC00-\\uDFFF after the high surrogate \\u%04X, found \\u%04X", cp, lo);
          cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
        }
        put_utf8(out, cp);
        break;
      }
      default:
        --i_;
        return fail("expected one of \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\u, found %s", found().c_str());
    }
  }
}

bool JsonReader::read_uint(std::uint64_t* out) {
  skip_ws();
  if (i_ >= n_ || p_[i_] < '0' || p_[i_] > '9')
    return fail("expected a non-negative integer, found %s", found().c_str());
  std::uint64_t v = 0;
  while (i_ < n_ && p_[i_] >= '0' && p_[i_] <= '9') {
    const unsigned d = static_cast<unsigned>(p_[i_] - '0');
    if (v > (UINT64_MAX - d) / 10) return fail("integer does not fit in 64 bits");
    v = v * 10 + d;
    ++i_;
  }
  if (i_ < n_ && (p_[i_] == '.' || p_[i_] == 'e' || p_[i_] == 'E'))
    return fail("expected a non-negative integer, found a fraction or exponent %s", found().c_str());
  *out = v;
  return true;
}

bool JsonReader::read_uint_array(std::vector<std::uint64_t>* out) {
  out->clear();
  if (!consume('[', "'[' (an array of integers)")) return false;
  skip_ws();
  if (i_ < n_ && p_[i_] == ']') {
    ++i_;
    return true;
  }
  for (;;) {
    std::uint64_t v;
    if (!read_uint(&v)) return false;
    out->push_back(v);
    skip_ws();
    if (i_ < n_ && p_[i_] == ',') {
      ++i_;
      continue;
    }
    return consume(']', "',' or ']' in an array");
  }
}

bool JsonReader::skip_value(int depth) {
  if (depth > 64) return fail("JSON nested more than 64 levels deep");
  skip_ws();
  if (i_ >= n_) return fail("expected a value, found the end of the header");
  const char c = p_[i_];
  if (c == '"') {
    std::string ignored;
    return read_string(&ignored);
  }
  if (c == '{') {
    bool done;
    if (!object_open(&done)) return false;
    while (!done) {
      std::string key;
      if (!read_string(&key) || !consume(':', "':' after an object key") || !skip_value(depth + 1) ||
          !object_next(&done))
        return false;
    }
    return true;
  }
  if (c == '[') {
    ++i_;
    skip_ws();
    if (i_ < n_ && p_[i_] == ']') {
      ++i_;
      return true;
    }
    for (;;) {
      if (!skip_value(depth + 1)) return false;
      skip_ws();
      if (i_ < n_ && p_[i_] == ',') {
        ++i_;
        continue;
      }
      return consume(']', "',' or ']' in an array");
    }
  }
  for (const char* lit : {"true", "false", "null"}) {
    std::size_t k = 0;
    while (lit[k] && i_ + k < n_ && p_[i_ + k] == lit[k]) ++k;
    if (!lit[k]) {
      i_ += k;
      return true;
    }
  }
  // A number: -?digits(.digits)?([eE][+-]?digits)? (checked loosely: one digit at least).
  std::size_t start = i_, digits = 0;
  while (i_ < n_) {
    const char d = p_[i_];
    if (d >= '0' && d <= '9') ++digits;
    else if (d != '-' && d != '+' && d != '.' && d != 'e' && d != 'E') break;
    ++i_;
  }
  if (digits > 0) return true;
  i_ = start;
  return fail("expected a JSON value, found %s", found().c_str());
}

}  // namespace dgm
