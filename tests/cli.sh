#!/usr/bin/env bash
# End-to-end tests of the ogrh command: exit codes, outputs, atomic writes.
# usage: tests/cli.sh path/to/ogrh SOURCE_DIR
set -u
OGRH=$1
SRC=$2
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*" >&2; }
# expect CODE CMD... : runs CMD, checks the exit code; output in $T/out, $T/err
expect() {
  local want=$1; shift
  "$@" >"$T/out" 2>"$T/err"
  local got=$?
  if [ "$got" = "$want" ]; then ok; else bad "exit $got (want $want): $*"; cat "$T/err" >&2; fi
}
has() { if grep -q -- "$2" "$T/$1"; then ok; else bad "$1 lacks '$2'"; cat "$T/$1" >&2; fi; }

DEF=$SRC/data/factory-defaults.lua
cp "$DEF" "$T/d.lua"

# Every command has --help (exit 0) and rejects unknown options (exit 2).
for c in get set fmt stats export import gen; do
  expect 0 "$OGRH" "$c" --help; has out "usage: ogrh $c"
  expect 2 "$OGRH" "$c" --no-such-option
done
expect 0 "$OGRH" --version; has out "ogrh "
expect 0 "$OGRH" --help; has out "commands:"
expect 2 "$OGRH"
expect 2 "$OGRH" frobnicate

# get
expect 0 "$OGRH" get "$T/d.lua" encounterMgmt.raids.2.name; has out '"BWL"'
expect 0 "$OGRH" get "$T/d.lua" consumes.2 --json; has out '"primaryId": 13457'
expect 1 "$OGRH" get "$T/d.lua" encounterMgmt.raids.99; has err "not found"
expect 1 "$OGRH" get "$T/missing.lua" a; has err "cannot read"
expect 2 "$OGRH" get "$T/d.lua"

# set, with --dry-run leaving the file untouched
sum=$(md5sum < "$T/d.lua")
expect 0 "$OGRH" set "$T/d.lua" encounterMgmt.raids.2.encounters.1.roles.1.assignedPlayers.1 '"Tankadin"' --dry-run --sync REALTIME
has out "old: nil"; has out 'new: "Tankadin"'; has out "playerAssignments"; has out "sync: REALTIME"
[ "$(md5sum < "$T/d.lua")" = "$sum" ] && ok || bad "dry run changed the file"
expect 0 "$OGRH" set "$T/d.lua" encounterMgmt.raids.2.encounters.1.roles.1.assignedPlayers.1 '"Tankadin"'
expect 0 "$OGRH" get "$T/d.lua" encounterMgmt.raids.2.encounters.1.roles.1.assignedPlayers.1; has out Tankadin
expect 1 "$OGRH" set "$T/d.lua" encounterMgmt.raids.2.name.deeper 1; has err "cannot walk through 'encounterMgmt.raids.2.name'"
expect 1 "$OGRH" set "$T/d.lua" a.b 'print(1)'; has err "not a Lua literal"
expect 2 "$OGRH" set "$T/d.lua" a.b 1 --sync SOMETIMES
expect 0 "$OGRH" set "$T/d.lua" encounterMgmt.raids.2.encounters.1.roles.1.assignedPlayers.1 --delete
expect 1 "$OGRH" get "$T/d.lua" encounterMgmt.raids.2.encounters.1.roles.1.assignedPlayers.1
ls "$T" | grep -q tmp && bad "temporary file left" || ok

# fmt: the factory file is already in WoW style (apart from its licence comment)
tail -n +18 "$DEF" > "$T/plain.lua"
expect 0 "$OGRH" fmt "$T/plain.lua" --check
expect 0 "$OGRH" fmt "$DEF" -o "$T/f.lua"
cmp -s "$T/f.lua" "$T/plain.lua" && ok || bad "fmt output differs from WoW's own"
printf 'A = {\n  1,\n  2\n' > "$T/broken.lua"
expect 1 "$OGRH" fmt "$T/broken.lua" -o "$T/never.lua"; has err "broken.lua:4:1: expected .,. or .}. to close .{. at line 1"
[ -e "$T/never.lua" ] && bad "partial output written" || ok
printf 'A = {{{{' > "$T/t2.lua"; expect 1 "$OGRH" fmt "$T/t2.lua"
head -c 3000 /dev/urandom > "$T/garbage.lua"; expect 1 "$OGRH" stats "$T/garbage.lua"

# stats
expect 0 "$OGRH" stats "$DEF"; has out "raids: 6"; has out "encounters: 61"; has out "Naxx"
expect 0 "$OGRH" stats "$DEF" --json; has out '"encounters": 61'

