#!/usr/bin/env bash
# Benchmarks, printed and never asserted, written to docs/benchmarks.md: Kling Desk against the bare
# Tauri app (../shared/baseline/bare-tauri), both built in release and run interleaved under Xvfb
# (start-up, memory, where start-up goes, scrolling and typing over 10,000 generations); search over
# 10,000 generations; the delay from a provider status change to the window with callbacks; sizes.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --test
[ -f "$HOME/.cargo/env" ] && . "$HOME/.cargo/env"
bare_manifest="$(cd .. && pwd)/shared/baseline/bare-tauri/Cargo.toml"
cargo build --release --bin kling-desk
CARGO_TARGET_DIR="$PWD/target" cargo build --release --manifest-path "$bare_manifest"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
export BARE_TAURI_BIN="$PWD/target/release/bare-tauri"
xvfb-run -a -s "-screen 0 1280x800x24" cargo bench --bench startup | tee "$out/startup.md"
cargo bench -p kling-core --bench search | tee "$out/search.txt"
cargo bench -p kling-core --bench callback_latency | tee "$out/callback.txt"
size_mb() { awk -v b="$(stat -c %s "$1")" 'BEGIN { printf "%.1f MB", b / 1048576 }'; }
{
  echo "# Benchmarks"
  echo
  echo "Written by \`scripts/bench.sh\` on $(date -u '+%Y-%m-%d %H:%M UTC'). Machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'),"
  echo "$(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GB", $2 / 1048576 }' /proc/meminfo) of memory, $(uname -sr), under Xvfb (1280×800),"
  echo "with WEBKIT_DISABLE_COMPOSITING_MODE=1 and WEBKIT_DISABLE_DMABUF_RENDERER=1. Both apps are release builds with the same profile."
  echo
  grep -v '^\s*\(Finished\|Running\|Compiling\)' "$out/startup.md" | sed -n '/^## /,$p'
  echo
  echo "## Search over 10,000 generations (\`cargo bench -p kling-core --bench search\`)"
  echo
  grep -E '^(fixture|search|the gallery)' "$out/search.txt" | sed 's/^/- /'
  echo
  echo "## Live updates (\`cargo bench -p kling-core --bench callback_latency\`)"
  echo
  grep -E '^(provider|without)' "$out/callback.txt" | sed 's/^/- /'
  echo
  echo "## Sizes"
  echo
  echo "- Release binary \`target/release/kling-desk\`: $(size_mb target/release/kling-desk) (the bare app: $(size_mb target/release/bare-tauri))."
  deb=$(ls -t target/release/bundle/deb/*.deb 2>/dev/null | head -1 || true)
  if [ -n "$deb" ]; then echo "- Installer \`$(basename "$deb")\`: $(size_mb "$deb")."; else echo "- No .deb built yet: \`scripts/package.sh --bundles deb\` makes one."; fi
  echo
  echo "## Aims (issue #14) and what is not measured yet"
  echo
  echo "- Start-up at most 1.2× and memory at most 1.3× the bare app, from the same run (the table above)."
  echo "- Search: p99 under 50 ms; scrolling: no frame over 50 ms; callbacks: median under 250 ms; the .deb under 15 MB."
  echo "- Not measured yet: requests per generation of the tracker against fixed 5-second polling for a 5-minute task,"
  echo "  and a 500 MB download's throughput against curl with the app's peak memory growth."
} > docs/benchmarks.md
echo "wrote docs/benchmarks.md"
