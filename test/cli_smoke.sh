#!/usr/bin/env bash
# cli_smoke.sh - the `dgm` command's exit codes and messages on bad input (run by `make test`).
# Every verb answers --help with 0; bad flags, unknown names and corrupt or truncated files give
# exit status 2 and a one-line message naming what is wrong, never a crash (status >= 128).
set -u
dgm=${1:-build/dgm}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0

# expect STATUS PATTERN -- command...
expect() {
  local want=$1 pattern=$2; shift 3
  local out status
  out=$("$@" 2>&1); status=$?
  if [ "$status" -eq "$want" ] && printf '%s' "$out" | grep -q -- "$pattern"; then
    pass=$((pass + 1))
  else
    fail=$((fail + 1))
    echo "FAIL: $* -> status $status (want $want), output: $(printf '%s' "$out" | head -3)"
  fi
}

for verb in train sample eval theory run bench bench-quality; do
  expect 0 "usage: dgm $verb" -- "$dgm" "$verb" --help
done
expect 2 "usage: dgm <verb>" -- "$dgm"
expect 2 "unknown verb 'fly'" -- "$dgm" fly
expect 2 "which model" -- "$dgm" train
expect 2 "unknown flag --epoch" -- "$dgm" train vae --epoch 3
expect 2 "expects an integer, got 'x'" -- "$dgm" train vae --epochs x
expect 2 "unknown model 'vea'" -- "$dgm" train vea
expect 2 "image data trains for --epochs" -- "$dgm" train vae --iters 30
expect 2 "unknown check 'nope'" -- "$dgm" theory nope
expect 2 "unknown protocol 'gna'" -- "$dgm" bench-quality gna
expect 2 "--seeds expects a whole number from 3 to 100, got '2'" -- "$dgm" bench-quality gan --seeds 2
expect 2 "--seeds expects a whole number from 3 to 100, got '4x'" -- "$dgm" bench-quality gan --seeds 4x
expect 2 "--ckpt and --out are required" -- "$dgm" sample
expect 2 "cannot open" -- "$dgm" eval --ckpt "$tmp/none.safetensors"
expect 2 "--device must be cpu or cuda, got 'gpu'" -- "$dgm" train vae --device gpu
expect 2 "--device must be cpu or cuda, got 'gpu'" -- "$dgm" sample --ckpt "$tmp/none.safetensors" --out "$tmp/x.png" --device gpu
expect 2 "--device must be cpu or cuda, got 'gpu'" -- "$dgm" bench vae --device gpu

# A data folder whose files are corrupt or truncated.
mkdir -p "$tmp/bad" "$tmp/trunc"
for f in train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte; do
  head -c 3000 "datasets/fashion-mnist-subset/$f.gz" > "$tmp/trunc/$f.gz"
  cp "datasets/fashion-mnist-subset/$f.gz" "$tmp/bad/$f.gz"
done
printf 'not gzip at all' > "$tmp/bad/train-images-idx3-ubyte.gz"
expect 2 "truncated" -- "$dgm" train vae --epochs 1 --data "$tmp/trunc" --out "$tmp/run"
expect 2 "gzip" -- "$dgm" train vae --epochs 1 --data "$tmp/bad" --out "$tmp/run"

# A checkpoint cut in half, and one that is not a checkpoint at all.
"$dgm" train gan --data ring --iters 20 --hidden 8 --latent 2 --batch 16 --out "$tmp/ok" >/dev/null 2>&1
head -c 500 "$tmp/ok/model.safetensors" > "$tmp/half.safetensors"
expect 2 "half.safetensors" -- "$dgm" sample --ckpt "$tmp/half.safetensors" --out "$tmp/s.csv"
printf 'hello' > "$tmp/junk.safetensors"
expect 2 "junk.safetensors" -- "$dgm" eval --ckpt "$tmp/junk.safetensors"
expect 0 "wrote 10 samples" -- "$dgm" sample --ckpt "$tmp/ok/model.safetensors" --n 10 --out "$tmp/s.npy"
expect 2 "makes no images" -- "$dgm" sample --ckpt "$tmp/ok/model.safetensors" --out "$tmp/s.png"

# dgm eval --iw K overrides the run's number of importance samples (a tiny VAE on the subset).
"$dgm" train vae --epochs 1 --hidden 16 --latent 2 --batch 500 --iw 2 --out "$tmp/vae" >/dev/null 2>&1
expect 0 "test_iwae" -- "$dgm" eval --ckpt "$tmp/vae/model.safetensors" --iw 3
expect 2 "--iw expects an integer in 1" -- "$dgm" eval --ckpt "$tmp/vae/model.safetensors" --iw 0

