#!/usr/bin/env bash
# Digest-tree benchmark (part of make bench): bench_digest.sh BUILD WORKDIR DEFAULTS
set -eu
B=$1 W=$2 DEF=$3
SRC=$(cd "$(dirname "$0")/.." && pwd)
field() { awk -v k="$1" '$1 == k { print $2 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.0f", a / b; else print "n/a" }'; }
echo
echo "== Digest tree, full build: ogrh (XXH3 tree) vs the addon's algorithm in lua5.1 (SimpleSerialize + HashString)"
printf "%-12s %12s %12s %10s\n" file ogrh_full lua5.1_ref speedup
for f in "$DEF" "$W/gen1.lua" "$W/s50.lua"; do
  case "$f" in "$DEF") name=defaults; n=200; ln=5;; "$W/gen1.lua") name=generated; n=200; ln=5;; *) name=scale50; n=10; ln=2;; esac
  ours=$("$B/bench_digest" "$f" time $n | field full_seconds)
  ref=$(lua5.1 "$SRC/bench/ref_checksum.lua" "$f" $ln | field full_seconds)
  printf "%-12s %12s %12s %9sx\n" "$name" "$ours" "$ref" "$(ratio "$ref" "$ours")"
done
echo
echo "== Incremental update after one assignment write vs full build (factory defaults)"
t=$("$B/bench_digest" "$DEF" time 200)
echo "time: full $(echo "$t" | field full_seconds) s, incremental $(echo "$t" | field incremental_seconds) s, fraction $(echo "$t" | field incremental_fraction)"
if command -v valgrind >/dev/null; then
  count() { valgrind --tool=callgrind --callgrind-out-file="$W/cg.out" --collect-atstart=no \
              --toggle-collect="$2" "$B/bench_digest" "$DEF" "$1" 100 2>&1 | awk '/refs:/ { gsub(",", "", $NF); print $NF }'; }
  full=$(count full run_full); inc=$(count incr run_incremental)
  awk -v f="$full" -v i="$inc" 'BEGIN { printf "instructions (callgrind, per call): full %.0f, incremental %.0f, ratio 1/%.0f (goal: at most 1/500)\n", f/100, i/100, f/i }'
  if [ -f "$W/gen1.lua" ]; then
    countg() { valgrind --tool=callgrind --callgrind-out-file="$W/cg.out" --collect-atstart=no \
                --toggle-collect="$2" "$B/bench_digest" "$W/gen1.lua" "$1" 100 2>&1 | awk '/refs:/ { gsub(",", "", $NF); print $NF }'; }
    full=$(countg full run_full); inc=$(countg incr run_incremental)
    awk -v f="$full" -v i="$inc" 'BEGIN { printf "generated plan (gen --seed 1): full %.0f, incremental %.0f instructions per call\n", f/100, i/100 }'
  fi
fi
