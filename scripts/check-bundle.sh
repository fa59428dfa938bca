#!/usr/bin/env bash
# Checks that the app binary inside a built package carries the bundle-type marker the Tauri
# bundler patches in (`__TAURI_BUNDLE_TYPE_VAR_DEB` / `_RPM`). tauri-plugin-updater reads it to
# choose how to install an update; without it a .deb install would be "updated" as an AppImage
# and fail. Stripping symbols broke the patch in older bundlers (tauri#14186); this notices.
# Usage: scripts/check-bundle.sh <bundle dir> deb|rpm
set -euo pipefail
dir=$1 kind=$2
pkg=$(ls -t "$dir/$kind/"*."$kind" 2>/dev/null | head -1)
[ -n "$pkg" ] || { echo "no .$kind in $dir/$kind" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
case $kind in
  deb) dpkg-deb -x "$pkg" "$tmp" ;;
  # Debian's rpm2cpio exits 1 on the bundler's .rpm (ours and an empty Tauri app's alike) after
  # writing the whole payload; what counts is the binary found below.
  rpm) (cd "$tmp" && { rpm2cpio "$pkg" || true; } | cpio -idm --quiet) ;;
esac
bin="$tmp/usr/bin/ibex-wallet"
[ -x "$bin" ] || { echo "$pkg has no usr/bin/ibex-wallet" >&2; exit 1; }
marker="__TAURI_BUNDLE_TYPE_VAR_${kind^^}"
if ! grep -qaF "$marker" "$bin"; then
  echo "$pkg: the binary lacks $marker (unpatched: $(grep -caF __TAURI_BUNDLE_TYPE_VAR_UNK "$bin") occurrence(s) of the placeholder); the updater would not know it is a .$kind" >&2
  exit 1
fi
echo "$(basename "$pkg"): binary marked $marker"
