#!/usr/bin/env bash
# Renders the application icon's PNGs (the sizes desktops look for) from its SVG source.
# The PNGs are committed, so building needs no SVG renderer; run this after editing the SVG.
# Needs rsvg-convert (Debian: librsvg2-bin).
set -euo pipefail
cd "$(dirname "$0")/.."

id=io.github.spool.Spool
svg=resources/icons/$id.svg
for size in 16 24 32 48 64 128 256; do
  dir=resources/icons/hicolor/${size}x${size}/apps
  mkdir -p "$dir"
  rsvg-convert --width "$size" --height "$size" --output "$dir/$id.png" "$svg"
  echo "$dir/$id.png"
done
