#!/usr/bin/env bash
# Installs what Kling Desk needs on Debian or Ubuntu and is not there yet; never removes anything.
#   scripts/setup.sh          what building and running the app needs
#   scripts/setup.sh --test   that, plus what the tests need (Xvfb, WebKitWebDriver, gnome-keyring, ...)
#                             and the Tauri CLI (the packaging test builds and installs a .deb)
#   scripts/setup.sh --package  that, plus the Tauri CLI, to build the installers (scripts/package.sh)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
mode="${1:-}"

packages=(libwebkit2gtk-4.1-dev build-essential pkg-config libssl-dev libdbus-1-dev
  libayatana-appindicator3-dev librsvg2-dev libxdo-dev curl ca-certificates
  gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-bad gstreamer1.0-libav
  gstreamer1.0-gl gnome-keyring dbus-x11)
if [ "$mode" = "--test" ]; then
  packages+=(xvfb xauth webkit2gtk-driver libsecret-tools imagemagick xdotool)
  command -v node >/dev/null 2>&1 || packages+=(nodejs)
fi
if [ "$mode" = "--test" ] || [ "$mode" = "--package" ]; then
  # The Tauri CLI comes from npm, prebuilt; Debian's npm package brings nodejs with it.
  command -v npm >/dev/null 2>&1 || packages+=(npm)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "Installing: ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

if ! command -v cargo >/dev/null 2>&1; then
  [ -x "$HOME/.cargo/bin/cargo" ] || curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y --profile minimal
  echo "Rust was installed in ~/.cargo; open a new terminal or run: . \"\$HOME/.cargo/env\""
fi

# The Tauri CLI, at the version pinned in tools/package-lock.json (a prebuilt binary from npm, so
# nothing to compile); again when the lock file changes.
if [ "$mode" = "--test" ] || [ "$mode" = "--package" ]; then
  if [ ! -x "$root/tools/node_modules/.bin/tauri" ] ||
    [ "$root/tools/package-lock.json" -nt "$root/tools/node_modules/.package-lock.json" ]; then
    echo "Installing the Tauri CLI into tools/node_modules"
    npm ci --prefix "$root/tools" --no-audit --no-fund --loglevel=error
  fi
fi
