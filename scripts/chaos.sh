#!/usr/bin/env bash
# The chaos cases alone (issue 12, item 8): wallet processes SIGKILLed at each point of a
# refresh, two instances at once, the Secret Service killed mid-session, a stalled WebSocket
# handshake, a half-written settings file. Prints the table of sessions and data lost.
# `./dev test` runs the same test among the Rust tests.
set -euo pipefail
cd "$(dirname "$0")/.."
exec scripts/with-keyring.sh cargo test -p ibex-wallet --features ibex-wallet/devhost,ibex-wallet/soft-passkey --test chaos
