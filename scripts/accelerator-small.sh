#!/usr/bin/env bash
# The accelerator on the small networks that fit block RAM (BENCHMARKS.md,
# the accelerator section): the shipped Iris ROM (4-10-3) and an 8x8 digits
# network (64-64-10, trained here from the shipped data, seed 1), every arch
# with 4 lanes, placed on the UP5K and the HX8K (median Fmax of placement
# seeds 1-3, clocks per sample over each ROM's test set).
#
#   scripts/accelerator-small.sh [OUT]     (default reports/accelerator)
#
# Reports in OUT/iris and OUT/digits.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-reports/accelerator}
cargo build --release --quiet --workspace
if [ ! -f runs/digits-seed1/rom/model.json ]; then
  target/release/sievingnet-train train --dataset digits --seed 1 --quiet --no-plots --out runs/digits-seed1
fi
for net in iris:tests/data/iris_rom digits:runs/digits-seed1/rom; do
  name=${net%%:*} rom=${net#*:}
  target/release/sievingnet area-mlp --rom "$rom" --arch parallel,serial,mac --lanes 4 \
    --devices up5k,hx8k --seeds 1,2,3 --samples 1000 --out "$out/$name"
done
