# Demo, part 1 (sourced by scripts/demo.sh): the files, and a raid leader's plan by name.

step "1. The factory defaults of OG-RaidHelper, read without executing anything"
cp "$SRC/data/factory-defaults.lua" defaults.lua
run "$OGRH" stats defaults.lua

step "2. A generated plan (40 players, 85% of the slots filled): BWL > Razorgore as players read it"
run "$OGRH" gen --seed 1 -o OG-RaidHelper.lua
run "$OGRH" show OG-RaidHelper.lua BWL/Razorgore

step "3. One value by name, and the same by index (the SVM GetPath API)"
run "$OGRH" get OG-RaidHelper.lua 'BWL/Razorgore/Far Side Tanks:assignedPlayers'
run "$OGRH" get OG-RaidHelper.lua encounterMgmt.raids.2.encounters.1.roles.5.assignedPlayers

step "4. One assignment written with sync metadata: the change record says what it touches"
run "$OGRH" set OG-RaidHelper.lua 'BWL/Razorgore/Near Side Tanks:assignedPlayers.1' '"Tankadin"' --sync REALTIME --component-type assignments

step "5. Zuggar is out tonight: where he is in BWL, and Tankadin in his places"
run "$OGRH" where OG-RaidHelper.lua Zuggar --raid BWL
run "$OGRH" replace OG-RaidHelper.lua Zuggar Tankadin --raid BWL
run "$OGRH" where OG-RaidHelper.lua Tankadin

step "6. Round trip: Lua -> JSON -> Lua gives the same bytes"
run "$OGRH" export --json OG-RaidHelper.lua -o plan.json
run "$OGRH" import --json plan.json -o plan2.lua
run cmp OG-RaidHelper.lua plan2.lua
echo "(cmp printed nothing: the files are identical)"

step "7. Bad input is refused with a position, and nothing is written"
printf 'OGRH_SV = {\n  ["v2"] = {\n    ["x"] = "unterminated\n' > broken.lua
run "$OGRH" fmt broken.lua -o out.lua
echo "(out.lua exists: $([ -e out.lua ] && echo yes || echo no))"
