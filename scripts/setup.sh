#!/usr/bin/env bash
# Installs what `./dev run` (setup.sh run), `./dev release` (setup.sh release) or `./dev test`
# (setup.sh all) needs on Debian/Ubuntu: system packages, npm packages (from the lockfile),
# tauri-driver, cargo-deny, cargo-fuzz (+ nightly), and the workflow linters (a Python venv in .venv).
# Steps already satisfied are skipped, so a second run takes a second.
set -euo pipefail
cd "$(dirname "$0")/.."
what="${1:-all}"

# Build and run: WebKitGTK 4.1 and friends, libudev for USB security keys (CTAP2). Tests add
# browsers, Xvfb, D-Bus, a keyring and a notification daemon so keychain and notification code
# run against the real services.
RUN_PKGS=(libwebkit2gtk-4.1-dev libudev-dev build-essential libssl-dev libayatana-appindicator3-dev
  librsvg2-dev libxdo-dev libsoup-3.0-dev pkg-config file)
TEST_PKGS=(xvfb xauth dbus-x11 webkit2gtk-driver chromium chromium-driver imagemagick xdotool
  gnome-keyring libsecret-tools dunst libnotify-bin shellcheck python3-venv sudo)

# Release bundles: unpacking the .rpm to check its binary.
RELEASE_PKGS=(rpm2cpio cpio)

pkgs=("${RUN_PKGS[@]}")
[ "$what" = all ] && pkgs+=("${TEST_PKGS[@]}")
[ "$what" = all ] || [ "$what" = release ] && pkgs+=("${RELEASE_PKGS[@]}")

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null; then sudo="sudo"; else
      echo "Missing system packages; as root run:" >&2
      echo "  apt-get update && apt-get install -y --no-install-recommends ${missing[*]}" >&2
      exit 1
    fi
  fi
  echo "==> installing system packages: ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

for tool in cargo node npm; do
  command -v "$tool" >/dev/null || { echo "$tool is required (Rust via rustup; Node.js >= 20.19)" >&2; exit 1; }
done

# npm ci only when the lockfile changed since the last install. Never through a symlinked
# node_modules (a worktree sharing another checkout's install): npm ci empties the directory
# the link points to, under everyone using it. Such an install is refreshed where it lives.
stamp=node_modules/.package-lock.json
if [ -L node_modules ]; then
  [ -f "$stamp" ] || { echo "node_modules links to an install without $stamp; run npm ci there" >&2; exit 1; }
elif [ ! -f "$stamp" ] || [ package-lock.json -nt "$stamp" ]; then
  echo "==> npm ci"
  npm ci --no-audit --no-fund --loglevel=error
fi

if [ "$what" = all ] && ! command -v tauri-driver >/dev/null; then
  echo "==> cargo install tauri-driver (once, ~2 min)"
  cargo install tauri-driver --version 2.1.0 --locked --quiet
fi

if [ "$what" = all ] && ! command -v cargo-deny >/dev/null; then
  echo "==> cargo install cargo-deny (once, ~3 min)"
  cargo install cargo-deny --version 0.20.2 --locked --quiet
fi

if [ "$what" = all ] && ! command -v cargo-fuzz >/dev/null; then
  echo "==> cargo install cargo-fuzz and the nightly toolchain it builds with (once, ~3 min)"
  rustup toolchain list | grep -q '^nightly' || rustup toolchain install nightly --profile minimal
  cargo install cargo-fuzz --version 0.13.2 --locked --quiet
fi

# Workflow linters (scripts/lint-workflows.sh), reinstalled when their pinned list changes.
if [ "$what" = all ]; then
  stamp=.venv/.lint-tools.txt
  if ! cmp -s scripts/lint-tools.txt "$stamp" 2>/dev/null; then
    echo "==> python venv with the workflow linters (.venv)"
    [ -x .venv/bin/pip ] || python3 -m venv .venv
    .venv/bin/pip install --quiet --disable-pip-version-check -r scripts/lint-tools.txt
    cp scripts/lint-tools.txt "$stamp"
  fi
fi
