#!/usr/bin/env python3
"""gan_grid_pytorch.py - a PyTorch run of the project's GAN grid protocol (docs/math.md),
kept as a COMPARISON TOOL for `dgm bench-quality gan`. It is not part of the build or the tests
and dgm does not depend on it (it needs python3-torch: `apt-get install python3-torch`).

The protocol, as `dgm train gan --data grid` runs it (src/run/config.cpp, src/models/adversarial.cpp,
src/models/gan.cpp, src/data/data.cpp, src/run/evaluate.cpp, src/data/quality.cpp):
  data   5 x 5 grid of Gaussians, centres (-4 + 2i, -4 + 2j), std 0.05, a fresh minibatch of 512
         every iteration (mode uniform, then centre + 0.05 N(0, I))
  z      256-d N(0, I), fresh every iteration
  G      Linear(256,128) Tanh Linear(128,128) Tanh Linear(128,2)   (linear output)
  D      Linear(2,128)   Tanh Linear(128,128) Tanh Linear(128,1)   (a logit)
         nn.Linear's default init: W, b ~ U(-1/sqrt(in), 1/sqrt(in))
  loss   D: BCEWithLogits(D(x), 1) + BCEWithLogits(D(G(z).detach()), 0), each a mean over the batch
         G: non-saturating, BCEWithLogits(D(G(z)), 1), mean over the batch
  order  per iteration: one D step, then one G step on the same z and G(z) as the D step,
         with D's updated weights (the PyTorch dcgan example's order); --fresh-z draws a new z
         for the G step instead
  optim  Adam(betas=(0.5, 0.999), eps=1e-8), G lr 1e-3, D lr 1e-4
  steps  25,000 iterations
  metric 2,500 samples G(z) at the end; a sample is high quality when its Euclidean distance to
         the nearest centre is <= 3 std (0.15); a mode is covered when it is the nearest centre
         of at least one high-quality sample.

Usage:  python3 docs/reference/gan_grid_pytorch.py --seed 1 [--threads 2] [--iters 25000]
            [--log-every 1000] [--fresh-z] [--eval-every 0]
Prints the config, a line every --log-every iterations (loss_d, loss_g, D(x), D(G(z)): means over
the batch of the last D step), optionally the coverage every --eval-every iterations, and at the
end: `seed S modes M hq H ms_per_iter T`.
"""
import argparse
import time

import torch
import torch.nn as nn


def grid_centres(side=5, spacing=2.0):
    half = (side - 1) / 2.0
    return torch.tensor([[spacing * (i - half), spacing * (j - half)] for i in range(side) for j in range(side)])


def grid_batch(centres, n, std, gen):
    k = torch.randint(0, centres.shape[0], (n,), generator=gen)
    return centres[k] + std * torch.randn(n, 2, generator=gen)


def mlp(sizes):
    layers = []
    for i in range(len(sizes) - 1):
        layers.append(nn.Linear(sizes[i], sizes[i + 1]))
        if i + 2 < len(sizes):
            layers.append(nn.Tanh())
    return nn.Sequential(*layers)


@torch.no_grad()
def coverage(samples, centres, std):
    d2 = torch.cdist(samples.double(), centres.double()) ** 2  # (n, modes)
    best, k = d2.min(dim=1)
    good = best <= 9.0 * std * std
    modes = torch.unique(k[good]).numel()
    return modes, good.double().mean().item()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--iters", type=int, default=25000)
    ap.add_argument("--batch", type=int, default=512)
    ap.add_argument("--latent", type=int, default=256)
    ap.add_argument("--log-every", type=int, default=1000)
    ap.add_argument("--eval-every", type=int, default=0, help="coverage of 2,500 samples every N iterations")
    ap.add_argument("--fresh-z", action="store_true", help="draw a new z for the generator step")
    a = ap.parse_args()

    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    gen = torch.Generator().manual_seed(1000 + a.seed)  # data and z
    eval_gen = torch.Generator().manual_seed(2000 + a.seed)  # the evaluation's z (not the training stream)
    std = 0.05
    centres = grid_centres()
    G = mlp([a.latent, 128, 128, 2])
    D = mlp([2, 128, 128, 1])
    opt_g = torch.optim.Adam(G.parameters(), lr=1e-3, betas=(0.5, 0.999))
    opt_d = torch.optim.Adam(D.parameters(), lr=1e-4, betas=(0.5, 0.999))
    bce = nn.BCEWithLogitsLoss()  # mean over the batch
    B = a.batch
    ones, zeros = torch.ones(B, 1), torch.zeros(B, 1)
    print(f"config seed {a.seed} threads {a.threads} iters {a.iters} batch {B} latent {a.latent} "
          f"fresh_z {a.fresh_z} torch {torch.__version__}", flush=True)
    print("iter loss_d loss_g d_real d_fake", flush=True)
    t0 = time.time()
    for it in range(1, a.iters + 1):
        x = grid_batch(centres, B, std, gen)
        z = torch.randn(B, a.latent, generator=gen)
        # D step: minimise mean bce(D(x), 1) + mean bce(D(G(z)), 0)
        fake = G(z)
        real_out = D(x)
        fake_out = D(fake.detach())
        loss_d = bce(real_out, ones) + bce(fake_out, zeros)
        opt_d.zero_grad()
        loss_d.backward()
        opt_d.step()
        # G step: minimise mean bce(D(G(z)), 1) with D's new weights
        if a.fresh_z:
            fake = G(torch.randn(B, a.latent, generator=gen))
        opt_g.zero_grad()
        loss_g = bce(D(fake), ones)
        loss_g.backward()
        opt_g.step()
        if a.log_every and it % a.log_every == 0:
            print(f"{it} {loss_d.item():.5f} {loss_g.item():.5f} {torch.sigmoid(real_out).mean().item():.5f} "
                  f"{torch.sigmoid(fake_out).mean().item():.5f}", flush=True)
        if a.eval_every and it % a.eval_every == 0 and it < a.iters:
            with torch.no_grad():
                m, hq = coverage(G(torch.randn(2500, a.latent, generator=eval_gen)), centres, std)
            print(f"eval {it} modes {m} hq {hq:.4f}", flush=True)
    ms = 1000.0 * (time.time() - t0) / a.iters
    with torch.no_grad():
        samples = G(torch.randn(2500, a.latent, generator=eval_gen))
    m, hq = coverage(samples, centres, std)
    print(f"seed {a.seed} modes {m} hq {hq:.4f} ms_per_iter {ms:.2f}", flush=True)


if __name__ == "__main__":
    main()
