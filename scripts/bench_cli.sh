#!/usr/bin/env bash
# The command-line tool's own figures (issue 9), measured side by side in one run:
#  - `ogrh stats` on a 4 MB file against `lua5.1 -e 'dofile(FILE)'`, whole processes, run in
#    turn; CPU seconds (user + system, from wait4) per run, medians;
#  - the reader's instructions per byte of the factory defaults (callgrind, ogrh_svfile_load).
# usage: scripts/bench_cli.sh BUILD_DIR [WORK_DIR] [DEFAULTS]   (make bench runs it)
# OLD=DIR (a build of another commit: DIR/ogrh, DIR/bench_svfile) adds its figures beside.
set -eu
B=$1
W=${2:-$(mktemp -d)}
SRC=$(cd "$(dirname "$0")/.." && pwd)
DEF=${3:-$SRC/data/factory-defaults.lua}
RUNS=${RUNS:-11}
"$B/ogrh" gen --seed 1 --scale 20 -o "$W/s20.lua"
bytes=$(wc -c < "$W/s20.lua")

# cpu CMD... : the median CPU seconds of RUNS runs of each command given (one per argument,
# split as the shell splits words), run in turn A B A B ...
cpu() {
  python3 - "$RUNS" "$@" <<'EOF'
import os, shlex, statistics, subprocess, sys
runs, cmds = int(sys.argv[1]), [shlex.split(c) for c in sys.argv[2:]]
times = [[] for _ in cmds]
for r in range(runs + 1):  # the first round warms the caches and is not counted
    for i, c in enumerate(cmds):
        p = subprocess.Popen(c, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _, status, ru = os.wait4(p.pid, 0)
        if status != 0:
            sys.exit("failed: " + " ".join(c))
        if r:
            times[i].append(ru.ru_utime + ru.ru_stime)
print(" ".join("%.4f" % statistics.median(t) for t in times))
EOF
}

echo "== ogrh stats against lua5.1 dofile, whole processes (CPU seconds, median of $RUNS)"
cmds=("$B/ogrh stats $W/s20.lua" "lua5.1 -e 'dofile(\"$W/s20.lua\")'")
[ -n "${OLD:-}" ] && cmds+=("$OLD/ogrh stats $W/s20.lua")
read -r t_ogrh t_lua t_old _ <<<"$(cpu "${cmds[@]}") -"
printf "%-28s %12s %10s\n" file bytes seconds
printf "%-28s %12s %10s\n" "ogrh stats (--scale 20)" "$bytes" "$t_ogrh"
printf "%-28s %12s %10s\n" "lua5.1 dofile" "$bytes" "$t_lua"
[ -n "${OLD:-}" ] && printf "%-28s %12s %10s\n" "ogrh stats, OLD build" "$bytes" "$t_old"
awk -v a="$t_lua" -v b="$t_ogrh" 'BEGIN { printf "ogrh stats is %.2fx faster than lua5.1 dofile\n", a / b }'

if command -v valgrind >/dev/null; then
  echo "== the reader: instructions per byte of the factory defaults (callgrind, 5 loads)"
  n=$(wc -c < "$DEF")
  for bin in "$B/bench_svfile" ${OLD:+"$OLD/bench_svfile"}; do
    valgrind --tool=callgrind --toggle-collect=ogrh_svfile_load --callgrind-out-file="$W/cg.read" \
      "$bin" "$DEF" 5 > /dev/null 2>&1
    ir=$(awk '/^summary:/ { print $2 }' "$W/cg.read")
    awk -v ir="$ir" -v n="$n" -v b="$bin" \
      'BEGIN { printf "%-40s %12d instructions, %.2f per byte\n", b, ir, ir / (5 * n) }'
  done
fi
