#!/usr/bin/env bash
# The frontier on the default MNIST network, 784-512-10 (BENCHMARKS.md):
# exact networks at w_bits 2, 3, 4, 8 (8-bit activations; each also sieved
# after training and truncated) and sieve-aware networks at w_bits 4, 8
# and im 0.35, 0.22, 0.15 (ternary), `--weight-scale mse`, seeds 1 and 2;
# then the per-layer study output-im1: the same sieve-aware networks at im
# 0.22 and 0.15 with the output layer not sieved (`--output-im 1`).
# About 140 s per job on 2 cores, 10 + 4 jobs per seed. Resumes a stopped
# study; more seeds extend it.
#
#   scripts/frontier-mnist512.sh            # seeds 1,2
#   scripts/frontier-mnist512.sh 1,2,3      # adds seed 3
#
# The studies run in runs/frontier-mnist512 and runs/frontier-mnist512-output-im1;
# their records are copied to reports/frontier/mnist512 and
# reports/frontier/mnist512-output-im1. MNIST comes from SIEVINGNET_MNIST_DIR (default
# ../shared/data/mnist).
set -euo pipefail
cd "$(dirname "$0")/.."
MNIST=${SIEVINGNET_MNIST_DIR:-../shared/data/mnist}
seeds=${1:-1,2}
cargo build --release --quiet -p sievingnet-train
bin=target/release/sievingnet-train
study=runs/frontier-mnist512
"$bin" frontier plan --out "$study" --seeds "$seeds" \
  --exact-w-bits 2,3,4,8 --exact-a-bits 8 --sieve-w-bits 4,8 \
  --targets 0.975,0.98,0.981,0.982,0.983 -- \
  --dataset mnist --data-dir "$MNIST" --layers 784,512,10 --weight-scale mse --quiet
"$bin" frontier run "$study"
scripts/frontier-record.sh "$study" reports/frontier/mnist512
study=runs/frontier-mnist512-output-im1
"$bin" frontier plan --out "$study" --seeds "$seeds" --families sieve --sieve-w-bits 4,8 \
  --ims 0.22,0.15 --targets 0.975,0.98,0.981,0.982,0.983 -- \
  --dataset mnist --data-dir "$MNIST" --layers 784,512,10 --weight-scale mse --quiet --output-im 1
"$bin" frontier run "$study"
scripts/frontier-record.sh "$study" reports/frontier/mnist512-output-im1