# export / import are lossless
expect 0 "$OGRH" export --json "$DEF" -o "$T/d.json"
expect 0 "$OGRH" import --json "$T/d.json" -o "$T/back.lua"
cmp -s "$T/back.lua" "$T/plain.lua" && ok || bad "export/import changed the data"
expect 2 "$OGRH" export "$DEF"
expect 2 "$OGRH" import --json "$T/d.json"
echo '{"OGRH_SV": [1,' > "$T/bad.json"
expect 1 "$OGRH" import --json "$T/bad.json" -o "$T/never2.lua"; has err "bad.json:"
[ -e "$T/never2.lua" ] && bad "partial import written" || ok

# gen is deterministic and scales
expect 0 "$OGRH" gen --seed 9 -o "$T/g1.lua"
expect 0 "$OGRH" gen --seed 9 -o "$T/g2.lua"
cmp -s "$T/g1.lua" "$T/g2.lua" && ok || bad "gen not deterministic"
expect 0 "$OGRH" gen --seed 9 --scale 3 -o "$T/g3.lua"
expect 0 "$OGRH" stats "$T/g3.lua"; has out "raids: 18"
expect 2 "$OGRH" gen --scale 0
expect 0 "$OGRH" export --json "$T/g3.lua" -o "$T/g3.json"
expect 0 "$OGRH" import --json "$T/g3.json" -o "$T/g3b.lua"
cmp -s "$T/g3.lua" "$T/g3b.lua" && ok || bad "export/import changed generated data"

# checksum / validate / diff / repair
for c in checksum validate diff repair; do
  expect 0 "$OGRH" "$c" --help; has out "usage: ogrh $c"
done
expect 0 "$OGRH" checksum "$DEF"; has out "^root [0-9a-f]\{16\}$"; has out "playerAssignments"
expect 0 "$OGRH" checksum "$DEF" --depth raid --compat; has out "compat"
grep -q "encounter" "$T/out" && bad "--depth raid printed encounters" || ok
expect 0 "$OGRH" checksum "$DEF" --json --depth encounter; has out '"root"'
expect 2 "$OGRH" checksum "$DEF" --depth planet
"$OGRH" gen --seed 4 -o "$T/admin.lua"; cp "$T/admin.lua" "$T/client.lua"
expect 0 "$OGRH" validate "$T/admin.lua" "$T/client.lua"; has out "Structure validation: PASSED"
expect 0 "$OGRH" diff "$T/admin.lua" "$T/client.lua"
"$OGRH" set "$T/client.lua" encounterMgmt.raids.2.encounters.1.roles.1.assignedPlayers.2 '"Warbob"' >/dev/null
"$OGRH" set "$T/client.lua" consumes.1.primaryId 1 >/dev/null
expect 1 "$OGRH" validate "$T/admin.lua" "$T/client.lua"
has out "Structure mismatch detected: BWL > Razorgore > playerAssignments"
has out "Structure mismatch detected: Global component 'consumes'"
expect 1 "$OGRH" validate "$T/admin.lua" "$T/client.lua" --json; has out '"valid": false'
expect 1 "$OGRH" diff "$T/admin.lua" "$T/client.lua"
has out 'encounterMgmt.raids.2.encounters.1.roles.1.assignedPlayers.2: nil -> "Warbob"'
has out 'consumes.1.primaryId: 13461 -> 1'
sum=$(md5sum < "$T/client.lua")
expect 0 "$OGRH" repair --from "$T/admin.lua" "$T/client.lua" --dry-run --current BWL/Razorgore
has out "CRITICAL component BWL > Razorgore > playerAssignments"; has out "LOW      global"
[ "$(md5sum < "$T/client.lua")" = "$sum" ] && ok || bad "repair --dry-run changed the file"
expect 2 "$OGRH" repair "$T/client.lua"
expect 2 "$OGRH" repair --from "$T/admin.lua" "$T/client.lua" --level galaxy
expect 0 "$OGRH" repair --from "$T/admin.lua" "$T/client.lua"; has out "now identical"
expect 0 "$OGRH" validate "$T/admin.lua" "$T/client.lua"
cmp -s "$T/admin.lua" "$T/client.lua" && ok || bad "repaired file differs from the admin's bytes"
expect 1 "$OGRH" validate "$T/admin.lua" "$T/broken.lua"; has err "broken.lua:"

