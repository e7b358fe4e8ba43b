#!/bin/sh
# make_subset.sh - regenerate datasets/fashion-mnist-subset/ from Debian's dataset-fashion-mnist.
#
# Takes the first NTRAIN training and the first NTEST test images and labels (file order, no
# shuffling), rewrites the count field of each IDX header, and compresses with `gzip -9 -n`
# (-n: no file name or time stamp in the header, so the output is byte-for-byte reproducible
# with the same gzip version). Needs only POSIX sh, head, tail, printf and gzip.
#
#   sh datasets/make_subset.sh [SRC_DIR] [OUT_DIR]
set -eu
SRC=${1:-/usr/share/datasets/fashion-mnist}
OUT=${2:-$(dirname "$0")/fashion-mnist-subset}
NTRAIN=10000
NTEST=2000
mkdir -p "$OUT"

# be32 N: the 4 big-endian bytes of N, written with printf octal escapes.
be32() {
  printf "\\$(printf %03o $(( ($1 >> 24) & 255 )))\\$(printf %03o $(( ($1 >> 16) & 255 )))"
  printf "\\$(printf %03o $(( ($1 >> 8) & 255 )))\\$(printf %03o $(( $1 & 255 )))"
}

# images SRC_NAME OUT_NAME N: magic 0x00000803, n, 28, 28, then n*784 pixel bytes.
images() {
  { be32 2051; be32 "$3"; be32 28; be32 28
    gzip -dc "$SRC/$1" | tail -c +17 | head -c $(( $3 * 784 )); } | gzip -9 -n > "$OUT/$2"
}
# labels SRC_NAME OUT_NAME N: magic 0x00000801, n, then n label bytes.
labels() {
  { be32 2049; be32 "$3"
    gzip -dc "$SRC/$1" | tail -c +9 | head -c "$3"; } | gzip -9 -n > "$OUT/$2"
}

images train-images-idx3-ubyte.gz train-images-idx3-ubyte.gz $NTRAIN
labels train-labels-idx1-ubyte.gz train-labels-idx1-ubyte.gz $NTRAIN
images t10k-images-idx3-ubyte.gz  t10k-images-idx3-ubyte.gz  $NTEST
labels t10k-labels-idx1-ubyte.gz  t10k-labels-idx1-ubyte.gz  $NTEST
ls -l "$OUT"
