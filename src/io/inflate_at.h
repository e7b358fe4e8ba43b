// inflate_at.h - internal to src/io: inflate_raw with the offset of the stream in its file, so
// that the gzip and zlib wrappers (gzip.cpp) report errors at file offsets.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

#include "dgm/io/status.h"

namespace dgm {

// As inflate_raw (include/dgm/io/inflate.h); `base` is added to the byte offsets in messages.
Status inflate_at(const std::uint8_t* in, std::size_t n, std::size_t base, std::vector<std::uint8_t>* out,
                  std::size_t* consumed, std::size_t size_hint);

}  // namespace dgm
