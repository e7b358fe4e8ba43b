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

# reject PATTERN -- command...: the command's output must NOT match (any exit status).
reject() {
  local pattern=$1; shift 2
  local out
  out=$("$@" 2>&1)
  if printf '%s' "$out" | grep -q -- "$pattern"; then
    fail=$((fail + 1))
    echo "FAIL: $* -> output matches '$pattern': $(printf '%s' "$out" | grep -- "$pattern" | head -2)"
  else
    pass=$((pass + 1))
  fi
}
dgm_abs=$(cd "$(dirname "$dgm")" && pwd)/$(basename "$dgm")

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
for m in ae dae vae; do  # a Bernoulli likelihood only scores values in [0, 1]
  expect 2 "ring data are real-valued points; use --decoder gaussian" -- "$dgm" train $m --data ring --decoder bernoulli --out "$tmp/bern-$m"
done
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
# dgm sample --interp A,B: N decoded points between the codes of two test images.
expect 0 "wrote 7 points on the line between the codes of test images 3 and 9" -- "$dgm" sample --ckpt "$tmp/vae/model.safetensors" --interp 3,9 --n 7 --out "$tmp/line.png"
expect 2 "test image indices must be in 0..1999" -- "$dgm" sample --ckpt "$tmp/vae/model.safetensors" --interp 3,2000 --out "$tmp/line.png"
expect 2 "--interp expects two test image indices A,B" -- "$dgm" sample --ckpt "$tmp/vae/model.safetensors" --interp 3 --out "$tmp/line.png"
expect 2 "--interp needs image data" -- "$dgm" sample --ckpt "$tmp/ok/model.safetensors" --interp 0,1 --out "$tmp/line.csv"

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
expect 2 "tensor enc.0.weight has shape \[16, 784\], the config's model \[99, 784\]" -- "$dgm" eval --ckpt "$tmp/hid.safetensors"
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

# ---- the console ----
# The version, defined once in include/dgm/version.h.
version=$(sed -n 's/^#define DGM_VERSION "\(.*\)"$/\1/p' include/dgm/version.h)
expect 0 "^dgm $version" -- "$dgm" --version
expect 0 "^dgm $version" -- "$dgm" version
# A mistyped flag, verb, model or data set gets the nearest name.
expect 2 "unknown flag --epoch; did you mean --epochs?" -- "$dgm" train vae --epoch 3
expect 2 "unknown flag --ckp; did you mean --ckpt?" -- "$dgm" eval --ckp "$tmp/ok/model.safetensors"
expect 2 "unknown flag --outt; did you mean --out?" -- "$dgm" sample --ckpt "$tmp/ok/model.safetensors" --outt x.png
expect 2 "unknown verb 'trian'; did you mean train?" -- "$dgm" trian vae
expect 2 "unknown check 'k1'; did you mean kl?" -- "$dgm" theory k1
expect 2 "unexpected argument '--skip-thoery'; did you mean --skip-theory?" -- "$dgm" run --skip-thoery
expect 2 "unknown model 'vea'.*did you mean vae?" -- "$dgm" train vea
expect 2 "neither a synthetic set (ring, grid, gauss1d; did you mean ring?) nor a folder" -- "$dgm" train gan --data ringg
expect 2 "pass a folder holding its four IDX files" -- "$dgm" train gan --data ringg
# --batch-size and --log-interval: the PyTorch examples' spellings, listed in --help.
expect 0 "minibatch size M (also --batch-size)" -- "$dgm" train vae --help
expect 0 "(also --log-interval)" -- "$dgm" train vae --help
"$dgm" train vae --epochs 1 --hidden 16 --latent 2 --batch-size 500 --log-interval 5 --iw 2 --out "$tmp/con" > "$tmp/con.log" 2>&1
expect 0 "^batch = 500$" -- cat "$tmp/con/config.txt"
expect 0 "^log-every = 5$" -- cat "$tmp/con/config.txt"
expect 0 "^momentum = 0$" -- cat "$tmp/con/config.txt"   # config.txt keeps every setting
# The first lines: the flags that differ from the defaults (only those), then the data.
expect 0 "^dgm train vae --epochs 1 --batch 500 --latent 2 --hidden 16 --iw 2 --out $tmp/con --log-every 5 " -- head -1 "$tmp/con.log"
reject "momentum" -- cat "$tmp/con.log"
expect 0 "^data: datasets/fashion-mnist-subset: [0-9]* train and [0-9]* test images" -- sed -n 2p "$tmp/con.log"
"$dgm" train gan --data ring --iters 20 --hidden 8 --latent 2 --batch 16 --out "$tmp/con-ring" > "$tmp/con-ring.log" 2>&1
expect 0 "^dgm train gan --data ring --iters 20 --batch 16 --latent 2 --hidden 8 --out $tmp/con-ring " -- head -1 "$tmp/con-ring.log"
expect 0 "^data: synthetic ring (8 modes" -- sed -n 2p "$tmp/con-ring.log"
expect 0 "^test set (as dgm eval):  modes_covered " -- cat "$tmp/con-ring.log"
# The last lines: the test-set figures, the same as dgm eval's.
loss=$(sed -n 's/^test set (as dgm eval):  test_loss \([^ ]*\) nats per image  test_iwae [^ ]* nats per image$/\1/p' "$tmp/con.log")
expect 0 "^test_loss $loss\$" -- "$dgm" eval --ckpt "$tmp/con/model.safetensors"
[ -n "$loss" ] || { fail=$((fail + 1)); echo "FAIL: train printed no test-set figures: $(tail -3 "$tmp/con.log")"; }
# dgm eval: a progress line with ETA on a terminal (script gives it one), none in a pipe.
if command -v script >/dev/null; then
  expect 0 "100% test [0-9]*/[0-9]*  ETA" -- script -qec "$dgm eval --ckpt $tmp/con/model.safetensors" /dev/null
