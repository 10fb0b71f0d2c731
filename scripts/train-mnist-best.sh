#!/usr/bin/env bash
# Trains the frontier studies' best sieved MNIST network: the cheapest
# sieve-aware setting of the committed MNIST studies (reports/frontier:
# 784-128-10, 784-256-10 and 784-512-10, both layers sieved or the output
# layer not)
# whose mean test accuracy over the seeds reaches 98.0% (first seed's
# arguments), ROM in OUT/rom.
# With --fit up5k, the best one whose weights fit the UP5K's four SPRAM
# blocks (131072 bytes), and the cheapest exact network of the same
# accuracy in OUT/exact/rom, for the accelerator.
#
#   scripts/train-mnist-best.sh OUT [--fit up5k] [--min-accuracy 0.975]
#
# MNIST comes from SIEVINGNET_MNIST_DIR (default ../shared/data/mnist).
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -ge 1 ] || { echo "usage: $0 OUT [--fit up5k] [--min-accuracy A]" >&2; exit 2; }
out=$1; shift
MNIST=${SIEVINGNET_MNIST_DIR:-../shared/data/mnist}
fit=() min=(--min-accuracy 0.98) up5k=0
while [ $# -gt 0 ]; do
  case "$1" in
    --fit) [ "${2:-}" = up5k ] || { echo "error: --fit takes up5k" >&2; exit 2; }
           fit=(--fit-bytes 131072); up5k=1; shift 2 ;;
    --min-accuracy) min=(--min-accuracy "${2:?--min-accuracy needs a value}"); shift 2 ;;
    *) echo "error: unknown option $1 (give --fit up5k or --min-accuracy A)" >&2; exit 2 ;;
  esac
done
cargo build --release --quiet -p sievingnet-train
bin=target/release/sievingnet-train
studies=()
for s in mnist128 mnist128-output-im1 mnist256 mnist256-output-im1 mnist512 mnist512-output-im1; do
  [ -d "reports/frontier/$s" ] && studies+=("reports/frontier/$s")
done
"$bin" frontier best "${studies[@]}" --family sieve "${min[@]}" "${fit[@]}" --data-dir "$MNIST" --out "$out"
if [ "$up5k" = 1 ]; then
  "$bin" frontier best "${studies[@]}" --family exact "${min[@]}" "${fit[@]}" --data-dir "$MNIST" --out "$out/exact"
fi
