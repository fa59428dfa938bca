#!/usr/bin/env bash
# Benchmark (not a test): start the debug app under Xvfb, idle 10 s, then print its memory
# across every process (app, WebKit web and network processes) and the time to first window.
# Usage: scripts/measure-app.sh   (builds nothing; run ./dev test or cargo build first)
set -euo pipefail
cd "$(dirname "$0")/.."
bin="${CARGO_TARGET_DIR:-target}/debug/ibex-wallet"
[ -x "$bin" ] || { echo "build the app first: $bin is missing" >&2; exit 1; }
ls -l "$bin" | awk '{printf "debug binary: %.1f MiB\n", $5/1048576}'
exec scripts/with-display.sh bash -c '
  home=$(mktemp -d)
  start=$(date +%s%N)
  XDG_DATA_HOME=$home XDG_CONFIG_HOME=$home XDG_CACHE_HOME=$home "$0" >/dev/null 2>&1 &
  app=$!
  until xdotool search --name "IBEx Wallet" >/dev/null 2>&1; do sleep 0.05; done
  echo "first window after: $(( ($(date +%s%N) - start) / 1000000 )) ms"
  sleep 10
  pids="$app $(pgrep -P "$app" | tr "\n" " ")"
  rss=0; pss=0
  for p in $pids; do
    r=$(awk "/^Rss:/ {print \$2}" /proc/$p/smaps_rollup); s=$(awk "/^Pss:/ {print \$2}" /proc/$p/smaps_rollup)
    echo "  pid $p $(tr "\0" " " < /proc/$p/cmdline | cut -c1-60): RSS $((r/1024)) MiB, PSS $((s/1024)) MiB"
    rss=$((rss + r)); pss=$((pss + s))
  done
  echo "after 10 s idle, all processes: RSS $((rss/1024)) MiB, PSS $((pss/1024)) MiB"
  kill $app
' "$bin"
