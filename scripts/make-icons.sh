#!/usr/bin/env bash
# Draws the app icon (a rounded square, violet to pink, with a white play triangle) at 1024x1024
# with ImageMagick and makes every icon the bundles use from it with `tauri icon`. The results are
# committed under src-tauri/icons/, so building needs neither tool; run this only to change them.
set -euo pipefail
cd "$(dirname "$0")/.."
icons=src-tauri/icons
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

convert -size 1024x1024 -define gradient:angle=135 gradient:'#7c3aed-#ec4899' "$work/gradient.png"
convert -size 1024x1024 xc:none -fill white -draw "roundrectangle 64,64 959,959 200,200" "$work/mask.png"
convert "$work/gradient.png" "$work/mask.png" -alpha off -compose CopyOpacity -composite "$work/base.png"
convert -size 1024x1024 xc:none -fill 'rgba(40,0,80,0.25)' -draw "polygon 418,326 418,718 738,522" \
  -blur 0x18 "$work/shadow.png"
convert "$work/base.png" "$work/shadow.png" -compose over -composite \
  -fill white -stroke white -strokewidth 48 -draw "stroke-linejoin round polygon 410,310 410,714 730,512" \
  -depth 8 -define png:exclude-chunks=date,time "PNG32:$icons/app-icon.png"

[ -x tools/node_modules/.bin/tauri ] || scripts/setup.sh --package
tauri=tools/node_modules/.bin/tauri
# The standard set (32, 64, 128, 512 as icon.png, .icns, .ico) and the other sizes of the
# freedesktop hicolor theme. Not kept: 128x128@2x.png (Tauri would install it as hicolor 256x256@2,
# which means 512 pixels) and the Windows Store, Android and iOS images.
"$tauri" icon "$icons/app-icon.png" -o "$work/std" >/dev/null 2>&1
"$tauri" icon "$icons/app-icon.png" -o "$work/extra" -p 16,24,48,256 >/dev/null 2>&1
cp "$work"/std/{32x32.png,64x64.png,128x128.png,icon.png,icon.icns,icon.ico} "$icons/"
cp "$work"/extra/{16x16.png,24x24.png,48x48.png,256x256.png} "$icons/"
ls -l "$icons"
