#!/usr/bin/env bash
# iCE40 area and timing of the sieving unit against the exact MAC baseline:
# Yosys synth_ice40 and generic gates, nextpnr-ice40 on HX8K and UP5K with a
# register wrapper, several placement seeds (median Fmax). FPGA estimates,
# not chip area or power. Writes reports/area/{area.json,area.md,area.svg}.
#
#   scripts/area.sh                         # widths 4,8,16, seeds 1,2,3
#   scripts/area.sh --widths 8 --seeds 1    # quick look
#   scripts/area.sh --work-dir /tmp/area    # keep netlists and nextpnr logs
#
# The flow itself is src/eda (sievingnet area --help lists every option).
set -euo pipefail
cd "$(dirname "$0")/.."
for t in yosys nextpnr-ice40; do
  command -v "$t" >/dev/null 2>&1 || {
    echo "error: $t is not installed: run scripts/install-eda.sh (or: apt-get install yosys nextpnr-ice40 fpga-icestorm)" >&2
    exit 1
  }
done
exec cargo run --release --quiet -- area "$@"
