#!/usr/bin/env bash
# rbm_peer.sh - dgm's RBM beside scikit-learn's BernoulliRBM (rbm_sklearn.py): same binarized
# data, hidden size, learning rate, batch and epochs, both on 2 threads, runs interleaved
# (dgm, sklearn, dgm, sklearn, ...) so that a loaded machine slows both alike.
#   docs/reference/rbm_peer.sh [DATA_DIR] [EPOCHS] [REPS]     (defaults: full data, 5 epochs, 2 reps)
# Prints per run: seconds per epoch and the pseudo-likelihood on the first 1,000 test images.
set -eu
data=${1:-/usr/share/datasets/fashion-mnist}
epochs=${2:-5}
reps=${3:-2}
dgm=${DGM:-build/dgm}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for r in $(seq 1 "$reps"); do
  "$dgm" train rbm --data "$data" --hidden 500 --lr 0.05 --batch 100 --epochs "$epochs" --cd pcd --k 1 \
    --threads 2 --ais 0 --out "$out/dgm$r" > /dev/null
  awk -F, -v e="$epochs" 'NR > 1 { s += $5; pl = $4 } END {
    printf "dgm     rep %d: %.2f s/epoch, pseudo_likelihood %.3f (first 1000 test images)\n", r, s / e, pl }' r="$r" \
    "$out/dgm$r/metrics.csv"
  printf "sklearn rep %d: " "$r"
  OPENBLAS_NUM_THREADS=2 OMP_NUM_THREADS=2 MKL_NUM_THREADS=2 /usr/bin/python3 "$(dirname "$0")/rbm_sklearn.py" \
    --data "$data" --hidden 500 --lr 0.05 --batch 100 --epochs "$epochs"
done
# The floor under any RBM epoch on this BLAS: the same five products alone (float64 and float32).
OPENBLAS_NUM_THREADS=2 OMP_NUM_THREADS=2 MKL_NUM_THREADS=2 /usr/bin/python3 "$(dirname "$0")/rbm_sklearn.py" \
  --data "$data" --hidden 500 --batch 100 --gemm-floor
