#!/usr/bin/env bash
# Two of the seed's questions on the MNIST frontier, as sieve-aware studies
# beside scripts/frontier-mnist.sh's (same network, seeds, widths 4 and 8,
# ternary, `im` 0.35, 0.22, 0.15):
#   output:   thresholds tied to each neuron's output exponent
#             (`--thresholds output`) instead of per-neuron quantiles;
#   no-warmup: the sieve at its final `im` from its first epoch
#             (`--im-delta 1`) instead of the warm-up from im 1;
#   output-im1: per-layer sieving, the output layer not sieved
#             (`--output-im 1`), the hidden layer at the job's `im`
#             (also 0.1).
#   learned-cC: output-im1 with learned per-neuron thresholds
#             (`--learn-thresholds --threshold-cost C`, C = 0.5, 1, 2),
#             learning from the quantile thresholds of `im` 0.15.
# About 5 minutes per seed each on 2 cores. `scripts/frontier-mnist-variants.sh
# NAME [SEEDS]` runs one of them (seeds default 1,2; more extend the study).
# Records in reports/frontier/mnist128-NAME.
# MNIST comes from SIEVINGNET_MNIST_DIR (default ../shared/data/mnist).
set -euo pipefail
cd "$(dirname "$0")/.."
MNIST=${SIEVINGNET_MNIST_DIR:-../shared/data/mnist}
cargo build --release --quiet -p sievingnet-train
bin=target/release/sievingnet-train

# study NAME [PLAN FLAGS] -- TRAINING FLAGS
study() {
  local name=$1; shift
  local dir=runs/frontier-mnist128-$name record=reports/frontier/mnist128-$name
  local plan=()
  while [ "$1" != -- ]; do plan+=("$1"); shift; done; shift
  "$bin" frontier plan --out "$dir" --seeds "$seeds" --families sieve --sieve-w-bits 4,8 "${plan[@]}" -- \
    --dataset mnist --data-dir "$MNIST" --layers 784,128,10 --weight-scale mse --quiet "$@"
  "$bin" frontier run "$dir"
  scripts/frontier-record.sh "$dir" "$record"
}

only=${1:-}
seeds=${2:-1,2}
run() { [ -z "$only" ] || [ "$only" = "$1" ] && study "$@"; return 0; }
run output -- --thresholds output
run no-warmup -- --im-delta 1
run output-im1 --ims 0.35,0.22,0.15,0.1 -- --output-im 1
for c in 0.5 1 2; do
  run learned-c$c --ims 0.15 -- --output-im 1 --learn-thresholds --threshold-cost $c
done
