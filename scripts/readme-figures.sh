#!/usr/bin/env bash
# Copy the figures the README and docs/PLOTS.md show from the main
# command's run (scripts/main.sh draws them into runs/article-2023/plots/)
# to docs/img/. Run scripts/main.sh first; pass another plots folder as
# the first argument to take the figures from there. Each figure must be
# a PNG of at most 100 KB, so the repository stays small.
set -euo pipefail
cd "$(dirname "$0")/.."
src=${1:-runs/article-2023/plots}
figures=(compare-T1 funnel timeseries cascades groups)
mkdir -p docs/img
for f in "${figures[@]}"; do
  png="$src/$f.png"
  if [ ! -f "$png" ]; then
    echo "readme-figures: $png is missing: run scripts/main.sh first (or give the plots folder)" >&2
    exit 2
  fi
  if [ "$(head -c 8 "$png" | od -An -tx1 | tr -d ' \n')" != "89504e470d0a1a0a" ]; then
    echo "readme-figures: $png is not a PNG" >&2
    exit 2
  fi
  size=$(stat -c %s "$png")
  if [ "$size" -gt 102400 ]; then
    echo "readme-figures: $png is $size bytes, more than 100 KB: make it smaller (plots/*.gp)" >&2
    exit 1
  fi
done
for f in "${figures[@]}"; do
  cp "$src/$f.png" "docs/img/$f.png"
  echo "docs/img/$f.png  ($(stat -c %s "docs/img/$f.png") bytes)"
done
