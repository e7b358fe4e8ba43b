// fileio.h - whole-file reads, atomic writes and run folders, for the io/ layer.
//
// Not part of the core (the core needs no file system). Every function returns a Status whose
// message names the path and the system's reason (strerror) on failure; nothing throws.
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "dgm/io/status.h"

namespace dgm {

// Reads the whole file at `path` into *out (replacing its contents). Errors start with the path:
// "PATH: cannot open: No such file or directory".
Status read_file(const std::string& path, std::vector<std::uint8_t>* out);

// Writes n bytes to "<path>.tmp" (replacing a left-over one from a killed write), fsyncs and
// closes it, fsyncs its folder, renames it over `path` and fsyncs the folder again. A reader
// never sees a half-written file: either the old file or the new one (rename is atomic on POSIX
// file systems), and after a power loss the new file is complete (its bytes reached the disk
// before the rename, and the rename itself after the last fsync). On failure the temporary file
// is removed and `path` is left as it was; the message names `path` ("cannot write
// 'runs/x/model.safetensors': Permission denied"), not the .tmp file. (Without POSIX, e.g. Windows: no fsyncs.)
Status write_file_atomic(const std::string& path, const void* data, std::size_t n);
Status write_file_atomic(const std::string& path, const std::vector<std::uint8_t>& bytes);
Status write_text_atomic(const std::string& path, const std::string& text);

// fflush, then fsync: what f holds is on disk when this returns ok (path: for the message).
Status flush_to_disk(std::FILE* f, const std::string& path);
// fsync of the folder holding path (after a rename into it); best effort, no error.
void sync_folder_of(const std::string& path);

// Creates the folder and any missing parents (mkdir -p). Ok if it already exists as a folder.
Status make_dirs(const std::string& path);

// "out/run1" + "samples/epoch_001.png" -> "out/run1/samples/epoch_001.png".
std::string join_path(const std::string& folder, const std::string& name);

// The extension of the last path component, lower-cased, without the dot ("" if none):
// "a/b.PNG" -> "png", "a.b/c" -> "".
std::string path_extension(const std::string& path);

}  // namespace dgm
