// run_files.cpp - dgm's files in a run folder (see include/dgm/run/run_files.h).
#include "dgm/run/run_files.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <system_error>

#include "dgm/io/fileio.h"

namespace dgm {
namespace {

namespace fs = std::filesystem;

// Every file train.cpp writes in a run folder (and the ".tmp" of its atomic write).
const char* const kFiles[] = {"config.txt", "metrics.csv", "model.safetensors", "recon.png", "codes.svg", "samples.png", "filters.png", "likelihood.txt"};

bool all_digits(const std::string& s, std::size_t from, std::size_t n) {
  if (s.size() < from + n) return false;
  for (std::size_t i = from; i < from + n; ++i)
    if (s[i] < '0' || s[i] > '9') return false;
  return true;
}

bool ends_with(const std::string& s, const std::string& tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

bool is_dgm_file(std::string name) {
  if (ends_with(name, ".tmp")) name.resize(name.size() - 4);
  for (const char* f : kFiles)
    if (name == f) return true;
  return false;
}

// samples/epoch_NNN.png (3 or more digits) and samples/iter_NNNNNN.svg (6 or more).
bool is_dgm_sample(std::string name) {
  if (ends_with(name, ".tmp")) name.resize(name.size() - 4);
  auto numbered = [&](const std::string& head, const std::string& ext, std::size_t digits) {
    if (name.compare(0, head.size(), head) != 0 || !ends_with(name, ext)) return false;
    const std::size_t n = name.size() - head.size() - ext.size();
    return n >= digits && all_digits(name, head.size(), n);
  };
  return numbered("epoch_", ".png", 3) || numbered("iter_", ".svg", 6);
}

}  // namespace

std::vector<std::string> run_outputs(const std::string& out) {
  std::vector<std::string> found;
  std::error_code ec;
  if (!fs::is_directory(out, ec)) return found;
  for (fs::directory_iterator it(out, ec), end; !ec && it != end; it.increment(ec))
    if (it->is_regular_file(ec) && is_dgm_file(it->path().filename().string()))
      found.push_back(it->path().filename().string());
  const fs::path samples = fs::path(out) / "samples";
  if (fs::is_directory(samples, ec))
    for (fs::directory_iterator it(samples, ec), end; !ec && it != end; it.increment(ec))
      if (it->is_regular_file(ec) && is_dgm_sample(it->path().filename().string()))
        found.push_back("samples/" + it->path().filename().string());
  std::sort(found.begin(), found.end());
  return found;
}

Status clear_run_outputs(const std::string& out) {
  for (const std::string& f : run_outputs(out)) {
    std::error_code ec;
    fs::remove(fs::path(out) / f, ec);
    if (ec) return Status::Error("--force: cannot delete %s: %s", join_path(out, f).c_str(), ec.message().c_str());
  }
  std::error_code ec;
  const fs::path samples = fs::path(out) / "samples";
  if (fs::is_directory(samples, ec) && fs::is_empty(samples, ec)) fs::remove(samples, ec);
  return Status::Ok();
}

Status cut_metrics(const std::string& path, std::int64_t step, MetricsCut* cut) {
  *cut = MetricsCut{};
  std::error_code ec;
  if (!fs::exists(path, ec)) return Status::Ok();
  std::vector<std::uint8_t> bytes;
  Status st = read_file(path, &bytes);
  if (!st) return st;
  const std::string text(bytes.begin(), bytes.end());
  std::size_t keep = 0, fields = 0;  // bytes kept; fields of the header
  for (std::size_t pos = 0; pos < text.size();) {
    const std::size_t nl = text.find('\n', pos);
    if (nl == std::string::npos) break;  // an incomplete last line
    const std::string line = text.substr(pos, nl - pos);
    const std::size_t n = static_cast<std::size_t>(std::count(line.begin(), line.end(), ',')) + 1;
    if (pos == 0) {
      if (line.compare(0, 5, "step,") != 0)
        return Status::Error("%s: the first line is not dgm's header (step,epoch,...): not cutting it back; "
                             "move it away to resume", path.c_str());
      cut->has_header = true;
      fields = n;
    } else {
      char* end = nullptr;
      const long long s = std::strtoll(line.c_str(), &end, 10);
      if (end == line.c_str() || *end != ',' || n != fields || s > step) break;
      cut->seconds = std::strtod(line.c_str() + line.rfind(',') + 1, nullptr);
      ++cut->rows_kept;
    }
    keep = nl + 1;
    pos = nl + 1;
  }
  if (keep == text.size()) return Status::Ok();
  cut->rows_dropped = static_cast<std::int64_t>(std::count(text.begin() + static_cast<std::ptrdiff_t>(keep), text.end(), '\n')) +
                      (text.back() != '\n' ? 1 : 0);
  return write_file_atomic(path, text.data(), keep);  // fsynced, as every write
}

}  // namespace dgm
