#!/usr/bin/env bash
# Name-search evaluation at scale: recall@1 / recall@10 per script and kind of variant, search
# latency (p50 / p99 / max) and the name index's bytes per person, as Markdown tables.
#   scripts/name-eval.sh                 1,000,000 persons, variants of the first 2,000
#   scripts/name-eval.sh 100000 500      smaller and faster
# Needs ~3 GB of temporary disk at a million persons; 10-20 minutes on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
exec cargo run --release -q -p bureau-node --example nameeval -- "$@"
