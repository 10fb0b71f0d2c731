#!/usr/bin/env bash
# Installs the open EDA tools the Verilog tests and the area flow need
# (Debian packages). Safe to run again: apt skips what is present.
set -euo pipefail
tools=(yosys nextpnr-ice40 icepack verilator iverilog)
missing=0
for t in "${tools[@]}"; do command -v "$t" >/dev/null 2>&1 || missing=1; done
if [ "$missing" = 0 ]; then echo "EDA tools already installed"; exit 0; fi
SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends yosys nextpnr-ice40 fpga-icestorm iverilog verilator make g++ >/dev/null
for t in "${tools[@]}"; do command -v "$t" >/dev/null || { echo "error: $t still missing after install" >&2; exit 1; }; done
echo "EDA tools installed: $(yosys -V | head -1); $(verilator --version); $(iverilog -V 2>/dev/null | head -1)"
