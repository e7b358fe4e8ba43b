#!/usr/bin/env python3
"""checkpoint_pytorch.py - a dgm VAE checkpoint as a PyTorch model, and back.

Forward: loads model.safetensors (docs/checkpoint.md: tensors named and shaped as a PyTorch
state_dict) into the same VAE written with torch.nn, and re-scores the test split's loss, the
negative ELBO per image with one z sample and the closed-form KL, in nats (what `dgm eval` prints
as test_loss; the two differ only by the Monte Carlo noise of the z draws).
Reverse: trains that PyTorch model for --steps Adam steps on the training split, saves its
state_dict() as safetensors with the metadata dgm needs (format, config, data; no optimizer or
trainer state) and, given --dgm, runs `dgm eval` and `dgm sample` on the file.

Needs only PyTorch (Debian's python3-torch 1.13 is enough): the safetensors format is read and
written here with json + struct (8-byte header length, JSON header, raw little-endian float32).

  /usr/bin/python3 docs/reference/checkpoint_pytorch.py --ckpt runs/vae/model.safetensors --dgm build/dgm
"""
import argparse
import gzip
import json
import math
import os
import struct
import subprocess
import sys

import torch
import torch.nn.functional as F

SUBSET = "datasets/fashion-mnist-subset"
SYSTEM = "/usr/share/datasets/fashion-mnist"


