#!/usr/bin/env bash
# Benchmarks, printed and never asserted: start-up time and memory of the real app (empty and
# large library), search over 10,000 generations, and the delay from a provider status change to the window's event with callbacks.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --test
[ -f "$HOME/.cargo/env" ] && . "$HOME/.cargo/env"
xvfb-run -a -s "-screen 0 1280x800x24" cargo bench --bench startup
cargo bench -p kling-core --bench callback_latency
cargo bench -p kling-core --bench search
