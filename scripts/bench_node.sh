#!/usr/bin/env bash
# Sync-node benchmark (part of make bench): bench_node.sh BUILD WORKDIR DEFAULTS
# CPU per idle tick and per applied delta (callgrind), the largest single call of a full repair,
# a node's heap, and bytes on the wire for polls, drill-down and each repair kind.
set -eu
B=$1 W=$2
[ -f "$W/gen1.lua" ] || "$B/ogrh" gen --seed 1 -o "$W/gen1.lua"
F=$W/gen1.lua
field() { awk -v k="$1" '$1 == k { $1 = ""; sub(/^ /, ""); print }'; }
echo
echo "== Sync node (plan: factory defaults with generated assignments, ogrh gen --seed 1)"
r=$("$B/bench_node" "$F" report)
printf "heap of one node holding the plan:                 %8s B\n" "$(echo "$r" | field heap_node_bytes)"
printf "  with a full revision log (%s entries) and %s writes in its outbox: %s B (goal: at most 2 MB)\n" \
  "$(echo "$r" | field log_entries)" "$(echo "$r" | field outbox_writes)" "$(echo "$r" | field heap_node_log_outbox_bytes)"
printf "largest single call during a full repair:          %8s ms CPU, %s (goal: under 1 ms)\n" \
  "$(echo "$r" | field full_repair_max_call_ms)" "$(echo "$r" | field full_repair_max_call)"
printf "idle raid, bytes on the wire per 30 s:             %8s B (one poll; the addon's poll: %s B)\n" \
  "$(echo "$r" | field idle_bytes_per_30s)" "$(echo "$r" | field addon_poll_bytes)"
printf "drill-down to one component in Naxx:               %8s B in %s s (%s B in %s s when the poll carries Naxx)\n" \
  "$(echo "$r" | field drill_bytes)" "$(echo "$r" | field drill_seconds)" \
  "$(echo "$r" | field drill_bytes_naxx_polled)" "$(echo "$r" | field drill_seconds_naxx_polled)"
for k in component encounter raid_naxx global full; do
  printf "repair %-10s (plan + units, admin's bytes):  %8s B in %s s\n" "$k" \
    "$(echo "$r" | field ${k}_bytes)" "$(echo "$r" | field ${k}_seconds)"
done
if command -v valgrind >/dev/null; then
  count() { valgrind --tool=callgrind --callgrind-out-file="$W/cg.node" --collect-atstart=no \
              --toggle-collect="$2" "$B/bench_node" "$F" "$1" 1000 2>&1 | awk '/refs:/ { gsub(",", "", $NF); print $NF }'; }
  idle=$(count idle idle_ticks); delta=$(count delta apply_deltas)
  awk -v i="$idle" -v d="$delta" 'BEGIN { printf "instructions (callgrind): %.0f per idle tick of a node, %.0f per applied delta (one assignment, received and applied)\n", i/2000, d/1000 }'
fi
