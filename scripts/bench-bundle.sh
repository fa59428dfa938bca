#!/usr/bin/env bash
# Benchmark (prints numbers; not a test, not in ./dev test). Builds, in the same run, our
# release .deb and an empty Tauri app of the same Tauri version and release profile (generated
# from scripts/bench/empty-app/), then prints for both: .deb size, release binary size, time to
# first window (median of 3 warm starts) and PSS after 10 s idle summed over the app and its
# WebKit web and network processes under Xvfb; and each ratio ours ÷ empty. Our web view renders
# without GPU compositing (src-tauri/src/webview.rs), an empty app with it: one more run of the
# empty app with compositing off (WEBKIT_DISABLE_COMPOSITING_MODE=1) gives the like-for-like
# memory ratio. A third app, the empty one with the Tauri features and plugins we ship (updater,
# notifications, single instance, tray; measured with compositing off), splits the ratio into
# what those cost and what the wallet's own code costs. Then what our binary's bytes are, per
# crate, from its link map.
# Usage: scripts/bench-bundle.sh [--no-build]   (CARGO_TARGET_DIR is honoured; the apps share it)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
target=$(realpath -m "${CARGO_TARGET_DIR:-target}")
export CARGO_TARGET_DIR=$target
build=1
[ "${1:-}" = --no-build ] && build=0

empty=$target/bench-empty-app
# The reference apps' binaries and packages (both builds write target/release/empty-app).
keep=$target/bench-reference
lock_version() { awk -v n="$1" '$0 == "name = \"" n "\"" { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock; }
if [ $build = 1 ]; then
  scripts/release.sh deb
  rm -rf "$empty" && cp -r scripts/bench/empty-app "$empty"
  sed -e "s/@TAURI@/$(lock_version tauri)/" -e "s/@TAURI_BUILD@/$(lock_version tauri-build)/" \
    -e "s/@UPDATER@/$(lock_version tauri-plugin-updater)/" \
    -e "s/@NOTIFICATION@/$(lock_version tauri-plugin-notification)/" \
    -e "s/@SINGLE_INSTANCE@/$(lock_version tauri-plugin-single-instance)/" \
    -e "s/@SERDE_JSON@/$(lock_version serde_json)/" \
    "$empty/Cargo.toml.in" >"$empty/Cargo.toml"
  # Same release profile as ours, and the same dependency versions (cargo prunes the rest).
  awk '/^\[profile\.release/ {on=1} /^\[/ && !/^\[profile\.release/ {on=0} on' Cargo.toml >>"$empty/Cargo.toml"
  cp Cargo.lock "$empty/Cargo.lock"
  sed "s|@ICONS@|$root/icons|g" "$empty/tauri.conf.json.in" >"$empty/tauri.conf.json"
  rm "$empty/Cargo.toml.in" "$empty/tauri.conf.json.in"
  rm -rf "$keep" && mkdir -p "$keep"
  (cd "$empty" && "$root/node_modules/.bin/tauri" build --ci --bundles deb)
  cp "$target/release/empty-app" "$keep/empty"
  cp "$(ls -t "$target"/release/bundle/deb/Empty*.deb | head -1)" "$keep/empty.deb"
  # The updater plugin refuses to start without a key and an endpoint: ours (never contacted).
  plugins_config=$(python3 -c '
import json, sys
updater = json.load(open(sys.argv[1]))["plugins"]["updater"]
print(json.dumps({"productName": "Plugins App",
                  "app": {"windows": [{"label": "main", "title": "Plugins App", "width": 1100, "height": 760}]},
                  "plugins": {"updater": {"pubkey": updater["pubkey"], "endpoints": updater["endpoints"]}}}))
' src-tauri/tauri.conf.json)
  (cd "$empty" && "$root/node_modules/.bin/tauri" build --ci --bundles deb --features plugins --config "$plugins_config")
  cp "$target/release/empty-app" "$keep/plugins"
  cp "$(ls -t "$target"/release/bundle/deb/Plugins*.deb | head -1)" "$keep/plugins.deb"
fi

ours_deb=$(ls -t "$target"/release/bundle/deb/IBEx*.deb | head -1)
ours_bin=$target/release/ibex-wallet
empty_deb=$keep/empty.deb empty_bin=$keep/empty
plugins_deb=$keep/plugins.deb plugins_bin=$keep/plugins

# Starts a binary 4 times (the first warms the page cache and is not counted), prints the
# median time to its first window, then after the last start idles 10 s and prints the PSS
# of the app and every process it started. Prints "<ms> <MiB> <app MiB> <web MiB> <network MiB>"
# (the display session's own chatter on stdout is dropped: the figures go through a file).
# Usage: measure BINARY TITLE [VAR=value for the app's environment]
measure() {
  local result
  result=$(mktemp)
  scripts/with-display.sh bash -c '
    bin=$1 title=$2 result=$3 extra_env=${4:-IBEX_BENCH=1}
    descendants() { local c; for c in $(pgrep -P "$1"); do echo "$c"; descendants "$c"; done; }
    times=()
    for run in 0 1 2 3; do
      home=$(mktemp -d)
      start=$(date +%s%N)
      env "$extra_env" HOME=$home XDG_DATA_HOME=$home XDG_CONFIG_HOME=$home XDG_CACHE_HOME=$home "$bin" >/dev/null 2>&1 &
      app=$!
      until xdotool search --onlyvisible --name "^$title\$" >/dev/null 2>&1; do sleep 0.01; done
      [ $run -gt 0 ] && times+=($(( ($(date +%s%N) - start) / 1000000 )))
      if [ $run -lt 3 ]; then kill "$app"; wait "$app" 2>/dev/null || true; rm -rf "$home"; fi
    done
    sleep 10
    pss=0 web=0 net=0
    for p in $app $(descendants "$app"); do
      s=$(awk "/^Pss:/ {print \$2}" /proc/$p/smaps_rollup 2>/dev/null || echo 0)
      pss=$((pss + s))
      case $(cat /proc/$p/comm 2>/dev/null) in
        WebKitWebProces*) web=$((web + s)) ;;
        WebKitNetworkPr*) net=$((net + s)) ;;
      esac
    done
    kill "$app"; wait "$app" 2>/dev/null || true
    echo "$(printf "%s\n" "${times[@]}" | sort -n | sed -n 2p) $((pss / 1024))" \
      "$(((pss - web - net) / 1024)) $((web / 1024)) $((net / 1024))" >"$result"
  ' bash "$1" "$2" "$result" "${3:-}" >/dev/null 2>&1
  cat "$result"
  rm -f "$result"
}

