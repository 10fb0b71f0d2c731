#!/usr/bin/env bash
# Runs every test of the workspace. Installs the EDA tools the Verilog tests
# need first (Debian packages: Yosys, nextpnr-ice40, icestorm, Icarus Verilog,
# Verilator). Tests that need MNIST run when SIEVINGNET_MNIST_DIR names the
# folder of the four IDX files (e.g. ../shared/data/mnist); otherwise they
# are reported as ignored, with the reason.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-eda.sh
if [ -n "${SIEVINGNET_MNIST_DIR:-}" ]; then
  SIEVINGNET_MNIST_DIR=$(cd "$SIEVINGNET_MNIST_DIR" && pwd)
  export SIEVINGNET_MNIST_DIR
fi
cargo test --workspace --no-fail-fast "$@"