else
  echo "note: no 'script' command here: the terminal progress line of dgm eval was not checked"
fi
reject "ETA" -- "$dgm" eval --ckpt "$tmp/con/model.safetensors"
reject $'\r' -- "$dgm" eval --ckpt "$tmp/con/model.safetensors"
# A failed write names the user's path, not the temporary file beside it.
expect 2 "cannot write '$tmp/nodir/x.h': no folder '$tmp/nodir'" -- "$dgm" export --ckpt "$tmp/ok/model.safetensors" --out "$tmp/nodir/x.h"
mkdir -p "$tmp/dir.npy"
expect 2 "cannot write '$tmp/dir.npy': Is a directory" -- "$dgm" sample --ckpt "$tmp/ok/model.safetensors" --out "$tmp/dir.npy"
reject "\.tmp" -- "$dgm" sample --ckpt "$tmp/ok/model.safetensors" --out "$tmp/dir.npy"
if [ "$(id -u)" != 0 ]; then  # root writes anywhere
  mkdir -p "$tmp/ro" && chmod 555 "$tmp/ro"
  expect 2 "cannot write '$tmp/ro/" -- "$dgm" train gan --data ring --iters 20 --hidden 8 --batch 16 --out "$tmp/ro"
  reject "\.tmp" -- "$dgm" train gan --data ring --iters 20 --hidden 8 --batch 16 --out "$tmp/ro"
