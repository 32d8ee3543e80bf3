#!/usr/bin/env bash
# Install fission's build and test dependencies from Debian 12 packages.
# Idempotent: packages already present are not reinstalled, and apt-get
# update runs only when something is missing. Run as root (or with sudo).
#
#   scripts/setup.sh          the build and test dependencies
#   scripts/setup.sh --fuzz   those plus clang and its libFuzzer and
#                             sanitizer runtimes (scripts/fuzz.sh)
#
# Fuzzing is opt-in because clang and its runtimes are a large download
# that the ordinary build and tests do not need.
set -euo pipefail

pkgs=(
  build-essential cmake pkg-config git
  libigraph-dev libgsl-dev libcjson-dev libcriterion-dev libxml2-dev
  libsqlite3-dev sqlite3 libopenmpi-dev openmpi-bin
  gnuplot-nox
)
for arg in "$@"; do
  case "$arg" in
    --fuzz) pkgs+=(clang libclang-rt-14-dev) ;;
    *) echo "setup: unknown option '$arg' (expected --fuzz)" >&2; exit 2 ;;
  esac
done

missing=()
for p in "${pkgs[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all dependencies present"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "setup: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
