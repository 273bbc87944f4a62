#!/usr/bin/env bash
# Demo, part 2: drift, validation, a repair plan, the repair, validation again.
set -eu
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
run() { printf '$ %s\n' "$*" | sed "s|$W/||g; s|$SRC/||g"; "$@"; }

step "7. The admin's copy and a client's copy of the same plan"
run "$OGRH" gen --seed 7 -o "$W/admin.lua"
run cp "$W/admin.lua" "$W/client.lua"
run "$OGRH" checksum "$W/admin.lua" --depth raid

step "8. The client drifts: a missed assignment, a changed consumable, a raid setting"
run "$OGRH" set "$W/client.lua" encounterMgmt.raids.2.encounters.1.roles.1.assignedPlayers.2 '"Warbob"' >/dev/null
run "$OGRH" set "$W/client.lua" consumes.1.primaryId 1 >/dev/null
run "$OGRH" set "$W/client.lua" encounterMgmt.raids.2.advancedSettings.consumeTracking.enabled false >/dev/null

step "9. Validation finds exactly which pieces differ"
run "$OGRH" validate "$W/admin.lua" "$W/client.lua" || true
run "$OGRH" diff "$W/admin.lua" "$W/client.lua" || true

step "10. The repair plan (the client is looking at BWL/Razorgore), then the repair"
run "$OGRH" repair --from "$W/admin.lua" "$W/client.lua" --current BWL/Razorgore

step "11. Validation again"
run "$OGRH" validate "$W/admin.lua" "$W/client.lua"
