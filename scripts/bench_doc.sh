#!/usr/bin/env bash
# Document memory under writes (part of make bench): bench_doc.sh BUILD WORKDIR DEFAULTS
set -eu
B=$1 W=$2 DEF=$3
field() { awk -v k="$1" '$1 == k { print $2 }'; }
echo
echo "== Document memory: 1,000,000 random writes on the factory defaults, digest tree attached"
out=$("$B/bench_doc" "$DEF" 1000000)
echo "fresh document + tree: $(echo "$out" | field fresh_bytes) B; peak during the writes: $(echo "$out" | field peak_bytes) B ($(echo "$out" | field peak_ratio)x, goal at most 3x); after: $(echo "$out" | field end_bytes) B"
echo "compactions: $(echo "$out" | field compactions); time per write (with the tree updated every 64 writes): $(echo "$out" | field seconds_per_write) s"