fi
# dgm theory outside the project folder: the part on the shipped subset is SKIPPED, not PASS,
# counted apart, and the exit status stays 0.
expect 0 "classifiers on the Fashion-MNIST subset  *SKIPPED (" -- bash -c "cd '$tmp' && '$dgm_abs' theory generative-vs-discriminative"
expect 0 "1 passed, 0 failed, 0 SKIPPED; 1 part of passing checks SKIPPED (generative-vs-discriminative)" -- bash -c "cd '$tmp' && '$dgm_abs' theory generative-vs-discriminative"
reject "subset .*PASS" -- bash -c "cd '$tmp' && '$dgm_abs' theory generative-vs-discriminative"
# Messages speak of the project, not of the tickets that asked for it.
reject "issue" -- "$dgm" --help
reject "issue" -- "$dgm" bench-quality --help
# dgm run without the full Fashion-MNIST: falls back to the shipped subset and says so on the
# console and on the page, whose section shows the loss curves (test/page_check.sh checks the
# whole page in Chromium after `make run`).
expect 2 "no section 'vea'" -- "$dgm" run --only vea
expect 0 "using the subset shipped in datasets/fashion-mnist-subset" -- \
  "$dgm" run --skip-theory --only ae --data "$tmp/no-fashion" --out "$tmp/run"
expect 0 "Image data: the shipped subset" -- cat "$tmp/run/index.html"
expect 0 "10,000 training / 2,000 test images" -- cat "$tmp/run/index.html"
expect 0 "<img src=\"ae/losses.svg\"" -- cat "$tmp/run/index.html"
expect 0 "nats per image" -- cat "$tmp/run/index.html"
# dgm sample: every image model's .npy/.csv holds pixels in [0, 1]; --raw gives the network's
# own range (a GAN's tanh: some values below 0). The .csv says which in its first line.
# npy_range F: "min max" of a .npy of float32 (the data starts after 10 + header-length bytes).
npy_range() {
  local hl
  hl=$(od -An -tu2 -j8 -N2 "$1" | tr -d ' ')
  od -An -v -tf4 -j $((10 + hl)) "$1" | awk '{for (i = 1; i <= NF; ++i) {if (n == 0 || $i < lo) lo = $i; if (n == 0 || $i > hi) hi = $i; ++n}}
    END {printf "%g %g\n", lo, hi}'
}
# in_unit "min max": 0 when both lie in [0, 1].
in_unit() { echo "$1" | awk '{exit !($1 >= 0 && $2 <= 1)}'; }
for name in vae-bernoulli gan-images cgan; do
  ck="$tmp/ex-$name/model.safetensors"
  expect 0 "wrote 50 samples" -- "$dgm" sample --ckpt "$ck" --n 50 --out "$tmp/px-$name.npy"
  r=$(npy_range "$tmp/px-$name.npy")
  if in_unit "$r"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: sample $name .npy range $r, want [0, 1]"; fi
  expect 0 "wrote 50 samples" -- "$dgm" sample --ckpt "$ck" --n 50 --out "$tmp/px-$name.csv"
  if head -1 "$tmp/px-$name.csv" | grep -q '^# dgm sample: .*pixels in \[0, 1\]' &&
     tail -n +2 "$tmp/px-$name.csv" | tr ',' '\n' | awk '$1 < 0 || $1 > 1 {bad = 1} END {exit bad}'; then
    pass=$((pass + 1))
  else
    fail=$((fail + 1)); echo "FAIL: sample $name .csv: no '# ... pixels in [0, 1]' line, or a value outside"
  fi
  expect 0 "wrote 50 samples" -- "$dgm" sample --ckpt "$ck" --n 50 --out "$tmp/raw-$name.npy" --raw
  r=$(npy_range "$tmp/raw-$name.npy")
  case $name in
    vae-bernoulli) want=unit;;
    *) want=tanh;;  # tanh outputs: the darkest pixels lie below 0
  esac
  if { [ $want = unit ] && in_unit "$r"; } || { [ $want = tanh ] && echo "$r" | awk '{exit !($1 < 0 && $1 >= -1 && $2 <= 1)}'; }; then
    pass=$((pass + 1))
  else
    fail=$((fail + 1)); echo "FAIL: sample --raw $name .npy range $r, want the $want range"
  fi
done
expect 0 "raw generator output (tanh)" -- sh -c "\"$dgm\" sample --ckpt \"$tmp/ex-gan-images/model.safetensors\" --n 5 --out \"$tmp/r.csv\" --raw && head -1 \"$tmp/r.csv\""

echo "cli: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
