#!/bin/sh
# Render an SVG to PNG with rsvg-convert, using only the fonts in the repo's
# fonts/ folder (a private fontconfig file), so the result does not depend on
# the fonts installed on the machine.
#   usage: covers/render-svg.sh SRC.svg OUT.png WIDTH [HEIGHT]
# Needs rsvg-convert (Debian package librsvg2-bin); uses optipng if present.
set -eu
[ $# -ge 3 ] || { echo "usage: $0 SRC.svg OUT.png WIDTH [HEIGHT]" >&2; exit 2; }
src=$1 out=$2 width=$3 height=${4:-}
root=$(cd "$(dirname "$0")/.." && pwd)
command -v rsvg-convert >/dev/null 2>&1 || {
  echo "rsvg-convert not found: apt-get install librsvg2-bin" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
cat > "$tmp/fonts.conf" <<CONF
<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig>
  <dir>$root/fonts</dir>
  <cachedir>$tmp/cache</cachedir>
</fontconfig>
CONF
export FONTCONFIG_FILE="$tmp/fonts.conf"
if [ -n "$height" ]; then
  rsvg-convert --width "$width" --height "$height" --format png -o "$tmp/out.png" "$src"
else
  rsvg-convert --width "$width" --keep-aspect-ratio --format png -o "$tmp/out.png" "$src"
fi
if command -v optipng >/dev/null 2>&1; then
  optipng -quiet -o5 -strip all "$tmp/out.png"
fi
mv "$tmp/out.png" "$out"
echo "wrote $out ($(wc -c < "$out") bytes)"
