#!/usr/bin/env python3
"""gan_grid_replay.py - a COMPARISON TOOL, not part of the build: replays, in PyTorch, the steps
that docs/reference/gan_grid_lockstep.cpp recorded from our GAN on the grid protocol: the same
initial weights, the same x and z every step, torch's nn.Linear / Tanh / BCEWithLogitsLoss (mean)
/ Adam(betas=(0.5, 0.999)), one D step then one G step on the same G(z) with D's new weights
(as gan_grid_pytorch.py). Prints both sides' losses, D(x), D(G(z)) and gradient norms at a few
steps, the largest relative difference of each over all steps, and the largest difference of
every parameter at the end. Agreement to float rounding means our step computes what PyTorch's
does; the two then differ only in their random numbers.

Usage: python3 docs/reference/gan_grid_replay.py DIR   (DIR as given to gan_grid_lockstep)
"""
import sys

import numpy as np
import torch
import torch.nn as nn

from gan_grid_pytorch import mlp


def load_params(path):
    out = {}
    with open(path, "rb") as f:
        while True:
            line = f.readline()
            if not line:
                break
            name, n = line.decode().split()
            out[name] = np.frombuffer(f.read(4 * int(n)), dtype=np.float32).copy()
            f.readline()
    return out


def linears(net):
    return [m for m in net if isinstance(m, nn.Linear)]


def set_params(net, prefix, P):
    with torch.no_grad():
        for i, l in enumerate(linears(net)):
            l.weight.copy_(torch.from_numpy(P[f"{prefix}/{prefix}.{i}.W"]).view_as(l.weight))  # W: (out, in)
            l.bias.copy_(torch.from_numpy(P[f"{prefix}/{prefix}.{i}.b"]).view_as(l.bias))


def get_params(net, prefix):
    o = {}
    for i, l in enumerate(linears(net)):
        o[f"{prefix}/{prefix}.{i}.W"] = l.weight.detach().numpy().ravel()
        o[f"{prefix}/{prefix}.{i}.b"] = l.bias.detach().numpy().ravel()
    return o


def grad_norm(net):
    return torch.sqrt(sum((p.grad.double() ** 2).sum() for p in net.parameters())).item()


def main():
    d = sys.argv[1] if len(sys.argv) > 1 else "build/lock"
    torch.set_num_threads(1)
    init, final = load_params(d + "/init.bin"), load_params(d + "/final.bin")
    B, Z = 512, 256
    G, D = mlp([Z, 128, 128, 2]), mlp([2, 128, 128, 1])
    set_params(G, "G", init)
    set_params(D, "D", init)
    opt_g = torch.optim.Adam(G.parameters(), lr=1e-3, betas=(0.5, 0.999))
    opt_d = torch.optim.Adam(D.parameters(), lr=1e-4, betas=(0.5, 0.999))
    bce = nn.BCEWithLogitsLoss()
    ones, zeros = torch.ones(B, 1), torch.zeros(B, 1)
    xz = np.fromfile(d + "/xz.bin", dtype=np.float32)
    per = B * 2 + B * Z
    steps = xz.size // per
    ours = []
    for line in open(d + "/ours_losses.txt"):
        w = line.split()
        ours.append(dict(zip(w[0::2], map(float, w[1::2]))))
    worst = {}
    for s in range(steps):
        blk = xz[s * per:(s + 1) * per]
        x = torch.from_numpy(blk[:B * 2].reshape(B, 2).copy())
        z = torch.from_numpy(blk[B * 2:].reshape(B, Z).copy())
        fake = G(z)
        real_out, fake_out = D(x), D(fake.detach())
        loss_d = bce(real_out, ones) + bce(fake_out, zeros)
        opt_d.zero_grad()
        loss_d.backward()
        gd = grad_norm(D)
        opt_d.step()
        opt_g.zero_grad()
        loss_g = bce(D(fake), ones)
        loss_g.backward()
        gg = grad_norm(G)
        opt_g.step()
        th = dict(loss_d=loss_d.item(), loss_g=loss_g.item(), d_real=torch.sigmoid(real_out).mean().item(),
                  d_fake=torch.sigmoid(fake_out).mean().item(), grad_d=gd, grad_g=gg)
        for k, v in th.items():
            worst[k] = max(worst.get(k, 0.0), abs(v - ours[s][k]) / max(abs(v), 1e-12))
        if s in (0, 9, steps - 1):
            print(f"step {s + 1}: " + "  ".join(f"{k} {v:.7g} / {ours[s][k]:.7g}" for k, v in th.items()) +
                  "  (torch / ours)")
    print(f"largest relative difference over {steps} steps: " +
          ", ".join(f"{k} {v:.1e}" for k, v in worst.items()))
    th = {**get_params(G, "G"), **get_params(D, "D")}
    for k in sorted(th):
        print(f"after {steps} steps {k}: max |torch - ours| {np.abs(th[k] - final[k]).max():.1e}, "
              f"max |change from init| {np.abs(final[k] - init[k]).max():.1e}")


if __name__ == "__main__":
    sys.path.insert(0, __file__.rsplit("/", 1)[0])
    main()
