#!/usr/bin/env python3
"""conv_vae_pytorch.py - dgm's convolutional VAE (`dgm train vae --arch conv`, src/models/conv_vae.cpp)
written with torch.nn, as a COMPARISON TOOL (not part of the build or the tests; needs python3-torch).

  enc: x (B, 1, 28, 28) -> conv1 Conv2d(1, 32, 4, 2, 1), ReLU -> conv2 Conv2d(32, 64, 4, 2, 1), ReLU
       -> fc Linear(3136, 2J) = mu | logvar
  dec: z (B, J) -> fc Linear(J, 3136), ReLU -> (B, 64, 7, 7) -> up1 ConvTranspose2d(64, 32, 4, 2, 1), ReLU
       -> up2 ConvTranspose2d(32, 1, 4, 2, 1) -> Bernoulli logits (B, 784)
  loss the negative ELBO per image: sum over pixels of BCE-with-logits + closed-form KL, one z
       sample, mean over the batch of 128; Adam lr 1e-3; pixels p / 255 in [0, 1]; torch's default init
  test_loss the same on the test split (one z per image), nats per image, as `dgm eval` prints it

  /usr/bin/python3 docs/reference/conv_vae_pytorch.py --data datasets/fashion-mnist-subset --epochs 1 --threads 2
  /usr/bin/python3 docs/reference/conv_vae_pytorch.py --ckpt runs/vae/model.safetensors   (strict load + test_loss)
"""
import argparse
import os
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from checkpoint_pytorch import parse_peer_flags, read_idx_images, read_safetensors  # noqa: E402


class Enc(torch.nn.Module):
    def __init__(self, J):
        super().__init__()
        self.conv1 = torch.nn.Conv2d(1, 32, 4, 2, 1)
        self.conv2 = torch.nn.Conv2d(32, 64, 4, 2, 1)
        self.fc = torch.nn.Linear(64 * 7 * 7, 2 * J)

    def forward(self, x):
        h = F.relu(self.conv1(x.view(-1, 1, 28, 28)))
        return self.fc(F.relu(self.conv2(h)).flatten(1))


class Dec(torch.nn.Module):
    def __init__(self, J):
        super().__init__()
        self.fc = torch.nn.Linear(J, 64 * 7 * 7)
        self.up1 = torch.nn.ConvTranspose2d(64, 32, 4, 2, 1)
        self.up2 = torch.nn.ConvTranspose2d(32, 1, 4, 2, 1)

    def forward(self, z):
        h = F.relu(self.fc(z)).view(-1, 64, 7, 7)
        return self.up2(F.relu(self.up1(h))).flatten(1)


class Vae(torch.nn.Module):
    def __init__(self, J=20):
        super().__init__()
        self.enc, self.dec, self.J = Enc(J), Dec(J), J

    def neg_elbo(self, x):
        h = self.enc(x)
        mu, lv = h[:, :self.J], h[:, self.J:]
        z = mu + torch.exp(0.5 * lv) * torch.randn_like(mu)
        nll = F.binary_cross_entropy_with_logits(self.dec(z), x, reduction="none").sum(1)
        kl = -0.5 * (1 + lv - mu ** 2 - lv.exp()).sum(1)
        return nll + kl


def test_loss(m, x):
    with torch.no_grad():
        return torch.cat([m.neg_elbo(x[s:s + 1000]) for s in range(0, x.shape[0], 1000)]).mean().item()


def main():
    a = parse_peer_flags(argparse.ArgumentParser(), latent=20)
    m = Vae(a.latent)
    xt = read_idx_images(os.path.join(a.data, "t10k-images-idx3-ubyte"))
    if a.ckpt:
        t, _ = read_safetensors(a.ckpt)
        m.load_state_dict({k: v for k, v in t.items() if not k.startswith("optim.")}, strict=True)
        print(f"loaded {a.ckpt} (strict): test_loss {test_loss(m, xt):.2f} nats per image")
    if a.epochs:
        x = read_idx_images(os.path.join(a.data, "train-images-idx3-ubyte"))
        opt = torch.optim.Adam(m.parameters(), 1e-3)
        B = 128
        for ep in range(a.epochs):
            t0 = time.time()
            perm = torch.randperm(x.shape[0])
            for s in range(0, x.shape[0], B):
                loss = m.neg_elbo(x[perm[s:s + B]]).mean()
                opt.zero_grad()
                loss.backward()
                opt.step()
            print(f"epoch {ep + 1}: {time.time() - t0:.1f} s ({a.threads} threads)  test_loss {test_loss(m, xt):.2f}")


if __name__ == "__main__":
    main()
