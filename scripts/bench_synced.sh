#!/usr/bin/env bash
# The whole plan on the wire, counting only synced data (part of make bench):
# bench_synced.sh BUILD WORKDIR DEFAULTS
# Three files: the factory defaults, a generated plan (ogrh gen --seed 1), and a real-sized plan:
# the same generated plan with the personal data of a real SavedVariables file (the author's
# sample in /work/shared/fixtures, or FIXTURE=path) under OGRH_SV.v2, as the v1->v2 migration
# carries it over (ui, recruitment, invites, consumesTracking, rosterManagement, permissions,
# versioning, minimap, sorting, autoPromotes, srValidation).
set -eu
B=$1 W=$2 DEF=$3
SRC=$(cd "$(dirname "$0")/.." && pwd)
FIXTURE=${FIXTURE:-/work/shared/fixtures/author-sample-v1.lua}
field() { awk -v k="$1" '$1 == k { print $2 }'; }
[ -f "$W/gen1.lua" ] || "$B/ogrh" gen --seed 1 -o "$W/gen1.lua" 2>/dev/null
files="$DEF $W/gen1.lua"
if [ -f "$FIXTURE" ]; then
  # The personal keys, as Lua text, inserted before the end of OGRH_SV.v2.
  {
    head -n -2 "$W/gen1.lua"
    for k in ui recruitment invites consumesTracking rosterManagement Permissions Versioning \
             minimap sorting autoPromotes srValidation; do
      lower=$(echo "${k:0:1}" | tr A-Z a-z)${k:1}
      printf '\t\t["%s"] = ' "$lower"
      "$B/ogrh" get "$FIXTURE" "$k"
      printf ',\n'
    done
    tail -n 2 "$W/gen1.lua"
  } > "$W/real.lua"
  "$B/ogrh" fmt "$W/real.lua" -o "$W/real.lua"
  files="$files $W/real.lua"
fi
echo
echo "== The whole plan on the wire (synced data only) vs a model of the addon's OGAddonMsg"
printf "%-10s %10s %9s %9s %6s %8s %11s %6s %9s %7s\n" file file_bytes plan_bytes wire_bytes msgs seconds addon_bytes msgs seconds fewer
for f in $files; do
  case "$f" in "$DEF") name=defaults;; "$W/gen1.lua") name=generated;; *) name=real-sized;; esac
  enc=$("$B/ogrh" wire encode "$f" --unit all -q)
  plan=$(echo "$enc" | awk '/^# payload bytes:/ { print $4 }')
  wire=$(echo "$enc" | awk '/^# bytes on the wire:/ { print $6 }')
  msgs=$(echo "$enc" | awk '/^# messages:/ { print $3 }')
  secs=$(echo "$enc" | awk '/^# seconds under/ { print $5 }')
  row=$("$B/bench_wire" "$f" | awk '$1 == "whole" && $2 == "plan"')
  abytes=$(echo "$row" | awk '{ print $6 }'); amsgs=$(echo "$row" | awk '{ print $7 }')
  asecs=$(echo "$row" | awk '{ print $8 }'); fewer=$(echo "$row" | awk '{ print $9 }')
  printf "%-10s %10s %9s %9s %6s %8s %11s %6s %9s %7s\n" "$name" "$(wc -c < "$f")" "$plan" "$wire" "$msgs" "$secs" "$abytes" "$amsgs" "$asecs" "$fewer"
done
