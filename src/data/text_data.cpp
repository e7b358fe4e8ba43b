// text_data.cpp - the CharRNN's text: UTF-8 decoding, the vocabulary, the fixed 90/10 split
// (see include/dgm/text_data.h).
#include "dgm/data/text_data.h"

#include <algorithm>
#include <filesystem>
#include <sstream>
#include <system_error>

#include "dgm/io/fileio.h"

namespace dgm {

const char* const kTextExcerpt = "datasets/fortunes-ru/excerpt.txt";
const char* const kSystemTextDir = "/usr/share/games/fortunes/ru";

Status decode_utf8(const std::string& bytes, const std::string& where, std::vector<std::uint32_t>* out) {
  out->clear();
  const std::size_t n = bytes.size();
  for (std::size_t i = 0; i < n;) {
    const unsigned char b0 = static_cast<unsigned char>(bytes[i]);
    int len = b0 < 0x80 ? 1 : (b0 >> 5) == 6 ? 2 : (b0 >> 4) == 14 ? 3 : (b0 >> 3) == 30 ? 4 : 0;
    std::uint32_t cp = len == 1 ? b0 : len == 2 ? (b0 & 0x1fu) : len == 3 ? (b0 & 0x0fu) : (b0 & 0x07u);
    bool ok = len > 0 && i + static_cast<std::size_t>(len) <= n;
    for (int k = 1; ok && k < len; ++k) {
      const unsigned char b = static_cast<unsigned char>(bytes[i + static_cast<std::size_t>(k)]);
      ok = (b >> 6) == 2;
      cp = (cp << 6) | (b & 0x3fu);
    }
    static const std::uint32_t kMin[5] = {0, 0, 0x80, 0x800, 0x10000};
    ok = ok && cp >= kMin[len] && cp <= 0x10ffff && !(cp >= 0xd800 && cp <= 0xdfff);
    if (!ok) return Status::Error("%s: not UTF-8 at byte %zu (0x%02x)", where.c_str(), i, b0);
    out->push_back(cp);
    i += static_cast<std::size_t>(len);
  }
  return Status::Ok();
}

std::string encode_utf8(const std::vector<std::uint32_t>& cps) {
  std::string s;
  for (std::uint32_t c : cps) {
    if (c < 0x80) {
      s += static_cast<char>(c);
    } else if (c < 0x800) {
      s += static_cast<char>(0xc0 | (c >> 6));
      s += static_cast<char>(0x80 | (c & 0x3f));
    } else if (c < 0x10000) {
      s += static_cast<char>(0xe0 | (c >> 12));
      s += static_cast<char>(0x80 | ((c >> 6) & 0x3f));
      s += static_cast<char>(0x80 | (c & 0x3f));
    } else {
      s += static_cast<char>(0xf0 | (c >> 18));
      s += static_cast<char>(0x80 | ((c >> 12) & 0x3f));
      s += static_cast<char>(0x80 | ((c >> 6) & 0x3f));
      s += static_cast<char>(0x80 | (c & 0x3f));
    }
  }
  return s;
}

namespace {

Status read_text(const std::string& path, std::string* out) {
  std::vector<std::uint8_t> bytes;
  Status st = read_file(path, &bytes);
  if (st) out->append(bytes.begin(), bytes.end());
  return st;
}

// The *.u8 files of a folder in byte order of their names.
Status folder_files(const std::string& dir, std::vector<std::string>* files) {
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
    const std::string p = e.path().string();
    if (p.size() > 3 && p.compare(p.size() - 3, 3, ".u8") == 0) files->push_back(p);
  }
  if (ec) return Status::Error("%s: cannot list the folder (%s)", dir.c_str(), ec.message().c_str());
  std::sort(files->begin(), files->end());
  if (files->empty()) return Status::Error("%s: no *.u8 files (fortune files in UTF-8) in this folder", dir.c_str());
  return Status::Ok();
}

}  // namespace

