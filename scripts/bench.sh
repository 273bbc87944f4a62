#!/usr/bin/env bash
# Runs every benchmark against its reference, measured in the same run, and prints the figures
# with their ratios. usage: scripts/bench.sh BUILD_DIR   (make bench)
set -eu
B=${1:-build}
SRC=$(cd "$(dirname "$0")/.." && pwd)
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
DEF=$SRC/data/factory-defaults.lua
echo "== generating a --scale 50 document" >&2
"$B/ogrh" gen --seed 1 --scale 50 -o "$W/s50.lua"
"$B/ogrh" gen --seed 1 -o "$W/gen1.lua"
field() { awk -v k="$1" '$1 == k { print $2 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }

echo "== SavedVariables read/write (median of runs; heap = peak bytes the library allocated)"
printf "%-12s %10s %10s %10s %10s %10s %12s %12s %8s\n" file bytes ogrh_read ogrh_write lua5.1 luajit "vs lua5.1" "vs luajit" heap/B
for f in "$DEF" "$W/s50.lua"; do
  name=$(basename "$f"); [ "$f" = "$DEF" ] && name=defaults || name=scale50
  iters=50; [ "$name" = scale50 ] && iters=5
  out=$("$B/bench_svfile" "$f" $iters)
  r=$(echo "$out" | field read_seconds); w=$(echo "$out" | field write_seconds)
  hb=$(echo "$out" | field heap_per_file_byte); sz=$(echo "$out" | field file_bytes)
  l51=$(lua5.1 "$SRC/bench/ref_load.lua" "$f" $iters | field read_seconds)
  lj=$(luajit "$SRC/bench/ref_load.lua" "$f" $iters 2>/dev/null | field read_seconds || true)
  [ -z "$lj" ] && lj=fails
  rl=$(ratio "$l51" "$r"); rj=$([ "$lj" = fails ] && echo "n/a" || ratio "$lj" "$r")
  [ "$rj" = n/a ] || rj="${rj}x"
  printf "%-12s %10s %10s %10s %10s %10s %11sx %12s %8s\n" "$name" "$sz" "$r" "$w" "$l51" "$lj" "$rl" "$rj" "$hb"
done
echo "(n/a: luajit cannot load a chunk with more than 65536 constants)"

for extra in "$SRC"/scripts/bench_*.sh; do
  [ -e "$extra" ] && bash "$extra" "$B" "$W" "$DEF"
done
exit 0
