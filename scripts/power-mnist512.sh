#!/usr/bin/env bash
# Toggles of the units on the default MNIST network (784-512-10, the
# trainer's default command, seed 1: 8-bit ternary, sieve-aware), sieve on
# and off, against the exact MACs on its exact stream and on exact
# 784-512-10 networks of 2- and 3-bit weights (quantization-aware, clipping
# search, seed 1). Two test samples (812,320 pairs per stream), no
# per-block netlists: about 20 minutes. Trains the networks missing in
# runs/ first (a few minutes each).
#
#   scripts/power-mnist512.sh [OUT]      (default reports/power/mnist512)
#
# MNIST comes from SIEVINGNET_MNIST_DIR (default ../shared/data/mnist).
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-reports/power/mnist512}
MNIST=${SIEVINGNET_MNIST_DIR:-../shared/data/mnist}
cargo build --release --quiet
if [ ! -f runs/default-512/rom/model.json ]; then
  target/release/sievingnet-train train --dataset mnist --data-dir "$MNIST" --seed 1 \
    --out runs/default-512 --quiet
fi
for w in 2 3; do
  if [ ! -f "runs/exact512-w$w/rom/model.json" ]; then
    target/release/sievingnet-train train --dataset mnist --data-dir "$MNIST" --seed 1 \
      --weight-scale mse --sieve-from 0 --w-bits "$w" --out "runs/exact512-w$w" --quiet
  fi
done
target/release/sievingnet power --rom runs/default-512/rom --rom runs/exact512-w2/rom \
  --rom runs/exact512-w3/rom --samples 2 --random-pairs 0 --no-blocks --out "$out"
