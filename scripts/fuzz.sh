#!/usr/bin/env bash
# Runs every cargo-fuzz target of fuzz/ in turn and fails on any crash, leak or timeout.
# See --help. Run it under `nice` on a shared machine: each target keeps one core busy.
set -euo pipefail

usage() {
  cat <<'HELP'
Usage: scripts/fuzz.sh [MINUTES] [TARGET...]

Fuzzes each target of fuzz/ (all of them, or the TARGETs named) for MINUTES minutes each
(default 10), one after the other, then prints a table: target, seconds, executions, exec/s,
corpus size, result.

Steps: installs cargo-fuzz if it is missing (needs the nightly toolchain: `rustup toolchain
install nightly`), builds the targets with debug assertions (integer overflow is a crash),
writes the seed corpus into fuzz/corpus/<target>/ when a target's corpus is empty (from the
golden vectors and real encodings: fuzz/src/seeds.rs), then runs each target with
-max_total_time, -timeout=10, -rss_limit_mb=2048 and leak detection.

Exits non-zero if any target crashed, leaked, ran out of memory or timed out, naming the target
and its artifact: fuzz/artifacts/<target>/crash-*, leak-*, oom-* or timeout-*. Reproduce one
with `cargo +nightly fuzz run -a <target> <artifact>`; shrink it with `cargo +nightly fuzz tmin
-a <target> <artifact>`. Logs are in fuzz/logs/<target>.log. The corpora libFuzzer grows stay
in fuzz/corpus/ (ignored by git) and seed the next run.
HELP
}

minutes=10
for arg in "$@"; do
  case "$arg" in
    -h | --help) usage; exit 0 ;;
    -*) echo "unknown option: $arg (see --help)" >&2; exit 2 ;;
  esac
done
if [[ $# -gt 0 && "$1" =~ ^[0-9]+$ ]]; then
  minutes=$1
  shift
fi
targets=("$@")
if [[ "$minutes" -lt 1 ]]; then
  echo "MINUTES must be at least 1" >&2
  exit 2
fi

cd "$(dirname "$0")/../fuzz"

if ! rustup toolchain list | grep -q '^nightly'; then
  echo "cargo-fuzz needs the nightly toolchain: rustup toolchain install nightly" >&2
  exit 2
fi
if ! cargo +nightly fuzz --version > /dev/null 2>&1; then
  echo "installing cargo-fuzz"
  cargo install cargo-fuzz --locked
fi

all_targets=$(cargo +nightly fuzz list)
if [[ ${#targets[@]} -eq 0 ]]; then
  read -r -d '' -a targets <<< "$all_targets" || true
fi
for target in "${targets[@]}"; do
  if ! grep -qx "$target" <<< "$all_targets"; then
    echo "no fuzz target named $target; the targets are:" $all_targets >&2
    exit 2
  fi
done

# Debug assertions on: an integer overflow on a peer's input is a finding, as in a debug build.
cargo +nightly fuzz build --debug-assertions
triple=$(rustc +nightly -vV | sed -n 's/^host: //p')
bin_dir="target/$triple/release"

needs_seeds=0
for target in "${targets[@]}"; do
  if [[ -z "$(ls -A "corpus/$target" 2> /dev/null)" ]]; then
    needs_seeds=1
  fi
done
if [[ $needs_seeds -eq 1 ]]; then
  echo "writing the seed corpus"
  ASAN_OPTIONS=detect_leaks=0 "$bin_dir/seeds" corpus
fi

mkdir -p logs
seconds_each=$((minutes * 60))
rows=()
failures=()
for target in "${targets[@]}"; do
  mkdir -p "artifacts/$target"
  log="logs/$target.log"
  scratch=$(mktemp -d)
  echo "fuzzing $target for $minutes min (log: fuzz/$log)"
  start=$(date +%s)
  status=0
  # TMPDIR: the direct target keeps a store there; it goes with the run.
  TMPDIR="$scratch" "$bin_dir/$target" "corpus/$target" \
    -artifact_prefix="artifacts/$target/" \
    -max_total_time="$seconds_each" -timeout=10 -rss_limit_mb=2048 \
    -detect_leaks=1 -print_final_stats=1 > "$log" 2>&1 || status=$?
  elapsed=$(($(date +%s) - start))
  rm -rf "$scratch"
  executions=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  executions=${executions:-0}
  rate=$((executions / (elapsed > 0 ? elapsed : 1)))
  corpus_size=$(find "corpus/$target" -type f | wc -l)
  if [[ $status -eq 0 ]]; then
    result=ok
  else
    artifact=$(sed -n 's/.*Test unit written to //p' "$log" | tail -1)
    if grep -q 'ERROR: libFuzzer: timeout' "$log"; then
      kind=timeout
    elif grep -q 'ERROR: LeakSanitizer' "$log"; then
      kind=leak
    elif grep -q 'out-of-memory' "$log"; then
      kind=out-of-memory
    else
      kind=crash
    fi
    result="$kind: fuzz/${artifact:-$log}"
    failures+=("$target: $result")
  fi
  rows+=("$(printf '| %s | %s | %s | %s | %s | %s |' \
    "$target" "$elapsed" "$executions" "$rate" "$corpus_size" "$result")")
  echo "  $target: $executions executions in $elapsed s ($result)"
done

echo
echo "| target | seconds | executions | exec/s | corpus | result |"
echo "|---|---|---|---|---|---|"
printf '%s\n' "${rows[@]}"
if [[ ${#failures[@]} -gt 0 ]]; then
  echo
  echo "FAILED:" >&2
  printf '  %s\n' "${failures[@]}" >&2
  exit 1
fi
