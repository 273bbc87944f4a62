# Demo, part 2 (sourced by scripts/demo.sh): drift, validation, a repair plan, the repair.

step "8. The admin's copy and a client's copy of the same plan"
run "$OGRH" gen --seed 1 -o admin.lua
run cp admin.lua client.lua
run "$OGRH" checksum admin.lua --depth raid

step "9. The client drifts: a missed assignment, a changed consumable, a raid setting"
run "$OGRH" set client.lua 'BWL/Razorgore/Near Side Tanks:assignedPlayers.1' '"Warbob"'
run "$OGRH" set client.lua consumes.1.primaryId 1
run "$OGRH" set client.lua 'BWL:advancedSettings.consumeTracking.enabled' false

step "10. Validation finds exactly which pieces differ (exit status 1: they differ)"
run "$OGRH" validate admin.lua client.lua
run "$OGRH" diff admin.lua client.lua

step "11. The repair plan (the client is looking at BWL/Razorgore), then the repair"
run "$OGRH" repair --from admin.lua client.lua --current BWL/Razorgore

step "12. Validation again (exit status 0: the same)"
run "$OGRH" validate admin.lua client.lua
