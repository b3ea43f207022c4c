#!/usr/bin/env bash
# The packaging test (run by scripts/test.sh): builds a debug .deb with the Tauri CLI, installs it
# with apt-get, checks what it put on the system (binary, desktop entry, icons), starts the
# INSTALLED app under Xvfb against the emulator (tests/packaging.rs, over WebKitWebDriver), then
# removes the kling-desk package, and only it, and checks the system is as it was before.
# Needs root or passwordless sudo; skips with a message otherwise, or if kling-desk is already
# installed (it would not replace someone's installed copy).
#   scripts/package-test.sh             with a debug .deb (quick: reuses the test build's crates)
#   scripts/package-test.sh --release   with the release .deb that scripts/package.sh makes
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f "$HOME/.cargo/env" ] && . "$HOME/.cargo/env"
package=kling-desk
profile=debug
build_args=(--debug)
if [ "${1:-}" = "--release" ]; then
  profile=release
  build_args=()
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if sudo -n true 2>/dev/null; then
    sudo="sudo"
  else
    echo "SKIPPED the packaging test: installing a .deb needs root or passwordless sudo"
    exit 0
  fi
fi
if dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
  echo "SKIPPED the packaging test: $package is already installed here; it would not replace it"
  exit 0
fi

start=$(date +%s)
rm -f "target/$profile/bundle/deb/"*.deb
scripts/setup.sh --package >/dev/null
tools/node_modules/.bin/tauri build --ci "${build_args[@]}" --bundles deb
debs=("target/$profile/bundle/deb/"*.deb)
[ ${#debs[@]} -eq 1 ] && [ -f "${debs[0]}" ] || { echo "expected one .deb, found: ${debs[*]}"; exit 1; }
deb="${debs[0]}"
built=$(date +%s)
echo "built $deb ($(du -h "$deb" | cut -f1)) in $((built - start)) s"

name=$(dpkg-deb -f "$deb" Package)
version=$(dpkg-deb -f "$deb" Version)
[ "$name" = "$package" ] || { echo "the package is called $name, not $package"; exit 1; }
conf_version=$(sed -n 's/^ *"version": *"\([^"]*\)".*/\1/p' tauri.conf.json | head -n1)
[ "$version" = "$conf_version" ] || { echo "the package is version $version, tauri.conf.json says $conf_version"; exit 1; }

before=$(mktemp)
after=$(mktemp)
installed=""
cleanup() {
  if [ -n "$installed" ]; then
    DEBIAN_FRONTEND=noninteractive $sudo apt-get remove -y -qq "$package" >/dev/null || true
  fi
  rm -f "$before" "$after"
}
trap cleanup EXIT
dpkg-query -W -f='${binary:Package} ${Version} ${Status}\n' | sort >"$before"

# Its dependencies are installed by scripts/setup.sh already, so this adds exactly one package;
# without recommends, so nothing else comes along that the removal would leave behind.
installed=yes
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "./$deb"
dpkg-query -W -f='${binary:Package} ${Version} ${Status}\n' | sort >"$after"
added=$(comm -13 "$before" "$after")
[ "$added" = "$package $version install ok installed" ] || {
  echo "installing $deb changed more than $package:"; diff "$before" "$after" || true; exit 1; }

files=$(dpkg -L "$package")
fail() { echo "$*"; echo "dpkg -L $package:"; echo "$files"; exit 1; }
grep -qx /usr/bin/kling-desk <<<"$files" || fail "no /usr/bin/kling-desk"
desktop=$(grep -E '^/usr/share/applications/.*\.desktop$' <<<"$files" | head -n1)
[ -n "$desktop" ] || fail "no desktop entry"
grep -qx 'Exec=kling-desk' "$desktop" || fail "$desktop does not start kling-desk"
grep -qx 'Icon=kling-desk' "$desktop" || fail "$desktop does not name the kling-desk icon"
grep -qx 'Name=Kling Desk' "$desktop" || fail "$desktop is not named Kling Desk"
grep -q '^Categories=.*Video' "$desktop" || fail "$desktop is not in the Video category"
sizes=$(grep -oE '^/usr/share/icons/hicolor/[0-9]+x[0-9]+/apps/kling-desk\.png$' <<<"$files" | cut -d/ -f6 | sort -n | tr '\n' ' ')
for size in 16x16 32x32 48x48 128x128 256x256 512x512; do
  grep -qw "$size" <<<"$sizes" || fail "no $size icon (has: $sizes)"
done
echo "installed $package $version: /usr/bin/kling-desk, $desktop, icons $sizes"

# The installed binary, not the one in target/.
xvfb-run -a -s "-screen 0 1280x800x24" env KLING_DESK_INSTALLED_BIN=/usr/bin/kling-desk \
  cargo test --test packaging -- --ignored --test-threads=1

DEBIAN_FRONTEND=noninteractive $sudo apt-get remove -y -qq "$package"
installed=""
[ ! -e /usr/bin/kling-desk ] || { echo "/usr/bin/kling-desk is still there after removing $package"; exit 1; }
[ ! -e "$desktop" ] || { echo "$desktop is still there after removing $package"; exit 1; }
dpkg-query -W -f='${binary:Package} ${Version} ${Status}\n' | sort >"$after"
if ! cmp -s "$before" "$after"; then
  echo "the installed packages differ from before the test:"; diff "$before" "$after" || true; exit 1
fi
echo "removed $package; the $(wc -l <"$before") installed packages are as before ($(($(date +%s) - start)) s in all)"
