#!/usr/bin/env bash
# The main job, end to end, on data shipped in the repository (Iris):
#   1. train a 4-10-3 MLP with the sieve in the forward pass, quantized to
#      the default 8-bit ternary unit, and write its weight ROM;
#   2. check the ROM with the golden model (eval-rom);
#   3. stream every dot product of the ROM's test set through the rust-hdl
#      unit and check each vector and each prediction bit for bit;
#   4. export the unit as Verilog, and when Verilator is installed
#      (scripts/install-eda.sh) run the test set through that Verilog too.
# Output goes to runs/quickstart (override with OUT=...).
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-runs/quickstart}
SEED=${SIEVINGNET_SEED:-1}
mkdir -p "$OUT"
echo "== building (release)"
cargo build --release --quiet --workspace
bin=target/release
echo "== 1. training on Iris (seed $SEED) -> $OUT/iris"
"$bin/sievingnet-train" train --dataset iris --seed "$SEED" --out "$OUT/iris"
echo "== 2. golden-model check of the ROM"
"$bin/sievingnet-train" eval-rom "$OUT/iris/rom"
echo "== 3. the ROM's test set through the rust-hdl unit"
"$bin/sievingnet" infer --rom "$OUT/iris/rom" --engine rtl > "$OUT/infer_rtl.json"
cat "$OUT/infer_rtl.json"
echo "== 4. Verilog export"
"$bin/sievingnet" export --out "$OUT/sieve_dot.v"
if command -v verilator >/dev/null 2>&1; then
  "$bin/sievingnet" infer --rom "$OUT/iris/rom" --engine verilog > "$OUT/infer_verilog.json"
  echo "the exported Verilog (Verilator) agrees with the golden model: $OUT/infer_verilog.json"
else
  echo "(Verilator not installed: skipped the Verilog run; scripts/install-eda.sh installs it)"
fi
echo "== done: logs, plots and the ROM are in $OUT"
