// fileio.cpp - whole-file reads, atomic writes, mkdir -p (see include/dgm/io/fileio.h).
#include "dgm/io/fileio.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <system_error>

#include "dgm/io/kill_point.h"

#if defined(__unix__) || defined(__APPLE__)
#include <fcntl.h>
#include <unistd.h>
#define DGM_HAVE_FSYNC 1
#endif

namespace dgm {
namespace {

// fsync of a folder: makes the entries created or renamed in it durable. 0 or an errno.
int sync_folder(const std::string& folder) {
#ifdef DGM_HAVE_FSYNC
  const int fd = ::open(folder.empty() ? "." : folder.c_str(), O_RDONLY | O_DIRECTORY);
  if (fd < 0) return errno;
  // EINVAL: a file system that cannot sync folders (some FUSE and network ones): nothing to do.
  const int err = ::fsync(fd) != 0 && errno != EINVAL ? errno : 0;
  ::close(fd);
  return err;
#else
  (void)folder;
  return 0;
#endif
}

std::string folder_of(const std::string& path) {
  const std::size_t slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

}  // namespace

Status read_file(const std::string& path, std::vector<std::uint8_t>* out) {
  out->clear();
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec))  // fopen accepts a folder on Linux; ftell lies there
    return Status::Error("%s: cannot read: it is a folder, expected a file", path.c_str());
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) return Status::Error("%s: cannot open: %s", path.c_str(), std::strerror(errno));
  // The size is a hint for the first read (size + 1 bytes, so a file that grew is noticed);
  // reading decides in the end. Without it (a pipe) the first read is 64 KB.
  std::size_t chunk = std::size_t{1} << 16;
  if (std::fseek(f, 0, SEEK_END) == 0) {
    const long size = std::ftell(f);
    if (size >= 0 && size < (1L << 30)) chunk = static_cast<std::size_t>(size) + 1;
    std::rewind(f);
  }
  // Read until a short read rather than trusting the size: works for pipes and for files that
  // change while we read. Resizing by the chunk read, not by a fixed 1 MB, keeps reading a small
  // file (a config, a 2 KB checkpoint) from zeroing a megabyte first.
  for (;;) {
    const std::size_t have = out->size();
    out->resize(have + chunk);
    const std::size_t got = std::fread(out->data() + have, 1, chunk, f);
    out->resize(have + got);
    if (got < chunk) break;
    chunk = std::size_t{1} << 20;
  }
  const bool failed = std::ferror(f) != 0;
  const int err = errno;
  std::fclose(f);
  if (failed) {
    out->clear();
    return Status::Error("%s: read error: %s", path.c_str(), std::strerror(err));
  }
  return Status::Ok();
}

Status write_file_atomic(const std::string& path, const void* data, std::size_t n) {
  // Errors name `path`, the file the user asked for, not the temporary file beside it.
  const std::string tmp = path + ".tmp";
  std::remove(tmp.c_str());  // a left-over from a killed write (even a read-only one) is replaced
  std::FILE* f = std::fopen(tmp.c_str(), "wb");
  if (!f) {
    const int err = errno;
    const std::string folder = std::filesystem::path(path).parent_path().string();
    std::error_code ec;
    if (err == ENOENT && !folder.empty() && !std::filesystem::is_directory(folder, ec))
      return Status::Error("cannot write '%s': no folder '%s'", path.c_str(), folder.c_str());
    return Status::Error("cannot write '%s': %s", path.c_str(), std::strerror(err));
  }
  // Written in two halves only so that the test-only kill point (kill_point.h) can stop the process
  // with half of the file in "<path>.tmp".
  const std::size_t half = n / 2;
  const char* bytes = static_cast<const char*>(data);
  bool ok = half == 0 || std::fwrite(bytes, 1, half, f) == half;
  if (ok && std::fflush(f) == 0) kill_point(("write:" + path.substr(path.find_last_of('/') + 1)).c_str());
  ok = ok && (n == half || std::fwrite(bytes + half, 1, n - half, f) == n - half);
  int err = errno;
#ifdef DGM_HAVE_FSYNC
  if (ok && ::fsync(fileno(f)) != 0 && errno != EINVAL) {  // the bytes on disk before the rename
    ok = false;
    err = errno;
  }
#endif
  if (std::fclose(f) != 0 && ok) {  // a full disk may only show here
    ok = false;
    err = errno;
  }
  if (!ok) {
    std::remove(tmp.c_str());
    return Status::Error("error writing '%s' (%zu bytes): %s", path.c_str(), n, std::strerror(err));
  }
  const std::string folder = folder_of(path);
  if ((err = sync_folder(folder)) != 0) {  // the .tmp's entry durable before it is renamed
    std::remove(tmp.c_str());
    return Status::Error("cannot sync folder '%s' before renaming '%s': %s", folder.c_str(), tmp.c_str(),
                         std::strerror(err));
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    err = errno;
    std::remove(tmp.c_str());
    return Status::Error("cannot write '%s': %s", path.c_str(), std::strerror(err));
  }
  if ((err = sync_folder(folder)) != 0)  // the rename durable: a power loss now keeps the new file
    return Status::Error("wrote '%s' but cannot sync its folder '%s': %s", path.c_str(), folder.c_str(),
                         std::strerror(err));
  return Status::Ok();
}

Status flush_to_disk(std::FILE* f, const std::string& path) {
  if (std::fflush(f) != 0) return Status::Error("%s: cannot write: %s", path.c_str(), std::strerror(errno));
#if defined(__unix__) || defined(__APPLE__)
  if (fsync(fileno(f)) != 0 && errno != EINVAL && errno != EROFS)  // EINVAL: a pipe or special file
    return Status::Error("%s: cannot sync to disk: %s", path.c_str(), std::strerror(errno));
#endif
  return Status::Ok();
}

void sync_folder_of(const std::string& path) {
#if defined(__unix__) || defined(__APPLE__)
  const std::size_t slash = path.find_last_of('/');
  const std::string dir = slash == std::string::npos ? "." : (slash == 0 ? "/" : path.substr(0, slash));
  const int fd = open(dir.c_str(), O_RDONLY);
  if (fd >= 0) {
    (void)fsync(fd);  // best effort: the rename itself is what keeps the file whole
    close(fd);
  }
#else
  (void)path;
#endif
}

Status write_file_atomic(const std::string& path, const std::vector<std::uint8_t>& bytes) {
  return write_file_atomic(path, bytes.data(), bytes.size());
}

Status write_text_atomic(const std::string& path, const std::string& text) {
  return write_file_atomic(path, text.data(), text.size());
}

Status make_dirs(const std::string& path) {
  if (path.empty()) return Status::Error("make_dirs: empty folder name");
  std::error_code ec;
  std::filesystem::create_directories(path, ec);
  if (ec) return Status::Error("cannot create folder '%s': %s", path.c_str(), ec.message().c_str());
  if (!std::filesystem::is_directory(path, ec))
    return Status::Error("cannot create folder '%s': a file of that name exists", path.c_str());
  return Status::Ok();
}

std::string join_path(const std::string& folder, const std::string& name) {
  if (folder.empty()) return name;
  if (folder.back() == '/') return folder + name;
  return folder + "/" + name;
}

std::string path_extension(const std::string& path) {
  std::size_t slash = path.find_last_of('/');
  std::size_t start = slash == std::string::npos ? 0 : slash + 1;
  std::size_t dot = path.find_last_of('.');
  if (dot == std::string::npos || dot < start) return "";
  std::string ext = path.substr(dot + 1);
  for (char& c : ext)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return ext;
}

}  // namespace dgm
