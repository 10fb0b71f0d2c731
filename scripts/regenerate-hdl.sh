#!/usr/bin/env bash
# Regenerates the Verilog shipped in hdl/ (listed in hdl/designs.txt) with
# `sievingnet export`. tests/verilog_export.rs fails when hdl/ is stale.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet --bin sievingnet
bin=target/release/sievingnet
grep -v '^#' hdl/designs.txt | while read -r name a w coding design; do
  [ -n "$name" ] || continue
  flags=(--a-bits "$a" --w-bits "$w" --coding "$coding")
  case "$design" in
    sieve) ;;
    sieve-no-counters) flags+=(--no-counters) ;;
    exact-mac) flags+=(--baseline) ;;
    *) echo "hdl/designs.txt: unknown design $design" >&2; exit 1 ;;
  esac
  "$bin" export "${flags[@]}" --out "hdl/$name.v"
done
