#!/usr/bin/env bash
# hashes.sh - behaviour kept bit for bit: a short seeded `dgm train` of every model kind, and the
# sha256 of the checkpoint it writes, compared with test/hashes.txt (run by `make test`).
#
#   test/hashes.sh DGM            compare (exit 1 on any difference, 2 when it cannot compare)
#   test/hashes.sh DGM --write    record the hashes of DGM into test/hashes.txt
#
# What decides the bits, and so when the comparison holds (docs/architecture.md, "Determinism"):
#   - the compiler and its flags: GCC contracts a*b+c into fused multiply-adds where the target has
#     FMA, so a -march=native build differs from a PORTABLE=1 one, clang (which contracts less)
#     from GCC, -O1 (SAN=1) from -O2. So `make hashes` builds its own binary, always the same way:
#     g++, PORTABLE=1 (x86-64 baseline, no contraction outside the gemm kernels), -O2, no CUDA,
#     in build-hash/, whatever CXX, SAN or CUDA the calling make has;
#   - the gemm micro-kernel, chosen at run time: avx512 and avx2 are fused and agree bit for bit
#     (src/backend/gemm.cpp, "Determinism"), the unfused portable kernel of a PORTABLE=1 build on a
#     CPU without AVX2+FMA does not. So the CPU needs AVX2 and FMA (every Intel since Haswell and
#     AMD since Zen: this machine's AMD EPYC with avx512, CI's Ice Lake or Zen);
#   - the C library's expf/logf/...: glibc picks its FMA variants on such a CPU, the same on each;
#     its version is in the key;
#   - not the thread count (split by a rule independent of it: test/test_determinism.cpp), but the
#     runs use 1 thread anyway.
# The key line of test/hashes.txt records these (machine, g++ version, glibc version, avx2+fma).
# When this machine's key differs the script says which part differs and exits 2: `make test`
# fails rather than skipping silently; DGM_HASHES=skip make test skips it, saying so, on a machine
# where the recorded bits cannot be reproduced (then record that machine's with --write).
set -u
dgm=${1:?usage: test/hashes.sh DGM [--write]}
mode=${2:-compare}
here=$(cd "$(dirname "$0")" && pwd)
file=$here/hashes.txt
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

cpu_flags=$(grep -m1 '^flags' /proc/cpuinfo 2>/dev/null)
simd=none
case " $cpu_flags " in *" avx2 "*) case " $cpu_flags " in *" fma "*) simd=avx2+fma ;; esac ;; esac
gxx=$(g++ -dumpfullversion 2>/dev/null || echo none)
glibc=$(getconf GNU_LIBC_VERSION 2>/dev/null | awk '{print $2}')
key="$(uname -m) g++-$gxx glibc-${glibc:-none} $simd"

if [ "${DGM_HASHES:-}" = skip ]; then
  echo "hashes: SKIPPED (DGM_HASHES=skip): checkpoints not compared with test/hashes.txt"
  exit 0
fi

# The runs: NAME then the arguments of `dgm train`. Image runs: one epoch of the shipped subset
# (10,000 images) with small networks; synthetic runs: a few hundred iterations.
small="--epochs 1 --hidden 64 --latent 8 --batch 250"
runs=(
  "ae            ae  $small"
  "dae-gaussian  dae $small --corrupt gaussian"
  "dae-mask      dae $small --corrupt mask"
  "vae-bernoulli vae $small"
  "vae-bern-A    vae $small --estimator A --samples 2"
  "vae-gaussian  vae $small --decoder gaussian"
  "gan           gan $small --k 2"
  "cgan          cgan $small"
  "wgan          wgan $small"
  "aae-det       aae $small --encoder det"
  "aae-gauss     aae $small --encoder gauss --prior mixture"
  "aae-universal aae $small --encoder universal --prior ring"
  "gan-ring      gan  --data ring --iters 300 --hidden 32"
  "gan-grid      gan  --data grid --iters 300 --hidden 32"
  "gan-gauss1d   gan  --data gauss1d --iters 300 --hidden 16"
  "wgan-ring     wgan --data ring --iters 300 --hidden 32"
  "wgan-grid     wgan --data grid --iters 300 --hidden 32"
  "vae-ring      vae  --data ring --iters 300 --hidden 32 --latent 2"
  "aae-grid      aae  --data grid --iters 300 --hidden 32 --latent 2"
)

# Two runs at a time (each on 1 thread), each hash in its own file, gathered in the table's order.
one() {
  local name=$1; shift
  # shellcheck disable=SC2068
  if DGM_THREADS=1 "$dgm" train $@ --seed 7 --out "$tmp/$name" > "$tmp/$name.log" 2>&1; then
    sha256sum < "$tmp/$name/model.safetensors" | cut -d' ' -f1 > "$tmp/$name.sha"
  fi
}
for r in "${runs[@]}"; do
  read -r name args <<< "$r"
  [ "$(jobs -rp | wc -l)" -ge 2 ] && wait -n
  # shellcheck disable=SC2086
  one "$name" $args &
done
wait
got=$tmp/got.txt
for r in "${runs[@]}"; do
  read -r name args <<< "$r"
  if [ ! -s "$tmp/$name.sha" ]; then
    echo "hashes: FAIL: dgm train $args exited non-zero:"; tail -5 "$tmp/$name.log"; exit 1
  fi
  echo "$name $(cat "$tmp/$name.sha")" >> "$got"
done

if [ "$mode" = --write ]; then
  { echo "# test/hashes.sh: sha256 of each run's model.safetensors (see the script for the runs)."
    echo "# Recorded with build-hash/dgm (g++, PORTABLE=1, -O2), 1 thread, on this key:"
    echo "key $key"
    cat "$got"; } > "$file"
  echo "hashes: wrote $(wc -l < "$got") hashes to $file (key: $key)"
  exit 0
fi

want_key=$(sed -n 's/^key //p' "$file")
if [ "$want_key" != "$key" ]; then
  echo "hashes: CANNOT COMPARE: test/hashes.txt was recorded on '$want_key', this machine is '$key'"
  echo "  (the bits depend on each part: see test/hashes.sh). DGM_HASHES=skip skips this check."
  exit 2
fi
if diff <(grep -v '^#\|^key ' "$file") "$got" > "$tmp/diff"; then
  echo "hashes: $(wc -l < "$got") checkpoints bit for bit as recorded ($key)"
else
  echo "hashes: FAIL: checkpoints differ from test/hashes.txt (< recorded, > now):"
  cat "$tmp/diff"
  exit 1
fi
