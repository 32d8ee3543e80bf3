#!/usr/bin/env bash
# Build fission and run every test: first a release build with warnings as
# errors, then (unless FISSION_SKIP_SANITIZE=1) a build with address and
# undefined-behaviour sanitizers, then (unless FISSION_SKIP_FUZZ=1) a short
# fuzzing pass. Installs the dependencies it needs.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
jobs=$(nproc 2>/dev/null || echo 2)

cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DFISSION_WERROR=ON >/dev/null
cmake --build build -j "$jobs"
ctest --test-dir build --output-on-failure -j "$jobs"

if [ "${FISSION_SKIP_SANITIZE:-0}" != 1 ]; then
  cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DFISSION_WERROR=ON -DFISSION_SANITIZE=ON \
        -DFISSION_BUILD_BENCH=OFF >/dev/null
  cmake --build build-asan -j "$jobs"
  # Criterion runs each test in a child process and ignores how the child
  # exits, so a leak report alone would not fail a test: sanitizer reports
  # go to files, and any file is a failure.
  logs=$(mktemp -d)
  ASAN_OPTIONS=detect_leaks=1:log_path=$logs/asan \
  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:log_path=$logs/ubsan \
    ctest --test-dir build-asan --output-on-failure -j "$jobs"
  if compgen -G "$logs/*" >/dev/null; then
    echo "sanitizer reports:" >&2
    cat "$logs"/* >&2
    rm -rf "$logs"
    exit 1
  fi
  rm -rf "$logs"
  echo "sanitizers: no reports"
fi

# A short fuzzing pass over the scenario parser and the edge-list reader
# (libFuzzer; installs clang). FISSION_FUZZ_SECONDS per target, default
# 20; FISSION_SKIP_FUZZ=1 skips it.
if [ "${FISSION_SKIP_FUZZ:-0}" != 1 ]; then
  scripts/fuzz.sh "${FISSION_FUZZ_SECONDS:-20}"
fi
