#!/usr/bin/env bash
# Benchmarks, printed and never asserted, written to docs/benchmarks.md: Kling Desk against the bare
# Tauri app (../shared/baseline/bare-tauri), both built in release and run interleaved under Xvfb
# (start-up, memory, where start-up goes, scrolling and typing over 10,000 generations); search over
# 10,000 generations; the delay from a provider status change to the window with callbacks; status
# requests and detection delay for a 5-minute task (about 5½ minutes in real time); a 500 MB
# download against curl; the release binary and .deb sizes (a release .deb is built when none is
# newer than the binary).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --test
[ -f "$HOME/.cargo/env" ] && . "$HOME/.cargo/env"
bare_manifest="$(cd .. && pwd)/shared/baseline/bare-tauri/Cargo.toml"
cargo build --release --bin kling-desk
# Right after cargo's build, whose binary keeps its link time when nothing changed (the Tauri CLI
# rewrites the binary after bundling, so later its time says nothing about the .deb).
deb=$(ls -t target/release/bundle/deb/*.deb 2>/dev/null | head -1 || true)
if [ -z "$deb" ] || [ target/release/kling-desk -nt "$deb" ]; then
  scripts/package.sh --bundles deb
  deb=$(ls -t target/release/bundle/deb/*.deb | head -1)
fi
CARGO_TARGET_DIR="$PWD/target" cargo build --release --manifest-path "$bare_manifest"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
export BARE_TAURI_BIN="$PWD/target/release/bare-tauri"
xvfb-run -a -s "-screen 0 1280x800x24" cargo bench --bench startup | tee "$out/startup.md"
cargo bench -p kling-core --bench search | tee "$out/search.txt"
cargo bench -p kling-core --bench callback_latency | tee "$out/callback.txt"
cargo bench -p kling-core --bench status_detection | tee "$out/status.txt"
cargo bench -p kling-core --bench download | tee "$out/download.txt"
cargo bench -p kling-core --bench prompt_history | tee "$out/history.txt"
cargo bench -p kling-core --bench ledger | tee "$out/ledger.txt"
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
  echo "## Status detection for a 5-minute task (\`cargo bench -p kling-core --bench status_detection\`)"
  echo
  grep -E '^(what was done|fixed|tracker)' "$out/status.txt" | sed 's/^/- /'
  echo
  echo "## Download of a 500 MB result (\`cargo bench -p kling-core --bench download\`)"
  echo
  grep -E '^(what was done|download|peak)' "$out/download.txt" | sed 's/^/- /'
  echo
  echo "## Prompt history over 10,000 generations (\`cargo bench -p kling-core --bench prompt_history\`)"
  echo
  grep -E '^prompt history' "$out/history.txt" | sed 's/^/- /'
  echo
  echo "## Spend over 10,000 generations (\`cargo bench -p kling-core --bench ledger\`)"
  echo
  grep -E '^ledger' "$out/ledger.txt" | sed 's/^/- /'
  echo
  echo "## Sizes"
  echo
  echo "- Release binary \`target/release/kling-desk\`: $(size_mb target/release/kling-desk) (the bare app: $(size_mb target/release/bare-tauri))."
  deb_aim=$(awk -v b="$(stat -c %s "$deb")" 'BEGIN { print (b < 15 * 1048576 ? "meets the aim (under 15 MB)" : "misses the aim (under 15 MB)") }')
  echo "- Release installer \`$(basename "$deb")\`: $(size_mb "$deb"): $deb_aim."
  echo
  echo "## Aims (issue #14)"
  echo
  echo "- Start-up at most 1.2× and memory at most 1.3× the bare app, from the same run (the table above)."
  echo "- Search: p99 under 50 ms; scrolling: no frame over 50 ms; callbacks: median under 250 ms; the .deb under 15 MB."
  echo "- Status detection: at most 40 % of fixed 5-second polling's requests with a detection delay of at most 5 s."
  echo "- A 500 MB download: at least 90 % of curl's throughput on the same URL, and peak memory growth under 16 MB."
} > docs/benchmarks.md
echo "wrote docs/benchmarks.md"
