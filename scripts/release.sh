#!/usr/bin/env bash
# Release bundles for Linux (`./dev release [deb,rpm]`): installs what the build needs, builds
# the UI and the release binary with the pinned Tauri CLI, bundles, then checks each package's
# binary carries the bundle-type marker the updater reads.
# With TAURI_SIGNING_PRIVATE_KEY (and _PASSWORD) set, the update artifacts (.sig) are signed;
# without it the packages are built unsigned for updates, and a note says so.
set -euo pipefail
cd "$(dirname "$0")/.."
bundles="${1:-deb,rpm}"
scripts/setup.sh release
config=()
if [ -z "${TAURI_SIGNING_PRIVATE_KEY:-}" ]; then
  echo "note: TAURI_SIGNING_PRIVATE_KEY is not set; building without signed update artifacts"
  config=(--config '{"bundle":{"createUpdaterArtifacts":false}}')
fi
node_modules/.bin/tauri build --ci --bundles "$bundles" "${config[@]}"
scripts/check-bundle.sh "${CARGO_TARGET_DIR:-target}/release/bundle" deb
[[ "$bundles" == *rpm* ]] && scripts/check-bundle.sh "${CARGO_TARGET_DIR:-target}/release/bundle" rpm
echo "bundles in ${CARGO_TARGET_DIR:-target}/release/bundle/"
