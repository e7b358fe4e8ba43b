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

check() {  # check STATUS WHAT: passes when STATUS is 0 (give $? first: it is expanded before WHAT)
  if [ "$1" -eq 0 ]; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: $2"; fi
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
expect 2 "--arch: 'cnn' (mlp or conv)" -- "$dgm" train gan --arch cnn
expect 2 "only gan, cgan, wgan, vae and aae have convolutional networks" -- "$dgm" train ae --arch conv
expect 2 "aae --arch conv: --encoder universal appends noise" -- "$dgm" train aae --arch conv --encoder universal --out "$tmp/aae-conv-u"
expect 2 "needs images" -- "$dgm" train gan --arch conv --data ring
for m in ae dae vae; do  # a Bernoulli likelihood only scores values in [0, 1]
  expect 2 "ring data are real-valued points; use --decoder gaussian" -- "$dgm" train $m --data ring --decoder bernoulli --out "$tmp/bern-$m"
done
expect 2 "unknown check 'nope'" -- "$dgm" theory nope
expect 2 "unknown protocol 'gna'" -- "$dgm" bench-quality gna
expect 2 "--seeds expects an integer in 3..100, got '2'" -- "$dgm" bench-quality gan --seeds 2
expect 2 "--seeds expects an integer in 3..100, got '4x'" -- "$dgm" bench-quality gan --seeds 4x
expect 2 "--ckpt and --out are required" -- "$dgm" sample
# One flag parser (include/dgm/io/flags.h) for every verb: a number that does not parse or is out
# of range, a missing value and an unknown flag (with the nearest name) are refused, exit 2.
expect 2 "--threads expects an integer in 0..256, got 'abc'" -- "$dgm" bench nope --threads abc
expect 2 "--epochs expects an integer in 1..1000, got '0'" -- "$dgm" bench nope --epochs 0
expect 2 "unknown flag --thread; did you mean --threads?" -- "$dgm" bench vae --thread 2
expect 2 "--data needs a value" -- "$dgm" bench vae --data
expect 2 "--hidden and --batch apply to the vae benchmark only" -- "$dgm" bench gan --batch 64
expect 2 "--batch expects an integer in 1..60000, got '0'" -- "$dgm" bench vae --batch 0
expect 2 "ROUNDS must be a positive integer, got 'x'" -- bench/peers.sh "$dgm" x
expect 2 "unknown flag --seed; did you mean --seeds?" -- "$dgm" bench-quality gan --seed 4
expect 2 "--data needs a value" -- "$dgm" bench-quality gan --data
expect 2 "--samples needs the images protocol" -- "$dgm" bench-quality vae --samples a.idx
# --samples scores image files made elsewhere (dcgan_pytorch.py --samples-out) with the same judge:
# the test images themselves are 0 from the test images and spread over every class; a missing
# file or a label file fails with its reason (exit 1), after the files that could be scored.
sub=datasets/fashion-mnist-subset
"$dgm" bench-quality images --data $sub --samples $sub/t10k-images-idx3-ubyte.gz,$sub/train-labels-idx1-ubyte.gz \
  > "$tmp/samples.txt" 2>&1
check $((($? == 1) ? 0 : 1)) "bench-quality images --samples with a label file: exit 1"
grep -q "train-labels-idx1-ubyte.gz: FAILED: .*IDX images: expected magic" "$tmp/samples.txt"
check $? "bench-quality images --samples: the label file's reason"
grep -q "t10k-images-idx3-ubyte.gz (2000 images): Fréchet distance -\?0.000, class entropy 2.30" "$tmp/samples.txt"
check $? "bench-quality images --samples: the test set scores 0 against itself, every class"
expect 2 "--only needs a value" -- "$dgm" run --only
expect 2 "--only: no section 'nope'" -- "$dgm" run --out="$tmp/run-eq" --only=nope
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
expect 2 "--seed expects a non-negative integer, got 'abc'" -- "$dgm" sample --ckpt "$tmp/ok/model.safetensors" --out "$tmp/s2.npy" --seed abc
expect 2 "--n needs a value" -- "$dgm" sample --ckpt "$tmp/ok/model.safetensors" --out "$tmp/s2.npy" --n
expect 2 "--seed needs a value" -- "$dgm" eval --ckpt "$tmp/ok/model.safetensors" --seed
expect 2 "--test-rows needs a value" -- "$dgm" export --ckpt "$tmp/ok/model.safetensors" --out "$tmp/x.h" --test-rows
[ ! -e "$tmp/s2.npy" ] && [ ! -e "$tmp/x.h" ]; check $? "a refused flag still wrote its output"

# dgm eval --iw K overrides the run's number of importance samples (a tiny VAE on the subset).
"$dgm" train vae --epochs 1 --hidden 16 --latent 2 --batch 500 --iw 2 --out "$tmp/vae" >/dev/null 2>&1
expect 0 "test_iwae" -- "$dgm" eval --ckpt "$tmp/vae/model.safetensors" --iw 3
expect 2 "--iw expects an integer in 1" -- "$dgm" eval --ckpt "$tmp/vae/model.safetensors" --iw 0
# dgm sample --interp A,B: N decoded points between the codes of two test images.
expect 0 "wrote 7 points on the line between the codes of test images 3 and 9" -- "$dgm" sample --ckpt "$tmp/vae/model.safetensors" --interp 3,9 --n 7 --out "$tmp/line.png"
expect 2 "test image indices must be in 0..1999" -- "$dgm" sample --ckpt "$tmp/vae/model.safetensors" --interp 3,2000 --out "$tmp/line.png"
expect 2 "--interp expects two test image indices A,B" -- "$dgm" sample --ckpt "$tmp/vae/model.safetensors" --interp 3 --out "$tmp/line.png"
expect 2 "--interp needs image data" -- "$dgm" sample --ckpt "$tmp/ok/model.safetensors" --interp 0,1 --out "$tmp/line.csv"

# MADE on the binarized subset (exact test NLL, samples pixel by pixel); the VAE on the
# same binarized images (--binarize, kept by the checkpoint, so eval binarizes too).
"$dgm" train made --epochs 1 --hidden 32 --batch 500 --out "$tmp/made" >/dev/null 2>&1
expect 0 "test_nll" -- "$dgm" eval --ckpt "$tmp/made/model.safetensors"
expect 0 "fashion-mnist-subset (binarized)" -- "$dgm" eval --ckpt "$tmp/made/model.safetensors"
expect 0 "wrote 4 samples" -- "$dgm" sample --ckpt "$tmp/made/model.safetensors" --n 4 --out "$tmp/made.png"
expect 2 "made models binary images" -- "$dgm" train made --data ring --out "$tmp/made-ring"
expect 2 "no decoder or generator network" -- "$dgm" export --ckpt "$tmp/made/model.safetensors" --out "$tmp/made.h"
"$dgm" train vae --binarize --epochs 1 --hidden 16 --latent 2 --batch 500 --iw 2 --out "$tmp/vae-bin" >/dev/null 2>&1
expect 0 "fashion-mnist-subset (binarized)" -- "$dgm" eval --ckpt "$tmp/vae-bin/model.safetensors"
expect 2 "--binarize: binarizes Fashion-MNIST images" -- "$dgm" train vae --binarize --data ring --out "$tmp/vae-ring"

# Hostile sizes and files. Crafted checkpoints: the VAE's metadata "data" (784 28 28 10)
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
# A convolutional net is planned by measuring it (its arena is not the MLP formula): refused, not aborted.
expect 2 "above the memory limit 1.00 GiB" -- "$dgm" train vae --arch conv --batch 10000 --max-memory 1G --out "$tmp/big"
expect 2 "--n 1000000: this vae needs" -- "$dgm" sample --ckpt "$tmp/vae/model.safetensors" --n 1000000 --out "$tmp/s.csv" --max-memory 100M
expect 2 "--iw expects an integer in 1..5000" -- "$dgm" eval --ckpt "$tmp/vae/model.safetensors" --iw 2000000000
[ -e "$tmp/big" ] && echo "FAIL: a refused run left $tmp/big behind" && fail=$((fail + 1))

# A --data path with a newline: escaped in config.txt and the checkpoint, so it reads back as
# the same path and cannot inject a setting ('model = gan' was once obeyed).
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
# (strace, where it can trace); a stale .tmp left by a killed write is replaced (a folder holding
# one is a run to dgm: --force starts it over).
mkdir -p "$tmp/fsync" && printf 'half a checkpoint' > "$tmp/fsync/model.safetensors.tmp"
if strace -f -o "$tmp/trace" -e trace=openat,fsync,rename,renameat,renameat2 true 2>/dev/null; then
  strace -f -o "$tmp/trace" -e trace=openat,fsync,rename,renameat,renameat2 \
    "$dgm" train gan --data ring --iters 20 --hidden 8 --latent 2 --batch 16 --out "$tmp/fsync" --force >/dev/null 2>&1
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
[ -e "$tmp/fsync/model.safetensors" ] || { echo "FAIL: no checkpoint written beside a stale .tmp"; fail=$((fail + 1)); }
[ -e "$tmp/fsync/model.safetensors.tmp" ] && echo "FAIL: the stale .tmp is still there" && fail=$((fail + 1))
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
# For the --arch conv networks: 8x8 images, 200 training and 40 test (test/tiny8.sh).
test/tiny8.sh "$tmp/tiny8"
conv="--arch conv --data $tmp/tiny8 --epochs 1 --batch 50 --latent 3"
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
conv-vae       vae $conv --iw 1
conv-vae-gauss vae $conv --iw 1 --decoder gaussian
conv-aae       aae $conv
dcgan          gan $conv
conv-cgan      cgan $conv
conv-wgan      wgan $conv --batch 20
EOF_MODELS

# ---- the console ----
# The version, defined once in include/dgm/run/version.h.
version=$(sed -n 's/^#define DGM_VERSION "\(.*\)"$/\1/p' include/dgm/run/version.h)
expect 0 "^dgm $version" -- "$dgm" --version
expect 0 "^dgm $version" -- "$dgm" version
# A mistyped flag, verb, model or data set gets the nearest name.
expect 2 "unknown flag --epoch; did you mean --epochs?" -- "$dgm" train vae --epoch 3
expect 2 "unknown flag --ckp; did you mean --ckpt?" -- "$dgm" eval --ckp "$tmp/ok/model.safetensors"
expect 2 "unknown flag --outt; did you mean --out?" -- "$dgm" sample --ckpt "$tmp/ok/model.safetensors" --outt x.png
expect 2 "unknown verb 'trian'; did you mean train?" -- "$dgm" trian vae
expect 2 "unknown check 'k1'; did you mean kl?" -- "$dgm" theory k1
expect 2 "unknown flag --skip-thoery; did you mean --skip-theory?" -- "$dgm" run --skip-thoery
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
# ---- resume and interrupt lose nothing (see include/dgm/run/train.h, include/dgm/io/kill_point.h) ----
# The reference: a tiny VAE, 3 epochs of 200 steps, never stopped. Every interrupted run below
# must end with the same model.safetensors bytes and the same metrics.csv rows. metrics.csv's last
# column is wall-clock seconds, which no two runs share: it is left out of the comparison (every
# other column, step, epoch and each loss term, is compared byte for byte).
# (--iw 2: the test_iwae of each epoch with k = 2, not 50, which would be most of the time here.)
vae="vae --hidden 16 --latent 2 --batch 50 --iw 2"
"$dgm" train $vae --epochs 3 --out "$tmp/ref" >/dev/null 2>&1
no_seconds() { sed 's/,[^,]*$//' "$1"; }
same_run() {  # same_run NAME FOLDER [REF]: the checkpoint and metrics.csv of FOLDER equal REF's
  local ref=${3:-$tmp/ref}
  cmp -s "$ref/model.safetensors" "$2/model.safetensors"; check $? "$1: model.safetensors differs from an uninterrupted run"
  [ "$(no_seconds "$ref/metrics.csv")" = "$(no_seconds "$2/metrics.csv")" ]
  check $? "$1: metrics.csv differs from an uninterrupted run ($(wc -l < "$2/metrics.csv") vs $(wc -l < "$ref/metrics.csv") lines)"
}
killed() {  # killed NAME DGM_TEST_KILL_AT ARGS...: the run must end by SIGKILL (status 137)
  local name=$1 at=$2; shift 2
  { DGM_TEST_KILL_AT=$at "$dgm" train "$@" >"$tmp/$name.log" 2>&1; } 2>/dev/null  # (no "Killed" line)
  local rc=$?
  [ $rc -eq 137 ]; check $? "$name: DGM_TEST_KILL_AT=$at: status $rc, want 137 (killed)"
}
resume() {  # resume NAME FOLDER: --resume must finish the run (status 0)
  "$dgm" train vae --out "$2" --resume >"$tmp/$1.resume.log" 2>&1
  local rc=$?
  [ $rc -eq 0 ]; check $? "$1: --resume: status $rc: $(tail -1 "$tmp/$1.resume.log")"
}
# kill -9 in the middle of epoch 2 (step 350: metrics.csv holds rows past the checkpoint of step
# 200, the last one possibly cut in the middle), then resume.
killed mid-epoch step:350 $vae --epochs 3 --out "$tmp/k1"
resume mid-epoch "$tmp/k1"
same_run mid-epoch "$tmp/k1"
grep -q "metrics.csv cut back to step 200" "$tmp/mid-epoch.resume.log"; check $? "mid-epoch: no 'cut back to step 200' line"
# kill -9 while the checkpoint of epoch 2 is being written (half of it in model.safetensors.tmp).
killed checkpoint write:model.safetensors:2 $vae --epochs 3 --out "$tmp/k2"
[ -f "$tmp/k2/model.safetensors.tmp" ]; check $? "checkpoint: the kill did not happen inside the write"
resume checkpoint "$tmp/k2"
same_run checkpoint "$tmp/k2"
# kill -9 while --resume cuts metrics.csv: the file is left whole (the old one), and the next
# --resume cuts it and finishes.
killed cut-before step:350 $vae --epochs 3 --out "$tmp/k3"
cp "$tmp/k3/metrics.csv" "$tmp/k3-metrics-before"
{ DGM_TEST_KILL_AT=write:metrics.csv:1 "$dgm" train vae --out "$tmp/k3" --resume >/dev/null 2>&1; } 2>/dev/null
rc=$?; [ $rc -eq 137 ]; check $? "metrics cut: DGM_TEST_KILL_AT=write:metrics.csv:1: status $rc, want 137"
cmp -s "$tmp/k3/metrics.csv" "$tmp/k3-metrics-before"; check $? "metrics cut: a kill during the cut changed metrics.csv"
resume metrics-cut "$tmp/k3"
same_run metrics-cut "$tmp/k3"
# Killed twice: in the resumed run too (its 130th step: step 330, inside epoch 2).
killed twice-1 step:250 $vae --epochs 3 --out "$tmp/k4"
{ DGM_TEST_KILL_AT=step:130 "$dgm" train vae --out "$tmp/k4" --resume >/dev/null 2>&1; } 2>/dev/null
rc=$?; [ $rc -eq 137 ]; check $? "twice: second kill: status $rc, want 137"
resume twice "$tmp/k4"
same_run twice "$tmp/k4"
# Ctrl-C inside epoch 2: the step ends, the checkpoint is written (inside the epoch), the command
# that resumes is printed, status 130; --resume then continues bit-identically.
DGM_TEST_KILL_AT=step:250:INT "$dgm" train $vae --epochs 3 --out "$tmp/i1" >"$tmp/i1.log" 2>&1
rc=$?; [ $rc -eq 130 ]; check $? "Ctrl-C: status $rc, want 130"
grep -q "to continue: dgm train vae --out $tmp/i1 --resume" "$tmp/i1.log"; check $? "Ctrl-C: no resume command printed: $(tail -2 "$tmp/i1.log")"
grep -q "interrupted after step 250" "$tmp/i1.log"; check $? "Ctrl-C: no 'interrupted after step 250'"
resume ctrl-c "$tmp/i1"
same_run ctrl-c "$tmp/i1"
# A second Ctrl-C while that checkpoint is written stops at once (status 130) and leaves the
# previous checkpoint (step 200) whole; --resume continues from it.
DGM_TEST_KILL_AT=step:250:INT,write:model.safetensors:2:INT "$dgm" train $vae --epochs 3 --out "$tmp/i2" >"$tmp/i2.log" 2>&1
rc=$?; [ $rc -eq 130 ]; check $? "second Ctrl-C: status $rc, want 130"
grep -q "interrupted again" "$tmp/i2.log"; check $? "second Ctrl-C: no 'interrupted again' message"
expect 0 "step 200" -- "$dgm" eval --ckpt "$tmp/i2/model.safetensors"
resume ctrl-c-twice "$tmp/i2"
same_run ctrl-c-twice "$tmp/i2"
# Synthetic data (iterations, checkpoints at the sample plots): kill -9 between two plots.
gan="gan --data ring --iters 100 --sample-every 20 --hidden 8 --latent 2 --batch 16"
"$dgm" train $gan --out "$tmp/gref" >/dev/null 2>&1
killed toy step:47 $gan --out "$tmp/g1"
"$dgm" train gan --out "$tmp/g1" --resume >/dev/null 2>&1; check $? "toy: --resume failed"
same_run toy "$tmp/g1" "$tmp/gref"
# A real kill -9 from outside at a random moment after the first checkpoint (4 epochs of 400 steps).
long="vae --hidden 16 --latent 2 --batch 25 --epochs 4"
"$dgm" train $long --out "$tmp/lref" >/dev/null 2>&1
"$dgm" train $long --out "$tmp/l1" >/dev/null 2>&1 &
pid=$!
# Once metrics.csv holds rows past the first checkpoint (step 400) on disk, a kill at any moment
# leaves rows that --resume must not log twice.
# (Up to 120 s: a sanitizer build on a loaded machine is slow.)
for _ in $(seq 6000); do
  [ -f "$tmp/l1/model.safetensors" ] && [ "$(wc -l < "$tmp/l1/metrics.csv")" -gt 520 ] && break; sleep 0.02
done
sleep "0.$((RANDOM % 2))$((RANDOM % 10))"  # 0 to 0.19 s: before the end (0.4 s more on an idle machine)
{ kill -9 $pid; wait $pid; } 2>/dev/null
"$dgm" train vae --out "$tmp/l1" --resume >"$tmp/l1.log" 2>&1; check $? "external kill -9: --resume failed"
echo "cli: external kill -9: $(grep -h "resumed from\|cut back\|nothing to do" "$tmp/l1.log" | sed 's/.*model.safetensors //' | tr '\n' ' ')"
same_run "external kill -9" "$tmp/l1" "$tmp/lref"
# SIGTERM from outside: as Ctrl-C (status 130, then --resume).
"$dgm" train $long --out "$tmp/l2" >"$tmp/l2.log" 2>&1 &
pid=$!
for _ in $(seq 6000); do [ -f "$tmp/l2/model.safetensors" ] && break; sleep 0.02; done
kill -TERM $pid
wait $pid
rc=$?; [ $rc -eq 130 ]; check $? "SIGTERM: status $rc, want 130"
"$dgm" train vae --out "$tmp/l2" --resume >/dev/null 2>&1; check $? "SIGTERM: --resume failed"
same_run SIGTERM "$tmp/l2" "$tmp/lref"

# ---- resume refuses what would change the stored step, and says why ----
# (the reference run: 3 epochs of batch 50 on the subset)
cp -r "$tmp/ref" "$tmp/r"
expect 2 "--batch 64: the run was trained with --batch 50" -- "$dgm" train vae --out "$tmp/r" --epochs 4 --batch 64 --resume
expect 2 "--batch 256: the run was trained with --batch 50" -- "$dgm" train vae --out "$tmp/r" --epochs 4 --batch 256 --resume
expect 2 "--data $tmp/trunc: the run was trained with --data ''" -- "$dgm" train vae --out "$tmp/r" --epochs 4 --data "$tmp/trunc" --resume
expect 2 "--hidden 32: the run was trained with --hidden 16" -- "$dgm" train vae --out "$tmp/r" --epochs 4 --hidden 32 --resume
expect 2 "--optim sgd: the run was trained with --optim adam" -- "$dgm" train vae --out "$tmp/r" --epochs 4 --optim sgd --resume
expect 2 "the run there is a vae, not a gan" -- "$dgm" train gan --out "$tmp/r" --epochs 4 --resume
cmp -s "$tmp/ref/config.txt" "$tmp/r/config.txt"; check $? "a refused --resume rewrote config.txt"
expect 0 "nothing to do: at epoch 3 of 2" -- "$dgm" train vae --out "$tmp/r" --epochs 2 --resume
expect 0 "nothing to do: at epoch 3 of 3" -- "$dgm" train vae --out "$tmp/r" --resume
cmp -s "$tmp/ref/config.txt" "$tmp/r/config.txt" && cmp -s "$tmp/ref/metrics.csv" "$tmp/r/metrics.csv"
check $? "'nothing to do' rewrote config.txt or metrics.csv"
expect 2 "--resume is a switch: it takes no value" -- "$dgm" train vae --out "$tmp/r" --resume=true
expect 2 "holds no checkpoint" -- "$dgm" train vae --out "$tmp/nothing-here" --resume
expect 0 "epoch 4/4" -- "$dgm" train vae --out "$tmp/r" --epochs 4 --lr 0.0005 --threads 1 --resume
expect 0 "usage" -- "$dgm" train --help
"$dgm" train --help | grep -A1 "These may change on --resume:" | grep -q -- "--epochs --iters --lr --lr-g --lr-d"
check $? "train --help does not list the flags that may change on --resume"

# ---- an existing run folder: refused without --resume; --force clears only dgm's files ----
cp -r "$tmp/ref" "$tmp/f"
echo mine > "$tmp/f/notes.txt"
mkdir -p "$tmp/f/samples" && echo mine > "$tmp/f/samples/keep.png"
expect 2 "already holds a run (config.txt, metrics.csv, model.safetensors, 4 more): --resume continues it, --force starts over" -- \
  "$dgm" train vae --hidden 16 --latent 2 --batch 500 --epochs 1 --out "$tmp/f"
cmp -s "$tmp/ref/model.safetensors" "$tmp/f/model.safetensors"; check $? "a refused run changed model.safetensors"
expect 0 "done" -- "$dgm" train vae --hidden 16 --latent 2 --batch 500 --epochs 1 --out "$tmp/f" --force
[ -f "$tmp/f/notes.txt" ] && [ -f "$tmp/f/samples/keep.png" ]; check $? "--force deleted a file dgm did not write"
[ ! -e "$tmp/f/samples/epoch_002.png" ] && [ ! -e "$tmp/f/samples/epoch_003.png" ] && [ -f "$tmp/f/samples/epoch_001.png" ]
check $? "--force left the old run's samples/epoch_00[23].png"
[ "$(wc -l < "$tmp/f/metrics.csv")" -eq 21 ]; check $? "--force: metrics.csv is not the new run's 20 rows"
expect 2 "give one of them" -- "$dgm" train vae --out "$tmp/f" --resume --force
mkdir -p "$tmp/empty"; echo mine > "$tmp/empty/readme"
expect 0 "done" -- "$dgm" train vae --hidden 16 --latent 2 --batch 500 --epochs 1 --out "$tmp/empty"

# ---- rbm and dbn (include/dgm/run/ebm_run.h): the run folder, clear errors ----
expect 0 "test log-likelihood by AIS" -- "$dgm" train rbm --hidden 16 --epochs 1 --batch 500 --ais 10 --ais-runs 4 --out "$tmp/rbm"
for f in config.txt metrics.csv model.safetensors samples.png filters.png likelihood.txt; do
  [ -s "$tmp/rbm/$f" ]; check $? "train rbm did not write $f"
done
[ "$(head -1 "$tmp/rbm/metrics.csv")" = "layer,epoch,recon_error,pseudo_likelihood,seconds" ]; check $? "rbm metrics.csv header"
expect 0 "bound by AIS" -- "$dgm" train dbn --hidden 16,8 --epochs 1 --batch 500 --ais 10 --ais-runs 4 --out "$tmp/dbn"
expect 0 "mean-field bound on the test log-likelihood" -- "$dgm" train dbm --hidden 16,8 --epochs 1 --batch 500 --ais 10 --ais-runs 4 --out "$tmp/dbm"
for f in config.txt metrics.csv model.safetensors samples.png filters.png likelihood.txt; do
  [ -s "$tmp/dbm/$f" ]; check $? "train dbm did not write $f"
done
[ "$(head -1 "$tmp/dbm/metrics.csv")" = "stage,epoch,recon_error,seconds" ]; check $? "dbm metrics.csv header"
grep -q "^rbm2,1," "$tmp/dbm/metrics.csv"; check $? "dbm metrics.csv has no pre-training row of RBM 2"
grep -q "^test_log_likelihood_bound -" "$tmp/dbm/likelihood.txt"; check $? "dbm likelihood.txt has no bound"
expect 0 "pre-training 0 epochs" -- "$dgm" train dbm --hidden 16,8 --epochs 1 --batch 500 --ais 0 --pretrain 0 --out "$tmp/dbm0"
[ ! -e "$tmp/dbm0/likelihood.txt" ] && ! grep -q "^rbm" "$tmp/dbm0/metrics.csv"; check $? "dbm --pretrain 0 --ais 0 pre-trained or wrote likelihood.txt"
expect 2 "epochs of pre-training" -- "$dgm" train dbm --pretrain -2 --out "$tmp/dbm2"
expect 0 "test_log_likelihood_bound" -- "$dgm" eval --ckpt "$tmp/dbm/model.safetensors"
expect 0 "wrote" -- "$dgm" sample --ckpt "$tmp/rbm/model.safetensors" --n 20 --out "$tmp/rbm_s.png"
expect 0 "wrote" -- "$dgm" sample --ckpt "$tmp/dbm/model.safetensors" --n 20 --out "$tmp/dbm_s.png"
expect 2 "written as .png or .pgm" -- "$dgm" sample --ckpt "$tmp/dbn/model.safetensors" --n 20 --out "$tmp/dbn_s.csv"
expect 0 "test_log_likelihood_bound" -- "$dgm" eval --ckpt "$tmp/dbn/model.safetensors"
expect 2 "a dbm has two hidden layers" -- "$dgm" train dbm --hidden 16 --out "$tmp/rbm2"
expect 2 "an rbm has one hidden layer" -- "$dgm" train rbm --hidden 16,16 --out "$tmp/rbm2"
expect 2 "a dbn needs two or more widths" -- "$dgm" train dbn --hidden 16 --out "$tmp/rbm2"
expect 2 "needs binary images" -- "$dgm" train rbm --data ring --out "$tmp/rbm2"
expect 2 "(cd or pcd)" -- "$dgm" train rbm --cd fast --out "$tmp/rbm2"
expect 2 "Gibbs steps of CD-k" -- "$dgm" train rbm --k 0 --out "$tmp/rbm2"
expect 2 "no resumable state" -- "$dgm" train rbm --hidden 16 --epochs 1 --out "$tmp/rbm" --resume
# charrnn (src/charrnn_run.cpp): a short run, its checkpoint, text samples, --resume, bad input
cr="$tmp/cr"
expect 0 "held-out" -- "$dgm" train charrnn --hidden 16 --embed 8 --batch 4 --bptt 16 --iters 6 --log-every 3 --out "$cr"
[ "$(head -1 "$cr/metrics.csv")" = "step,train_bpc,held_out_bpc,grad_norm,seconds" ] && [ "$(wc -l < "$cr/metrics.csv")" -eq 3 ]
check $? "charrnn: metrics.csv is not a header and 2 rows"
expect 0 "Аппетит" -- "$dgm" sample --ckpt "$cr/model.safetensors" --prime "Аппетит" --n 20 --temperature 0.5
expect 0 "usage: dgm sample --ckpt F \[--temperature" -- "$dgm" sample --ckpt "$cr/model.safetensors" --help
expect 2 "--temperature must be a positive number, got 0" -- "$dgm" sample --ckpt "$cr/model.safetensors" --temperature 0
expect 2 "--temperature expects a number, got 'hot'" -- "$dgm" sample --ckpt "$cr/model.safetensors" --temperature hot
expect 2 "--prime: character 2, '€' (U+20AC), is not in the model's vocabulary" -- "$dgm" sample --ckpt "$cr/model.safetensors" --prime "А€"
expect 2 "--prime: the priming string must not be empty" -- "$dgm" sample --ckpt "$cr/model.safetensors" --prime ""
expect 2 "a charrnn checkpoint: unknown flag --label" -- "$dgm" sample --ckpt "$cr/model.safetensors" --label 3
expect 2 "unknown flag --temp; did you mean --temperature?" -- "$dgm" sample --ckpt "$cr/model.safetensors" --temp 0.5
expect 2 "--n needs a value" -- "$dgm" sample --ckpt "$cr/model.safetensors" --n
expect 0 "step 9/9" -- "$dgm" train charrnn --out "$cr" --resume --iters 9 --log-every 3
[ "$(wc -l < "$cr/metrics.csv")" -eq 4 ]; check $? "charrnn --resume: metrics.csv is not 3 rows"
expect 0 "step 9/9" -- "$dgm" train charrnn --hidden 16 --embed 8 --batch 4 --bptt 16 --iters 9 --log-every 3 --out "$tmp/cr9"
cmp -s "$cr/model.safetensors" "$tmp/cr9/model.safetensors"; check $? "charrnn: 6 steps + --resume to 9 differs from 9 steps"
[ "$(no_seconds "$cr/metrics.csv")" = "$(no_seconds "$tmp/cr9/metrics.csv")" ]; check $? "charrnn: resumed metrics.csv differs"
expect 2 "bptt 8: the run was trained with --bptt 16" -- "$dgm" train charrnn --out "$cr" --resume --iters 12 --bptt 8
expect 2 "--embed must be in 1..4096" -- "$dgm" train charrnn --embed 0 --out "$tmp/cr0"
expect 2 "too few for --batch 4000 streams" -- "$dgm" train charrnn --batch 4000 --out "$tmp/cr1"
printf 'ab\xff' > "$tmp/bad.txt"
expect 2 "not UTF-8 at byte 2" -- "$dgm" train charrnn --data "$tmp/bad.txt" --out "$tmp/cr2"

echo "cli: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
