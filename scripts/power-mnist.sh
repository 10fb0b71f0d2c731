#!/usr/bin/env bash
# Toggles of the units on MNIST (sievingnet power): the frontier's cheapest
# sieve-aware network at 97.5% that fits the UP5K (784-128-10, binary 8-bit,
# im 0.15), the same network trained at im 0.22 and 0.35 (the figure
# against the sieved share), the frontier's sieve-aware 4-bit ternary
# network at im 0.35 (97.63%, on the 4-bit units), and the exact network of
# the same accuracy (2-bit weights), on the parallel and serial units and
# the exact MACs. Trains what is missing in runs/ first (a minute or two
# per network).
#
#   scripts/power-mnist.sh [OUT]        (default reports/power/mnist128)
#
# MNIST comes from SIEVINGNET_MNIST_DIR (default ../shared/data/mnist).
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-reports/power/mnist128}
MNIST=${SIEVINGNET_MNIST_DIR:-../shared/data/mnist}
cargo build --release --quiet
if [ ! -f runs/best/rom/model.json ] || [ ! -f runs/best/exact/rom/model.json ]; then
  scripts/train-mnist-best.sh runs/best --fit up5k --min-accuracy 0.975
fi
for im in 0.22 0.35; do
  if [ ! -f "runs/power-im$im/rom/model.json" ]; then
    target/release/sievingnet-train train --dataset mnist --data-dir "$MNIST" --layers 784,128,10 \
      --weight-scale mse --quiet --w-bits 8 --im "$im" --coding binary --seed 1 --out "runs/power-im$im"
  fi
done
if [ ! -f runs/power-w4t-im0.35/rom/model.json ]; then
  target/release/sievingnet-train train --dataset mnist --data-dir "$MNIST" --layers 784,128,10 \
    --weight-scale mse --quiet --w-bits 4 --im 0.35 --coding ternary --seed 1 --out runs/power-w4t-im0.35
fi
target/release/sievingnet power --rom runs/best/rom --rom runs/power-im0.22/rom \
  --rom runs/power-im0.35/rom --rom runs/power-w4t-im0.35/rom --rom runs/best/exact/rom \
  --samples 5 --out "$out"
