// config_escape.cpp - string settings in config text (config.txt, a checkpoint's "config"
// metadata), escaped so that any bytes round-trip and one setting stays one line.
//
// A value is written as is except: '\' as "\\", newline "\n", carriage return "\r", tab "\t",
// every other control byte (0x00-0x1f, 0x7f) and every byte that is not part of a well-formed
// UTF-8 sequence as "\xHH" (two lower-case hex digits). So the text is valid UTF-8 (the
// checkpoint's JSON header needs it), a path with a newline cannot start a new setting
// ("data = a\nmodel = gan" stays the data path), and well-formed UTF-8 (e.g. "données") stays
// readable. Reading accepts exactly these escapes; anything else after '\' is an error.
#include <cstdio>

#include "dgm/run/config.h"

namespace dgm {
namespace {

// Length of the well-formed UTF-8 sequence at s[i] (1 to 4), or 0 if there is none (RFC 3629:
// no overlong forms, no surrogates, nothing above U+10FFFF).
std::size_t utf8_length(const std::string& s, std::size_t i) {
  const auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = b(i);
  const std::size_t left = s.size() - i;
  auto cont = [&](std::size_t k) { return k < s.size() && (b(k) & 0xC0) == 0x80; };
  if (c < 0x80) return 1;
  if (c >= 0xC2 && c <= 0xDF) return left >= 2 && cont(i + 1) ? 2 : 0;
  if (c >= 0xE0 && c <= 0xEF) {
    if (left < 3 || !cont(i + 1) || !cont(i + 2)) return 0;
    if (c == 0xE0 && b(i + 1) < 0xA0) return 0;  // overlong
    if (c == 0xED && b(i + 1) > 0x9F) return 0;  // surrogates
    return 3;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    if (left < 4 || !cont(i + 1) || !cont(i + 2) || !cont(i + 3)) return 0;
    if (c == 0xF0 && b(i + 1) < 0x90) return 0;  // overlong
    if (c == 0xF4 && b(i + 1) > 0x8F) return 0;  // above U+10FFFF
    return 4;
  }
  return 0;
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string escape_config_value(const std::string& v) {
  std::string out;
  out.reserve(v.size());
  for (std::size_t i = 0; i < v.size();) {
    const unsigned char c = static_cast<unsigned char>(v[i]);
    if (c == '\\') out += "\\\\";
    else if (c == '\n') out += "\\n";
    else if (c == '\r') out += "\\r";
    else if (c == '\t') out += "\\t";
    else if (c < 0x20 || c == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    } else {
      const std::size_t n = utf8_length(v, i);
      if (n == 0) {
        char buf[8];
        std::snprintf(buf, sizeof buf, "\\x%02x", c);
        out += buf;
        ++i;
        continue;
      }
      out.append(v, i, n);
      i += n;
      continue;
    }
    ++i;
  }
  return out;
}

Status unescape_config_value(const std::string& text, std::string* out) {
  std::string v;
  v.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\n' || c == '\r')
      return Status::Error("a raw line break inside a value (written as \\n or \\r)");
    if (c != '\\') {
      v += c;
      continue;
    }
    if (++i >= text.size()) return Status::Error("the value ends in a lone '\\' (a backslash is written \\\\)");
    switch (text[i]) {
      case '\\': v += '\\'; break;
      case 'n': v += '\n'; break;
      case 'r': v += '\r'; break;
      case 't': v += '\t'; break;
      case 'x': {
        const int hi = i + 1 < text.size() ? hex_digit(text[i + 1]) : -1;
        const int lo = i + 2 < text.size() ? hex_digit(text[i + 2]) : -1;
        if (hi < 0 || lo < 0) return Status::Error("'\\x' must be followed by two hex digits");
        v += static_cast<char>(hi * 16 + lo);
        i += 2;
        break;
      }
      default:
        return Status::Error("unknown escape '\\%c' (known: \\\\ \\n \\r \\t \\xHH)", text[i]);
    }
  }
  *out = v;
  return Status::Ok();
}

}  // namespace dgm
