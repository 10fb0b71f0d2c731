#!/usr/bin/env bash
# The frontier of the largest MNIST network whose 4-bit weights fit the
# UP5K's SPRAM (784-256-10: 200,704 weights, 100,352 bytes; issue of the
# accelerator, BENCHMARKS.md): exact networks at w_bits 2, 3, 4, 8
# (8-bit activations; each also sieved after training and truncated), and
# sieve-aware 4-bit networks at im 0.22 and 0.15 with the output layer not
# sieved (`--output-im 1`), `--weight-scale mse`. About 70 s per job on 2
# cores, 4 + 2 jobs per seed. Resumes a stopped study; more seeds extend it.
#
#   scripts/frontier-mnist256.sh            # seeds 1,2,3
#
# The studies run in runs/frontier-mnist256 and
# runs/frontier-mnist256-output-im1; their records are copied to
# reports/frontier/. MNIST comes from SIEVINGNET_MNIST_DIR (default
# ../shared/data/mnist).
set -euo pipefail
cd "$(dirname "$0")/.."
MNIST=${SIEVINGNET_MNIST_DIR:-../shared/data/mnist}
seeds=${1:-1,2,3}
cargo build --release --quiet -p sievingnet-train
bin=target/release/sievingnet-train
targets=0.975,0.978,0.98,0.981,0.982
study=runs/frontier-mnist256
"$bin" frontier plan --out "$study" --seeds "$seeds" --families exact \
  --exact-w-bits 2,3,4,8 --exact-a-bits 8 --targets "$targets" -- \
  --dataset mnist --data-dir "$MNIST" --layers 784,256,10 --weight-scale mse --quiet
"$bin" frontier run "$study"
scripts/frontier-record.sh "$study" reports/frontier/mnist256
study=runs/frontier-mnist256-output-im1
"$bin" frontier plan --out "$study" --seeds "$seeds" --families sieve --sieve-w-bits 4 \
  --ims 0.22,0.15 --targets "$targets" -- \
  --dataset mnist --data-dir "$MNIST" --layers 784,256,10 --weight-scale mse --quiet --output-im 1
"$bin" frontier run "$study"
scripts/frontier-record.sh "$study" reports/frontier/mnist256-output-im1
