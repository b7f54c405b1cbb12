#!/usr/bin/env bash
# Honest latency with and without a flooding member (decoys, entries far ahead of its log,
# large direct messages), five in-process nodes on loopback, printed as a table.
# Takes about three minutes with the release build. See node/examples/floodbench.rs.
# The five stores share one disk here, so their flushes queue behind each other's: run with
# TMPDIR=/dev/shm to keep the disk out of the measurement and see the CPU and queueing alone.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${1:-}" = "--help" ]; then
  sed -n '2,4p' "$0"
  exit 0
fi
exec cargo run --release -p bureau-node --example floodbench
