#!/usr/bin/env bash
# The offline trust flow end to end, in a temporary directory: found a network, admit the
# secretariat and two bureaus, publish on each, bring the replicas level and search.
#   examples/trust-flow.sh [path/to/bureau]
set -euo pipefail
bureau=${1:-$(cd "$(dirname "$0")/.." && pwd)/target/release/bureau}
[ -x "$bureau" ] || { echo "build first: cargo build --release (or pass the binary's path)" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"

"$bureau" genesis --dir net --name example-network
for member in XGS FRA DEU; do
  dir=$(echo "$member" | tr 'A-Z' 'a-z')
  "$bureau" init --dir "$dir" --member "$member" --genesis net/genesis.bureau >/dev/null
  role=(); [ "$member" = XGS ] && role=(--role secretariat)
  "$bureau" admit --root net/root.key --genesis net/genesis.bureau "$dir/join-request.bureau" \
    "${role[@]}" --out "$dir/node.cert"
done

"$bureau" --dir fra --offline publish sltd --number "P 1234-567" --type passport --loss stolen
"$bureau" --dir deu --offline publish vehicle --vin WVWZZZ1JZ3W386752 --make Volkswagen --model Golf
"$bureau" --dir deu sync --from fra
"$bureau" --dir fra sync --from deu
"$bureau" --dir deu search sltd --number p1234567
"$bureau" --dir fra search vehicle --vin "wvw zzz 1jz 3w386752"
"$bureau" --dir fra status --json | grep digest
"$bureau" --dir deu status --json | grep digest
