#!/usr/bin/env bash
# Every check and test, in order; stops at the first failure. Prints each step's duration
# and, at the end, the total of tests passed and failed across runners.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh all
export PATH="$HOME/.cargo/bin:$PATH"
# The feature set is the same for clippy, tests and builds, so everything compiles once.
FEATURES=(--workspace --all-targets --features ibex-wallet/devhost,ibex-wallet/soft-passkey)
log=$(mktemp)
start=$SECONDS

step() {
  local name=$1; shift
  local t=$SECONDS
  echo "==> $name"
  "$@" 2>&1 | tee -a "$log"
  echo "    $name: $((SECONDS - t)) s"
}

step "rustfmt" cargo fmt --all --check
step "dependency rules (layering, release contents)" scripts/check-deps.sh
step "dependency policy (cargo-deny: licences, bans, sources)" cargo deny check licenses bans sources
step "workflow lint (actionlint, zizmor)" scripts/lint-workflows.sh
step "UI build" npm run build --silent
step "clippy" cargo clippy "${FEATURES[@]}" -- -D warnings
step "fuzz targets, 10 s each (scripts/fuzz.sh)" scripts/fuzz.sh 10
# Includes the chaos cases (src-tauri/tests/chaos.rs), which print their table; alone: scripts/chaos.sh.
step "Rust tests (with a real Secret Service)" scripts/with-keyring.sh cargo test "${FEATURES[@]}"
step "UI type-check" npm run check --silent
step "UI lint" npm run lint --silent
step "UI format (Prettier)" npm run format:check --silent
step "UI unit tests" npm run test:unit --silent
step "build app, web host and sandbox (test features)" cargo build -p ibex-wallet -p ibex-sandbox --features ibex-wallet/devhost,ibex-wallet/soft-passkey --bins
step "e2e: UI in Chromium over the web transport; WebAuthn against the sandbox" npm run test:e2e:web --silent
step "e2e: the same browser journeys in French (system language fr)" npm run test:e2e:web:fr --silent
step "e2e: the app under Xvfb" scripts/with-display.sh npm run test:e2e:app --silent
step "packages: .deb install, signed update N−1 → N, refusals, removal (root)" scripts/test-packages.sh

passed=$(grep -hoE '(test result: ok\. [0-9]+ passed|^# pass [0-9]+|Tests +[0-9]+ passed)' "$log" | grep -oE '[0-9]+' | paste -sd+ | bc)
failed=$(grep -hoE '(; [0-9]+ failed|^# fail [0-9]+|[0-9]+ failed \()' "$log" | grep -oE '[0-9]+' | paste -sd+ | bc)
rm -f "$log"
echo "total time: $((SECONDS - start)) s"
echo "all: ${passed:-0} passed, ${failed:-0} failed"