# backup and defaults
export OGRH_NOW=1800000000
expect 0 "$OGRH" backup --help; has out "usage: ogrh backup"
expect 0 "$OGRH" defaults --help; has out "usage: ogrh defaults"
expect 2 "$OGRH" backup frobnicate "$T/admin.lua"
expect 2 "$OGRH" backup show "$T/admin.lua"
expect 0 "$OGRH" backup list "$T/admin.lua"; has out "no backups"
expect 0 "$OGRH" backup create "$T/admin.lua" --label "Before BWL Changes"; has out "Backup created successfully: 1 \[Before BWL Changes\]"
expect 0 "$OGRH" backup list "$T/admin.lua"; has out "\[pinned\] Before BWL Changes"
expect 0 "$OGRH" backup list "$T/admin.lua" --json; has out '"reason": "manual"'
expect 0 "$OGRH" backup show "$T/admin.lua" 1; has out "holds: 6 raids, 61 encounters"; has out "(verified)"
expect 1 "$OGRH" backup show "$T/admin.lua" 42; has err "no backup with id 42"
expect 0 "$OGRH" backup export "$T/admin.lua" 1 -o "$T/line.txt"
head -c 8 "$T/line.txt" | grep -q OGRHBK2 && ok || bad "export line tag"
expect 0 "$OGRH" backup import "$T/other.lua" "$T/line.txt" --restore; has out "Imported as backup 1"
cmp -s "$T/other.lua" "$T/admin.lua" && ok || bad "imported+restored file differs"
expect 1 "$OGRH" backup import "$T/other.lua" "$T/bad.json"; has err "not an exported backup"
# repair at raid level takes a backup first; defaults takes one too; restore undoes
"$OGRH" set "$T/client.lua" encounterMgmt.raids.3.advancedSettings.x 1 >/dev/null
expect 0 "$OGRH" repair --from "$T/admin.lua" "$T/client.lua" --level raid; has err "backup 1 taken first (before repair)"
expect 0 "$OGRH" backup list "$T/client.lua"; has out "before repair"
expect 0 "$OGRH" defaults "$T/client.lua"; has out "factory defaults"
expect 0 "$OGRH" stats "$T/client.lua"; has out "assigned slots: 0"
expect 0 "$OGRH" backup list "$T/client.lua"; has out "before load defaults"
expect 0 "$OGRH" backup restore "$T/client.lua" 2; has out "Safety backup 3"
cmp -s "$T/client.lua" "$T/admin.lua" && ok || bad "restore did not bring back the plan"
expect 1 "$OGRH" backup delete "$T/client.lua" 1; has err "minimum 3 backups"
"$OGRH" backup create "$T/client.lua" >/dev/null
expect 1 "$OGRH" backup delete "$T/client.lua" 4; has err "confirm"
expect 0 "$OGRH" backup delete "$T/client.lua" 4 --yes
expect 0 "$OGRH" backup pin "$T/client.lua" 2; expect 0 "$OGRH" backup unpin "$T/client.lua" 2
expect 0 "$OGRH" backup prune "$T/client.lua"; has out "Pruned"
unset OGRH_NOW

# wire
expect 0 "$OGRH" wire --help; has out "usage: ogrh wire encode"
expect 2 "$OGRH" wire frobnicate
expect 2 "$OGRH" wire encode "$T/admin.lua"
expect 0 "$OGRH" wire encode "$T/admin.lua" --unit BWL/Razorgore/playerAssignments; has out "^OGRH "; has out "# seconds under ctl"
grep -v '^#' "$T/out" > "$T/frames.txt"
expect 0 "$OGRH" wire decode "$T/frames.txt"; has out "repair unit: component BWL > Razorgore > playerAssignments"
expect 0 "$OGRH" wire encode "$T/admin.lua" --unit BWL --profile retail; has out "# seconds under retail"
grep -v '^#' "$T/out" > "$T/raid.txt"
expect 0 "$OGRH" wire decode "$T/raid.txt"; has out "repair unit: raid BWL"
head -n 2 "$T/raid.txt" > "$T/cut.txt"
expect 1 "$OGRH" wire decode "$T/cut.txt"; has err "incomplete"
expect 1 "$OGRH" wire encode "$T/admin.lua" --unit Nowhere; has err "no raid named 'Nowhere'"
expect 0 "$OGRH" wire encode "$T/admin.lua" --unit consumes -q; has out "unit: global"
expect 0 "$OGRH" wire encode "$T/admin.lua" --unit all -q; has out "unit: full"
echo 'OGRH \xzz' > "$T/junk.txt"; expect 1 "$OGRH" wire decode "$T/junk.txt"

echo "cli: $pass passed, $fail failed"
[ "$fail" = 0 ]
