// version.cpp - the version string (see include/dgm/run/version.h).
#include "dgm/run/version.h"

namespace dgm {

const char* version_text() {
#ifdef DGM_GIT_COMMIT
  return DGM_VERSION " (git " DGM_GIT_COMMIT ")";
#else
  return DGM_VERSION;
#endif
}

}  // namespace dgm
