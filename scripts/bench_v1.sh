#!/usr/bin/env bash
# The author's v1 file (part of make bench): bench_v1.sh BUILD WORKDIR DEFAULTS
# Read, digest and migrate beside lua5.1 dofile of the same file.
set -eu
B=$1 W=$2
SRC=$(cd "$(dirname "$0")/.." && pwd)
F=$SRC/tests/data/author-sample-v1.lua
field() { awk -v k="$1" '$1 == k { print $2 }'; }
echo
echo "== The author's v1 file (tests/data/author-sample-v1.lua, $(wc -c < "$F") bytes)"
OGRH_NOW=1 "$B/ogrh" migrate "$F" -o "$W/author-v2.lua" >/dev/null 2>&1
r=$("$B/bench_svfile" "$F" 20 | field read_seconds)
l=$(lua5.1 "$SRC/bench/ref_load.lua" "$F" 20 | field read_seconds)
echo "read (median of 20, in process): ogrh $r s, lua5.1 dofile $l s"
d1=$("$B/bench_digest" "$F" time 20 | field full_seconds)
d2=$("$B/bench_digest" "$W/author-v2.lua" time 20 | field full_seconds)
echo "digest tree, full build (median of 20): v1 file (through its view) $d1 s, its migration $d2 s"
if command -v valgrind >/dev/null; then
  per() { valgrind --tool=callgrind --callgrind-out-file="$W/cg.out" --collect-atstart=no \
            --toggle-collect="$3" "$B/bench_digest" "$1" "$2" 100 2>&1 |
          awk '/refs:/ { gsub(",", "", $NF); printf "%.0f", $NF / 100 }'; }
  echo "instructions per call (callgrind): full build v1 $(per "$F" full run_full)," \
       "v2 $(per "$W/author-v2.lua" full run_full); update after one write v1" \
       "$(per "$F" incr run_incremental), v2 $(per "$W/author-v2.lua" incr run_incremental)"
  whole() { valgrind --tool=callgrind --callgrind-out-file="$W/cg.out" "$@" 2>&1 >/dev/null |
            awk '/Collected :/ { print $NF }'; }
  echo "whole process, instructions (callgrind): ogrh checksum $(whole "$B/ogrh" checksum "$F")," \
       "ogrh migrate -o - $(whole "$B/ogrh" migrate "$F" -o -)," \
       "ogrh migrate --faithful -o - $(whole "$B/ogrh" migrate "$F" --faithful -o -)," \
       "lua5.1 dofile $(whole lua5.1 "$SRC/bench/ref_load.lua" "$F" 1)"
fi
if command -v farm-bench >/dev/null; then
  for c in "checksum" "migrate"; do
    extra=; [ "$c" = migrate ] && extra="-o -"
    farm-bench -n 11 --vs "lua5.1 $SRC/bench/ref_load.lua $F 1" -- "$B/ogrh" $c "$F" $extra 2>&1 |
      awk -v c="$c" '/^A cpu/ { a = $5 } /^B cpu/ { b = $5 } /^A\/B cpu/ { r = $4 }
                     END { printf "whole process, cpu median (farm-bench, 11 pairs): ogrh %s %s s, lua5.1 dofile %s s, ratio %s\n", c, a, b, r }'
  done
fi
