#!/usr/bin/env bash
# Configures and builds pipejudge into build/ (BUILD_DIR overrides;
# SANITIZE=1 builds with AddressSanitizer and UndefinedBehaviorSanitizer).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${BUILD_DIR:-$root/build}"
sanitize=OFF
[ "${SANITIZE:-0}" = 1 ] && sanitize=ON
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPIPEJUDGE_SANITIZE=$sanitize -DPIPEJUDGE_WERROR=ON >/dev/null
cmake --build "$build" -j "$(nproc)"
