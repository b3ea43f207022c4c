#!/usr/bin/env bash
# Installs what is missing, builds Kling Desk and starts it.
#   scripts/run.sh              against CometAPI (or the base URL saved in Settings)
#   scripts/run.sh --emulator   against the local emulator: no key needed, no credits spent
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
[ -f "$HOME/.cargo/env" ] && . "$HOME/.cargo/env"
cargo build --release --bins
if [ "${1:-}" = "--emulator" ]; then
  target/release/kling-emulator --port 18080 &
  emulator=$!
  trap 'kill $emulator' EXIT
  export KLING_DESK_API_BASE=http://127.0.0.1:18080
fi
target/release/kling-desk
