#!/usr/bin/env bash
# Runs a command under a private Xvfb display and D-Bus session (what the app needs headless).
set -euo pipefail
exec xvfb-run --auto-servernum --server-args="-screen 0 1280x900x24" \
  dbus-run-session -- "$@"
