#!/usr/bin/env bash
# The core crates must build and test without Tauri: fail if any of them pulls it in.
set -euo pipefail
cd "$(dirname "$0")/.."
for crate in ibex ibex-sandbox ibex-wallet-core; do
  deps=$(cargo tree -q -p "$crate" -e normal,build --prefix none)
  if grep -qE '^(tauri|wry|tao) ' <<<"$deps"; then
    echo "$crate depends on Tauri:" >&2
    cargo tree -p "$crate" -e normal,build -i tauri >&2 || true
    exit 1
  fi
done
echo "ibex, ibex-sandbox, ibex-wallet-core: no Tauri dependency"
