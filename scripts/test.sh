#!/usr/bin/env bash
# Installs what is missing and runs every test: core and command tests, the frontend's pure
# logic, the real keychain, the real app end to end under Xvfb, and the installed .deb. Ends with
# one summary line.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --test
[ -f "$HOME/.cargo/env" ] && . "$HOME/.cargo/env"
log=$(mktemp)
trap 'rm -rf "$log" "${keyrings:-}"' EXIT
run() { echo "== $*"; "$@" 2>&1 | tee -a "$log"; }

cargo build --workspace --bins --tests
run cargo test --workspace
run node --test tests/ui/*.test.mjs
# The Secret Service, on a private session bus with a new, unlocked keyring of its own ...
keyrings=$(mktemp -d)
run env XDG_DATA_HOME="$keyrings" dbus-run-session -- sh -c 'echo -n test | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1;
  exec cargo test --test keychain -- --ignored a_key_survives'
# ... and with no bus at all, where the app must offer to keep the key for this run only.
run env -u DBUS_SESSION_BUS_ADDRESS -u DISPLAY cargo test --test keychain -- --ignored without_a_keychain
# Desktop notifications, on a private session bus where the test stands in for the notification server.
run dbus-run-session -- cargo test --test commands -- --ignored notified
# A full disk, on a 2 MiB tmpfs of its own (mounting needs root or passwordless sudo).
as_root=""
[ "$(id -u)" -eq 0 ] || as_root="sudo -n"
tiny=$(mktemp -d)
if $as_root mount -t tmpfs -o size=2m,mode=1777 tmpfs "$tiny" 2>/dev/null; then
  run env DISK_FULL_DIR="$tiny" cargo test --workspace --test disk_full -- --ignored
  $as_root umount "$tiny"
else
  echo "== skipped the disk-full test: mounting a tmpfs needs root or passwordless sudo"
fi
rmdir "$tiny"
# The real app; each launch starts its own bus and keyring inside the test.
run xvfb-run -a -s "-screen 0 1280x800x24" cargo test --test e2e -- --ignored --test-threads=1
# The installer: a debug .deb, installed, started from /usr/bin under Xvfb, removed again.
run scripts/package-test.sh

summary=$(awk '/test result:/ { for (i = 1; i < NF; i++) { if ($(i+1) ~ /^passed/) p += $i; if ($(i+1) ~ /^failed/) f += $i } }
  /^# pass / { p += $3 } /^# fail / { f += $3 } END { printf "%d passed, %d failed", p, f }' "$log")
echo "all suites: $summary"
