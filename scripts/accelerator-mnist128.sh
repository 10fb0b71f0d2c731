#!/usr/bin/env bash
# The 784-128-10 accelerator figures of BENCHMARKS.md (the accelerator
# section): trains the four networks of scripts/train-reports.sh mnist128
# (seed 1) unless their ROMs exist, then places and routes each accelerator
# on the UP5K (median Fmax of placement seeds 1-3) and runs its test images
# through the exported Verilog in Verilator, every prediction checked.
#
#   scripts/accelerator-mnist128.sh [OUT]     (default reports/accelerator)
#
# Reports in OUT/mnist128-*. MNIST comes from SIEVINGNET_MNIST_DIR (default
# ../shared/data/mnist). Run it on a committed tree: every report records
# the commit.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-reports/accelerator}
cargo build --release --quiet --workspace
for net in sieve exact exact-w2 exact-w5; do
  if [ ! -f "runs/reports/mnist128-$net/rom/model.json" ]; then
    scripts/train-reports.sh "mnist128-$net"
  fi
done
area() { # ROM ARCHES LANES SAMPLES NAME
  target/release/sievingnet area-mlp --rom "runs/reports/mnist128-$1/rom" --arch "$2" --lanes "$3" \
    --devices up5k --seeds 1,2,3 --samples "$4" --out "$out/$5"
}
area sieve parallel,serial,mac 4 1000 mnist128-sieve
area exact mac 4 1000 mnist128-exact
area exact-w2 mac 4 500 mnist128-exact-w2
area exact-w2 mac 8 500 mnist128-exact-w2-8lanes
# 32 lanes of 2-bit weights fill the 64-bit SPRAM word (packed weights).
area exact-w2 mac 32 10000 mnist128-exact-w2-32lanes
# 8 sieving lanes need more logic cells than the UP5K has: the report
# records the shortfall.
area sieve parallel 8 500 mnist128-sieve-8lanes
area exact-w5 mac 8 500 mnist128-exact-w5-8lanes
# The best exact accelerator at 98%: 12 lanes of 5-bit weights fill the
# 64-bit SPRAM word (the weights packed at their width), every test image.
area exact-w5 mac 12 10000 mnist128-exact-w5-12lanes
