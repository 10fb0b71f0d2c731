#!/usr/bin/env bash
# Toggles and memory accesses of the whole accelerator (sievingnet
# power-mlp, 4 lanes, UP5K) on MNIST 784-128-10: the frontier's sieve-aware
# networks of 97.6% that fit the UP5K (8-bit binary at im 0.15, 4-bit
# ternary at im 0.35) on parallel, serial and MAC lanes, and the exact
# network of the same accuracy (2-bit weights) on MAC lanes. Trains what is
# missing in runs/ first (as scripts/power-mnist.sh does).
#
#   scripts/power-mlp-mnist.sh [OUT]     (default reports/power/accelerator-mnist128)
#
# MNIST comes from SIEVINGNET_MNIST_DIR (default ../shared/data/mnist).
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-reports/power/accelerator-mnist128}
MNIST=${SIEVINGNET_MNIST_DIR:-../shared/data/mnist}
cargo build --release --quiet
if [ ! -f runs/best/rom/model.json ] || [ ! -f runs/best/exact/rom/model.json ]; then
  scripts/train-mnist-best.sh runs/best --fit up5k --min-accuracy 0.975
fi
if [ ! -f runs/power-w4t-im0.35/rom/model.json ]; then
  target/release/sievingnet-train train --dataset mnist --data-dir "$MNIST" --layers 784,128,10 \
    --weight-scale mse --quiet --w-bits 4 --im 0.35 --coding ternary --seed 1 --out runs/power-w4t-im0.35
fi
target/release/sievingnet power-mlp --rom runs/best/rom --rom runs/power-w4t-im0.35/rom \
  --rom runs/best/exact/rom --lanes 4 --samples 5 --out "$out"
