#!/bin/sh
# Regenerate the front cover: covers/year-zero.svg -> manuscript/images/cover.png
# (1920x3072: 300 dpi on the 6x9 in print cover wrap's front, with its bleed), rendered with the repo's own fonts (see covers/render-svg.sh).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
"$here/render-svg.sh" "$here/year-zero.svg" "$root/manuscript/images/cover.png" 1920 3072
