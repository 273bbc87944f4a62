#!/usr/bin/env bash
# The story of ogrh-sync on the factory defaults, told step by step (make demo).
set -eu
OGRH=${1:-build/ogrh}
SRC=$(cd "$(dirname "$0")/.." && pwd)
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
run() { printf '$ %s\n' "$*" | sed "s|$W/||g; s|$SRC/||g"; "$@"; }

step "1. The factory defaults of OG-RaidHelper, read without executing anything"
cp "$SRC/data/factory-defaults.lua" "$W/admin.lua"
run "$OGRH" stats "$W/admin.lua"

step "2. Read one value by path (the SVM GetPath API)"
run "$OGRH" get "$W/admin.lua" encounterMgmt.raids.2.encounters.1.roles.1

step "3. Write one assignment with sync metadata: the change record says what it touches"
run "$OGRH" set "$W/admin.lua" encounterMgmt.raids.2.encounters.1.roles.1.assignedPlayers.1 '"Tankadin"' --sync REALTIME --component-type assignments

step "4. A generated raid plan: 40 players, every role filled"
run "$OGRH" gen --seed 7 -o "$W/plan.lua"
run "$OGRH" stats "$W/plan.lua"

step "5. Round trip: Lua -> JSON -> Lua gives the same bytes"
run "$OGRH" export --json "$W/plan.lua" -o "$W/plan.json"
run "$OGRH" import --json "$W/plan.json" -o "$W/plan2.lua"
run cmp "$W/plan.lua" "$W/plan2.lua" && echo "identical"

step "6. Bad input is refused with a position, and nothing is written"
printf 'OGRH_SV = {\n  ["v2"] = {\n    ["x"] = "unterminated\n' > "$W/broken.lua"
run "$OGRH" fmt "$W/broken.lua" -o "$W/out.lua" || echo "(exit status $?; out.lua exists: $([ -e "$W/out.lua" ] && echo yes || echo no))"

for extra in "$SRC"/scripts/demo_*.sh; do
  [ -e "$extra" ] && OGRH="$OGRH" W="$W" SRC="$SRC" bash "$extra"
done
printf '\nDemo finished.\n'
