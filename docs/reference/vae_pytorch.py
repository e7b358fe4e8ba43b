#!/usr/bin/env python3
"""vae_pytorch.py - the PyTorch peer of `dgm bench vae` (src/cli/cmd_bench.cpp), a COMPARISON TOOL:
not part of the build or the tests; needs python3-torch (call /usr/bin/python3).

The same model and step as `dgm train vae` with the bench's settings (src/models/vae.cpp, the Vae
class of checkpoint_pytorch.py): encoder 784 -> H -> 2J (mu | logvar), decoder J -> H -> 784
Bernoulli logits, ReLU, J = 20; loss the negative ELBO per image (BCE-with-logits summed over the
pixels + the closed-form KL, one z), mean over a batch of B; Adam lr 1e-3; the training images
p / 255, shuffled each epoch; torch's default init. Prints the mean seconds per epoch over
--epochs (the first epoch included, as dgm bench does), timed from the first step to the last
(the data load and the model's creation excluded).

With --decode-us it trains nothing and times the decoder alone at batch 1 instead (the peer of the
header `dgm export` writes, bench/export_decode_time.c): sigmoid(dec(z)) for one z of J numbers
under torch.no_grad(), in this process's CPU time, best of 5 batches of >= 0.1 CPU s each; prints
"... us CPU per sample". Run it with --threads 1 (a batch of one has nothing to split).

  OMP_WAIT_POLICY=PASSIVE /usr/bin/python3 docs/reference/vae_pytorch.py --data /usr/share/datasets/fashion-mnist \\
      --epochs 2 --threads 2 [--hidden 400] [--batch 128]
  OMP_WAIT_POLICY=PASSIVE /usr/bin/python3 docs/reference/vae_pytorch.py --decode-us --threads 1
"""
import argparse
import os
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from checkpoint_pytorch import Vae, parse_peer_flags, read_idx_images  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--hidden", type=int, default=400)
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--decode-us", action="store_true", help="time the decoder at batch 1, train nothing")
    a = parse_peer_flags(ap, latent=20)
    if a.decode_us:
        return decode_time(a)
    if a.epochs < 1:
        sys.exit("vae_pytorch.py: --epochs must be at least 1")
    x = read_idx_images(os.path.join(a.data, "train-images-idx3-ubyte"))
    m = Vae(784, [a.hidden], a.latent, "relu", False)
    opt = torch.optim.Adam(m.parameters(), 1e-3)
    gen = torch.Generator().manual_seed(a.seed)
    t0 = time.time()
    for _ in range(a.epochs):
        perm = torch.randperm(x.shape[0], generator=gen)
        for s in range(0, x.shape[0], a.batch):
            loss = m.neg_elbo(x[perm[s:s + a.batch]], gen).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
    sec = (time.time() - t0) / a.epochs
    print(f"vae_pytorch  threads {a.threads}  hidden {a.hidden}  batch {a.batch}  {sec:.3f} s/epoch  "
          f"OMP_WAIT_POLICY={os.environ.get('OMP_WAIT_POLICY', '(unset)')}")


def decode_time(a):
    m = Vae(784, [a.hidden], a.latent, "relu", False)
    z = torch.randn(1, a.latent)
    best = float("inf")
    with torch.no_grad():
        for _ in range(5):
            n, t0 = 0, time.process_time()
            while True:
                x = torch.sigmoid(m.mlp(m.dec, z))
                n += 1
                el = time.process_time() - t0
                if el >= 0.1:
                    break
            best = min(best, el / n)
    print(f"vae_pytorch decoder ({a.latent}-{a.hidden}-784) batch 1, threads {a.threads}: {best * 1e6:.1f} us CPU "
          f"per sample (x[0] {x[0, 0].item():.3f}) OMP_WAIT_POLICY={os.environ.get('OMP_WAIT_POLICY', '(unset)')}")


if __name__ == "__main__":
    main()
