#!/usr/bin/env bash
# The main job, end to end, on data shipped in the repository (Iris):
#   1. install the EDA tools (Debian packages, as scripts/test.sh does);
#   2. train a 4-10-3 MLP with the sieve in the forward pass, quantized to
#      the default 8-bit ternary unit, and write its weight ROM;
#   3. check the ROM with the golden model (eval-rom);
#   4. stream every dot product of the ROM's test set through the rust-hdl
#      unit, and through the exported Verilog in Verilator, checking every
#      vector and every prediction bit for bit;
#   5. the whole network as one accelerator (sieve_mlp, 2 lanes): exported
#      and run on the test set in Verilator, every prediction checked;
#   6. a small iCE40 area comparison: the 8x8 sieving unit (no counters,
#      both codings) against the exact multiply-accumulate baseline, HX8K,
#      one placement seed.
# Output goes to runs/quickstart (override with OUT=...): the run's logs
# (every epoch in train.log), plots, ROM, the Verilog and the area report.
# About 3 minutes on 2 cores after the build and the tool install.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-runs/quickstart}
SEED=${SIEVINGNET_SEED:-1}
mkdir -p "$OUT"
step() { printf '\n== %s\n' "$*"; }

step "1. EDA tools (Yosys, nextpnr, icestorm, Icarus, Verilator)"
scripts/install-eda.sh

step "building (release)"
cargo build --release --quiet --workspace
bin=target/release

step "2. training on Iris (seed $SEED) -> $OUT/iris"
"$bin/sievingnet-train" train --dataset iris --seed "$SEED" --out "$OUT/iris"

step "3. golden-model check of the ROM"
"$bin/sievingnet-train" eval-rom "$OUT/iris/rom"

step "4. the ROM's test set through the rust-hdl unit and the exported Verilog"
for engine in rtl verilog; do
  "$bin/sievingnet" infer --rom "$OUT/iris/rom" --engine "$engine" > "$OUT/infer_$engine.json"
  echo "$engine: every dot product and prediction equal to the golden model's ($OUT/infer_$engine.json)"
done
"$bin/sievingnet" export --out "$OUT/sieve_dot.v"

step "5. the whole network in the accelerator (2 parallel lanes) in Verilator"
"$bin/sievingnet" export-mlp --rom "$OUT/iris/rom" --lanes 2 --out "$OUT/sieve_mlp.v"
"$bin/sievingnet" infer --rom "$OUT/iris/rom" --engine mlp --lanes 2 > "$OUT/infer_mlp.json"
echo "mlp: every prediction equal to the ROM's ($OUT/infer_mlp.json)"

step "6. iCE40 area: 8x8 sieving unit against the exact MAC (HX8K, seed 1)"
"$bin/sievingnet" area --widths 8 --seeds 1 --devices hx8k \
  --kinds sieve-no-counters,exact-mac --out "$OUT/area" 2> "$OUT/area.log" > "$OUT/area.txt"
# The first table, a few columns: design, widths, LUT4, carry, DFF, placed
# cells, Fmax, and the ratios against the exact MAC.
awk '/^\| design/{t=1} t&&/^$/{exit} t' "$OUT/area.txt" | cut -d'|' -f2-6,10-11,14-15
echo "full report: $OUT/area/area.md (progress in $OUT/area.log)"

step "done: logs, plots, ROM, Verilog and area report are in $OUT"
