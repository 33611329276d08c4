#!/bin/sh
# A shell-script directory: main.sh is the entry point; it sources add.sh.
. ./add.sh
set -- $(cat)
add "$1" "$2"
