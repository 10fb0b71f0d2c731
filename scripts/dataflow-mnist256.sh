#!/usr/bin/env bash
# Which of the sieve's idle pairs could an accelerator turn into clocks?
# `sievingnet dataflow` on the 784-256-10 networks of
# scripts/accelerator-mnist256.sh (trained by scripts/train-mnist-best.sh
# unless their ROMs exist), all 10,000 test images, 4, 8 and 16 lanes (21 for
# the exact network too): the
# sieve-aware network and the exact one (its thresholds <= 0, as the MAC
# accelerator computes it). Also two binary-coded sieve networks (one bit
# per digit plane, what the plane-major layout stores best), trained here
# unless their ROMs exist. BENCHMARKS.md, the accelerator section.
#
#   scripts/dataflow-mnist256.sh [OUT]     (default reports/dataflow)
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-reports/dataflow}
cargo build --release --quiet --workspace
if [ ! -f runs/best256/rom/model.json ] || [ ! -f runs/best256/exact/rom/model.json ]; then
  scripts/train-mnist-best.sh runs/best256 --fit up5k
fi
# The 784-256-10 sieve setting of reports/frontier/mnist256-output-im1
# (w4, output layer unsieved) in binary digits, seed 1: im 0.22 as the
# ternary network (97.93%), and im 0.35 (98.01%).
for im in 0.22 0.35; do
  dir=runs/binary256-im$im
  if [ ! -f "$dir/rom/model.json" ]; then
    target/release/sievingnet-train train --dataset mnist \
      --data-dir "${SIEVINGNET_MNIST_DIR:-../shared/data/mnist}" --layers 784,256,10 \
      --weight-scale mse --quiet --no-plots --output-im 1 --w-bits 4 --im "$im" \
      --coding binary --seed 1 --out "$dir"
  fi
done
mkdir -p "$out"
for lanes in 4 8 16; do
  target/release/sievingnet dataflow --rom runs/best256/rom --lanes "$lanes" \
    --json "$out/mnist256-sieve-${lanes}lanes.json" | tee "$out/mnist256-sieve-${lanes}lanes.md"
  target/release/sievingnet dataflow --rom runs/best256/exact/rom --exact --lanes "$lanes" \
    --json "$out/mnist256-exact-${lanes}lanes.json" | tee "$out/mnist256-exact-${lanes}lanes.md"
  for im in 0.22 0.35; do
    name=mnist256-sieve-binary-im$im-${lanes}lanes
    target/release/sievingnet dataflow --rom runs/binary256-im$im/rom --lanes "$lanes" \
      --json "$out/$name.json" | tee "$out/$name.md"
  done
done
# 21 lanes of the exact network's 3-bit weights fill the 64-bit SPRAM word
# (the weight store packs each weight at the ROM's width).
target/release/sievingnet dataflow --rom runs/best256/exact/rom --exact --lanes 21 \
  --json "$out/mnist256-exact-21lanes.json" | tee "$out/mnist256-exact-21lanes.md"
