#!/usr/bin/env bash
# The whole set-up, then every test: unit tests (Catch2) and end-to-end tests
# that drive the real pipejudge binary, through CTest.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
"$root/scripts/setup.sh"
"$root/scripts/build.sh"
build="${BUILD_DIR:-$root/build}"
ctest --test-dir "$build" --output-on-failure -j "$(nproc)" "$@"