def read_safetensors(path):
    """(tensors by name, metadata) of a safetensors file (F32 only, as dgm writes)."""
    with open(path, "rb") as f:
        raw = f.read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n].decode("utf-8"))
    meta = header.pop("__metadata__", {})
    data = bytearray(raw[8 + n:])  # writable, so torch.frombuffer does not warn
    tensors = {}
    for name, e in header.items():
        if e["dtype"] != "F32":
            sys.exit(f"{path}: tensor {name} is {e['dtype']}; dgm files hold F32 only")
        begin, end = e["data_offsets"]
        t = torch.frombuffer(data, dtype=torch.float32, count=(end - begin) // 4, offset=begin)
        tensors[name] = t.reshape(e["shape"]).clone()
    return tensors, meta


def write_safetensors(path, tensors, meta):
    """tensors (name -> float32 tensor) and string metadata as a safetensors file."""
    header = {"__metadata__": meta}
    blobs, at = [], 0
    for name, t in tensors.items():
        b = t.detach().to(torch.float32).contiguous().cpu().numpy().astype("<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [at, at + len(b)]}
        blobs.append(b)
        at += len(b)
    h = json.dumps(header, separators=(",", ":")).encode("utf-8")
    h += b" " * ((8 - (8 + len(h)) % 8) % 8)  # the buffer starts at a multiple of 8, as the reference pads
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + b"".join(blobs))


def read_idx_images(path):
    """An IDX image file (.gz or not) as (n, rows * cols) floats p / 255 in [0, 1]."""
    for p in (path + ".gz", path):
        if os.path.exists(p):
            raw = (gzip.open if p.endswith(".gz") else open)(p, "rb").read()
            magic, n, rows, cols = struct.unpack(">IIII", raw[:16])
            if magic != 2051:
                sys.exit(f"{p}: not an IDX image file (magic {magic})")
            x = torch.frombuffer(bytearray(raw[16:16 + n * rows * cols]), dtype=torch.uint8)
            return x.reshape(n, rows * cols).to(torch.float32) / 255.0
    sys.exit(f"{path}(.gz): missing")


def write_idx_images(path, x):
    """(n, 784) floats in [0, 1] as an IDX image file of round(255 p) bytes (28 x 28), the format
    `dgm bench-quality images --samples PATH` reads."""
    b = (x.clamp(0, 1) * 255).round().to(torch.uint8).reshape(-1).numpy().tobytes()
    with open(path, "wb") as f:
        f.write(struct.pack(">IIII", 2051, x.shape[0], 28, 28) + b)


class Vae(torch.nn.Module):
    """dgm's VAE (src/models/vae.cpp): encoder dim -> hidden... -> 2J (mu | logvar), decoder
    J -> reversed hidden... -> dim logits (Bernoulli) or 2 dim (mean | logvar, Gaussian). The
    layers sit in ModuleLists named enc and dec, so state_dict() names them enc.0.weight, ...:
    the names of a dgm checkpoint."""

    def __init__(self, dim, hidden, latent, act, gaussian):
        super().__init__()
        enc = [dim] + hidden + [2 * latent]
        dec = [latent] + hidden[::-1] + [2 * dim if gaussian else dim]
        self.enc = torch.nn.ModuleList(torch.nn.Linear(a, b) for a, b in zip(enc, enc[1:]))
        self.dec = torch.nn.ModuleList(torch.nn.Linear(a, b) for a, b in zip(dec, dec[1:]))
        self.dim, self.J, self.gaussian = dim, latent, gaussian
        self.act = {"relu": F.relu, "tanh": torch.tanh, "sigmoid": torch.sigmoid,
                    "leaky": lambda v: F.leaky_relu(v, 0.2)}[act]

    def mlp(self, layers, x):
        for i, layer in enumerate(layers):
            x = layer(x)
            if i + 1 < len(layers):
                x = self.act(x)
        return x

    def neg_elbo(self, x, gen):
        """-log p(x|z) + KL(q(z|x) || N(0, I)) per row, one z = mu + exp(logvar / 2) eps."""
        h = self.mlp(self.enc, x)
        mu, lv = h[:, :self.J], h[:, self.J:]
        eps = torch.randn(mu.shape, generator=gen, dtype=x.dtype)
        o = self.mlp(self.dec, mu + torch.exp(0.5 * lv) * eps)
        if self.gaussian:
            m, v = o[:, :self.dim], o[:, self.dim:]
            nll = 0.5 * (math.log(2 * math.pi) + v + (x - m) ** 2 * torch.exp(-v))
        else:
            nll = F.binary_cross_entropy_with_logits(o, x, reduction="none")
        kl = -0.5 * (1 + lv - mu ** 2 - torch.exp(lv))
        return nll.sum(1) + kl.sum(1)


def parse_peer_flags(ap, latent=None):
    """The flags the PyTorch peers (conv_vae_pytorch.py, dcgan_pytorch.py) share: --data, --ckpt
    (a dgm checkpoint to load), --epochs (training epochs; 0: none), --threads, --seed."""
    ap.add_argument("--data", default=SUBSET)
    ap.add_argument("--ckpt")
    ap.add_argument("--epochs", type=int, default=0)
    if latent is not None:
        ap.add_argument("--latent", type=int, default=latent)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    return a


def parse_config(text):
    cfg = {}
    for line in text.splitlines():
        if " = " in line and not line.startswith("#"):
            k, v = line.split(" = ", 1)
            cfg[k] = v
    return cfg


def data_dir(flag, cfg):
    d = flag or cfg.get("data", "")
    if d == "full":
        return SYSTEM
    if d == "":
        return SUBSET if os.path.exists(os.path.join(SUBSET, "t10k-images-idx3-ubyte.gz")) else SYSTEM
    return d


def test_loss(model, x, seed):
    """Mean of neg_elbo over x, in batches of 500, in double."""
    gen = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        total = sum(model.neg_elbo(x[i:i + 500], gen).sum().item() for i in range(0, len(x), 500))
    return total / len(x)


def dgm_eval(dgm, ckpt, data):
    cmd = [dgm, "eval", "--ckpt", ckpt] + (["--data", data] if data else [])
    out = subprocess.run(cmd, capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"{' '.join(cmd)}: exit {out.returncode}: {out.stderr.strip()}")
    for line in out.stdout.splitlines():
        if line.startswith("test_loss "):
            return float(line.split()[1])
    sys.exit(f"{' '.join(cmd)} printed no test_loss")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--ckpt", required=True, help="a dgm VAE checkpoint (model.safetensors)")
    ap.add_argument("--data", default="", help="Fashion-MNIST folder (default: the run's, as dgm resolves it)")
    ap.add_argument("--dgm", default="", help="the dgm binary: also run dgm eval / dgm sample")
    ap.add_argument("--steps", type=int, default=200, help="Adam steps of the PyTorch model (reverse)")
    ap.add_argument("--out", default="", help="the state_dict file to write (default: beside --ckpt)")
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()

    tensors, meta = read_safetensors(a.ckpt)
    cfg = parse_config(meta.get("config", ""))
    if cfg.get("model") != "vae":
        sys.exit(f"{a.ckpt}: a {cfg.get('model', '?')} checkpoint; this script rebuilds the VAE")
    dim = int(meta["data"].split()[0])
    hidden = [int(h) for h in cfg["hidden"].split(",")]
    model = Vae(dim, hidden, int(cfg["latent"]), cfg.get("act", "relu"), cfg.get("decoder") == "gaussian")
    weights = {k: v for k, v in tensors.items() if not k.startswith("optim.")}
    model.load_state_dict(weights)  # strict: every name and shape must match
    n_params = sum(p.numel() for p in model.parameters())
    folder = data_dir(a.data, cfg)
    x_test = read_idx_images(os.path.join(folder, "t10k-images-idx3-ubyte")).double()
    model.double()
    print(f"{a.ckpt}: {len(weights)} tensors, {n_params} parameters, step {meta.get('step', '?')}; "
          f"test split {folder} ({len(x_test)} images)")
    print(f"forward: PyTorch test_loss {test_loss(model, x_test, a.seed):.3f}"
          + (f"   dgm eval test_loss {dgm_eval(a.dgm, a.ckpt, a.data):.3f}" if a.dgm else ""))

    # Reverse: a state_dict trained in PyTorch becomes a file dgm opens.
    x_train = read_idx_images(os.path.join(folder, "train-images-idx3-ubyte"))
    model.float()
    torch.manual_seed(a.seed)
    opt = torch.optim.Adam(model.parameters(), lr=float(cfg.get("lr", "0.001")))
    gen = torch.Generator().manual_seed(a.seed)
    for _ in range(a.steps):
        batch = x_train[torch.randint(len(x_train), (100,), generator=gen)]
        loss = model.neg_elbo(batch, gen).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
    out = a.out or os.path.join(os.path.dirname(a.ckpt) or ".", "from_pytorch.safetensors")
    write_safetensors(out, model.state_dict(),
                      {"format": "dgm-checkpoint-2", "config": meta["config"], "data": meta["data"]})
    model.double()
    print(f"reverse: {a.steps} PyTorch Adam steps -> {out}; PyTorch test_loss {test_loss(model, x_test, a.seed):.3f}"
          + (f"   dgm eval test_loss {dgm_eval(a.dgm, out, a.data):.3f}" if a.dgm else ""))
    if a.dgm:
        png = os.path.splitext(out)[0] + ".png"
        r = subprocess.run([a.dgm, "sample", "--ckpt", out, "--n", "100", "--out", png], capture_output=True, text=True)
        print(f"dgm sample: {(r.stdout or r.stderr).strip()}")
        if r.returncode != 0:
            sys.exit(r.returncode)


if __name__ == "__main__":
    main()
