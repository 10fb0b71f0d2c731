#!/usr/bin/env bash
# Regenerates the Verilog shipped in hdl/: the designs the preset table
# (src/presets.rs) ships, as `sievingnet presets --shipped` lists them.
# tests/verilog_export.rs fails when hdl/ is stale or holds other files.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet --bin sievingnet
bin=target/release/sievingnet
"$bin" presets --shipped | while read -r stem flags; do
  # shellcheck disable=SC2086 # the flags are words on purpose
  "$bin" export $flags --out "hdl/$stem.v"
done
