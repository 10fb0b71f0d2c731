#!/usr/bin/env bash
# Which of the sieve's idle pairs could an accelerator turn into clocks?
# `sievingnet dataflow` on the 784-256-10 networks of
# scripts/accelerator-mnist256.sh (trained by scripts/train-mnist-best.sh
# unless their ROMs exist), all 10,000 test images, 4, 8 and 16 lanes: the
# sieve-aware network and the exact one (its thresholds <= 0, as the MAC
# accelerator computes it). BENCHMARKS.md, the accelerator section.
#
#   scripts/dataflow-mnist256.sh [OUT]     (default reports/dataflow)
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-reports/dataflow}
cargo build --release --quiet --workspace
if [ ! -f runs/best256/rom/model.json ] || [ ! -f runs/best256/exact/rom/model.json ]; then
  scripts/train-mnist-best.sh runs/best256 --fit up5k
fi
mkdir -p "$out"
for lanes in 4 8 16; do
  target/release/sievingnet dataflow --rom runs/best256/rom --lanes "$lanes" \
    --json "$out/mnist256-sieve-${lanes}lanes.json" | tee "$out/mnist256-sieve-${lanes}lanes.md"
  target/release/sievingnet dataflow --rom runs/best256/exact/rom --exact --lanes "$lanes" \
    --json "$out/mnist256-exact-${lanes}lanes.json" | tee "$out/mnist256-exact-${lanes}lanes.md"
done
