#!/usr/bin/env bash
# Builds the release installers for this platform with the Tauri CLI (installed by setup.sh from
# npm, prebuilt). On Linux: a .deb and an .rpm in target/release/bundle/{deb,rpm}/.
#   scripts/package.sh                 release bundles
#   scripts/package.sh --debug         a debug build, bundled the same way (quicker; what the tests use)
#   scripts/package.sh [...] --bundles deb   only some bundle types; any other option goes to `tauri build`
set -euo pipefail
cd "$(dirname "$0")/.."
if command -v apt-get >/dev/null 2>&1; then
  scripts/setup.sh --package # system packages and the Tauri CLI
elif [ ! -x tools/node_modules/.bin/tauri ]; then
  npm ci --prefix tools --no-audit --no-fund # macOS, Windows (Git Bash): the Tauri CLI only
fi
[ -f "$HOME/.cargo/env" ] && . "$HOME/.cargo/env"
args=("$@")
case " $* " in
  *" --bundles "* | *" -b "*) ;;
  *)
    case "$(uname -s)" in
      Linux) args+=(--bundles deb,rpm) ;;
      Darwin) args+=(--bundles app,dmg) ;;
      *) args+=(--bundles msi,nsis) ;;
    esac
    ;;
esac
tools/node_modules/.bin/tauri build --ci "${args[@]}"
profile=release
case " $* " in *" --debug "* | *" -d "*) profile=debug ;; esac
echo "Bundles:"
find "target/$profile/bundle" -maxdepth 2 -type f \( -name '*.deb' -o -name '*.rpm' -o -name '*.AppImage' -o -name '*.dmg' -o -name '*.msi' -o -name '*.exe' \) -exec ls -lh {} \;
