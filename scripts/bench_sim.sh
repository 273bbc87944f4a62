#!/usr/bin/env bash
# The simulator's figures (docs/BENCHMARKS.md, "Raid simulator"): each figure of issue 11 for
# the library's sync node beside the model of the original addon, same scenario and seed; the
# chaos campaign over 200 seeds; raid-night's wall time.
# usage: scripts/bench_sim.sh BUILD_DIR [WORK_DIR]   (run by scripts/bench.sh)
set -eu
B=${1:-build}
W=${2:-$(mktemp -d)}
mkdir -p "$W"
OGRH=$B/ogrh
PY=/usr/bin/python3
echo "== raid simulator (ogrh sim; seed 1 unless said)" >&2

# run SCENARIO MODEL -> JSON report in $W/SCENARIO.MODEL.json ("" when the model is missing)
run() {
  local out=$W/$(basename "$1" .json).$2.json
  if "$OGRH" sim "$1" --model "$2" --json >"$out" 2>"$W/err" || [ -s "$out" ]; then :; fi
  grep -q '"models"' "$out" 2>/dev/null || : >"$out"
}
# get FILE MODEL EXPR -> the value of EXPR (a Python expression over m = the model's report)
get() {
  [ -s "$1" ] || { echo "n/a"; return; }
  $PY -c "import json,sys
m=json.load(open('$1'))['models']['$2']
v=$3
print('n/a' if v is None else (('%.3f' % v) if isinstance(v, float) else v))"
}

for s in delta batch component-repair encounter-repair raid-repair full-repair stale-39 \
         raid-formation; do
  for m in ogrh addon; do run "$s" "$m"; done
done
# A run of component-repair without the drift: the baseline traffic (polls) of that scenario.
"$OGRH" sim show component-repair | $PY -c "import json,sys
d=json.load(sys.stdin); d['drift']=[]; d['name']='baseline'; d.pop('measure'); d.pop('expect_addon')
json.dump(d, open('$W/baseline.json','w'))"
for m in ogrh addon; do run "$W/baseline.json" "$m"; done

row() { printf "| %s | %s | %s | %s | %s |\n" "$1" "$2" "$3" "$4" "$5"; }
echo
row "figure" "ogrh" "addon model" "goal" "command"
row "---" "---" "---" "---" "---"
row "admin edit: delta_overhead_s p99" \
  "$(get $W/delta.ogrh.json ogrh "m['delta_overhead_by_writer']['admin']['p99']")" \
  "$(get $W/delta.addon.json addon "m['delta_overhead_by_writer']['admin']['p99']")" "<= 0.02 s" \
  "ogrh sim delta --json"
row "officer edit: delta_overhead_s p99" \
  "$(get $W/delta.ogrh.json ogrh "m['delta_overhead_by_writer']['officer']['p99']")" \
  "$(get $W/delta.addon.json addon "m['delta_overhead_by_writer']['officer']['p99']")" "<= 0.03 s" \
  "ogrh sim delta --json"
row "edit visible (all writers), p50 / p99 (s)" \
  "$(get $W/delta.ogrh.json ogrh "'%.3f / %.3f' % (m['delta_visible_s']['p50'], m['delta_visible_s']['p99'])")" \
  "$(get $W/delta.addon.json addon "'%.3f / %.3f' % (m['delta_visible_s']['p50'], m['delta_visible_s']['p99'])")" \
  "< 1 s (seeds)" "ogrh sim delta"
row "batch: converged, lost writes" \
  "$(get $W/batch.ogrh.json ogrh "'%s, %d' % (m['converged'], m['lost_writes'])")" \
  "$(get $W/batch.addon.json addon "'%s, %d' % (m['converged'], m['lost_writes'])")" "yes, 0" \
  "ogrh sim batch"
