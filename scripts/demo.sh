#!/usr/bin/env bash
# The story of ogrh-sync, told step by step (make demo): a raid leader's plan read and edited by
# name, a client's copy that drifts and is repaired, backups and rollback, the channel, and
# the live system (a broker and three nodes on loopback).
# usage: scripts/demo.sh [OGRH]   Without OGRH it builds build/ogrh first, quietly: the build's
# output goes to build/demo-build.log, one line per build step, the log's path on failure.
set -eu
SRC=$(cd "$(dirname "$0")/.." && pwd)
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
# Bold only for a terminal, and never with NO_COLOR (https://no-color.org).
if [ -t 1 ] && [ -z "${NO_COLOR:-}" ]; then B=$'\033[1m' N=$'\033[0m'; else B= N=; fi

if [ $# -ge 1 ]; then
  OGRH=$1
else
  LOG=$SRC/build/demo-build.log
  mkdir -p "$SRC/build"
  : > "$LOG"
  build_step() {
    local what=$1; shift
    printf '%s ... ' "$what"
    if "$@" >> "$LOG" 2>&1; then echo done; else
      echo failed
      echo "make demo: the build failed; its output is in build/demo-build.log (last lines:)" >&2
      tail -15 "$LOG" >&2
      exit 1
    fi
  }
  echo "Building ogrh (the output goes to build/demo-build.log)"
  build_step "[1/2] configuring with cmake" \
    cmake -S "$SRC" -B "$SRC/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DOGRH_WERROR=ON
  build_step "[2/2] compiling the library and the ogrh command" \
    cmake --build "$SRC/build" -j"$(nproc)" --target ogrh_cli
  OGRH=$SRC/build/ogrh
fi

# Every command runs in the scratch folder, so that it reads as one would type it.
OGRH=$(realpath "$OGRH")
cd "$W"

step() { printf '\n%s== %s%s\n' "$B" "$*" "$N"; }
# The command as one would type it: ogrh for the program, arguments quoted where the shell
# needs it.
show_cmd() {
  local a out='$'
  for a in "$@"; do
    [ "$a" = "$OGRH" ] && a=ogrh
    if [[ "$a" =~ ^[A-Za-z0-9_./:=@%+,-]+$ ]]; then out+=" $a"; else out+=" '${a//\'/\'\\\'\'}'"; fi
  done
  printf '%s\n' "$out"
}
# run CMD...: shows the command, runs it, and says so when it fails (some steps mean to).
run() {
  show_cmd "$@"
  local rc=0
  "$@" || rc=$?
  if [ "$rc" != 0 ]; then printf '(exit status %s)\n' "$rc"; fi
  return 0
}

for part in "$SRC"/scripts/demo_*.sh; do
  . "$part"
done
printf '\nDemo finished: every command above can be run again by hand (build/ogrh).\n'
