#!/usr/bin/env bash
# The .deb install and the signed update, for real (part of ./dev test): builds two debug .deb
# bundles from the test target — N−1 (version 0.0.1) and N (the repo's version) — signed with
# the TEST-ONLY key and pointed at a loopback update server (tests/update/tauri.test.conf.json,
# the only config with the insecure-transport switch), then runs tests/e2e/packages/ under Xvfb:
# dpkg -i N−1, update it through the UI, refuse a corrupted and a foreign-signed package, the
# .desktop entry, dpkg -r. Only the app crate is recompiled (the version and updater settings
# live in its embedded config); dependencies come from the test build before this step.
# Needs root (dpkg). One run at a time per machine: it installs a system package.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" -ne 0 ]; then
  echo "packages: needs root for dpkg -i / dpkg -r; run ./dev test as root (CI does)" >&2
  exit 1
fi
exec 9>/var/lock/ibex-wallet-package-tests.lock
flock 9

target=$(realpath -m "${CARGO_TARGET_DIR:-target}")
out=$target/package-tests
rm -rf "$out" && mkdir -p "$out"
current=$(node -p 'require("./src-tauri/tauri.conf.json").version')
previous=0.0.1

export TAURI_SIGNING_PRIVATE_KEY=$PWD/tests/update/keys/test-only.key
export TAURI_SIGNING_PRIVATE_KEY_PASSWORD=""
for version in "$previous" "$current"; do
  echo "==> debug .deb $version (test key, loopback update server)"
  node_modules/.bin/tauri build --ci --debug --bundles deb --features devhost,soft-passkey \
    --config tests/update/tauri.test.conf.json --config "{\"version\":\"$version\"}" >"$out/build-$version.log" 2>&1 ||
    { tail -40 "$out/build-$version.log" >&2; exit 1; }
  cp "$target"/debug/bundle/deb/*_"${version}"_amd64.deb "$out/ibex-wallet_${version}.deb"
  cp "$target"/debug/bundle/deb/*_"${version}"_amd64.deb.sig "$out/ibex-wallet_${version}.deb.sig"
  scripts/check-bundle.sh "$target/debug/bundle" deb
done

IBEX_PACKAGES="$out" IBEX_PREVIOUS_VERSION="$previous" IBEX_CURRENT_VERSION="$current" \
  scripts/with-display.sh node --test --test-concurrency=1 tests/e2e/packages/