Status load_text_data(const std::string& flag, TextData* out) {
  std::error_code ec;
  std::string path = flag.empty() ? kTextExcerpt : flag;
  if (flag == "full" && !std::filesystem::exists(flag, ec)) {
    path = kSystemTextDir;
    if (!std::filesystem::is_directory(path, ec))
      return Status::Error("--data full: %s is missing; install Debian's fortunes-ru (`make data`, or sudo apt-get "
                           "install fortunes-ru)", kSystemTextDir);
  }
  if (flag.empty() && !std::filesystem::exists(path, ec))
    return Status::Error("%s is missing (run dgm from the project's folder, or give --data FILE, or --data full "
                         "after installing fortunes-ru)", kTextExcerpt);
  std::string bytes;
  Status st;
  if (std::filesystem::is_directory(path, ec)) {
    std::vector<std::string> files;
    st = folder_files(path, &files);
    for (std::size_t i = 0; st && i < files.size(); ++i) st = read_text(files[i], &bytes);
    out->where = path + " (" + std::to_string(files.size()) + " files)";
  } else {
    st = read_text(path, &bytes);
    out->where = path;
  }
  if (!st) return st;
  std::vector<std::uint32_t> cps;
  st = decode_utf8(bytes, path, &cps);
  if (!st) return st;
  if (cps.size() < 1000)
    return Status::Error("%s: %zu characters; the CharRNN needs at least 1000 (90%% train, 10%% held out)",
                         path.c_str(), cps.size());
  out->vocab = cps;
  std::sort(out->vocab.begin(), out->vocab.end());
  out->vocab.erase(std::unique(out->vocab.begin(), out->vocab.end()), out->vocab.end());
  if (out->vocab.size() < 2) return Status::Error("%s: only one distinct character", path.c_str());
  std::vector<int> ids(cps.size());
  for (std::size_t i = 0; i < cps.size(); ++i)
    ids[i] = static_cast<int>(std::lower_bound(out->vocab.begin(), out->vocab.end(), cps[i]) - out->vocab.begin());
  const std::size_t cut = cps.size() / 10 * 9;  // the first 90% train, the rest is held out
  out->train.assign(ids.begin(), ids.begin() + static_cast<std::ptrdiff_t>(cut));
  out->held_out.assign(ids.begin() + static_cast<std::ptrdiff_t>(cut), ids.end());
  return Status::Ok();
}

Status text_ids(const std::string& s, const std::vector<std::uint32_t>& vocab, std::vector<int>* ids) {
  std::vector<std::uint32_t> cps;
  Status st = decode_utf8(s, "the text", &cps);
  if (!st) return st;
  ids->clear();
  for (std::size_t i = 0; i < cps.size(); ++i) {
    auto it = std::lower_bound(vocab.begin(), vocab.end(), cps[i]);
    if (it == vocab.end() || *it != cps[i])
      return Status::Error("character %zu, '%s' (U+%04X), is not in the model's vocabulary of %zu characters", i + 1,
                           encode_utf8({cps[i]}).c_str(), cps[i], vocab.size());
    ids->push_back(static_cast<int>(it - vocab.begin()));
  }
  return Status::Ok();
}

std::string vocab_to_text(const std::vector<std::uint32_t>& vocab) {
  std::string s;
  for (std::size_t i = 0; i < vocab.size(); ++i) s += (i ? " " : "") + std::to_string(vocab[i]);
  return s;
}

Status vocab_from_text(const std::string& text, std::vector<std::uint32_t>* vocab) {
  vocab->clear();
  std::istringstream in(text);
  std::string w;
  while (in >> w) {
    char* end = nullptr;
    const unsigned long v = std::strtoul(w.c_str(), &end, 10);
    if (w.empty() || *end || w[0] == '-' || v > 0x10ffff || (!vocab->empty() && v <= vocab->back()))
      return Status::Error("vocab: '%s' is not an ascending code point after %zu entries", w.c_str(), vocab->size());
    vocab->push_back(static_cast<std::uint32_t>(v));
  }
  if (vocab->size() < 2) return Status::Error("vocab: %zu characters; at least 2 expected", vocab->size());
  return Status::Ok();
}

}  // namespace dgm
