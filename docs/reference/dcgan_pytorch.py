#!/usr/bin/env python3
"""dcgan_pytorch.py - dgm's DCGAN (`dgm train gan --arch conv`, src/models/dcgan.cpp) written with
torch.nn, as a COMPARISON TOOL: it is not part of the build or the tests (needs python3-torch).

  G: z (B, 100) -> fc Linear(100, 128*7*7) -> view (B, 128, 7, 7) -> bn0 BatchNorm2d(128), ReLU
     -> up1 ConvTranspose2d(128, 64, 4, 2, 1, bias=False) -> (B, 64, 14, 14) -> bn1 BatchNorm2d(64), ReLU
     -> up2 ConvTranspose2d(64, 1, 4, 2, 1) -> (B, 1, 28, 28) -> tanh
  D: x (B, 1, 28, 28) -> conv1 Conv2d(1, 64, 4, 2, 1), LeakyReLU 0.2 -> (B, 64, 14, 14)
     -> conv2 Conv2d(64, 128, 4, 2, 1), LeakyReLU 0.2 -> (B, 128, 7, 7) -> fc Linear(6272, 1)
  init  weights N(0, 0.02^2), BN gamma N(1, 0.02^2), biases and beta 0 (Radford et al. 2016, sec. 4)
  loss  D: BCEWithLogits(D(x), 1) + BCEWithLogits(D(G(z).detach()), 0); G: BCEWithLogits(D(G(z)), 1)
        (non-saturating), means over the batch; G's step reuses the D step's z and G(z)
  optim Adam(lr 2e-4, betas (0.5, 0.999)) for both, batch 128, pixels x = 2 p / 255 - 1

Two uses:
  --ckpt runs/gan/model.safetensors   loads a dgm checkpoint into these modules with
      load_state_dict(strict=True) (the names and shapes must be torch's) and prints the mean of
      sigmoid(D(x)) over the test images, which `dgm eval` prints as test_d_real (D has no batch
      norm, so the two agree to float rounding).
  --epochs 1 [--threads 2]   trains this DCGAN on the training images and prints the seconds per
      epoch (for `make bench`'s comparison with `dgm train gan --arch conv`).
  --samples-out PATH   after training, 10,000 samples G(z) (eval mode: BN's running statistics,
      as dgm samples) mapped to [0, 1] and written as an IDX image file, for
      `dgm bench-quality images --samples PATH` (the same judge's Fréchet distance and class
      entropy as dgm's DCGAN gets).

  /usr/bin/python3 docs/reference/dcgan_pytorch.py --data datasets/fashion-mnist-subset --ckpt runs/gan/model.safetensors
  OMP_WAIT_POLICY=PASSIVE /usr/bin/python3 docs/reference/dcgan_pytorch.py --data /usr/share/datasets/fashion-mnist --epochs 1 --threads 2
"""
import argparse
import os
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from checkpoint_pytorch import parse_peer_flags, read_idx_images, read_safetensors, write_idx_images  # noqa: E402


class G(torch.nn.Module):
    def __init__(self, latent=100):
        super().__init__()
        self.fc = torch.nn.Linear(latent, 128 * 7 * 7)
        self.bn0 = torch.nn.BatchNorm2d(128)
        self.up1 = torch.nn.ConvTranspose2d(128, 64, 4, 2, 1, bias=False)
        self.bn1 = torch.nn.BatchNorm2d(64)
        self.up2 = torch.nn.ConvTranspose2d(64, 1, 4, 2, 1)

    def forward(self, z):
        h = F.relu(self.bn0(self.fc(z).view(-1, 128, 7, 7)))
        h = F.relu(self.bn1(self.up1(h)))
        return torch.tanh(self.up2(h)).view(-1, 784)


class D(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = torch.nn.Conv2d(1, 64, 4, 2, 1)
        self.conv2 = torch.nn.Conv2d(64, 128, 4, 2, 1)
        self.fc = torch.nn.Linear(128 * 7 * 7, 1)

    def forward(self, x):
        h = F.leaky_relu(self.conv1(x.view(-1, 1, 28, 28)), 0.2)
        h = F.leaky_relu(self.conv2(h), 0.2)
        return self.fc(h.flatten(1))


def init(m):
    for name, p in m.named_parameters():
        if name.endswith("weight"):
            torch.nn.init.normal_(p, 1.0 if name.startswith("bn") else 0.0, 0.02)
        else:
            torch.nn.init.zeros_(p)


def part(tensors, prefix):
    return {k[len(prefix):]: v for k, v in tensors.items() if k.startswith(prefix) and not k.startswith("optim.")}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--samples-out")
    a = parse_peer_flags(ap)
    g, d = G(), D()
    if a.ckpt:
        t, _ = read_safetensors(a.ckpt)
        g.load_state_dict(part(t, "G."), strict=True)
        d.load_state_dict(part(t, "D."), strict=True)
        x = read_idx_images(os.path.join(a.data, "t10k-images-idx3-ubyte")) * 2 - 1
        with torch.no_grad():
            dr = torch.sigmoid(d(x)).mean().item()
            g.eval()
            s = g(torch.randn(1000, 100))
        print(f"loaded {a.ckpt} (strict): test_d_real {dr:.6f}; 1000 samples in eval mode: mean {s.mean():.4f} "
              f"std {s.std():.4f}")
    if a.epochs:
        init(g), init(d)
        x = read_idx_images(os.path.join(a.data, "train-images-idx3-ubyte")) * 2 - 1
        og = torch.optim.Adam(g.parameters(), 2e-4, betas=(0.5, 0.999))
        od = torch.optim.Adam(d.parameters(), 2e-4, betas=(0.5, 0.999))
        B = 128
        for ep in range(a.epochs):
            t0 = time.time()
            perm = torch.randperm(x.shape[0])
            for s in range(0, x.shape[0] - B + 1, B):
                real = x[perm[s:s + B]]
                fake = g(torch.randn(B, 100))
                ld = F.binary_cross_entropy_with_logits(d(real), torch.ones(B, 1)) + \
                    F.binary_cross_entropy_with_logits(d(fake.detach()), torch.zeros(B, 1))
                od.zero_grad()
                ld.backward()
                od.step()
                lg = F.binary_cross_entropy_with_logits(d(fake), torch.ones(B, 1))
                og.zero_grad()
                lg.backward()
                og.step()
            print(f"epoch {ep + 1}: {time.time() - t0:.1f} s ({x.shape[0] // B} steps of {B}, "
                  f"{a.threads} threads)  loss_d {ld.item():.3f} loss_g {lg.item():.3f}", flush=True)
        if a.samples_out:
            g.eval()
            with torch.no_grad():
                s = torch.cat([g(torch.randn(1000, 100)) for _ in range(10)])
            write_idx_images(a.samples_out, (s + 1) / 2)
            print(f"wrote 10000 samples to {a.samples_out}")


if __name__ == "__main__":
    main()
