#!/usr/bin/env bash
# Fuzz the scenario parser and the edge-list reader with libFuzzer.
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]
#
# SECONDS (default 30) is the time given to each target; TARGET is
# scenario or edgelist (default both, one after the other). Installs clang
# through scripts/setup.sh --fuzz, builds build-fuzz/ with FISSION_FUZZ=ON,
# replays the saved regressions under fuzz/regressions/, then fuzzes each
# target from a copy of its seed corpus (fuzz/corpus/ is never modified).
# Exits non-zero if a target crashes, leaks, trips a sanitizer or times
# out; the input that did it is kept under build-fuzz/crashes/TARGET/ and
# its path printed. See fuzz/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."

secs=${1:-30}
if ! [[ "$secs" =~ ^[0-9]+$ ]] || [ "$secs" -lt 1 ]; then
  echo "fuzz: SECONDS must be a positive integer, got '$secs'" >&2
  exit 2
fi
shift $(( $# > 0 ? 1 : 0 ))
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(scenario edgelist)
for t in "${targets[@]}"; do
  case "$t" in
    scenario|edgelist) ;;
    *) echo "fuzz: unknown target '$t' (expected scenario or edgelist)" >&2; exit 2 ;;
  esac
done

scripts/setup.sh --fuzz
jobs=$(nproc 2>/dev/null || echo 2)
build=build-fuzz
CC=clang cmake -S . -B "$build" -DCMAKE_C_COMPILER=clang -DFISSION_FUZZ=ON \
  -DFISSION_BUILD_TESTS=OFF -DFISSION_BUILD_BENCH=OFF >/dev/null
cmake --build "$build" -j "$jobs" --target $(printf 'fuzz_%s ' "${targets[@]}")

max_len=4096
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:symbolize=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
status=0

for t in "${targets[@]}"; do
  bin=$build/fuzz_$t
  crashes=$build/crashes/$t
  mkdir -p "$crashes"
  args=(-max_len=$max_len -timeout=10 -rss_limit_mb=2048 -artifact_prefix="$crashes/")
  [ "$t" = scenario ] && args+=(-dict=fuzz/scenario.dict)

  # Inputs that once failed must keep passing.
  if compgen -G "fuzz/regressions/$t/*" >/dev/null; then
    echo "fuzz: $t: replaying fuzz/regressions/$t/"
    if ! "$bin" "${args[@]}" fuzz/regressions/"$t"/* >"$work/$t-regress.log" 2>&1; then
      tail -n 40 "$work/$t-regress.log" >&2
      echo "fuzz: $t: a saved regression fails again" >&2
      status=1
      continue
    fi
  fi

  corpus=$work/corpus-$t
  mkdir -p "$corpus"
  cp fuzz/corpus/"$t"/* "$corpus"/
  log=$work/$t.log
  echo "fuzz: $t: fuzzing for ${secs}s ($(ls "$corpus" | wc -l) seeds, -max_len=$max_len)"
  before=$(ls "$crashes" | wc -l)
  rc=0
  "$bin" "${args[@]}" -max_total_time="$secs" -print_final_stats=1 "$corpus" >"$log" 2>&1 || rc=$?
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  eps=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
  cov=$(grep -oE 'cov: [0-9]+ ft: [0-9]+ corp: [0-9]+' "$log" | tail -n 1 || true)
  echo "fuzz: $t: ${runs:-?} runs, ${eps:-?} exec/s, $cov"
  if [ "$rc" -ne 0 ] || [ "$(ls "$crashes" | wc -l)" -ne "$before" ]; then
    grep -E 'ERROR|SUMMARY|runtime error|fuzz_(scenario|edgelist):' "$log" | head -n 20 >&2 || true
    tail -n 60 "$log" >&2
    for f in $(ls -t "$crashes"); do
      echo "fuzz: $t: FAILED (exit $rc); input kept at $crashes/$f" >&2
      echo "fuzz: $t: minimise it with $bin -minimize_crash=1 -runs=20000 $crashes/$f" >&2
      break
    done
    status=1
  fi
done
exit $status
