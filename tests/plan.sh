#!/usr/bin/env bash
# End-to-end tests of `ogrh show`, `ogrh where`, `ogrh replace`: exit codes, outputs, writes.
# usage: tests/plan.sh path/to/ogrh SOURCE_DIR
set -u
OGRH=$1
SRC=$2
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
. "$(dirname "$0")/lib.sh"
slots() { if [ "$1" = 1 ]; then echo "1 slot"; else echo "$1 slots"; fi; }

DEF=$SRC/data/factory-defaults.lua
cp "$DEF" "$T/d.lua"

# Every command has --help (exit 0), rejects unknown options and missing arguments (exit 2).
for c in show where replace; do
  expect 0 "$OGRH" "$c" --help; has out "usage: ogrh $c"
  expect 2 "$OGRH" "$c" --no-such-option
  expect 2 "$OGRH" "$c"
done
expect 0 "$OGRH" --help; has out "show"; has out "where"; has out "replace"

# show: every raid with its encounters and how full they are; plural forms right.
expect 0 "$OGRH" show "$T/d.lua"; clean show
has out "^BWL: 13 encounters, 0 of 107 slots assigned"
has out "^K40: 1 encounter, "
has out "^   1  Razorgore  *0/22"
# A raid: encounters and roles; repeated role names carry their index.
expect 0 "$OGRH" show "$T/d.lua" BWL; clean show BWL
has out "^Ebonroc: 2 roles, 0 of 6 slots assigned"
has out "^  Ebonroc (#2)  0/3"
has out "^Broodlord: 1 role, "
# An encounter: slots, marks by name, numbers; announcements filled as the addon does.
"$OGRH" set "$T/d.lua" encounterMgmt.raids.2.encounters.1.roles.1.assignedPlayers '{"Tankadin"}' >/dev/null
"$OGRH" set "$T/d.lua" encounterMgmt.raids.2.encounters.1.roles.1.raidMarks '{8}' >/dev/null
"$OGRH" set "$T/d.lua" encounterMgmt.raids.2.encounters.1.roles.2.assignedPlayers '{"Warbob", "Holybob"}' >/dev/null
"$OGRH" set "$T/d.lua" encounterMgmt.raids.2.encounters.1.roles.2.assignmentNumbers '{[2] = 3}' >/dev/null
expect 0 "$OGRH" show "$T/d.lua" BWL/Razorgore; clean show BWL/Razorgore
has out "^BWL > Razorgore: 6 roles, 3 of 22 slots assigned"
has out "^  1  Tankadin  Skull$"
has out "^  2  Holybob  *number 3$"
has out "^  1  -$"
has out "^Announcements"
has out "^  1  Tankadin tanks Razorgore$"
has out "^  2  Near Side Tanks Warbob Holybob healed by$"
# The same as JSON, with the tags filled in.
expect 0 "$OGRH" show "$T/d.lua" BWL/Razorgore --json; json_ok show --json
has out '"view":"encounter"'
has out '"player":"Tankadin","mark":"Skull","markIndex":8,"number":null'
has out '"text":"Tankadin tanks Razorgore"'
expect 0 "$OGRH" show "$T/d.lua" --json; json_ok show --json all; has out '"view":"raids"'
# Names: exact, escaped separators, '#N', and errors that list the candidates.
expect 0 "$OGRH" show "$T/d.lua" 'Naxx/4HM Tank\/Heal'; has out "^Naxx > 4HM Tank/Heal: 8 roles"
expect 0 "$OGRH" show "$T/d.lua" '#2/#1'; has out "^BWL > Razorgore:"
expect 1 "$OGRH" show "$T/d.lua" Onyxia
has err "no raid named 'Onyxia' (raids: Molten Core, BWL, AQ40, Naxx, K40, ES)"
expect 1 "$OGRH" show "$T/d.lua" bwl; has err "did you mean 'BWL'?"
expect 1 "$OGRH" show "$T/d.lua" BWL/Razor; has err "no encounter named 'Razor' in BWL (encounters: Razorgore,"
expect 1 "$OGRH" show "$T/d.lua" BWL/Razorgore/Orb; has err "a raid or an encounter"
"$OGRH" set "$T/d.lua" encounterMgmt.raids.2.encounters.3.name '"Razorgore"' >/dev/null
expect 1 "$OGRH" show "$T/d.lua" BWL/Razorgore; has err "2 encounters in BWL (#1, #3): pick one by index, as in BWL/#1"
expect 0 "$OGRH" show "$T/d.lua" BWL/#3; has out "^BWL > Razorgore (#3):"
expect 1 "$OGRH" show "$T/missing.lua"; has err "cannot read"
printf 'OGRH_SV = {encounterMgmt = {raids = {{name = "MC"}}}}\n' > "$T/v1.lua"
expect 0 "$OGRH" show "$T/v1.lua"; has err "v1 layout"; has out "^MC: 0 encounters"
printf 'X = 1\n' > "$T/other.lua"
expect 1 "$OGRH" show "$T/other.lua"; has err "no raids"

