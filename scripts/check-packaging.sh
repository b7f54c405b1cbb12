#!/usr/bin/env bash
# Checks packaging/bureau.service with `systemd-analyze verify` (skips, saying so, where
# systemd-analyze is missing), against the release binary in place of /usr/local/bin/bureau.
#   scripts/check-packaging.sh
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v systemd-analyze > /dev/null; then
  echo "check-packaging: SKIPPED: no systemd-analyze here"
  exit 0
fi
bureau=${BUREAU:-${CARGO_TARGET_DIR:-$PWD/target}/release/bureau}
[[ -x $bureau ]] || cargo build --release --quiet -p bureau-node
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
sed "s|/usr/local/bin/bureau|$bureau|" packaging/bureau.service > "$work/bureau.service"
# verify warns about the unit's user only when it would start it; any other line is a finding.
if ! out=$(systemd-analyze verify "$work/bureau.service" 2>&1) || [[ -n $out ]]; then
  echo "$out" >&2
  echo "check-packaging: FAILED: systemd-analyze verify found the above" >&2
  exit 1
fi
echo "check-packaging: packaging/bureau.service verifies"
