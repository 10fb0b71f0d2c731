#!/usr/bin/env bash
# Toggles and memory reads of the fastest accelerators of the UP5K at 98%
# (BENCHMARKS.md, the accelerator's energy section), each on the lanes of
# its throughput row: the sieve-aware 784-256-10 network on 16 masked
# lanes (and its exact network on the same 16 lanes), the exact 5-bit
# 784-128-10 network on 12 MAC lanes, the exact 3-bit 784-256-10 on 21 and
# the exact 2-bit 784-512-10 on 32, the weights packed at their width.
# Trains what is missing in runs/ first, as the accelerator scripts do.
#
#   scripts/power-mlp-up5k.sh [OUT]     (default reports/power/accelerator-up5k)
#
# MNIST comes from SIEVINGNET_MNIST_DIR (default ../shared/data/mnist).
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-reports/power/accelerator-up5k}
cargo build --release --quiet --workspace
if [ ! -f runs/best256/rom/model.json ] || [ ! -f runs/best256/exact/rom/model.json ]; then
  scripts/train-mnist-best.sh runs/best256 --fit up5k
fi
for net in mnist128-exact-w5 mnist512-exact-w2; do
  if [ ! -f "runs/reports/$net/rom/model.json" ]; then
    scripts/train-reports.sh "$net"
  fi
done
target/release/sievingnet power-mlp --rom runs/best256/rom --rom runs/reports/mnist128-exact-w5/rom \
  --rom runs/best256/exact/rom --rom runs/reports/mnist512-exact-w2/rom \
  --arch masked,mac --lanes 16,12,21,32 --samples 20 --out "$out"
