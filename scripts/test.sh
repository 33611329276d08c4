#!/usr/bin/env bash
# The whole set-up, then every test: unit tests (Catch2) and end-to-end tests
# (pytest suites) that drive the real pipejudge binary, through CTest. Then
# the closing pytest line of each end-to-end suite (CTest shows the output of
# failed tests only). Exits non-zero when a test failed.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
"$root/scripts/setup.sh"
"$root/scripts/build.sh"
build="${BUILD_DIR:-$root/build}"
status=0
ctest --test-dir "$build" --output-on-failure -j "$(nproc)" "$@" || status=$?

log="$build/Testing/Temporary/LastTest.log"
if [ -f "$log" ] && grep -q '^[0-9]*/[0-9]* Test: e2e_' "$log"; then
  echo "End-to-end suites:"
  awk '
    /^[0-9]+\/[0-9]+ Test: e2e_/ { name = $3; last = ""; next }
    name != "" && /^=+ .* in [0-9.]+s.* =+$/ { last = $0; gsub(/^=+ | =+$/, "", last) }
    name != "" && /^<end of output>$/ {
      printf "  %-26s %s\n", name, (last != "" ? last : "no closing pytest line (see above)")
      name = ""
    }' "$log" | sort
fi
exit "$status"
