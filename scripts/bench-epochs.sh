#!/usr/bin/env bash
# Training speed, side by side (BENCHMARKS.md, "Training speed"): one epoch
# of MNIST 784-512-10, batch 128, in each of the trainer's modes (float,
# quantization-aware, sieve-aware; `sievingnet-train bench-epoch`), then
# the same float epoch in numpy with its BLAS (scripts/bench-numpy-epoch.py;
# `pip install numpy` brings OpenBLAS). Both on all cores of the machine;
# run it on an idle one. MNIST comes from SIEVINGNET_MNIST_DIR (default
# ../shared/data/mnist).
#
#   scripts/bench-epochs.sh [REPEAT]
set -euo pipefail
cd "$(dirname "$0")/.."
MNIST=${SIEVINGNET_MNIST_DIR:-../shared/data/mnist}
repeat=${1:-3}
python3 -c "import numpy" 2>/dev/null || {
  echo "error: numpy is not installed: pip install numpy" >&2; exit 1; }
cargo build --release --quiet -p sievingnet-train
threads=$(nproc)
target/release/sievingnet-train bench-epoch --dataset mnist --data-dir "$MNIST" \
  --layers 784,512,10 --repeat "$repeat"
python3 scripts/bench-numpy-epoch.py "$MNIST" --layers 784,512,10 \
  --epochs "$repeat" --threads "$threads"
