#!/usr/bin/env bash
# The MNIST frontier study of BENCHMARKS.md: 784-128-10 networks of every
# family (exact at w_bits 2..8 and a_bits 8 and 4, post-training sieve,
# truncation, sieve-aware at w_bits 3, 4, 8 in both codings), `--weight-scale mse`.
# About 50 s per job on 2 cores, 32 jobs per seed. Resumes a stopped study;
# more seeds extend it.
#
#   scripts/frontier-mnist.sh            # seeds 1,2
#   scripts/frontier-mnist.sh 1,2,3      # adds seed 3 to the study
#
# The study runs in runs/frontier-mnist128; its record (plan, every job's
# points, the merged tables and figure) is copied to reports/frontier/mnist128.
# MNIST comes from SIEVINGNET_MNIST_DIR (default ../shared/data/mnist).
set -euo pipefail
cd "$(dirname "$0")/.."
MNIST=${SIEVINGNET_MNIST_DIR:-../shared/data/mnist}
seeds=${1:-1,2}
cargo build --release --quiet -p sievingnet-train
bin=target/release/sievingnet-train
study=runs/frontier-mnist128
"$bin" frontier plan --out "$study" --seeds "$seeds" --sieve-codings ternary,binary -- \
  --dataset mnist --data-dir "$MNIST" --layers 784,128,10 --weight-scale mse --quiet
"$bin" frontier run "$study"
scripts/frontier-record.sh "$study" reports/frontier/mnist128
