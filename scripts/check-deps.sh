#!/usr/bin/env bash
# Dependency rules the architecture relies on:
# - the core crates build and test without Tauri;
# - a release build (default features, as `tauri build` uses) carries neither the software
#   passkey authenticator nor the dev web host.
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

release=$(cargo tree -q -p ibex-wallet -e normal,features --prefix none)
for banned in 'passkey-soft ' 'ibex-wallet feature "devhost"' 'ibex-wallet feature "soft-passkey"'; do
  if grep -qF "$banned" <<<"$release"; then
    echo "the release feature set of ibex-wallet contains $banned" >&2
    exit 1
  fi
done
# One TLS and crypto stack: rustls on ring (reqwest brings no provider of its own). aws-lc-rs
# or OpenSSL beside it would be a second crypto library in the binary, and with two providers
# rustls has no process default.
if grep -qE '^(aws-lc-rs|aws-lc-sys|openssl|openssl-sys|native-tls) v' <<<"$release"; then
  echo "the release build links a second TLS/crypto stack:" >&2
  grep -E '^(aws-lc-rs|aws-lc-sys|openssl|openssl-sys|native-tls) v' <<<"$release" | sort -u >&2
  exit 1
fi
# Size: one copy of the Rust D-Bus library (tauri-plugin-single-instance takes zbus 5; Cargo.lock
# keeps notify-rust on 4.18, the last on zbus 5, for tauri-plugin-notification), and no HTTP/2
# (the IBEx API and the updater's downloads speak HTTP/1.1; h2 and its HPACK tables are code
# the app does not need).
zbus=$(grep -oE '^zbus v[0-9.]+' <<<"$release" | sort -u)
if [ "$(wc -l <<<"$zbus")" -gt 1 ]; then
  echo "the release build links two zbus versions (pin notify-rust back to zbus 5's line):" >&2
  echo "$zbus" >&2
  exit 1
fi
if grep -qE '^h2 v' <<<"$release"; then
  echo "the release build links h2 (HTTP/2); something re-enabled it:" >&2
  cargo tree -p ibex-wallet -e features -i h2 >&2 || true
  exit 1
fi
# And the test features really do bring them in (so the check above can fail).
grep -qF 'passkey-soft ' <<<"$(cargo tree -q -p ibex-wallet -e normal --prefix none --features soft-passkey)"
echo "release build: no software authenticator, no dev web host, one TLS stack (rustls + ring), one zbus, no h2"

# `unsafe_code` is denied workspace-wide; only the per-OS passkey backends may allow it.
allowed=$(grep -rln --include='*.rs' 'allow(unsafe_code)' crates src-tauri | grep -v '^crates/wallet-core/src/passkey/' || true)
if [[ -n $allowed ]]; then
  echo "unsafe_code allowed outside crates/wallet-core/src/passkey/: $allowed" >&2
  exit 1
fi
echo "unsafe code: only where the per-OS passkey backends allow it"
