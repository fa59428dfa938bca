#!/usr/bin/env bash
# The fast loop (about a minute warm): formatting, clippy, the UI's type-check, lint and format,
# and the unit tests of every crate and of the UI. No browser, no app, no sandbox journeys:
# `./dev test` runs everything.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
FEATURES=(--workspace --features ibex-wallet/devhost,ibex-wallet/soft-passkey)
start=$SECONDS

step() {
  local name=$1; shift
  local t=$SECONDS
  echo "==> $name"
  "$@"
  echo "    $name: $((SECONDS - t)) s"
}

# The app crate embeds ui/dist at compile time; an old build is enough for checking.
[[ -d ui/dist ]] || step "UI build (ui/dist is missing)" npm run build --silent
step "rustfmt" cargo fmt --all --check
step "clippy" cargo clippy "${FEATURES[@]}" --all-targets -- -D warnings
step "Rust unit tests" cargo test "${FEATURES[@]}" --lib --bins
step "UI type-check" npm run check --silent
step "UI lint" npm run lint --silent
step "UI format" npm run format:check --silent
step "UI unit tests" npm run test:unit --silent
echo "check: all passed in $((SECONDS - start)) s"
