#!/usr/bin/env bash
# The whole set-up, then the main job: judge every bundled submission of
# every bundled problem and print its verdict table, then verify every
# package (each submission got its category's verdict).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
"$root/scripts/setup.sh"
"$root/scripts/build.sh" >/dev/null
pj="${BUILD_DIR:-$root/build}/pipejudge"
cd "$root"
for sub in problems/*/submissions/*/*; do
  case "$sub" in *.yaml) continue ;; esac
  problem="${sub%%/submissions/*}"
  category="$(basename "$(dirname "$sub")")"
  echo "== $sub (expected: $category)"
  "$pj" submit --problem "$problem" "$sub" || true
  echo
done
echo "== pipejudge verify problems/*"
"$pj" verify problems/*
