#!/usr/bin/env bash
# Makes the emulator's result clips: one small H.264 MP4 for every aspect ratio and duration that
# CometAPI offers, and a poster still per aspect ratio. They are committed, so neither the app nor the tests need ffmpeg; run this only
# to change them. Durations are 5.1 s and 10.1 s because that is what Kling reports for its clips.
set -euo pipefail
out="$(cd "$(dirname "$0")/.." && pwd)/src-tauri/emulator/fixtures/media"
mkdir -p "$out"
sizes="16x9:320x180 9x16:180x320 1x1:240x240 4x3:240x180 3x4:180x240 3x2:240x160 2x3:160x240"
for entry in $sizes; do
  ratio=${entry%%:*}; size=${entry#*:}
  for seconds in 5 10; do
    ffmpeg -loglevel error -y -f lavfi -i "gradients=s=${size}:d=${seconds}.1:r=10:speed=0.03:n=3" \
      -c:v libx264 -preset veryslow -crf 34 -pix_fmt yuv420p -profile:v baseline \
      -movflags +faststart -an "$out/${ratio}-${seconds}s.mp4"
  done
  # A still in the clip's shape, for the fixture library's posters (ImageMagick).
  convert -size "$size" -define gradient:angle=135 gradient:'#1b3fd6'-'#3a9a6e' -quality 80 "$out/poster-${ratio}.jpg"
done
ls -l "$out"
