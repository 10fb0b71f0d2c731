#!/usr/bin/env bash
# The largest MNIST network on the UP5K at 98% (BENCHMARKS.md, the
# accelerator section): the frontier's cheapest sieve-aware network of at
# least 98.0% mean accuracy whose weights fit the four SPRAM blocks (a
# 784-256-10 network, reports/frontier/mnist256*) and the cheapest exact
# network of the same accuracy, retrained from their first seed by
# scripts/train-mnist-best.sh; then both through the accelerator with 8
# lanes (the most that place), every test image checked against the
# golden model, median Fmax of placement seeds 1-3.
#
#   scripts/accelerator-mnist256.sh [OUT]     (default reports/accelerator)
#
# Reports in OUT/mnist256-* (the sieve, with and without counters, and on
# its board top with the flash loader, with 16 lanes, with 16 masked lanes;
# the exact network with 8, 16 and 21 lanes). MNIST comes from
# SIEVINGNET_MNIST_DIR (default ../shared/data/mnist).
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-reports/accelerator}
cargo build --release --quiet --workspace
if [ ! -f runs/best256/rom/model.json ] || [ ! -f runs/best256/exact/rom/model.json ]; then
  scripts/train-mnist-best.sh runs/best256 --fit up5k
fi
target/release/sievingnet area-mlp --rom runs/best256/rom --arch parallel,serial,mac --lanes 8 \
  --devices up5k --seeds 1,2,3 --samples 10000 --out "$out/mnist256-sieve"
target/release/sievingnet area-mlp --rom runs/best256/exact/rom --arch mac --lanes 8 \
  --devices up5k --seeds 1,2,3 --samples 10000 --out "$out/mnist256-exact"
# 16 MAC lanes reach the SPRAM port's bound (scripts/dataflow-mnist256.sh):
# the lean exact lane (8 multiply in the UP5K's DSPs, 8 by shift-adds in
# logic cells), the baseline of the 16 masked lanes below.
target/release/sievingnet area-mlp --rom runs/best256/exact/rom --arch mac --lanes 16 \
  --devices up5k --seeds 1,2,3 --samples 10000 --out "$out/mnist256-exact-16lanes"
# 21 lanes of its 3-bit weights fill the 64-bit SPRAM word (the weights
# packed at their width): the best exact accelerator of this network.
target/release/sievingnet area-mlp --rom runs/best256/exact/rom --arch mac --lanes 21 \
  --devices up5k --seeds 1,2,3 --samples 10000 --out "$out/mnist256-exact-21lanes"
# Packed at 2 bits, a 784-512-10 network fits the SPRAM too: the largest
# MNIST network on the UP5K (exact; the sieve's 4-bit weights do not fit),
# 32 lanes, one 64-bit word (trained by scripts/train-reports.sh).
if [ ! -f runs/reports/mnist512-exact-w2/rom/model.json ]; then
  scripts/train-reports.sh mnist512-exact-w2
fi
target/release/sievingnet area-mlp --rom runs/reports/mnist512-exact-w2/rom --arch mac --lanes 32 \
  --devices up5k --seeds 1,2,3 --samples 10000 --out "$out/mnist512-exact-w2-32lanes"
# 16 sieving lanes: one 64-bit SPRAM word per clock, the read bound
# (the reports record what they need when they do not place).
target/release/sievingnet area-mlp --rom runs/best256/rom --arch serial,parallel --lanes 16 \
  --devices up5k --seeds 1,2,3 --samples 10000 --out "$out/mnist256-sieve-16lanes"
# 16 lean sieving lanes (export-mlp --arch masked: a MAC whose weight has
# its sieved digits masked off; 8 in the DSPs, 8 by shift-adds): the read
# bound in a design that places.
target/release/sievingnet area-mlp --rom runs/best256/rom --arch masked --lanes 16 \
  --devices up5k --seeds 1,2,3 --samples 10000 --out "$out/mnist256-masked-16lanes"
# The sieving accelerator with its plane counters (export-mlp --counters):
# every sample's counts checked against the golden model; the logic cells
# they cost.
target/release/sievingnet area-mlp --rom runs/best256/rom --arch parallel --lanes 8 --counters \
  --devices up5k --seeds 1,2,3 --samples 10000 --out "$out/mnist256-sieve-counters"
# The board top: the sieving accelerator and the SPI flash loader that
# fills it after reset (export-mlp --flash-offset), every port on a pin.
target/release/sievingnet area-mlp --rom runs/best256/rom --arch parallel --lanes 8 \
  --flash-offset 0x100000 --devices up5k --seeds 1,2,3 --samples 10000 --out "$out/mnist256-sieve-board"
