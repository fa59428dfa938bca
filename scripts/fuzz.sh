#!/usr/bin/env bash
# Runs every cargo-fuzz target (fuzz/fuzz_targets) for SECONDS each and prints, per target,
# the executions and the crashes found. Crashes are kept in fuzz/artifacts/<target>/ (replay one
# with `cargo +nightly fuzz run <target> <file>`); each one found becomes a regression test.
#   scripts/fuzz.sh [SECONDS] [TARGET...]      (default: 60 s, every target)
# The build goes to $CARGO_TARGET_DIR/fuzz (default target/fuzz), so a second run rebuilds
# only what changed. Sanitizer: none — the parsers are safe Rust, so what a fuzzer can find is
# a panic (debug assertions and overflow checks are on), and uninstrumented code runs faster.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
seconds=${1:-60}
shift || true
target_dir="${CARGO_TARGET_DIR:-$PWD/target}/fuzz"
fuzz=(cargo +nightly fuzz)
opts=(--fuzz-dir fuzz --target-dir "$target_dir" --sanitizer none)
if [ $# -gt 0 ]; then targets=("$@"); else mapfile -t targets < <("${fuzz[@]}" list --fuzz-dir fuzz); fi

build_log=$(mktemp)
if ! "${fuzz[@]}" build "${opts[@]}" >"$build_log" 2>&1; then
  tail -40 "$build_log"
  exit 1
fi
rm -f "$build_log"

failed=0
printf '%-16s %12s %8s\n' target executions crashes
for t in "${targets[@]}"; do
  corpus="$target_dir/corpus/$t"
  artifacts="fuzz/artifacts/$t"
  mkdir -p "$corpus" "$artifacts"
  before=$(find "$artifacts" -type f | wc -l)
  log=$(mktemp)
  seeds=()
  [ -d "fuzz/seeds/$t" ] && seeds=("fuzz/seeds/$t")
  set +e
  "${fuzz[@]}" run "${opts[@]}" "$t" "$corpus" "${seeds[@]}" -- \
    -max_total_time="$seconds" -print_final_stats=1 -artifact_prefix="$artifacts/" >"$log" 2>&1
  rc=$?
  set -e
  execs=$(grep -oE 'stat::number_of_executed_units: *[0-9]+' "$log" | grep -oE '[0-9]+$' | tail -1)
  crashes=$(( $(find "$artifacts" -type f | wc -l) - before ))
  printf '%-16s %12s %8s\n' "$t" "${execs:-?}" "$crashes"
  if [ "$rc" -ne 0 ] || [ "$crashes" -ne 0 ]; then
    failed=1
    grep -E 'panicked|ERROR|SUMMARY|Test unit written' "$log" | head -5 | sed 's/^/    /'
  fi
  rm -f "$log"
done
exit $failed