# Issue 11: hostile sizes and files. Crafted checkpoints: the VAE's metadata "data" (784 28 28 10)
# replaced by values of the same length, so the file stays a valid safetensors file.
craft() {  # craft FROM TO OUT: a copy of the VAE checkpoint with the text FROM replaced by TO
  perl -pe "s/\Q$1\E/$2/" "$tmp/vae/model.safetensors" > "$3"
  cmp -s "$tmp/vae/model.safetensors" "$3" && echo "FAIL: craft: '$1' not found in the checkpoint" && fail=$((fail + 1))
}
craft '"data":"784 28 28 10"' '"data":"784 99 99 10"' "$tmp/rows.safetensors"  # was a heap over-read
expect 2 "image size 99 x 99 does not match the data dimension 784" -- "$dgm" sample --ckpt "$tmp/rows.safetensors" --out "$tmp/r.png"
craft '"data":"784 28 28 10"' '"data":"784 -2 28 10"' "$tmp/neg.safetensors"  # was an abort
expect 2 "image size -2 x 28 is negative" -- "$dgm" sample --ckpt "$tmp/neg.safetensors" --out "$tmp/r.png"
craft '"data":"784 28 28 10"' '"data":"784 0 0 9999"' "$tmp/classes.safetensors"
expect 2 "data classes 9999 is outside 0..1000 (the limit)" -- "$dgm" eval --ckpt "$tmp/classes.safetensors"
craft '"epoch":"1"' '"epoch":"7"' "$tmp/epoch.safetensors"
expect 2 "and epoch 7 disagree" -- "$dgm" eval --ckpt "$tmp/epoch.safetensors"
craft 'iw = 2' 'iw = 9' "$tmp/iw.safetensors"  # a control: a crafted file that is valid opens
expect 0 "test_iwae" -- "$dgm" eval --ckpt "$tmp/iw.safetensors"
craft 'hidden = 16' 'hidden = 99' "$tmp/hid.safetensors"
expect 2 "tensor vae.enc.0.W has shape \[16, 784\], the config's model \[99, 784\]" -- "$dgm" eval --ckpt "$tmp/hid.safetensors"
expect 2 "hidden width 1000000 exceeds the limit 65536" -- "$dgm" train vae --hidden 1000000 --out "$tmp/big"
expect 2 "latent dimension 65536 is outside 1..4096" -- "$dgm" train vae --latent 65536 --out "$tmp/big"
expect 2 "100000 z samples per datapoint is outside 1..1000" -- "$dgm" train vae --samples 100000 --out "$tmp/big"
expect 2 "1000000000 discriminator steps per generator step is outside 1..100" -- "$dgm" train gan --k 1000000000 --out "$tmp/big"
expect 2 "importance samples is outside 1..5000" -- "$dgm" train vae --iw 2000000000 --out "$tmp/big"
expect 2 "above the memory limit 8.00 GiB (set by --max-memory 8G)" -- "$dgm" train vae --hidden 60000,60000 --max-memory 8G --out "$tmp/big"
expect 2 "half of the" -- "$dgm" train vae --hidden 65536,65536,65536 --out "$tmp/big"
expect 2 "--max-memory expects a size" -- "$dgm" train vae --max-memory lots --out "$tmp/big"
expect 2 "--n 1000000: this vae needs" -- "$dgm" sample --ckpt "$tmp/vae/model.safetensors" --n 1000000 --out "$tmp/s.csv" --max-memory 100M
expect 2 "--iw expects an integer in 1..5000" -- "$dgm" eval --ckpt "$tmp/vae/model.safetensors" --iw 2000000000
[ -e "$tmp/big" ] && echo "FAIL: a refused run left $tmp/big behind" && fail=$((fail + 1))

# A --data path with a newline: escaped in config.txt and the checkpoint, so it reads back as
# the same path and cannot inject a setting (issue 11: 'model = gan' was obeyed).
nl="$tmp/data
model = gan"
mkdir -p "$nl"
cp datasets/fashion-mnist-subset/*.gz "$nl/"
expect 0 "done:" -- "$dgm" train vae --data "$nl" --epochs 1 --hidden 8 --latent 2 --batch 500 --out "$tmp/nl"
grep -q '^data = .*/data\\nmodel = gan$' "$tmp/nl/config.txt" || { echo "FAIL: config.txt: $(grep '^data' "$tmp/nl/config.txt")"; fail=$((fail + 1)); }
expect 0 "model vae" -- "$dgm" eval --ckpt "$tmp/nl/model.safetensors"
expect 0 "resumed from" -- "$dgm" train vae --out "$tmp/nl" --epochs 2 --resume

