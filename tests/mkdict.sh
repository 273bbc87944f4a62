#!/usr/bin/env bash
# The wire dictionary built into the library must be what ogrh-mkdict produces.
set -eu
MKDICT=$1 SRC=$2
T=$(mktemp)
trap 'rm -f "$T"' EXIT
"$MKDICT" "$T" 2>/dev/null
if cmp -s "$T" "$SRC/data/wire-dict-v1.bin"; then
  echo "mkdict: 1 passed, 0 failed"
else
  echo "mkdict: the rebuilt dictionary differs from data/wire-dict-v1.bin"
  echo "mkdict: 0 passed, 1 failed"
  exit 1
fi
