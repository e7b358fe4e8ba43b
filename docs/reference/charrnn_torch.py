#!/usr/bin/python3
"""charrnn_torch.py - the PyTorch reference of dgm's CharRNN (src/models/charrnn.cpp): the same
model, data, split, batches, optimizer, clipping and held-out measure, so that bits per character
after the same number of steps and the time per step can be compared (docs/math.md, "CharRNN").

  /usr/bin/python3 docs/reference/charrnn_torch.py [--data FILE] [--iters N] [--threads K] ...

Model: nn.Embedding(V, E) -> nn.LSTM(E, H, layers) -> nn.Linear(H, V), mean cross-entropy.
Data (src/text_data.cpp): the text as UTF-8 code points; vocabulary = sorted set of the whole
text; the first 90% (len // 10 * 9 characters) train, the rest held out. Batches
(src/charrnn_run.cpp): B equal streams of L = len(train) // B characters; step s reads chunk
k = s mod K, K = (L - 1) // T, of every stream; the carried state is zeroed when k = 0 and detached
between chunks (truncated BPTT). Adam(lr, betas (beta1, 0.999), eps 1e-8), the gradient clipped to
a global norm (clip_grad_norm_). Held-out: one stream from a zero state in chunks of T, the state
carried; mean -log2 p over its n - 1 predictions. Prints one line per evaluation and the mean
wall and processor time (all threads) per training step, evaluation excluded.
"""
import argparse, math, time
import torch
import torch.nn as nn
import torch.nn.functional as F

p = argparse.ArgumentParser()
p.add_argument("--data", default="datasets/fortunes-ru/excerpt.txt")
p.add_argument("--iters", type=int, default=1000)
p.add_argument("--batch", type=int, default=32)
p.add_argument("--bptt", type=int, default=64)
p.add_argument("--embed", type=int, default=64)
p.add_argument("--hidden", type=int, nargs="+", default=[128])
p.add_argument("--lr", type=float, default=2e-3)
p.add_argument("--beta1", type=float, default=0.9)
p.add_argument("--grad-norm", type=float, default=5.0)
p.add_argument("--seed", type=int, default=42)
p.add_argument("--threads", type=int, default=2)
p.add_argument("--log-every", type=int, default=0)
a = p.parse_args()
torch.manual_seed(a.seed)
torch.set_num_threads(a.threads)
assert len(set(a.hidden)) == 1, "nn.LSTM: one width for all layers"

text = open(a.data, encoding="utf-8").read()
vocab = sorted(set(text))
idx = {c: i for i, c in enumerate(vocab)}
ids = torch.tensor([idx[c] for c in text], dtype=torch.long)
cut = len(ids) // 10 * 9
train, held = ids[:cut], ids[cut:]
V, B, T, H, nl = len(vocab), a.batch, a.bptt, a.hidden[0], len(a.hidden)
L = len(train) // B
K = (L - 1) // T
streams = train[: B * L].view(B, L)


class CharRNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(V, a.embed)
        self.lstm = nn.LSTM(a.embed, H, nl)
        self.fc = nn.Linear(H, V)

    def forward(self, x, state):  # x: (T, B)
        y, state = self.lstm(self.embed(x), state)
        return self.fc(y), state


model = CharRNN()
opt = torch.optim.Adam(model.parameters(), lr=a.lr, betas=(a.beta1, 0.999), eps=1e-8)


def zero_state(b):
    return (torch.zeros(nl, b, H), torch.zeros(nl, b, H))


def held_out_bpc():
    with torch.no_grad():
        state, nats, n = zero_state(1), 0.0, 0
        for p0 in range(0, len(held) - 1, T):
            t = min(T, len(held) - 1 - p0)
            chunk = held[p0 : p0 + t + 1].view(-1, 1)
            logits, state = model(chunk[:-1], state)
            nats += F.cross_entropy(logits.view(-1, V), chunk[1:].view(-1), reduction="sum").item()
            n += t
        return nats / n / math.log(2)


every = a.log_every or max(1, a.iters // 10)
state, step_time, step_cpu, sum_nats, since = zero_state(B), 0.0, 0.0, 0.0, 0
print(f"torch {torch.__version__}, {torch.get_num_threads()} threads; {len(train)} train / {len(held)} held-out "
      f"characters, vocabulary {V}; {sum(q.numel() for q in model.parameters())} parameters")
for s in range(a.iters):
    t0, c0 = time.perf_counter(), time.process_time()
    k = s % K
    if k == 0:
        state = zero_state(B)
    chunk = streams[:, k * T : k * T + T + 1].t().contiguous()  # (T + 1, B) time-major
    state = (state[0].detach(), state[1].detach())
    logits, state = model(chunk[:-1], state)
    loss = F.cross_entropy(logits.view(-1, V), chunk[1:].reshape(-1))
    opt.zero_grad()
    loss.backward()
    norm = torch.nn.utils.clip_grad_norm_(model.parameters(), a.grad_norm)
    opt.step()
    step_time += time.perf_counter() - t0
    step_cpu += time.process_time() - c0
    sum_nats += loss.item()
    since += 1
    if (s + 1) % every == 0 or s + 1 == a.iters:
        print(f"step {s + 1} train_bpc {sum_nats / since / math.log(2):.4f} held_out_bpc {held_out_bpc():.4f} "
              f"grad_norm {norm:.3f}", flush=True)
        sum_nats, since = 0.0, 0
print(f"ms_per_step {1000 * step_time / a.iters:.2f} cpu_ms_per_step {1000 * step_cpu / a.iters:.2f}")
