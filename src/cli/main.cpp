// main.cpp - the `dgm` command (placeholder until the CLI lands).
#include <cstdio>
#include <cstring>

#include "dgm/theory/report.h"

int main(int argc, char** argv) {
  if (argc >= 2 && !std::strcmp(argv[1], "theory")) return dgm::theory_main(argc - 2, argv + 2);
  std::fprintf(stderr, "usage: dgm theory [--list]\n");
  return 2;
}
