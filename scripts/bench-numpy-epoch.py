#!/usr/bin/env python3
"""One float training epoch of an MLP on MNIST in numpy (BLAS-backed GEMMs),
the side-by-side reference for the trainer's float epoch (BENCHMARKS.md,
"Training speed"; `scripts/bench-epochs.sh` runs both).

The same work as `sievingnet-train`'s float step: inputs scaled to [0, 1],
dense layers with ReLU between them, softmax cross-entropy, Adam (lr 0.002),
batch 128, the dense products as BLAS SGEMMs (forward `X W^T`, backward
`dZ^T X` and, for every layer but the first, `dZ W`). Data loading and the
shuffle are outside the timed loop, as in the trainer's `train_seconds`.

    python3 scripts/bench-numpy-epoch.py MNIST_DIR [--layers 784,512,10]
        [--batch 128] [--epochs 3] [--seed 1] [--threads 2]

Prints one JSON object: the numpy and BLAS versions, the seconds of every
epoch, and the best.
"""

import argparse
import gzip
import json
import os
import sys
import time


def read_idx(path):
    with open(path, "rb") as f:
        raw = f.read()
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    return raw


def load_train(mnist_dir, np):
    def find(stem):
        for name in (stem, stem + ".gz"):
            p = os.path.join(mnist_dir, name)
            if os.path.exists(p):
                return p
        sys.exit(f"error: {stem}[.gz] not found in {mnist_dir}: give the folder of the four MNIST IDX files")

    images = read_idx(find("train-images-idx3-ubyte"))
    labels = read_idx(find("train-labels-idx1-ubyte"))
    x = np.frombuffer(images, dtype=np.uint8, offset=16).reshape(-1, 784)
    y = np.frombuffer(labels, dtype=np.uint8, offset=8)
    return (x.astype(np.float32) / 255.0), y.astype(np.int64)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("mnist_dir")
    ap.add_argument("--layers", default="784,512,10")
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    # BLAS reads its thread count when it loads.
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(args.threads)
    try:
        import numpy as np
    except ImportError:
        sys.exit("error: numpy is not installed: pip install numpy (its wheels bring OpenBLAS)")

    sizes = [int(v) for v in args.layers.split(",")]
    rng = np.random.default_rng(args.seed)
    x, y = load_train(args.mnist_dir, np)
    ws = [
        (rng.standard_normal((o, i)) * np.sqrt(2.0 / i)).astype(np.float32)
        for i, o in zip(sizes, sizes[1:])
    ]
    bs = [np.zeros(o, dtype=np.float32) for o in sizes[1:]]
    params = [p for pair in zip(ws, bs) for p in pair]
    m = [np.zeros_like(p) for p in params]
    v = [np.zeros_like(p) for p in params]
    lr, b1, b2, eps = 0.002, 0.9, 0.999, 1e-8
    t = 0
    seconds = []
    for _ in range(args.epochs):
        order = rng.permutation(len(x))
        batches = [(x[order[s:s + args.batch]], y[order[s:s + args.batch]])
                   for s in range(0, len(x), args.batch)]
        t0 = time.perf_counter()
        for xb, yb in batches:
            acts = [xb]
            for li, (w, b) in enumerate(zip(ws, bs)):
                z = acts[-1] @ w.T + b
                if li + 1 < len(ws):
                    np.maximum(z, 0.0, out=z)
                acts.append(z)
            z = acts[-1]
            z = z - z.max(axis=1, keepdims=True)
            e = np.exp(z)
            g = e / e.sum(axis=1, keepdims=True)
            g[np.arange(len(yb)), yb] -= 1.0
            g /= len(yb)
            grads = [None] * len(params)
            for li in reversed(range(len(ws))):
                grads[2 * li] = g.T @ acts[li]
                grads[2 * li + 1] = g.sum(axis=0)
                if li > 0:
                    g = g @ ws[li]
                    g *= acts[li] > 0
            t += 1
            c1, c2 = 1.0 - b1 ** t, 1.0 - b2 ** t
            for p, gp, mp, vp in zip(params, grads, m, v):
                mp *= b1
                mp += (1.0 - b1) * gp
                vp *= b2
                vp += (1.0 - b2) * gp * gp
                p -= lr * (mp / c1) / (np.sqrt(vp / c2) + eps)
        seconds.append(time.perf_counter() - t0)
    cfg = np.show_config(mode="dicts") if hasattr(np, "show_config") else {}
    blas = cfg.get("Build Dependencies", {}).get("blas", {}) if isinstance(cfg, dict) else {}
    print(json.dumps({
        "what": "float epoch, numpy",
        "layers": sizes,
        "batch": args.batch,
        "threads": args.threads,
        "numpy": np.__version__,
        "blas": f"{blas.get('name', '?')} {blas.get('version', '?')}",
        "epoch_seconds": [round(s, 3) for s in seconds],
        "best_seconds": round(min(seconds), 3),
    }))


if __name__ == "__main__":
    main()
