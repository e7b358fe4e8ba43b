// version.h - the project's version: the one place it is defined (`dgm --version` prints it).
#pragma once

#define DGM_VERSION "0.1.0"

namespace dgm {

// "0.1.0", or "0.1.0 (git 8751019)" when the Makefile built it from a git checkout (it passes
// -DDGM_GIT_COMMIT to src/run/version.cpp only; a build from a tarball or by CMake has no commit).
const char* version_text();

}  // namespace dgm
