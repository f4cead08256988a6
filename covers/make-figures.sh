#!/bin/sh
# Regenerate the book's figures: manuscript/images/src/NAME.svg ->
# manuscript/images/NAME.png, 1600 px wide, with the repo's own fonts.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
for svg in "$root"/manuscript/images/src/*.svg; do
  name=$(basename "$svg" .svg)
  "$here/render-svg.sh" "$svg" "$root/manuscript/images/$name.png" 1600
done
