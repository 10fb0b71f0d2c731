#!/usr/bin/env bash
# Copies a merged frontier study's record (plan, every finished job's
# points, the merged tables and figure; not jobs.txt or slurm.sh, which
# name this machine's paths) from STUDY to RECORD, replacing RECORD.
#
#   scripts/frontier-record.sh runs/frontier-mnist128 reports/frontier/mnist128
set -euo pipefail
[ $# -eq 2 ] || { echo "usage: $0 STUDY RECORD" >&2; exit 2; }
study=$1 record=$2
[ -f "$study/frontier.csv" ] || { echo "error: $study is not a merged study (no frontier.csv)" >&2; exit 1; }
rm -rf "$record"
mkdir -p "$record"
for f in plan.json frontier.csv frontier_points.csv frontier.md frontier.json frontier.svg; do
  cp "$study/$f" "$record/$f"
done
(cd "$study" && find jobs -name points.json) | while read -r f; do
  mkdir -p "$record/$(dirname "$f")"
  cp "$study/$f" "$record/$f"
done
echo "record in $record" >&2
