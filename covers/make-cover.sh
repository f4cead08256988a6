#!/bin/sh
# Regenerate the front cover: covers/year-zero.svg -> manuscript/images/cover.png
# (1600x2560), rendered with the repo's own fonts (see covers/render-svg.sh).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
"$here/render-svg.sh" "$here/year-zero.svg" "$root/manuscript/images/cover.png" 1600 2560
