#!/usr/bin/env bash
# Backup benchmark (part of make bench): bench_backup.sh BUILD WORKDIR DEFAULTS
set -eu
B=$1 W=$2 DEF=$3
field() { awk -v k="$1" '$1 == k { print $2 }'; }
ms() { awk -v s="$1" 'BEGIN { printf "%.2f ms", s * 1000 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
# median wall time of N runs of a command, in seconds
wall() {
  local n=$1; shift
  for i in $(seq "$n"); do
    local t0=$(date +%s%N); "$@" >/dev/null 2>&1; local t1=$(date +%s%N)
    echo $(( t1 - t0 ))
  done | sort -n | awk '{ a[NR] = $1 } END { printf "%.6f", a[int((NR + 1) / 2)] / 1e9 }'
}
echo
echo "== Backups: in-process (library), against libzstd on the same file bytes"
printf "%-10s %10s %10s %12s %12s %10s %10s %9s\n" file zstd-3 zstd-19 create-first create-next load+verify store/1 store10/1
for f in "$DEF" "$W/s50.lua"; do
  name=defaults; [ "$f" = "$DEF" ] || name=scale50
  o=$("$B/bench_backup" "$f" "$W")
  printf "%-10s %10s %10s %12s %12s %10s %10s %8sx\n" "$name" \
    "$(ms "$(echo "$o" | field zstd3_seconds)")" "$(ms "$(echo "$o" | field zstd19_seconds)")" \
    "$(ms "$(echo "$o" | field create_first_seconds)")" "$(ms "$(echo "$o" | field create_next_seconds)")" \
    "$(ms "$(echo "$o" | field load_verify_seconds)")" "$(echo "$o" | field store_one_bytes)" \
    "$(echo "$o" | field ten_over_one)"
done
echo "(create-next: a backup into a store holding the previous version, 5 assignments apart;"
echo " store10/1: store size after ten such backups over the size after one; zstd -19 of the"
echo " file for comparison: see the zstd-19 column's size in docs/BENCHMARKS.md)"
echo
echo "== Backups: whole commands (median of 9 runs, process start included)"
# A first backup (into an empty store) against zstd -3 of the same file, both started from sh
# so that each pays one extra process; an unchanged file (no parse, no write); a restore.
printf "%-10s %13s %12s %14s %17s %13s\n" file "first create" "zstd -3" "first/zstd-3" "unchanged create" "ogrh restore"
for f in "$DEF" "$W/s50.lua"; do
  name=defaults; [ "$f" = "$DEF" ] || name=scale50
  c="$W/bk-$name.lua"; cp "$f" "$c"; rm -rf "$c.backups"
  first=$(wall 9 sh -c 'rm -rf "$1.backups"; exec "$0" backup create "$1"' "$B/ogrh" "$c")
  z3=$(wall 9 sh -c 'rm -f "$2"; exec zstd -q -3 -f "$0" -o "$2"' "$f" x "$W/z3.zst")
  "$B/ogrh" backup create "$c" >/dev/null 2>&1 || true
  same=$(wall 9 "$B/ogrh" backup create "$c")
  rs=$(wall 5 "$B/ogrh" backup restore "$c" 1)
  printf "%-10s %13s %12s %13sx %17s %13s\n" "$name" "$(ms "$first")" "$(ms "$z3")" "$(ratio "$first" "$z3")" "$(ms "$same")" "$(ms "$rs")"
done
if command -v valgrind >/dev/null; then
  ins() { valgrind --tool=callgrind --callgrind-out-file="$W/cg.bk" "$@" 2>&1 >/dev/null | awk '/refs:/ { gsub(",", "", $NF); print $NF }'; }
  for f in "$DEF" "$W/s50.lua"; do
    name=defaults; [ "$f" = "$DEF" ] || name=scale50
    c="$W/bk-$name.lua"; rm -rf "$c.backups"
    a=$(ins "$B/ogrh" backup create "$c"); z=$(ins zstd -q -3 -f "$f" -o "$W/z3.zst")
    echo "instructions (callgrind, whole process, $name): first ogrh backup create $a, zstd -3 $z, ratio $(ratio "$a" "$z")"
  done
fi
