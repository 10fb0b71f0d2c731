#!/usr/bin/env bash
# Reproduces the training figures of README.md and BENCHMARKS.md: each run
# trains with the command below (release build, seed 1 unless stated) and
# its record (run.json: configuration, seed, commit, command, versions;
# epochs.csv: every epoch; sweep.json/csv for the sweep) is copied into
# reports/train/NAME/. ROMs, plots and logs stay in runs/reports/NAME.
#
#   scripts/train-reports.sh            # every run (MNIST: about 15 minutes on 2 cores)
#   scripts/train-reports.sh iris       # only the runs whose name starts with "iris"
#
# MNIST comes from SIEVINGNET_MNIST_DIR (default ../shared/data/mnist).
# Run it on a committed tree: run.json records the commit.
set -euo pipefail
cd "$(dirname "$0")/.."
MNIST=${SIEVINGNET_MNIST_DIR:-../shared/data/mnist}
only=${1:-}
cargo build --release --quiet -p sievingnet-train
bin=target/release/sievingnet-train

run() {
  local name=$1; shift
  case "$name" in "$only"*) ;; *) return 0 ;; esac
  echo "== $name: sievingnet-train $*" >&2
  local out=runs/reports/$name
  rm -rf "$out"
  "$bin" "$@" --out "$out" --quiet > "runs/reports/$name.log" 2>&1 || {
    echo "error: $name failed, see runs/reports/$name.log" >&2; exit 1; }
  mkdir -p "reports/train/$name"
  for f in run.json epochs.csv sweep.json sweep.csv; do
    [ -f "$out/$f" ] && cp "$out/$f" "reports/train/$name/$f"
  done
  tail -1 "runs/reports/$name.log" >&2
}

mkdir -p runs/reports
for seed in 1 2 3 4 5; do
  run "iris-seed$seed" train --dataset iris --seed "$seed" --no-plots
done
run digits-default train --dataset digits --seed 1 --no-plots
run mnist-default train --dataset mnist --data-dir "$MNIST" --seed 1
run mnist-float train --dataset mnist --data-dir "$MNIST" --seed 1 --qat-from 0 --sieve-from 0 --epochs 12 --no-plots
run mnist-qat train --dataset mnist --data-dir "$MNIST" --seed 1 --sieve-from 0 --epochs 12 --no-plots
# The accelerator's networks (784-128-10 fits the UP5K's SPRAM): sieve-aware,
# and exact (quantization-aware, no sieve) for the MAC accelerator.
run mnist128-sieve train --dataset mnist --data-dir "$MNIST" --seed 1 --layers 784,128,10 --no-plots
run mnist128-exact train --dataset mnist --data-dir "$MNIST" --seed 1 --layers 784,128,10 --sieve-from 0 --no-plots
# The cheapest exact network of the frontier study at the sieve-aware one's accuracy:
# 2-bit weights (-1, 0, 1) with the clipping search.
run mnist128-exact-w2 train --dataset mnist --data-dir "$MNIST" --seed 1 --layers 784,128,10 --sieve-from 0 --w-bits 2 --weight-scale mse --no-plots
# The largest MNIST network whose weights fit the UP5K's SPRAM packed at
# their width (784 x 512 x 2 bits): scripts/accelerator-mnist256.sh.
run mnist512-exact-w2 train --dataset mnist --data-dir "$MNIST" --seed 1 --layers 784,512,10 --sieve-from 0 --w-bits 2 --weight-scale mse --no-plots
# The cheapest exact network of the study at 98.0%: 5-bit weights.
run mnist128-exact-w5 train --dataset mnist --data-dir "$MNIST" --seed 1 --layers 784,128,10 --sieve-from 0 --w-bits 5 --weight-scale mse --no-plots
run mnist-sweep sweep --dataset mnist --data-dir "$MNIST" --seed 1 --sieve-from 0 --epochs 12
echo "records in reports/train/" >&2
