#!/usr/bin/python3
"""charrnn_lockstep.py - dgm's CharRNN step against torch.nn.LSTM's from the SAME weights.

  build/dgm train charrnn --iters 1 --log-every 1 --out /tmp/crx1 --force
  build/dgm train charrnn --iters 4 --log-every 1 --out /tmp/crx4 --force; cat /tmp/crx4/metrics.csv
  /usr/bin/python3 docs/reference/charrnn_lockstep.py      (reads /tmp/crx1/model.safetensors)

Loads the step-1 checkpoint (weights under their PyTorch names, Adam's m and v, the carried LSTM
state) into nn.Embedding + nn.LSTM + nn.Linear and torch.optim.Adam, then runs steps 2..4 on the
same chunks; each printed train bits/char and gradient norm should equal /tmp/crx4's metrics.csv
rows 2..4 to about 1e-6 (float rounding). Then prints the initial-weight statistics of both.
"""
import sys, json, struct, math, numpy as np, torch, torch.nn as nn, torch.nn.functional as F
def load(path):
    b = open(path, 'rb').read(); n = struct.unpack('<Q', b[:8])[0]; h = json.loads(b[8:8+n]); base = 8+n
    meta = h.pop('__metadata__')
    return {k: torch.tensor(np.frombuffer(b[base+v['data_offsets'][0]:base+v['data_offsets'][1]], dtype='<f4').reshape(v['shape']).copy()) for k, v in h.items()}, meta
w, meta = load(sys.argv[1] if len(sys.argv) > 1 else '/tmp/crx1/model.safetensors')
text = open('datasets/fortunes-ru/excerpt.txt', encoding='utf-8', newline='').read()
vocab = sorted(set(text)); idx = {c: i for i, c in enumerate(vocab)}
assert [ord(c) for c in vocab] == [int(x) for x in meta['vocab'].split()]
ids = torch.tensor([idx[c] for c in text]); cut = len(ids)//10*9; train = ids[:cut]
B, T, H = 32, 64, 128; L = len(train)//B; streams = train[:B*L].view(B, L)
emb = nn.Embedding(len(vocab), 64); lstm = nn.LSTM(64, H); fc = nn.Linear(H, len(vocab))
with torch.no_grad():
    emb.weight.copy_(w['embed.weight'])
    for n in ['weight_ih_l0', 'weight_hh_l0', 'bias_ih_l0', 'bias_hh_l0']: getattr(lstm, n).copy_(w['lstm.' + n])
    fc.weight.copy_(w['fc.weight']); fc.bias.copy_(w['fc.bias'])
params = list(emb.parameters()) + list(lstm.parameters()) + list(fc.parameters())
names = ['embed.weight'] + ['lstm.' + n for n, _ in lstm.named_parameters()] + ['fc.weight', 'fc.bias']
opt = torch.optim.Adam(params, lr=2e-3, eps=1e-8)
for p, n in zip(params, names):
    opt.state[p] = {'step': torch.tensor(1.), 'exp_avg': w['optim.charrnn.' + n + '.m'].view_as(p).clone(), 'exp_avg_sq': w['optim.charrnn.' + n + '.v'].view_as(p).clone()}
state = (w['state.h_l0'].view(1, B, H), w['state.c_l0'].view(1, B, H))
for k in range(1, 4):
    chunk = streams[:, k*T:k*T+T+1].t().contiguous()
    y, state = lstm(emb(chunk[:-1]), state); state = (state[0].detach(), state[1].detach())
    loss = F.cross_entropy(fc(y).view(-1, len(vocab)), chunk[1:].reshape(-1))
    opt.zero_grad(); loss.backward(); norm = torch.nn.utils.clip_grad_norm_(params, 5.0); opt.step()
    print(k + 1, loss.item() / math.log(2), norm.item())
for k in ['embed.weight', 'lstm.weight_ih_l0', 'lstm.weight_hh_l0', 'lstm.bias_ih_l0', 'fc.weight', 'fc.bias']:
    print(k, tuple(w[k].shape), 'mean %.4f std %.4f min %.4f max %.4f' % (w[k].mean(), w[k].std(), w[k].min(), w[k].max()))
torch.manual_seed(42)
e2 = nn.Embedding(len(vocab), 64); l2 = nn.LSTM(64, H); f2 = nn.Linear(H, len(vocab))
for k, v in [('embed', e2.weight), ('w_ih', l2.weight_ih_l0), ('w_hh', l2.weight_hh_l0), ('fc', f2.weight), ('fcb', f2.bias)]:
    print('torch', k, 'mean %.4f std %.4f min %.4f max %.4f' % (v.mean(), v.std(), v.min(), v.max()))
