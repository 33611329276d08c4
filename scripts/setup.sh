#!/usr/bin/env bash
# Installs every Debian 12 package pipejudge needs to build, test and judge
# the bundled languages, and (npm) the browser-test tooling of
# tests/browser/. Idempotent: quiet and quick when all is there.
#
#   scripts/setup.sh               everything
#   scripts/setup.sh --no-browser  without the browser-test tooling (chromium,
#                                  npm, tests/browser/node_modules): a judging
#                                  machine or image
set -euo pipefail

browser_tooling=1
for arg in "$@"; do
  case "$arg" in
    --no-browser) browser_tooling=0 ;;
    -h | --help) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "setup: unknown option $arg (see --help)" >&2; exit 2 ;;
  esac
done
browser="$(cd "$(dirname "$0")/.." && pwd)/tests/browser"

packages=(
  # build
  g++ cmake make pkg-config
  # libraries
  catch2 nlohmann-json3-dev libyaml-cpp-dev libseccomp-dev libcli11-dev
  libsqlite3-dev libboost-dev libssl-dev libcpp-httplib-dev libhiredis-dev
  # the broker of a deployment on many machines (and its tests)
  redis-server
  # judged languages and test tools
  gcc python3 python3-pytest sqlite3 procps util-linux iproute2
  openjdk-17-jdk-headless rustc fp-compiler nodejs golang-go
  pypy3 ghc kotlin scala mono-mcs ocaml-nox ruby lua5.4 swi-prolog-nox
  r-base-core php-cli gfortran gnat perl bash
  # style
  clang-format
)
if [ "$browser_tooling" = 1 ]; then
  # The browser that checks the HTML reports (tests/browser/), and npm to
  # install its driver when it is not installed yet: Debian's npm package
  # where no npm is on the PATH (one that came with another Node.js stays).
  packages+=(chromium)
  if [ ! -d "$browser/node_modules/playwright-core" ] && ! command -v npm >/dev/null; then
    packages+=(npm)
  fi
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "setup: need root (or sudo) to install: ${missing[*]}" >&2; exit 1; }
    sudo="sudo"
  fi
  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# playwright-core drives Debian's chromium in the browser checks; the exact
# version is pinned by tests/browser/package-lock.json.
if [ "$browser_tooling" = 1 ] && [ ! -d "$browser/node_modules/playwright-core" ]; then
  hash -r
  command -v npm >/dev/null || { echo "setup: npm is needed for the browser checks" >&2; exit 1; }
  echo "setup: installing the browser-test tooling (npm ci in tests/browser)"
  (cd "$browser" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
fi
