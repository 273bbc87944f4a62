#!/usr/bin/env bash
# Rebuilds the wire dictionary reproducibly: scripts/mkdict.sh BUILD_DIR [OUT]
set -eu
B=${1:-build}
OUT=${2:-$(dirname "$0")/../data/wire-dict-v1.bin}
"$B/ogrh-mkdict" "$OUT"
