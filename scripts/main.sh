#!/usr/bin/env bash
# The main job: build fission (installing what it needs), run the article
# baseline (scenarios/article-2023.json), compare it with the article's
# figures (scenarios/reference/article-2023.json), writing the outputs and
# compare.csv / compare.json to runs/article-2023/, then draw the run's
# figures into runs/article-2023/plots/ (fission plot, docs/PLOTS.md).
# Extra arguments go to `fission compare`, e.g. `--set run.replicates=50`
# or `--threads 1`; with `--out DIR` the run and its figures go to DIR.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j "$(nproc 2>/dev/null || echo 2)" >/dev/null

# where the run goes: runs/<scenario name>, or the --out given
run_dir=runs/article-2023
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
  if [ "${args[i]}" = "--out" ] && [ $((i + 1)) -lt ${#args[@]} ]; then run_dir=${args[i + 1]}; fi
done

status=0
build/fission compare scenarios/article-2023.json "$@" || status=$?
# the figures, if the run was written (a comparison out of tolerance
# under --strict still has a run to draw)
if [ -f "$run_dir/summary.json" ]; then
  echo
  build/fission plot "$run_dir" || status=$((status ? status : $?))
fi
exit "$status"
