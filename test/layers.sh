#!/usr/bin/env bash
# layers.sh - the folders are the layers, and a lower layer never includes a higher one (run by
# `make test`; docs/architecture.md has the picture). Every file under src/<layer>/ and
# include/dgm/<layer>/ may include headers of its own layer and of the layers below it:
#
#   cli                 src/cli/                the `dgm` command
#   run                 run/                    flags, trainer, checkpoints, outputs, evaluation, export, page
#   models | theory     models/ | theory/       side by side: neither includes the other
#   data                data/                   data sets and batches, sample quality against them
#   io                  io/                     files and formats (std library only)
#   core                core/                   tensor, tape, ops, nn, optim, rng, params (no exceptions)
#   backend             backend/                gemm, threads, vector math, device memory, CUDA kernels
#   core/check.h        the check macro: below everything, the backend reports through it too
#
# Exit 1 with the offending lines when a file includes a header of a higher (or sideways) layer.
# The energy-based models' theory checks test the models' own RBM, DBN and DBM code against exact
# enumeration, so these theory files include those model headers (and nothing else of
# models/):
known="include/dgm/theory/rbm.h:models/rbm.h src/theory/rbm.cpp:models/rbm_ais.h src/theory/dbn.cpp:models/dbn.h src/theory/dbm.cpp:models/dbm.h src/theory/dbm.cpp:models/dbm_ais.h"
set -u
cd "$(dirname "$0")/.."
rank() {
  case $1 in
    core/check.h) echo 0 ;;
    backend/*) echo 1 ;;
    core/*) echo 2 ;;
    io/*) echo 3 ;;
    data/*) echo 4 ;;
    models/*) echo 5 ;;
    theory/*) echo 5 ;;
    run/*) echo 6 ;;
    cli/*) echo 7 ;;
    *) echo "?" ;;
  esac
}
bad=0 n=0
for f in $(find src include/dgm -name '*.h' -o -name '*.cpp' -o -name '*.cu' | sort); do
  rel=${f#src/}; rel=${rel#include/dgm/}
  me=$(rank "$rel")
  [ "$me" = "?" ] && { echo "layers: $f is in no layer folder"; bad=1; continue; }
  mylayer=${rel%%/*}
  while IFS= read -r line; do
    inc=$(printf '%s' "$line" | sed -E 's/^#include "(dgm\/|\.\.\/)?([^"]*)".*/\2/')
    case $inc in */*) ;; *) continue ;; esac  # a header beside this file
    n=$((n + 1))
    them=$(rank "$inc")
    layer=${inc%%/*}
    case " $known " in *" $f:$inc "*) continue ;; esac
    if [ "$them" = "?" ] || [ "$them" -gt "$me" ] || { [ "$them" -eq "$me" ] && [ "$layer" != "$mylayer" ] && [ "$inc" != core/check.h ]; }; then
      echo "layers: $f includes $inc (layer ${layer}, above or beside ${mylayer})"
      bad=1
    fi
  done < <(grep -E '^#include "' "$f")
done
[ $bad -eq 0 ] && echo "layers: $n includes, none from a higher layer${known:+ but: $known}"
exit $bad
