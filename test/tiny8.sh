#!/usr/bin/env bash
# tiny8.sh DIR - a tiny data set of 8x8 images for the --arch conv networks (their sides must be
# divisible by 4): 200 training and 40 test images with their labels, raw IDX files cut from the
# shipped subset's pixel bytes, so that one epoch at batch 50 is 4 steps. Used by
# test/cli_smoke.sh and test/mock_cuda.sh. Run from the project folder.
set -eu
dir=$1
mkdir -p "$dir"
be32() { printf "$(printf '\\%03o\\%03o\\%03o\\%03o' $(($1 >> 24 & 255)) $(($1 >> 16 & 255)) $(($1 >> 8 & 255)) $(($1 & 255)))"; }
split() {  # PREFIX N: the split's images (8x8) and labels from the subset's files of that prefix
  # (no pipefail: head stops reading early, and gzip and tail then end by SIGPIPE)
  { printf '\000\000\010\003'; be32 "$2"; be32 8; be32 8
    gzip -dc "datasets/fashion-mnist-subset/$1-images-idx3-ubyte.gz" | tail -c +17 | head -c $(($2 * 64)); } \
    > "$dir/$1-images-idx3-ubyte"
  { printf '\000\000\010\001'; be32 "$2"
    gzip -dc "datasets/fashion-mnist-subset/$1-labels-idx1-ubyte.gz" | tail -c +9 | head -c "$2"; } \
    > "$dir/$1-labels-idx1-ubyte"
}
split train 200
split t10k 40
