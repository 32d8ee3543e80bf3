#!/usr/bin/env bash
# The main job: build fission (installing what it needs), run the article
# baseline (scenarios/article-2023.json) and compare it with the article's
# figures (scenarios/reference/article-2023.json), writing the outputs and
# compare.csv / compare.json to runs/article-2023/. Extra arguments go to
# `fission compare`, e.g. `--set run.replicates=50` or `--threads 1`.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j "$(nproc 2>/dev/null || echo 2)" >/dev/null
exec build/fission compare scenarios/article-2023.json "$@"
