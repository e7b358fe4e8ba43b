#!/bin/bash
# bench/peers.sh - `make bench`: dgm's VAE epoch and GAN grid step beside PyTorch's, interleaved in
# one run (dgm, PyTorch PASSIVE, PyTorch as is, then the next round), with the machine's CPU.
#
#   bench/peers.sh DGM [ROUNDS [CEILING]]   (DGM: the dgm binary; ROUNDS: default 3; each figure
#                                           the median; CEILING: build/bench_gemm_openblas's output)
#
# PyTorch (Debian's python3-torch 1.13, /usr/bin/python3) runs twice: with OMP_WAIT_POLICY=PASSIVE
# (its OpenMP workers sleep when idle, as dgm's do) and as is (libgomp's default spin-wait, which
# on a shared 2-core machine steals the cores it waits on). ratio = dgm / PyTorch PASSIVE (below 1:
# dgm faster). The peers: docs/reference/vae_pytorch.py (the same 784-H-20 VAE, Adam, batch B, the
# full Fashion-MNIST if installed) and docs/reference/gan_grid_pytorch.py (the grid protocol).
# Issue 13's targets at 2 threads: VAE <= 0.4, GAN <= 0.3, and ahead (< 1) at H 2048 and B 512.
# With CEILING, each VAE epoch is also set beside the GEMM ceiling of its H and B (the step's 11
# products back to back, timed by bench/gemm_vs_openblas.cpp in that file): the epoch over
# OpenBLAS's ceiling (issue 13: <= 1.25 at 2 threads) and over dgm's own GEMM's.
set -u
dgm=${1:?usage: bench/peers.sh DGM [ROUNDS [CEILING]]}
rounds=${2:-3}
ceiling=${3:-}
case "$rounds" in ''|*[!0-9]*) echo "bench/peers.sh: ROUNDS must be a positive integer, got '$rounds'" >&2; exit 2;; esac
[ "$rounds" -ge 1 ] || { echo "bench/peers.sh: ROUNDS must be at least 1" >&2; exit 2; }
[ -x "$dgm" ] || { echo "bench/peers.sh: $dgm: not an executable" >&2; exit 2; }
py=/usr/bin/python3
if ! $py -c 'import torch' 2>/dev/null; then
  echo "bench/peers.sh: no python3-torch (apt-get install python3-torch): the VAE / GAN peer table is skipped"
  exit 0
fi
here=$(cd "$(dirname "$0")/.." && pwd)
data=/usr/share/datasets/fashion-mnist
[ -f $data/train-images-idx3-ubyte.gz ] || [ -f $data/train-images-idx3-ubyte ] || data=$here/datasets/fashion-mnist-subset
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# field NAME TEXT: the number after NAME (or before "s/epoch" / "ms/iteration") in a result line.
dgm_vae() { "$dgm" bench vae --epochs 1 --threads "$1" --hidden "$2" --batch "$3" --data "$data" | awk '{for (i = 1; i < NF; i++) if ($(i + 1) == "s/epoch") print $i}'; }
dgm_gan() { "$dgm" bench gan --iters 400 --threads "$1" | awk '{for (i = 1; i < NF; i++) if ($(i + 1) == "ms/iteration") print $i}'; }
torch_vae() { env $1 $py "$here/docs/reference/vae_pytorch.py" --data "$data" --epochs 1 --threads "$2" --hidden "$3" --batch "$4" | awk '{for (i = 1; i < NF; i++) if ($(i + 1) == "s/epoch") print $i}'; }
torch_gan() { env $1 $py "$here/docs/reference/gan_grid_pytorch.py" --iters 400 --log-every 100000 --threads "$2" | awk '{for (i = 1; i < NF; i++) if ($i == "ms_per_iter") print $(i + 1)}'; }

# The rows: name, unit, then the arguments of the three runners.
rows=("vae H 400 B 128, 1 thread|s/epoch|vae 1 400 128"
      "vae H 400 B 128, 2 threads|s/epoch|vae 2 400 128"
      "vae H 2048 B 128, 2 threads|s/epoch|vae 2 2048 128"
      "vae H 400 B 512, 2 threads|s/epoch|vae 2 400 512"
      "gan grid, 1 thread|ms/iteration|gan 1"
      "gan grid, 2 threads|ms/iteration|gan 2")
for ((r = 1; r <= rounds; r++)); do
  for i in "${!rows[@]}"; do
    IFS='|' read -r _ _ args <<< "${rows[$i]}"
    set -- $args
    kind=$1; shift
    v=$(dgm_$kind "$@") && [ -n "$v" ] || { echo "bench/peers.sh: dgm bench $kind $* failed" >&2; exit 1; }
    echo "$v" >> "$tmp/$i.dgm"
    for pol in PASSIVE asis; do
      e=OMP_WAIT_POLICY=PASSIVE; [ $pol = asis ] && e=DGM_PEER=1
      v=$(torch_$kind $e "$@") && [ -n "$v" ] || { echo "bench/peers.sh: the PyTorch $kind peer ($*) failed" >&2; exit 1; }
      echo "$v" >> "$tmp/$i.$pol"
    done
  done
done

ratio() { awk -v a="$1" -v b="$2" 'BEGIN {print a / b}'; }
median() { sort -g "$1" | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
echo "dgm beside PyTorch $($py -c 'import torch; print(torch.__version__)'), median of $rounds interleaved rounds; data $data"
echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')"
printf "%-30s %-13s %9s %14s %14s %7s\n" "figure" "unit" "dgm" "torch PASSIVE" "torch as is" "ratio"
for i in "${!rows[@]}"; do
  IFS='|' read -r name unit _ <<< "${rows[$i]}"
  d=$(median "$tmp/$i.dgm"); p=$(median "$tmp/$i.PASSIVE"); a=$(median "$tmp/$i.asis")
  printf "%-30s %-13s %9.3f %14.3f %14.3f %7.2f\n" "$name" "$unit" "$d" "$p" "$a" "$(ratio "$d" "$p")"
done

[ -n "$ceiling" ] || exit 0
if [ ! -s "$ceiling" ]; then echo "bench/peers.sh: no GEMM ceiling ($ceiling missing or empty): the epoch-over-ceiling lines are skipped"; exit 0; fi
echo
echo "the VAE epoch over its GEMM ceiling ($ceiling: the step's 11 products back to back; issue 13: <= 1.25x OpenBLAS's at 2 threads)"
printf "%-30s %9s %14s %7s %14s %7s\n" "figure" "epoch s" "OpenBLAS ceil" "ratio" "dgm GEMM ceil" "ratio"
for i in 0 1 2 3; do
  IFS='|' read -r name _ args <<< "${rows[$i]}"
  set -- $args
  d=$(median "$tmp/$i.dgm")
  # the ceiling line: "epoch, GEMM only  H  B | dgm:1 blas:1 | dgm:2 blas:2"
  read -r cd cb <<< "$(awk -v h="$3" -v b="$4" -v t="$2" -F'|' '$1 ~ /^epoch, GEMM only/ {split($1, f, " "); if (f[4] == h && f[5] == b) print $(t + 1)}' "$ceiling")"
  if [ -z "$cb" ]; then echo "$name: no ceiling line for H $3 B $4 in $ceiling"; continue; fi
  printf "%-30s %9.3f %14.3f %7.2f %14.3f %7.2f\n" "$name" "$d" "$cb" "$(ratio "$d" "$cb")" \
    "$cd" "$(ratio "$d" "$cd")"
done
