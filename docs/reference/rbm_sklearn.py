#!/usr/bin/python3
"""rbm_sklearn.py - the peer of `dgm train rbm`: scikit-learn's BernoulliRBM (PCD-1, plain SGD)
on the same binarized Fashion-MNIST, with the same hidden size, learning rate, batch and epochs.

    OPENBLAS_NUM_THREADS=2 OMP_NUM_THREADS=2 /usr/bin/python3 docs/reference/rbm_sklearn.py \
        --data /usr/share/datasets/fashion-mnist --hidden 500 --lr 0.05 --batch 100 --epochs 5

Prints the seconds per epoch of BernoulliRBM.fit and its pseudo-likelihood (score_samples: one
random unit flipped per image, nv log sigmoid(F(v~) - F(v)); the same estimator as dgm's
rbm_pseudo_likelihood) on the first 1,000 binarized test images, as dgm's metrics.csv does.

Binarization: the one protocol of include/dgm/data.h, reproduced bit for bit: pixel p becomes 1 if
Rng(20261201, stream).below(255) < p, train stream 1, test stream 2, with dgm's PCG32 (src/rng.cpp),
vectorized here by jumping the LCG ahead. --check prints the number of 1 pixels, which
`dgm`'s binarize gives too (test/test_rbm.cpp pins the shipped subset's count).
"""
import argparse, gzip, os, struct, sys, time
import numpy as np

MULT = np.uint64(6364136223846793005)
M64 = (1 << 64) - 1


def pcg_u32(seed, stream, n):
    """The first n outputs of dgm's Rng(seed, stream).next_u32()."""
    inc = ((stream << 1) | 1) & M64
    state = 0
    def step(s):
        return (s * 6364136223846793005 + inc) & M64
    state = step(state)           # next_u32()
    state = (state + seed) & M64  # state += seed
    state = step(state)           # next_u32()
    out = np.empty(n, dtype=np.uint32)
    block = 1 << 20
    # a^k and c (a^(k-1) + ... + 1) for k = 0..block-1: s_{n+k} = A_k s_n + C_k (mod 2^64)
    A = np.empty(block, dtype=np.uint64); C = np.empty(block, dtype=np.uint64)
    a, c = 1, 0
    for k in range(block):
        A[k] = a; C[k] = c
        a = (a * 6364136223846793005) & M64
        c = (c * 6364136223846793005 + inc) & M64
    with np.errstate(over="ignore"):
        for start in range(0, n, block):
            m = min(block, n - start)
            old = A[:m] * np.uint64(state) + C[:m]  # the states before each output
            xs = (((old >> np.uint64(18)) ^ old) >> np.uint64(27)).astype(np.uint32)
            rot = (old >> np.uint64(59)).astype(np.uint32)
            out[start:start + m] = (xs >> rot) | (xs << ((np.uint32(32) - rot) & np.uint32(31)))
            state = (int(A[m - 1]) * state + int(C[m - 1])) & M64
            state = (state * 6364136223846793005 + inc) & M64
    return out


def binarize(pixels, stream):
    u = pcg_u32(20261201, stream, pixels.size)
    # below(255): rejects only r < (2^32 - 255) % 255 = 1, i.e. r = 0 (never met here; checked)
    assert not (u == 0).any(), "a rejected draw: this reproduction would need to redraw"
    return ((u % 255) < pixels.reshape(-1)).reshape(pixels.shape).astype(np.float64)


def load_idx(path):
    for p in (path + ".gz", path):
        if os.path.exists(p):
            data = (gzip.open if p.endswith(".gz") else open)(p, "rb").read()
            n, rows, cols = struct.unpack(">III", data[4:16])
            return np.frombuffer(data, dtype=np.uint8, offset=16).reshape(n, rows * cols)
    sys.exit("no " + path + "[.gz]")


def gemm_floor(n, hidden, batch, dim=784):
    """The five matrix products of one BernoulliRBM epoch (sklearn's _fit: h_pos = v W', v_neg from
    the hidden chains h W, h_neg = v_neg W', then v_pos' h_pos and h_neg' v_neg), alone, in numpy on
    the same BLAS: float64 (what sklearn computes in) and float32 (dgm's precision). No model can
    run its epoch in less than its own products take; best of 3, seconds per epoch."""
    rng = np.random.default_rng(0)
    out = []
    for dt in (np.float64, np.float32):
        W = (rng.standard_normal((hidden, dim)) * 0.01).astype(dt)
        v = (rng.random((batch, dim)) < 0.3).astype(dt)
        h = (rng.random((batch, hidden)) < 0.5).astype(dt)
        best = float("inf")
        for _ in range(3):
            t0 = time.perf_counter()
            for _ in range(n // batch):
                hp = v @ W.T; vn = h @ W; hn = vn @ W.T; u = (v.T @ hp).T; u -= hn.T @ vn
            best = min(best, time.perf_counter() - t0)
        flops = 5 * 2.0 * batch * dim * hidden * (n // batch)
        out.append("%s %.3f s/epoch (%.1f GFLOP/s)" % (np.dtype(dt).name, best, flops / best / 1e9))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default="datasets/fashion-mnist-subset")
    ap.add_argument("--hidden", type=int, default=500)
    ap.add_argument("--lr", type=float, default=0.05)
    ap.add_argument("--batch", type=int, default=100)
    ap.add_argument("--epochs", type=int, default=5)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--check", action="store_true")
    ap.add_argument("--gemm-floor", action="store_true",
                    help="time only the five matrix products of an epoch (numpy, same BLAS) and exit")
    a = ap.parse_args()
    if a.gemm_floor:
        n = len(load_idx(os.path.join(a.data, "train-images-idx3-ubyte")))
        print("numpy's five RBM products alone, %d images, batch %d, hidden %d: %s" %
              (n, a.batch, a.hidden, "; ".join(gemm_floor(n, a.hidden, a.batch))))
        return
    from sklearn.neural_network import BernoulliRBM
    train = binarize(load_idx(os.path.join(a.data, "train-images-idx3-ubyte")), 1)
    test = binarize(load_idx(os.path.join(a.data, "t10k-images-idx3-ubyte")), 2)
    if a.check:
        print("ones train %d test %d" % (int(train.sum()), int(test.sum())))
    rbm = BernoulliRBM(n_components=a.hidden, learning_rate=a.lr, batch_size=a.batch, n_iter=a.epochs,
                       random_state=a.seed, verbose=0)
    t0 = time.perf_counter()
    rbm.fit(train)
    sec = time.perf_counter() - t0
    pl = rbm.score_samples(test[:1000]).mean()
    print("sklearn BernoulliRBM hidden %d lr %g batch %d epochs %d on %d images: %.2f s/epoch, "
          "pseudo_likelihood %.3f (first 1000 test images)" % (a.hidden, a.lr, a.batch, a.epochs, len(train),
                                                              sec / a.epochs, pl))


if __name__ == "__main__":
    main()
