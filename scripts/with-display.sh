#!/usr/bin/env bash
# Runs a command under a private Xvfb display and D-Bus session with an unlocked GNOME keyring
# (what the app needs headless: a screen, a session bus, a Secret Service).
set -euo pipefail
exec xvfb-run --auto-servernum --server-args="-screen 0 1280x900x24" \
  dbus-run-session -- bash -c '
    printf ibex-test | gnome-keyring-daemon --unlock --components=secrets >/dev/null
    exec "$@"' bash "$@"
