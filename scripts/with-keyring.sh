#!/usr/bin/env bash
# Runs a command in a private D-Bus session with an unlocked GNOME keyring, so keychain code
# talks to the real Secret Service. Sets IBEX_EXPECT_KEYCHAIN=1 for the tests, and
# IBEX_TEST_KEYRINGS to the keyring directory (the chaos test restarts the daemon on it).
set -euo pipefail
# The keyring lives in a fresh directory each run (not ~/.local/share/keyrings), so nothing a
# previous run stored — a refresh token, a PIN account — leaks into this one.
exec dbus-run-session -- bash -c '
  keyrings=$(mktemp -d -t ibex-keyrings.XXXXXX)
  trap "rm -rf \"$keyrings\"" EXIT
  # A daemon D-Bus starts on demand (after one died) uses this directory too, never $HOME.
  dbus-update-activation-environment XDG_DATA_HOME="$keyrings"
  printf ibex-test | XDG_DATA_HOME="$keyrings" gnome-keyring-daemon --unlock --components=secrets >/dev/null
  # Until the daemon owns its bus name, a first request would have D-Bus start a second one.
  for _ in $(seq 50); do
    busctl --user status org.freedesktop.secrets >/dev/null 2>&1 && break
    sleep 0.1
  done
  export IBEX_EXPECT_KEYCHAIN=1 IBEX_TEST_KEYRINGS="$keyrings"
  "$@"' bash "$@"
