// flags.cpp - the one command-line flag parser (include/dgm/io/flags.h).
#include "dgm/io/flags.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <sstream>

#include "dgm/io/suggest.h"

namespace dgm {

FlagTable& FlagTable::str(const char* name, std::string* p, const char* help, const char* value_name) {
  specs_.push_back({name, FlagKind::Str, p, help});
  specs_.back().value_name = value_name;
  return *this;
}

FlagTable& FlagTable::integer(const char* name, int* p, long long lo, long long hi, const char* help,
                              const char* value_name) {
  specs_.push_back({name, FlagKind::Int, p, help, lo, hi, value_name});
  return *this;
}

FlagTable& FlagTable::u64(const char* name, std::uint64_t* p, const char* help, const char* value_name) {
  specs_.push_back({name, FlagKind::U64, p, help});
  specs_.back().value_name = value_name;
  return *this;
}

FlagTable& FlagTable::number(const char* name, float* p, const char* help, const char* value_name) {
  specs_.push_back({name, FlagKind::Float, p, help});
  specs_.back().value_name = value_name;
  return *this;
}

FlagTable& FlagTable::sw(const char* name, bool* p, const char* help) {
  specs_.push_back({name, FlagKind::Bool, p, help});
  specs_.back().value_name = "";
  return *this;
}

const FlagSpec* FlagTable::find(std::string name) const {
  for (char& ch : name)
    if (ch == '_') ch = '-';
  for (const FlagAlias& a : aliases_)
    if (name == a.name) name = a.flag;
  for (const FlagSpec& f : specs_)
    if (name == f.name) return &f;
  return nullptr;
}

bool FlagTable::given(const char* name) const {
  for (std::size_t i = 0; i < specs_.size() && i < given_.size(); ++i)
    if (!std::strcmp(specs_[i].name, name)) return given_[i];
  return false;
}

Status FlagTable::set(const FlagSpec& f, const std::string& v) {
  const char* s = v.c_str();
  char* end = nullptr;
  errno = 0;
  switch (f.kind) {
    case FlagKind::Int: {
      const long long x = std::strtoll(s, &end, 10);
      const bool any = f.lo <= -2147483647LL - 1 && f.hi >= 2147483647LL;
      if (v.empty() || *end || errno || x < f.lo || x > f.hi) {
        if (any) return Status::Error("--%s expects an integer, got '%s'", f.name, s);
        return Status::Error("--%s expects an integer in %lld..%lld, got '%s'", f.name, f.lo, f.hi, s);
      }
      *static_cast<int*>(f.ptr) = static_cast<int>(x);
      break;
    }
    case FlagKind::U64: {
      if (v.empty() || v[0] == '-') return Status::Error("--%s expects a non-negative integer, got '%s'", f.name, s);
      const unsigned long long x = std::strtoull(s, &end, 10);
      if (*end || errno) return Status::Error("--%s expects a non-negative integer, got '%s'", f.name, s);
      *static_cast<std::uint64_t*>(f.ptr) = x;
      break;
    }
    case FlagKind::Float: {
      const float x = std::strtof(s, &end);
      if (v.empty() || *end || errno) return Status::Error("--%s expects a number, got '%s'", f.name, s);
      *static_cast<float*>(f.ptr) = x;
      break;
    }
    case FlagKind::Str: *static_cast<std::string*>(f.ptr) = v; break;
    case FlagKind::Bool:
      if (v == "true" || v == "1") *static_cast<bool*>(f.ptr) = true;
      else if (v == "false" || v == "0") *static_cast<bool*>(f.ptr) = false;
      else return Status::Error("--%s expects true or false, got '%s'", f.name, s);
      break;
    case FlagKind::IntList: {
      std::vector<int> out;
      std::stringstream ss(v);
      std::string item;
      while (std::getline(ss, item, ',')) {
        errno = 0;
        const long x = std::strtol(item.c_str(), &end, 10);
        // The widths' limit is validate()'s (dgm/run/limits.h), with the limit in its message.
        if (item.empty() || *end || errno || x <= 0 || x > 2147483647L)
          return Status::Error("--%s expects positive integers separated by commas (e.g. 400,400), got '%s'", f.name, s);
        out.push_back(static_cast<int>(x));
      }
      if (out.empty()) return Status::Error("--%s expects at least one width, got '%s'", f.name, s);
      *static_cast<std::vector<int>*>(f.ptr) = out;
      break;
    }
  }
  return Status::Ok();
}

std::string FlagTable::value_text(const FlagSpec& f) {
  std::ostringstream s;
  switch (f.kind) {
    case FlagKind::Int: s << *static_cast<int*>(f.ptr); break;
    case FlagKind::Float: {
      // The shortest decimal that reads back as the same float: "0.001", not "0.00100000005"
      // (9 significant digits always round-trip; fewer usually do).
      const float v = *static_cast<float*>(f.ptr);
      for (int digits = 1; digits <= 9; ++digits) {
        std::ostringstream t;
        t.precision(digits);
        t << v;
        if (digits == 9 || std::strtof(t.str().c_str(), nullptr) == v) {
          s << t.str();
          break;
        }
      }
      break;
    }
    case FlagKind::Str: s << *static_cast<std::string*>(f.ptr); break;
    case FlagKind::U64: s << *static_cast<std::uint64_t*>(f.ptr); break;
    case FlagKind::Bool: s << (*static_cast<bool*>(f.ptr) ? "true" : "false"); break;
    case FlagKind::IntList: {
      const auto& v = *static_cast<std::vector<int>*>(f.ptr);
      for (std::size_t i = 0; i < v.size(); ++i) s << (i ? "," : "") << v[i];
      break;
    }
  }
  return s.str();
}

Status FlagTable::parse(int argc, char** argv, std::vector<std::string>* positional) {
  given_.assign(specs_.size(), false);
  for (int i = 0; i < argc; ++i) {
    const std::string a = argv[i];
    if (a.size() < 3 || a[0] != '-' || a[1] != '-') {
      if (positional && !a.empty() && a[0] != '-') {
        positional->push_back(a);
        continue;
      }
      return Status::Error("unexpected argument '%s' (flags look like --name value; see --help)", argv[i]);
    }
    std::string name = a.substr(2), value;
    const std::size_t eq = name.find('=');
    const bool has_value = eq != std::string::npos;
    if (has_value) value = name.substr(eq + 1), name = name.substr(0, eq);
    const FlagSpec* f = find(name);
    if (!f) {
      std::vector<std::string> names;
      for (const FlagSpec& g : specs_) names.push_back(g.name);
      for (const FlagAlias& al : aliases_) names.push_back(al.name);
      return Status::Error("unknown flag --%s%s (see --help)", name.c_str(), did_you_mean(name, names, "--").c_str());
    }
    if (f->kind == FlagKind::Bool && has_value)
      return Status::Error("--%s is a switch: it takes no value (got '%s')", f->name, argv[i]);
    if (f->kind == FlagKind::Bool) {
      value = "true";
    } else if (!has_value) {
      if (i + 1 >= argc) return Status::Error("--%s needs a value", f->name);
      value = argv[++i];
    }
    Status st = set(*f, value);
    if (!st) return st;
    given_[static_cast<std::size_t>(f - specs_.data())] = true;
  }
  return Status::Ok();
}

std::string FlagTable::help(std::size_t width) const {
  std::string s;
  for (const FlagSpec& f : specs_) {
    if (!f.help || !*f.help) continue;
    std::string left = std::string("  --") + f.name;
    const std::string v = f.value_name ? f.value_name : value_text(f);
    if (!f.value_name || *f.value_name) left += " " + v;
    if (left.size() < width) left.resize(width, ' ');
    std::string also;
    for (const FlagAlias& a : aliases_)
      if (!std::strcmp(a.flag, f.name)) also += std::string(" (also --") + a.name + ")";
    std::string text = f.help;
    for (std::size_t p = text.find('\n'); p != std::string::npos; p = text.find('\n', p + 1))
      text.insert(p + 1, std::string(width + 1, ' '));
    s += left + " " + text + also + "\n";
  }
  return s;
}

const char* peek_flag(int argc, char** argv, const char* name) {
  const std::size_t len = std::strlen(name);
  for (int i = 0; i < argc; ++i) {
    if (std::strncmp(argv[i], "--", 2) || std::strncmp(argv[i] + 2, name, len)) continue;
    if (argv[i][len + 2] == '=') return argv[i] + len + 3;
    if (!argv[i][len + 2] && i + 1 < argc) return argv[i + 1];
  }
  return nullptr;
}

}  // namespace dgm
