#!/usr/bin/env bash
# Runs a command and passes its output through; when it has printed nothing for 30 seconds,
# says so on one line and names the tests or programs it is still running, so that no step of
# `make check` stays silent for a minute. usage: scripts/progress.sh LABEL COMMAND [ARGS...]
set -u
label=$1
shift
stamp=$(mktemp)
trap 'rm -f "$stamp" "$stamp.rc"' EXIT
start=$(date +%s)

# The programs below this script worth naming: test binaries, test scripts, fuzz targets.
running() {
  local pids=$$ all=" " p kids names=""
  while [ -n "$pids" ]; do
    kids=""
    for p in $pids; do kids="$kids $(ps -o pid= --ppid "$p" 2>/dev/null | tr '\n' ' ')"; done
    pids=$(echo $kids)
    all="$all $pids"
  done
  for p in $all; do
    local a
    a=$(ps -o args= -p "$p" 2>/dev/null) || continue
    case "$a" in
      *tests/*.sh*) a=${a#*tests/}; a=${a%%.sh*}.sh ;;
      */test_* | */fuzz_*) a=${a%% *}; a=${a##*/} ;;
      *) continue ;;
    esac
    case " $names " in *" $a "*) ;; *) names="$names $a" ;; esac
  done
  echo "${names# }"
}

( "$@" 2>&1; echo $? > "$stamp.rc" ) | while IFS= read -r line; do
  printf '%s\n' "$line"
  touch "$stamp"
done &
reader=$!
while kill -0 "$reader" 2>/dev/null; do
  sleep 5
  now=$(date +%s)
  if [ $((now - $(stat -c %Y "$stamp"))) -ge 30 ] && kill -0 "$reader" 2>/dev/null; then
    what=$(running)
    echo "$label: still running after $((now - start)) s${what:+: $what}"
    touch "$stamp"
  fi
done
wait "$reader"
exit "$(cat "$stamp.rc" 2>/dev/null || echo 1)"