# The guard: a GAN whose discriminator saturates stops with exit 1 and saves no checkpoint.
expect 1 "the discriminator is saturated" -- "$dgm" train gan --data ring --iters 400 --lr-g 1e6 --lr-d 1e6 --hidden 32,32 --latent 8 --batch 64 --sample-every 1000 --out "$tmp/sat"
[ -e "$tmp/sat/model.safetensors" ] && echo "FAIL: the saturated GAN was saved" && fail=$((fail + 1))
expect 1 "No checkpoint of this run exists yet" -- "$dgm" train vae --lr 1e30 --epochs 1 --hidden 8 --batch 500 --out "$tmp/nan"

# The checkpoint write: the .tmp file fsynced, the folder fsynced, the rename, the folder again
# (strace, where it can trace); a stale .tmp left by a killed write is replaced.
printf 'half a checkpoint' > "$tmp/ok/model.safetensors.tmp"
if strace -f -o "$tmp/trace" -e trace=openat,fsync,rename,renameat,renameat2 true 2>/dev/null; then
  strace -f -o "$tmp/trace" -e trace=openat,fsync,rename,renameat,renameat2 \
    "$dgm" train gan --data ring --iters 20 --hidden 8 --latent 2 --batch 16 --out "$tmp/ok" >/dev/null 2>&1
  # The last write of model.safetensors: the .tmp opened and fsynced, its folder opened
  # (O_DIRECTORY) and fsynced, the rename, the folder opened and fsynced again.
  seq=$(awk '/openat/ && /model.safetensors.tmp/ { s = "open"; next }
             s != "" && /openat/ && /O_DIRECTORY/ { s = s " folder" }
             s != "" && /fsync\(/ { s = s " fsync" } s != "" && /rename/ { s = s " rename" } END { print s }' "$tmp/trace")
  want="open fsync folder fsync rename folder fsync"
  [ "$seq" = "$want" ] || { echo "FAIL: checkpoint write sequence '$seq', want '$want'"; fail=$((fail + 1)); }
else
  echo "cli: strace cannot trace here: the fsync order of the checkpoint write is not checked"
fi
[ -e "$tmp/ok/model.safetensors.tmp" ] && echo "FAIL: the stale .tmp is still there" && fail=$((fail + 1))
expect 0 "wrote 5 samples" -- "$dgm" sample --ckpt "$tmp/ok/model.safetensors" --n 5 --out "$tmp/s5.npy"

# dgm export: each kind of decoder/generator as a header with float and with int8 weights,
# compiled as C99 and as C++11 with warnings as errors (and -Wdouble-promotion: a float-only
# FPU) and run: its own forward pass must give the library's output on the library's latent
# rows (test/export_selftest.c).
expect 2 "--ckpt and --out are required" -- "$dgm" export
expect 2 "is not a C identifier" -- "$dgm" export --ckpt "$tmp/ok/model.safetensors" --out "$tmp/x.h" --name 9lives
expect 2 "half.safetensors" -- "$dgm" export --ckpt "$tmp/half.safetensors" --out "$tmp/x.h"
cc=${CC:-cc}
cxx=${CXX:-c++}
small="--epochs 1 --batch 500 --hidden 16,12"
expect 2 "--weights 'int4': float or int8" -- "$dgm" export --ckpt "$tmp/ok/model.safetensors" --out "$tmp/x.h" --weights int4
while read -r name args; do
  [ -n "$name" ] || continue
  "$dgm" train $args --out "$tmp/ex-$name" >/dev/null 2>&1
  for w in float int8; do
    h="$tmp/ex-$name-$w"
    expect 0 "wrote $h.h" -- "$dgm" export --ckpt "$tmp/ex-$name/model.safetensors" --out "$h.h" --weights $w
    # As C99 and as C++11 (Arduino-style projects compile it as C++).
    for lang in c99 c++11; do
      if [ "$lang" = c99 ]; then comp=("$cc" -std=c99); else comp=("$cxx" -x c++ -std=c++11); fi
      if "${comp[@]}" -pedantic -Wall -Wextra -Wdouble-promotion -Werror -DDGM_HEADER="\"$h.h\"" \
           test/export_selftest.c -o "$h-$lang.bin" -lm 2>"$h.err"; then
        expect 0 "largest relative difference" -- "$h-$lang.bin"
      else
        fail=$((fail + 1))
        echo "FAIL: ${comp[*]} could not compile the $w header of $name: $(head -5 "$h.err")"
      fi
    done
  done
done <<EOF_MODELS
vae-bernoulli  vae $small --latent 3
vae-gaussian   vae $small --latent 3 --decoder gaussian
dae            dae $small --latent 3
aae            aae $small --latent 2 --prior ring
gan-images     gan $small --latent 5
cgan           cgan $small --latent 5 --act leaky
wgan-ring      wgan --data ring --iters 20 --batch 32 --hidden 8 --latent 2
gan-gauss1d    gan --data gauss1d --iters 20 --batch 32
EOF_MODELS

echo "cli: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