read -r ours_ms ours_pss ours_app ours_web ours_net < <(measure "$ours_bin" "IBEx Wallet")
read -r empty_ms empty_pss empty_app empty_web empty_net < <(measure "$empty_bin" "Empty App")
read -r _ soft_pss soft_app soft_web soft_net < <(measure "$empty_bin" "Empty App" WEBKIT_DISABLE_COMPOSITING_MODE=1)
read -r plug_ms plug_pss plug_app plug_web plug_net < <(measure "$plugins_bin" "Plugins App" WEBKIT_DISABLE_COMPOSITING_MODE=1)

mib() { awk -v b="$1" 'BEGIN { printf "%.2f MiB", b / 1048576 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f×", a / b }'; }
size() { stat -c %s "$1"; }
row() { printf '%-28s %12s %12s %7s %14s %7s\n' "$@"; }
row "" "ours" "empty Tauri" "ratio" "empty+plugins" "ratio"
row ".deb" "$(mib "$(size "$ours_deb")")" "$(mib "$(size "$empty_deb")")" \
  "$(ratio "$(size "$ours_deb")" "$(size "$empty_deb")")" "$(mib "$(size "$plugins_deb")")" \
  "$(ratio "$(size "$ours_deb")" "$(size "$plugins_deb")")"
row "release binary" "$(mib "$(size "$ours_bin")")" "$(mib "$(size "$empty_bin")")" \
  "$(ratio "$(size "$ours_bin")" "$(size "$empty_bin")")" "$(mib "$(size "$plugins_bin")")" \
  "$(ratio "$(size "$ours_bin")" "$(size "$plugins_bin")")"
row "first window (median of 3)" "$ours_ms ms" "$empty_ms ms" "$(ratio "$ours_ms" "$empty_ms")" \
  "$plug_ms ms" "$(ratio "$ours_ms" "$plug_ms")"
row "PSS after 10 s idle (all)" "$ours_pss MiB" "$empty_pss MiB" "$(ratio "$ours_pss" "$empty_pss")"
row "  app / web / network" "$ours_app/$ours_web/$ours_net" "$empty_app/$empty_web/$empty_net"
row "PSS, all no compositing" "$ours_pss MiB" "$soft_pss MiB" "$(ratio "$ours_pss" "$soft_pss")" \
  "$plug_pss MiB" "$(ratio "$ours_pss" "$plug_pss")"
row "  app / web / network" "$ours_app/$ours_web/$ours_net" "$soft_app/$soft_web/$soft_net" "" \
  "$plug_app/$plug_web/$plug_net"

echo
echo "What our release binary's bytes are (scripts/bench/crate-sizes.py on its link map):"
python3 scripts/bench/crate-sizes.py "$(ls -t "$target"/release/build/ibex-wallet-*/out/ibex-wallet.map | head -1)" 12
