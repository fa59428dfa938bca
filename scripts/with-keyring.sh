#!/usr/bin/env bash
# Runs a command in a private D-Bus session with an unlocked GNOME keyring, so keychain code
# talks to the real Secret Service. Sets IBEX_EXPECT_KEYCHAIN=1 for the tests.
set -euo pipefail
exec dbus-run-session -- bash -c '
  printf ibex-test | gnome-keyring-daemon --unlock --components=secrets >/dev/null
  export IBEX_EXPECT_KEYCHAIN=1
  exec "$@"' bash "$@"
