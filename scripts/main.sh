#!/usr/bin/env bash
# The main job: build fission (installing what it needs) and run the
# default scenario (scenarios/default.json), writing its outputs to
# runs/default/. Extra arguments go to `fission run`, e.g.
# `--set run.replicates=50` or `--threads 1`.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j "$(nproc 2>/dev/null || echo 2)" >/dev/null
exec build/fission run scenarios/default.json "$@"
