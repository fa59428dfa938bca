#!/usr/bin/env bash
# Runs a command under a private Xvfb display and D-Bus session with an unlocked GNOME keyring
# and a notification daemon (what the app needs headless: a screen, a session bus, a Secret
# Service, somewhere to show notifications). Every notification sent to the daemon is recorded
# by dbus-monitor in $IBEX_NOTIFICATION_LOG, so tests can check real delivery.
set -euo pipefail
exec xvfb-run --auto-servernum --server-args="-screen 0 1280x900x24" \
  dbus-run-session -- bash -c '
    # A fresh keyring each run (not ~/.local/share/keyrings): nothing a previous run stored leaks in.
    keyrings=$(mktemp -d -t ibex-keyrings.XXXXXX)
    trap "rm -rf \"$keyrings\"" EXIT
    printf ibex-test | XDG_DATA_HOME="$keyrings" gnome-keyring-daemon --unlock --components=secrets >/dev/null
    export IBEX_NOTIFICATION_LOG="${IBEX_NOTIFICATION_LOG:-$(mktemp -t ibex-notifications.XXXXXX)}"
    dbus-monitor "interface=org.freedesktop.Notifications,member=Notify" >"$IBEX_NOTIFICATION_LOG" 2>/dev/null &
    dunst >/dev/null 2>&1 &
    "$@"' bash "$@"
