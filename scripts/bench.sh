#!/usr/bin/env bash
# Replica benchmarks at scale (default 1,000,000 records; set BUREAU_BENCH_RECORDS to change),
# then a table of the results. Takes a few minutes and ~1 GB of temporary disk.
#   scripts/bench.sh            full criterion run
#   scripts/bench.sh --quick    fewer samples
set -euo pipefail
cd "$(dirname "$0")/.."
log=$(mktemp)
cargo bench -p bureau-store --bench replica -- "$@" 2>&1 | tee "$log"
echo
echo "| benchmark | time (median) | throughput (median) |"
echo "|---|---|---|"
awk '
  function median(line,   inside, parts) {
    inside = substr(line, index(line, "[") + 1); split(inside, parts, " "); return parts[3] " " parts[4]
  }
  function emit() { if (name != "") print "| " name " | " time " | " thrpt " |"; name = ""; time = ""; thrpt = "" }
  /^[a-z_0-9]+\/[a-z0-9_]+/ { emit(); name = $1 }
  /time:/ && name != "" && time == "" { time = median($0) }
  /thrpt:/ && name != "" && thrpt == "" { thrpt = median($0) }
  END { emit() }
' "$log"
grep -E "^filled" "$log" || true
rm -f "$log"
