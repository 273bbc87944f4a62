#!/usr/bin/env bash
# Runs the live tests (tests/live/test_*.py) against one `ogrh` binary: each test starts its own
# mosquitto on a free loopback port and its own nodes, and stops them. usage: scripts/live.sh OGRH
set -eu
OGRH=$(realpath "$1")
SRC=$(cd "$(dirname "$0")/.." && pwd)
command -v mosquitto >/dev/null || { echo "live: mosquitto is not installed (scripts/deps.sh)"; exit 1; }
status=0
for t in "$SRC"/tests/live/test_*.py; do
  echo "live: $(basename "$t") with $OGRH"
  /usr/bin/python3 "$t" "$OGRH" "$SRC" || status=1
done
exit $status