for k in component encounter raid full; do
  goal=$(case $k in component) echo "<= 0.5 s";; encounter) echo "<= 1.5 s";; raid) echo "<= 6 s";; full) echo "<= 8 s";; esac)
  row "$k repair: repair_s" \
    "$(get $W/$k-repair.ogrh.json ogrh "m['repair_s'].get('$k')")" \
    "$(get $W/$k-repair.addon.json addon "m['repair_s'].get('$k')")" "$goal" "ogrh sim $k-repair"
done
ratio() { # (bytes of stale-39 - baseline) / (bytes of component-repair - baseline)
  local a b c
  a=$(get $W/stale-39.$1.json $1 "m['bytes']"); b=$(get $W/component-repair.$1.json $1 "m['bytes']")
  c=$(get $W/baseline.$1.json $1 "m['bytes']")
  [ "$a" = n/a ] && { echo n/a; return; }
  awk -v a="$a" -v b="$b" -v c="$c" 'BEGIN { printf "%.2fx (%d / %d B)", (a - c) / (b - c), a - c, b - c }'
}
row "39 stale vs 1: repair bytes" "$(ratio ogrh)" "$(ratio addon)" "<= 1.1x" \
  "ogrh sim stale-39; ogrh sim component-repair"
# The same, the admin's frames only (its answers; the askers' requests left out): the sender of
# the first frame of a run is the admin (its first poll).
admin_bytes() { # SCENARIO-or-file MODEL -> bytes the admin sent
  "$OGRH" sim "$1" --model "$2" --trace "$W/t.csv" >/dev/null 2>&1 || true
  awk -F, '$3 == "send" { if (a == "") a = $4; if ($4 == a) b += $6 } END { print b + 0 }' "$W/t.csv"
}
aratio() {
  local a b c
  a=$(admin_bytes stale-39 "$1"); b=$(admin_bytes component-repair "$1"); c=$(admin_bytes "$W/baseline.json" "$1")
  awk -v a="$a" -v b="$b" -v c="$c" 'BEGIN { if (b - c > 0) printf "%.2fx (%d / %d B)", (a - c) / (b - c), a - c, b - c; else print "n/a" }'
}
row "39 stale vs 1: the admin's bytes (answers only)" "$(aratio ogrh)" "$(aratio addon)" "-" \
  "ogrh sim stale-39 --trace F; ogrh sim component-repair --trace F"
row "raid formation: messages" \
  "$(get $W/raid-formation.ogrh.json ogrh "m['messages']")" \
  "$(get $W/raid-formation.addon.json addon "m['messages']")" "<= 200" "ogrh sim raid-formation"
row "raid formation: converge_s after the last join" \
  "$(get $W/raid-formation.ogrh.json ogrh "m['converge_s']")" \
  "$(get $W/raid-formation.addon.json addon "m['converge_s']")" "<= 20 s" "ogrh sim raid-formation"
row "poll cost (bytes / 30 s)" \
  "$(get $W/baseline.ogrh.json ogrh "int(m['poll_bytes_per_30s'])")" \
  "$(get $W/component-repair.addon.json addon "int(m['poll_bytes_per_30s'])")" "<= 100 B" \
  "ogrh sim component-repair --json"
for m in ogrh addon; do
  "$OGRH" sim raid-night --model $m --json >"$W/raid-night.$m.json" 2>/dev/null || true
  grep -q '"models"' "$W/raid-night.$m.json" || : >"$W/raid-night.$m.json"
done
row "simulator speed: raid-night, 40 x 4 h, wall (cpu) s" \
  "$(get $W/raid-night.ogrh.json ogrh "'%.2f (%.2f)' % (m['wall_s'], m['cpu_s'])")" \
  "$(get $W/raid-night.addon.json addon "'%.2f (%.2f)' % (m['wall_s'], m['cpu_s'])")" "<= 5 s" \
  "ogrh sim raid-night"
echo
if [ -s "$W/delta.ogrh.json" ]; then
  echo "== chaos over 200 seeds (ogrh)" >&2
  "$OGRH" sim chaos --model ogrh --seeds 200 | tail -3 || true
else
  echo "chaos over 200 seeds: n/a (the sync node is not in this build)"
fi