# Colour only on a terminal, and never with NO_COLOR.
if command -v script >/dev/null 2>&1; then
  script -qec "$OGRH show $T/d.lua BWL" /dev/null > "$T/tty" 2>&1
  if grep -q $'\033\\[1m' "$T/tty"; then ok; else bad "no bold on a terminal"; fi
  NO_COLOR=1 script -qec "$OGRH show $T/d.lua BWL" /dev/null > "$T/tty" 2>&1
  if grep -q $'\033' "$T/tty"; then bad "colour with NO_COLOR set"; else ok; fi
fi

# where and replace on a generated plan.
"$OGRH" gen --seed 3 -o "$T/g.lua"
P=$("$OGRH" get "$T/g.lua" encounterMgmt.raids.2.encounters.1.roles.6.assignedPlayers.1 | tr -d '"')
[ -n "$P" ] && ok || bad "no player in the generated plan"
expect 0 "$OGRH" where "$T/g.lua" "$P"; clean where
has out "^$P holds [0-9]* slots:$"
has out "^  BWL > Razorgore > Far Healers > slot 1"
all=$(grep -c '^  ' "$T/out")
expect 0 "$OGRH" where "$T/g.lua" "$P" --json; json_ok where --json
has out "\"player\":\"$P\",\"count\":$all,"
expect 0 "$OGRH" where "$T/g.lua" "$P" --raid BWL
bwl=$(grep -c '^  ' "$T/out")
[ "$bwl" -gt 0 ] && [ "$bwl" -lt "$all" ] && ok || bad "where --raid BWL: $bwl of $all"
lacks out "^  Molten Core"
expect 0 "$OGRH" where "$T/g.lua" Nobody; has out "^Nobody holds no slot$"
lower=$(printf '%s' "$P" | tr 'A-Z' 'a-z')
expect 0 "$OGRH" where "$T/g.lua" "$lower"; has err "did you mean '$P'?"
expect 1 "$OGRH" where "$T/g.lua" "$P" --raid Onyxia; has err "no raid named 'Onyxia'"
expect 2 "$OGRH" where "$T/g.lua" ""

# replace --dry-run: the change records of set, the file untouched.
sum=$(md5sum < "$T/g.lua")
expect 0 "$OGRH" replace "$T/g.lua" "$P" Standin --raid BWL --dry-run; clean replace --dry-run
has out "^set encounterMgmt.raids.2.encounters.1.roles.6.assignedPlayers.1 (scope: BWL > Razorgore > playerAssignments)$"
has out "^  old: \"$P\"$"
has out '^  new: "Standin"$'
has out "^Standin would take $P's $(slots $bwl):$"
has out "dry run: $T/g.lua not written"
[ "$(grep -c '^set ' "$T/out")" = "$bwl" ] && ok || bad "one change record per slot"
[ "$(md5sum < "$T/g.lua")" = "$sum" ] && ok || bad "dry run changed the file"
expect 0 "$OGRH" replace "$T/g.lua" "$P" Standin --dry-run --json; json_ok replace --json
has out "\"oldPlayer\":\"$P\",\"newPlayer\":\"Standin\",\"dryRun\":true,\"count\":$all,"
# Within one raid, then everywhere.
expect 0 "$OGRH" replace "$T/g.lua" "$P" Standin --raid BWL
has out "^Standin takes $P's $(slots $bwl):$"
expect 0 "$OGRH" where "$T/g.lua" "$P" --raid BWL; has out "^$P holds no slot in BWL$"; lacks err "did you mean"
expect 0 "$OGRH" where "$T/g.lua" Standin; has out "^Standin holds $(slots $bwl):$"
expect 0 "$OGRH" replace "$T/g.lua" "$P" Standin
expect 0 "$OGRH" where "$T/g.lua" Standin; has out "^Standin holds $(slots $all):$"
expect 0 "$OGRH" where "$T/g.lua" "$P"; has out "holds no slot"
expect 0 "$OGRH" fmt "$T/g.lua" --check
# Nothing to replace is a failure; the same name twice is a usage error.
expect 1 "$OGRH" replace "$T/g.lua" "$P" Standin; has err "$P holds no slot: nothing to replace"
expect 1 "$OGRH" replace "$T/g.lua" "$P" Standin --raid BWL; has err "holds no slot in BWL"
expect 2 "$OGRH" replace "$T/g.lua" Standin Standin
expect 2 "$OGRH" replace "$T/g.lua" Standin
expect 1 "$OGRH" replace "$T/g.lua" Standin "$P" --raid Onyxia
ls "$T" | grep -q tmp && bad "temporary file left" || ok

echo "plan.sh: $pass passed, $fail failed"
[ "$fail" = 0 ]
