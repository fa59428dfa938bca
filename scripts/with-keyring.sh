#!/usr/bin/env bash
# Runs a command in a private D-Bus session with an unlocked GNOME keyring, so keychain code
# talks to the real Secret Service. Sets IBEX_EXPECT_KEYCHAIN=1 for the tests.
set -euo pipefail
# The keyring lives in a fresh directory each run (not ~/.local/share/keyrings), so nothing a
# previous run stored — a refresh token, a PIN account — leaks into this one.
exec dbus-run-session -- bash -c '
  keyrings=$(mktemp -d -t ibex-keyrings.XXXXXX)
  trap "rm -rf \"$keyrings\"" EXIT
  printf ibex-test | XDG_DATA_HOME="$keyrings" gnome-keyring-daemon --unlock --components=secrets >/dev/null
  export IBEX_EXPECT_KEYCHAIN=1
  "$@"' bash "$@"
