#!/usr/bin/env bash
# The live system at scale (part of make bench): bench_live.sh BUILD [WORKDIR DEFAULTS]
# One mosquitto on loopback with a team of 40 `ogrh node` processes, then 50 teams of 40 players
# (2,000 MQTT clients) in five ogrh-load processes: edit-to-visible latency, CPU and memory of
# the broker and the nodes. About two minutes. docs/BENCHMARKS.md "The live system at scale".
set -eu
B=$(realpath "$1")
SRC=$(cd "$(dirname "$0")/.." && pwd)
echo
command -v mosquitto >/dev/null || { echo "== live system at scale: mosquitto is not installed (scripts/deps.sh)"; exit 0; }
/usr/bin/python3 "$SRC/scripts/bench_live.py" "$B"
