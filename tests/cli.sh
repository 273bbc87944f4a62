#!/usr/bin/env bash
# End-to-end tests of the ogrh command: exit codes, outputs, atomic writes, locks, errors.
# usage: tests/cli.sh path/to/ogrh SOURCE_DIR path/to/ogrh-test
# ogrh-test is the same program with the test hooks (tests/cli_hooks.c): crash points and
# failing allocations.
set -u
OGRH=$(realpath "$1")
SRC=$2
OGRH_TEST=$(realpath "$3")
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
. "$(dirname "$0")/lib.sh"

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
expect 0 "$OGRH" get "$T/d.lua" consumes.2 --json; has out '"primaryId":13457'
expect 0 "$OGRH" get "$T/d.lua" consumes.2 --json --pretty; has out '^  "primaryId": 13457,$'
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
# Garbage, the same bytes on every run: a fixed linear congruential sequence.
garbage() {
  local x=12345 i h s=""
  for ((i = 0; i < $1; i++)); do
    x=$(((x * 1103515245 + 12345) % 2147483648))
    printf -v h '%02x' $(((x >> 16) & 255))
    s+="\\x$h"
  done
  printf "$s"
}
garbage 3000 > "$T/garbage.lua"
[ "$(md5sum < "$T/garbage.lua")" = "$(garbage 3000 | md5sum)" ] && ok || bad "garbage not repeatable"
[ "$(wc -c < "$T/garbage.lua")" = 3000 ] && ok || bad "garbage is not 3000 bytes"
expect 1 "$OGRH" stats "$T/garbage.lua"

# stats
expect 0 "$OGRH" stats "$DEF"; has out "raids: 6"; has out "encounters: 61"; has out "Naxx"
expect 0 "$OGRH" stats "$DEF" --json; json_ok stats --json; json_is 'j["encounterCount"]' 61
json_is 'j["raids"][1]["name"], j["raids"][1]["encounterCount"]' "('BWL', 13)"

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
expect 1 "$OGRH" validate "$T/admin.lua" "$T/client.lua" --json; has out '"valid":false'
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
expect 2 "$OGRH" validate "$T/admin.lua" "$T/broken.lua"; has err "broken.lua:"
# the player's own keys: never compared, never overwritten, never sent (issue 15)
cp "$T/admin.lua" "$T/own.lua"
"$OGRH" set "$T/own.lua" ui.x 17 >/dev/null; "$OGRH" set "$T/own.lua" recruitment.notes '"mine"' >/dev/null
expect 0 "$OGRH" diff "$T/admin.lua" "$T/own.lua"
has out "differences outside the synced plan: 2 keys, not compared"
"$OGRH" set "$T/admin.lua" ui.x 1 >/dev/null; "$OGRH" set "$T/admin.lua" invites.secret '"admin only"' >/dev/null
"$OGRH" set "$T/own.lua" encounterMgmt.raids.2.name '"Renamed"' >/dev/null
expect 0 "$OGRH" repair --from "$T/admin.lua" "$T/own.lua" --level full; has out "the whole plan"
expect 0 "$OGRH" validate "$T/admin.lua" "$T/own.lua"
expect 0 "$OGRH" get "$T/own.lua" ui.x; has out "^17$"
expect 0 "$OGRH" get "$T/own.lua" recruitment.notes; has out '"mine"'
expect 1 "$OGRH" get "$T/own.lua" invites; has err "not found"
expect 0 "$OGRH" wire encode "$T/admin.lua" --unit all; grep -v '^#' "$T/out" > "$T/all.txt"
expect 0 "$OGRH" wire decode "$T/all.txt"; has out "repair unit: full"
grep -q "admin only" "$T/out" && bad "wire encode --unit all sent personal data" || ok
"$OGRH" set "$T/admin.lua" ui --delete >/dev/null; "$OGRH" set "$T/admin.lua" invites --delete >/dev/null

# backup and defaults
export OGRH_NOW=1800000000
expect 0 "$OGRH" backup --help; has out "usage: ogrh backup"
expect 0 "$OGRH" defaults --help; has out "usage: ogrh defaults"
expect 2 "$OGRH" backup frobnicate "$T/admin.lua"
expect 2 "$OGRH" backup show "$T/admin.lua"
expect 0 "$OGRH" backup list "$T/admin.lua"; has out "no backups"
expect 0 "$OGRH" backup create "$T/admin.lua" --label "Before BWL Changes"; has out "Backup created successfully: 1 \[Before BWL Changes\]"
expect 0 "$OGRH" backup list "$T/admin.lua"; has out "\[pinned\] Before BWL Changes"
expect 0 "$OGRH" backup list "$T/admin.lua" --json; json_ok backup list --json
json_is 'j["backupCount"], j["backups"][0]["reason"], j["backups"][0]["label"], j["backups"][0]["pinned"]' "(1, 'manual', 'Before BWL Changes', True)"
expect 0 "$OGRH" backup show "$T/admin.lua" 1 --json; json_ok backup show --json
json_is 'j["backup"]["raidCount"], j["raids"][4]["name"], j["raids"][4]["encounterCount"]' "(6, 'K40', 1)"
expect 0 "$OGRH" backup show "$T/admin.lua" 1; has out "holds: 6 raids, 61 encounters"; has out "(verified)"
expect 1 "$OGRH" backup show "$T/admin.lua" 42; has err "no backup with id 42"
expect 0 "$OGRH" backup export "$T/admin.lua" 1 -o "$T/line.txt"
head -c 8 "$T/line.txt" | grep -q OGRHBK2 && ok || bad "export line tag"
expect 0 "$OGRH" backup import "$T/other.lua" "$T/line.txt" --restore; has out "Imported as backup 1"
cmp -s "$T/other.lua" "$T/admin.lua" && ok || bad "imported+restored file differs"
expect 1 "$OGRH" backup import "$T/other.lua" "$T/bad.json"; has err "not an exported backup"
# repair at raid level takes a backup first; defaults takes one too; restore undoes
"$OGRH" set "$T/client.lua" encounterMgmt.raids.3.advancedSettings.x 1 >/dev/null
expect 0 "$OGRH" repair --from "$T/admin.lua" "$T/client.lua" --level raid; has err "backup 1 of .*client.lua taken first (before repair)"
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
# A damaged message is refused, not decoded into something else (issue 8, defect 16).
# (the last digit of the text changes: the last byte of the message, its checksum, differs)
sed -E '/[^0]$/s/.$/0/; t; s/0$/1/' "$T/frames.txt" > "$T/flipped.txt"
expect 1 "$OGRH" wire decode "$T/flipped.txt"; has err "checksum does not match"

# ---- hardening (issue 8) ----
printf '%s\n' 'OGRH_SV = { schemaVersion = "v2", v2 = { encounterMgmt = { raids = { { name = "MC",' \
  '  encounters = { { name = "Rag", roles = { { name = "Tanks", slots = 2,' \
  '  assignedPlayers = { "A" } } } } } } } }, consumes = { { primaryId = 5 } } } }' > "$T/small.lua"
"$OGRH" export --json "$T/small.lua" -o "$T/small.json"

# A first file without OGRH_SV: a clean error, not a crash (it was a use after free).
printf 'X = 1\n' > "$T/nosv.lua"
for c in validate diff; do
  expect 2 "$OGRH" "$c" "$T/nosv.lua" "$T/admin.lua"; has err "nosv.lua: no OGRH_SV data"
  expect 2 "$OGRH" "$c" "$T/admin.lua" "$T/nosv.lua"; has err "nosv.lua: no OGRH_SV data"
done
expect 1 "$OGRH" stats "$T/nosv.lua"; has err "nosv.lua: no OGRH_SV data"
expect 1 "$OGRH" repair --from "$T/nosv.lua" "$T/client.lua"; has err "no OGRH_SV data"
expect 1 "$OGRH" repair --from "$T/admin.lua" "$T/nosv.lua"; has err "no OGRH_SV data"

# Standard output that cannot be written is a failure, for every command (one check in main).
for args in "wire encode $T/admin.lua --unit all" "get $T/admin.lua consumes.1" \
  "stats $T/admin.lua --json" "checksum $T/admin.lua --json" "gen --seed 2" "--help" \
  "validate $T/admin.lua $T/admin.lua" "export --json $T/small.lua"; do
  "$OGRH" $args > /dev/full 2>"$T/err"
  rc=$?
  want=1; case "$args" in validate*) want=2 ;; esac
  [ "$rc" = $want ] && ok || bad "exit $rc (want $want) writing to a full disk: ogrh $args"
  has err "disk full"
done

# OGRH_NOW must be a number of seconds a calendar can show; anything else is refused.
for v in abc 12abc 1e99 -5 253402300800 99999999999999999999; do
  expect 2 env OGRH_NOW="$v" "$OGRH" backup list "$T/admin.lua"; has err "OGRH_NOW must be"
done
cp "$T/small.lua" "$T/late.lua"
expect 0 env OGRH_NOW=253402300799 "$OGRH" backup create "$T/late.lua"
expect 0 env OGRH_NOW=253402300799 TZ=UTC "$OGRH" backup list "$T/late.lua"; has out "Dec 31, 9999 11:59 PM UTC"
# Times are local (TZ), ISO 8601 with the offset in JSON.
expect 0 env OGRH_NOW=253402300799 TZ=Europe/Paris "$OGRH" backup list "$T/late.lua"; has out "Jan 01, 10000 12:59 AM CET"
expect 0 env TZ=Asia/Kolkata "$OGRH" backup list "$T/late.lua" --json; has out '"time":"10000-01-01T05:29:59+05:30"'
expect 0 env TZ=UTC "$OGRH" backup show "$T/late.lua" 1; has out "holds: 1 raid, 1 encounter$"; has out "^    MC: 1 encounter$"
expect 2 env OGRH_LOCK_WAIT_MS=soon "$OGRH" set "$T/late.lua" consumes.1.x 1

# Crash points exist in the test build only: the installed program ignores OGRH_CRASH_AT.
cp "$T/small.lua" "$T/crash.lua"
expect 0 env OGRH_CRASH_AT=1 "$OGRH" set "$T/crash.lua" consumes.1.y 7
expect 0 "$OGRH" get "$T/crash.lua" consumes.1.y; has out "^7$"
cp "$T/small.lua" "$T/crash.lua"
expect 99 env OGRH_CRASH_AT=3 "$OGRH_TEST" set "$T/crash.lua" consumes.1.y 7
cmp -s "$T/crash.lua" "$T/small.lua" && ok || bad "a crash before the rename changed the file"
# The killed write left its temporary file; once it is stale the next write removes it.
left=$(ls "$T" | grep -c '^crash\.lua\.tmp\.')
[ "$left" = 1 ] && ok || bad "expected the killed write's temporary file, found $left"
touch -d '2 hours ago' "$T"/crash.lua.tmp.*
cp "$T/small.lua" "$T/crash.lua.tmp.notours"
touch -d '2 hours ago' "$T/crash.lua.tmp.notours"
expect 0 "$OGRH" set "$T/crash.lua" consumes.1.y 8
[ "$(ls "$T" | grep -c '^crash\.lua\.tmp\.')" = 1 ] && ok || bad "stale temporary file not removed"
[ -e "$T/crash.lua.tmp.notours" ] && ok || bad "removed a file that is not ours"

# Files that are not plain files: a save writes through a symbolic link and refuses the rest.
mkdir -p "$T/acct1" "$T/acct2"
cp "$T/small.lua" "$T/acct1/sv.lua"
ln -s ../acct1/sv.lua "$T/acct2/sv.lua"
expect 0 "$OGRH" set "$T/acct2/sv.lua" consumes.1.z 3
[ -L "$T/acct2/sv.lua" ] && ok || bad "set replaced a symbolic link with a file"
expect 0 "$OGRH" get "$T/acct1/sv.lua" consumes.1.z; has out "^3$"
expect 0 "$OGRH" fmt "$T/small.lua" -o "$T/acct2/sv.lua"
[ -L "$T/acct2/sv.lua" ] && ok || bad "fmt -o replaced a symbolic link with a file"
mkfifo "$T/pipe"
expect 1 "$OGRH" fmt "$T/small.lua" -o "$T/pipe"; has err "pipe: cannot write: not a regular file"
[ -p "$T/pipe" ] && ok || bad "a pipe was replaced"
if mknod "$T/null" c 1 3 2>/dev/null; then
  expect 1 "$OGRH" gen -o "$T/null"; has err "not a regular file"
  [ -c "$T/null" ] && ok || bad "a device was replaced"
else
  echo "cli: cannot create a device node here; the device case is covered by the pipe" >&2
fi
expect 1 "$OGRH" gen -o "$T/acct1"; has err "acct1: cannot write: is a directory"
expect 1 "$OGRH" gen -o "$T/nowhere/x.lua"; has err "nowhere/x.lua: cannot write: not found"
expect 1 "$OGRH" get "$T/acct1" consumes; has err "acct1: cannot read: is a directory"
# Permission denied, also when the tests run as root: then the command runs as nobody.
mkdir "$T/ro"
if [ "$(id -u)" = 0 ]; then
  chmod 711 "$T"
  chmod 555 "$T/ro"
  if command -v setpriv >/dev/null; then
    expect 1 setpriv --reuid=65534 --regid=65534 --clear-groups "$OGRH" gen -o "$T/ro/x.lua"
    has err "ro/x.lua: cannot write: permission denied"
  else
    echo "cli: running as root without setpriv: the permission test is skipped" >&2
  fi
  chmod 700 "$T"
else
  chmod 555 "$T/ro"
  expect 1 "$OGRH" gen -o "$T/ro/x.lua"; has err "ro/x.lua: cannot write: permission denied"
fi
chmod 755 "$T/ro"

# The writer never writes what the reader refuses: a value nested past the depth limit.
deep=$(printf '{%.0s' $(seq 1 499))1$(printf '}%.0s' $(seq 1 499))
cp "$T/small.lua" "$T/deep.lua"
if "$OGRH" set "$T/deep.lua" consumes.1.deep "$deep" >/dev/null 2>"$T/err"; then
  expect 0 "$OGRH" get "$T/deep.lua" consumes.1
else
  cmp -s "$T/deep.lua" "$T/small.lua" && ok || bad "a refused deep value changed the file"
  expect 0 "$OGRH" stats "$T/deep.lua"
fi

# Concurrent writers of one file: each takes the lock, so no update is lost.
cp "$T/small.lua" "$T/cc.lua"
for i in $(seq 1 20); do
  "$OGRH" set "$T/cc.lua" consumes.1.a$i $i >/dev/null 2>>"$T/cc.err" &
  p1=$!
  "$OGRH" set "$T/cc.lua" consumes.1.b$i $i >/dev/null 2>>"$T/cc.err" &
  p2=$!
  wait $p1 || bad "writer a$i failed"
  wait $p2 || bad "writer b$i failed"
done
expect 0 "$OGRH" get "$T/cc.lua" consumes.1
lost=0
for i in $(seq 1 20); do
  grep -q "\[\"a$i\"\] = $i," "$T/out" || lost=$((lost + 1))
  grep -q "\[\"b$i\"\] = $i," "$T/out" || lost=$((lost + 1))
done
[ "$lost" = 0 ] && ok || bad "$lost of 40 concurrent updates lost"
# A writer waits for the lock; told not to wait, it refuses; a reader needs no lock.
cp "$T/small.lua" "$T/locked.lua"
flock "$T/locked.lua" -c "touch '$T/held'; while [ ! -e '$T/release' ]; do sleep 0.05; done" &
holder=$!
while [ ! -e "$T/held" ]; do sleep 0.02; done
expect 1 env OGRH_LOCK_WAIT_MS=0 "$OGRH" set "$T/locked.lua" consumes.1.w 1
has err "another program is writing it"
expect 0 "$OGRH" get "$T/locked.lua" consumes.1
env OGRH_LOCK_WAIT_MS=60000 "$OGRH" set "$T/locked.lua" consumes.1.w 2 >/dev/null 2>&1 &
waiter=$!
touch "$T/release"
wait $holder
wait $waiter && ok || bad "a waiting writer failed"
expect 0 "$OGRH" get "$T/locked.lua" consumes.1.w; has out "^2$"

# Every allocation of the file commands failing in turn (ogrh-test): a clean error, all memory
# freed, nothing changed on disk; or, where the command could do without it, the exact result.
mkdir "$T/a"
cp "$T/small.json" "$T/a/small.json"
# alloc_loop OUTPUT ARGS...: OUTPUT is the file the command writes, or - for standard output.
alloc_loop() {
  local target=$1 k=0 rc line want got
  shift
  cp "$T/small.lua" "$T/a/work.lua"
  rm -rf "$T/a/out.json" "$T/a/work.lua.backups"
  (cd "$T/a" && "$OGRH" "$@" > "$T/a/stdout" 2>/dev/null) || { bad "ogrh $* fails"; return; }
  if [ "$target" = - ]; then want=$(md5sum < "$T/a/stdout"); else want=$(md5sum < "$T/a/$target"); fi
  while :; do
    cp "$T/small.lua" "$T/a/work.lua"
    rm -rf "$T/a/out.json" "$T/a/work.lua.backups"
    (cd "$T/a" && OGRH_ALLOC_FAIL_AT=$k "$OGRH_TEST" "$@" > "$T/a/stdout" 2> "$T/a/stderr")
    rc=$?
    line=$(grep "^ogrh-test: alloc" "$T/a/stderr")
    case "$line" in *" live=0") ;; *) bad "k=$k leaks: ogrh $* ($line)"; return ;; esac
    if [ "$rc" = 0 ]; then
      if [ "$target" = - ]; then got=$(md5sum < "$T/a/stdout"); else got=$(md5sum < "$T/a/$target"); fi
      [ "$got" = "$want" ] || { bad "k=$k: ogrh $* succeeded with a wrong result"; return; }
    else
      [ "$rc" = 1 ] || { bad "k=$k: ogrh $* exit $rc"; cat "$T/a/stderr" >&2; return; }
      grep -q "^ogrh [a-z]*: " "$T/a/stderr" || { bad "k=$k: ogrh $* gave no message"; return; }
      cmp -s "$T/a/work.lua" "$T/small.lua" || { bad "k=$k: ogrh $* changed work.lua"; return; }
      [ ! -e "$T/a/out.json" ] || { bad "k=$k: ogrh $* wrote out.json"; return; }
    fi
    if ls "$T/a" | grep -q '\.tmp\.'; then bad "k=$k: ogrh $* left a temporary file"; return; fi
    case "$line" in *injected=0*) break ;; esac
    k=$((k + 1))
    [ $k -lt 2000 ] || { bad "ogrh $* still allocating after 2000 runs"; return; }
  done
  [ "$rc" = 0 ] && ok || bad "ogrh $* fails without an injected failure"
  [ $k -gt 5 ] && ok || bad "ogrh $*: only $k allocations"
}
alloc_loop - get work.lua consumes.1
alloc_loop - get work.lua consumes.1 --json
alloc_loop - stats work.lua
alloc_loop - stats work.lua --json
alloc_loop work.lua set work.lua consumes.1.x '{1, "two", k = 3}'
alloc_loop work.lua set work.lua encounterMgmt.raids.1.name --delete
alloc_loop out.json fmt work.lua -o out.json
alloc_loop work.lua fmt work.lua -o work.lua
alloc_loop out.json export --json work.lua -o out.json
alloc_loop out.json import --json small.json -o out.json
alloc_loop work.lua import --json small.json -o work.lua

# ---- the CLI a raid leader can use (issue 9) ----

# Help, version, typos.
expect 0 "$OGRH" help set; has out "usage: ogrh set"
expect 0 "$OGRH" help wire; has out "usage: ogrh wire encode"
expect 0 "$OGRH" help backup; has out "usage: ogrh backup"
expect 0 "$OGRH" help; has out "commands:"
expect 2 "$OGRH" help valdiate; has err "did you mean 'validate'?"
expect 0 "$OGRH" -V; has out "^ogrh [0-9]"
expect 2 "$OGRH" valdiate a b; has err "unknown command 'valdiate'; did you mean 'validate'?"
expect 2 "$OGRH" stat "$DEF"; has err "did you mean 'stats'?"
expect 2 "$OGRH" stats "$DEF" --jsn; has err "unknown option '--jsn'; did you mean '--json'?"
expect 2 "$OGRH" wire encdoe "$DEF"; has err "did you mean 'encode'?"

# Exit codes: the comparing commands say 0 same, 1 different, 2 trouble; the others 0/1/2.
cp "$T/admin.lua" "$T/same.lua"
expect 0 "$OGRH" validate "$T/admin.lua" "$T/same.lua"
expect 2 "$OGRH" validate "$T/admin.lua" "$T/nowhere.lua"; has err "nowhere.lua: cannot read: not found"
expect 2 "$OGRH" validate "$T/admin.lua"
expect 2 "$OGRH" diff "$T/nowhere.lua" "$T/admin.lua"
expect 2 "$OGRH" diff "$T/admin.lua" "$T/broken.lua"
expect 0 "$OGRH" fmt "$T/plain.lua" --check
expect 1 "$OGRH" fmt "$T/small.lua" --check; has err "is not formatted"
expect 2 "$OGRH" fmt "$T/nowhere.lua" --check
expect 2 "$OGRH" fmt "$T/broken.lua" --check
expect 1 "$OGRH" fmt "$T/broken.lua"
expect 1 "$OGRH" get "$T/nowhere.lua" consumes
expect 2 "$OGRH" get

# Names wherever a path is taken; "not found" names the first missing segment and what exists.
cp "$DEF" "$T/n.lua"
expect 0 "$OGRH" get "$T/n.lua" 'BWL/Razorgore/Orb:name'; has out '^"Orb"$'
expect 0 "$OGRH" get "$T/n.lua" 'BWL/#1/#4:name'; has out '^"Orb"$'
expect 0 "$OGRH" get "$T/n.lua" 'Naxx/4HM Tank\/Heal:name'; has out '^"4HM Tank/Heal"$'
expect 1 "$OGRH" get "$T/n.lua" 'BWL/Razorgore/Main Tank'
has err "no role named 'Main Tank' in BWL/Razorgore (roles: Razorgore, Near Side Tanks,"
expect 1 "$OGRH" get "$T/n.lua" encounterMgmt.raids.9
has err "encounterMgmt.raids.9: not found: no '9' in encounterMgmt.raids (1 Molten Core, 2 BWL, 3 AQ40, 4 Naxx, 5 K40, 6 ES)"
expect 1 "$OGRH" get "$T/n.lua" encounterMgmt.raids.2.name.x
has err "encounterMgmt.raids.2.name is a string, which holds no 'x'"
expect 1 "$OGRH" get "$T/n.lua" 'BWL/Razorgore:roles.1.nope'; has err "no 'nope' in encounterMgmt.raids.2.encounters.1.roles.1 (allowOtherRoles,"
expect 0 "$OGRH" set "$T/n.lua" 'BWL/Razorgore/Orb:assignedPlayers.1' '"Tankadin"'
has out '^set encounterMgmt.raids.2.encounters.1.roles.4.assignedPlayers.1 (scope: BWL > Razorgore > playerAssignments)$'
expect 0 "$OGRH" get "$T/n.lua" encounterMgmt.raids.2.encounters.1.roles.4.assignedPlayers.1; has out Tankadin
# A bare word gets the quoted form as a hint; a negative number needs no '--'.
expect 1 "$OGRH" set "$T/n.lua" 'BWL/Razorgore/Orb:assignedPlayers.2' Warbob
has err "not a Lua literal"; has err "did you mean '\"Warbob\"'?"
expect 0 "$OGRH" set "$T/n.lua" 'BWL/Razorgore/Orb:assignmentNumbers.1' -2; has out "new: -2"
expect 0 "$OGRH" set "$T/n.lua" 'BWL/Razorgore/Orb:assignmentNumbers.1' -0.5; has out "new: -0.5"
# A delete is printed as a delete; deleting what is not there names what is.
expect 0 "$OGRH" set "$T/n.lua" 'BWL/Razorgore/Orb:assignmentNumbers.1' --delete
has out '^delete encounterMgmt.raids.2.encounters.1.roles.4.assignmentNumbers.1 (scope: BWL > Razorgore > assignmentNumbers)$'
has out '^  old: -0.5$'; lacks out "new:"
expect 1 "$OGRH" set "$T/n.lua" 'BWL/Razorgore/Orb:assignmentNumbers.1' --delete; has err "not found: no '1' in"
sum=$(md5sum < "$T/n.lua")
expect 0 "$OGRH" set "$T/n.lua" 'BWL/Razorgore/Orb:assignedPlayers.1' '"Tankadin"'; has out "nothing to change"
unchanged "$T/n.lua" "$sum" "setting the value it holds"
expect 0 "$OGRH" set "$T/n.lua" 'BWL/Razorgore/Orb:assignedPlayers.1' --delete --json --sync BATCH
json_ok set --json; json_is 'j["changes"][0]["op"], j["changes"][0]["old"], j["changes"][0]["new"]' "('delete', 'Tankadin', None)"
json_is 'j["changes"][0]["sync"], j["written"], j["dryRun"]' "('BATCH', True, False)"

# --current and --unit take the same names, checked.
"$OGRH" gen --seed 4 -o "$T/ra.lua"; cp "$T/ra.lua" "$T/rc.lua"
"$OGRH" set "$T/rc.lua" encounterMgmt.raids.2.encounters.1.roles.1.assignedPlayers.2 '"Warbob"' >/dev/null
expect 0 "$OGRH" repair --from "$T/ra.lua" "$T/rc.lua" --current 'BWL/#1' --dry-run
has out "CRITICAL component BWL > Razorgore > playerAssignments"
expect 0 "$OGRH" repair --from "$T/ra.lua" "$T/rc.lua" --current BWL --dry-run; has out "HIGH     component BWL > Razorgore"
expect 1 "$OGRH" repair --from "$T/ra.lua" "$T/rc.lua" --current BWL/Razor --dry-run
has err "--current: no encounter named 'Razor' in BWL (encounters: Razorgore,"
expect 2 "$OGRH" repair --from "$T/ra.lua" "$T/rc.lua" --current BWL/Razorgore/Orb --dry-run
expect 2 "$OGRH" repair --from "$T/ra.lua" "$T/rc.lua" --current 'BWL/Razorgore:name' --dry-run
expect 0 "$OGRH" repair --from "$T/ra.lua" "$T/rc.lua" --dry-run --json; json_ok repair --json
json_is 'j["valid"], j["repaired"], j["plan"][0]["unit"], j["plan"][0]["kind"]' "(False, False, 'BWL > Razorgore > playerAssignments', 'component')"
expect 0 "$OGRH" wire encode "$T/ra.lua" --unit 'BWL/#1/playerAssignments' -q; has out "# unit: component BWL > Razorgore > playerAssignments"
expect 1 "$OGRH" wire encode "$T/ra.lua" --unit 'BWL/Razor'; has err "no encounter named 'Razor' in BWL"
expect 1 "$OGRH" wire encode "$T/ra.lua" --unit 'BWL/Razorgore/players'; has err "no component 'players'"
expect 1 "$OGRH" wire encode "$T/ra.lua" --unit Onyxia; has err "no raid named 'Onyxia' (raids: Molten Core,"
expect 2 "$OGRH" wire encode "$T/ra.lua" --unit 'BWL:name'
expect 0 "$OGRH" wire encode "$T/ra.lua" --unit BWL/Razorgore/playerAssignments --json; json_ok wire --json
json_is 'j["unit"]["label"], j["messageCount"] == len(j["messages"]), j["profile"]' "('component BWL > Razorgore > playerAssignments', True, 'ctl')"

# JSON: one object per command, compact unless on a terminal or --pretty.
expect 0 "$OGRH" validate "$T/ra.lua" "$T/ra.lua" --json; json_ok validate --json
json_is 'j["valid"], j["level"], j["admin"].endswith("ra.lua")' "(True, None, True)"
[ "$(wc -l < "$T/out")" = 1 ] && ok || bad "validate --json is not compact off a terminal"
expect 1 "$OGRH" validate "$T/ra.lua" "$T/rc.lua" --json --pretty; json_ok validate --json --pretty
json_is 'j["level"], j["valid"]' "('COMPONENT', False)"
has out '^  "valid": false,$'
expect 1 "$OGRH" diff "$T/ra.lua" "$T/rc.lua" --json; json_ok diff --json
json_is 'j["same"], j["differences"][0]["path"], j["differences"][0]["a"], j["differences"][0]["b"]' "(False, 'encounterMgmt.raids.2.encounters.1.roles.1.assignedPlayers.2', None, 'Warbob')"
expect 0 "$OGRH" diff "$T/ra.lua" "$T/ra.lua" --json; json_is 'j["same"], j["differences"]' "(True, [])"
expect 0 "$OGRH" checksum "$T/ra.lua" --json --depth raid; json_ok checksum --json
[ "$(wc -l < "$T/out")" = 1 ] && ok || bad "checksum --json is not compact off a terminal"
if command -v script >/dev/null 2>&1; then
  script -qec "$OGRH stats $DEF --json" /dev/null > "$T/tty" 2>&1
  grep -q '^  "raidCount": 6,' "$T/tty" && ok || bad "JSON on a terminal is not indented"
  script -qec "$OGRH stats $DEF --json --compact" /dev/null > "$T/tty" 2>&1
  grep -q '^{"file":' "$T/tty" && ok || bad "--compact on a terminal is not compact"
fi

# Nothing lost: fmt -o and import -o onto a plan take a backup first; the same bytes, none.
export OGRH_NOW=1800000000
cp "$T/ra.lua" "$T/keep.lua"
expect 0 "$OGRH" fmt "$T/ra.lua" -o "$T/keep.lua"; lacks err "backup"
[ -e "$T/keep.lua.backups" ] && bad "a backup of an unchanged file" || ok
expect 0 "$OGRH" fmt "$T/small.lua" -o "$T/keep.lua"; has err "backup 1 of .*keep.lua taken first (before ogrh fmt -o)"
expect 0 "$OGRH" backup restore "$T/keep.lua" 1
cmp -s "$T/keep.lua" "$T/ra.lua" && ok || bad "the backup before fmt -o does not bring the plan back"
expect 0 "$OGRH" import --json "$T/small.json" -o "$T/keep.lua"; has err "taken first (before ogrh import)"
expect 0 "$OGRH" backup list "$T/keep.lua"; has out "before ogrh import"
printf 'X = 1\n' > "$T/notplan.lua"
expect 0 "$OGRH" fmt "$T/small.lua" -o "$T/notplan.lua"
[ -e "$T/notplan.lua.backups" ] && bad "a backup of a file without a plan" || ok
unset OGRH_NOW

# backup diff compares a backup with the file, or two backups, as diff does (0/1/2).
export OGRH_NOW=1800000000 TZ=UTC
cp "$T/ra.lua" "$T/bd.lua"
"$OGRH" backup create "$T/bd.lua" --label "Before" >/dev/null
expect 0 "$OGRH" backup diff "$T/bd.lua" 1; has out "^backup 1 (Jan 15, 2027 08:00 AM UTC, \"Before\") against .*bd.lua now:$"
"$OGRH" set "$T/bd.lua" 'BWL/Razorgore/Orb:assignedPlayers.1' '"Newbie"' >/dev/null
expect 1 "$OGRH" backup diff "$T/bd.lua" 1
has out "^Structure mismatch detected: BWL > Razorgore > playerAssignments$"; has out "^Corruption level: COMPONENT$"
has out '^encounterMgmt.raids.2.encounters.1.roles.4.assignedPlayers.1: .* -> "Newbie"$'
"$OGRH" backup create "$T/bd.lua" --label "After" >/dev/null
expect 1 "$OGRH" backup diff "$T/bd.lua" 1 2 --json; json_ok backup diff --json
json_is 'j["backup"]["id"], j["against"]["backup"]["label"], j["same"], j["level"], j["differences"][0]["b"]' "(1, 'After', False, 'COMPONENT', 'Newbie')"
json_is 'j["backup"]["time"]' "2027-01-15T08:00:00+00:00"
expect 0 "$OGRH" backup diff "$T/bd.lua" 2
expect 2 "$OGRH" backup diff "$T/bd.lua" 7; has err "no backup with id 7"
expect 2 "$OGRH" backup diff "$T/bd.lua" seven
expect 2 "$OGRH" backup diff "$T/bd.lua"
unset OGRH_NOW TZ

# defaults replaces OGRH_SV only: another addon's table in the same file stays.
cp "$T/small.lua" "$T/other-vars.lua"
printf 'OGRH_Other = {\n\tx = 1,\n}\nZ = "kept"\n' >> "$T/other-vars.lua"
expect 0 env OGRH_NOW=1800000000 "$OGRH" defaults "$T/other-vars.lua"
has out "holds the factory defaults (its 2 other variables kept as they were)"
expect 0 "$OGRH" stats "$T/other-vars.lua"; has out "^raids: 6$"
grep -q '^Z = "kept"$' "$T/other-vars.lua" && grep -q '^OGRH_Other = {$' "$T/other-vars.lua" && ok ||
  bad "defaults dropped the file's other variables"
printf 'OGRH_SV = {' > "$T/broken-sv.lua"
expect 0 env OGRH_NOW=1800000000 "$OGRH" defaults "$T/broken-sv.lua"; has err "could not be parsed"
expect 0 "$OGRH" stats "$T/broken-sv.lua"; has out "^raids: 6$"

# replace takes the writers' lock like set.
"$OGRH" gen --seed 4 --fill 1 -o "$T/rl.lua"
P=$("$OGRH" get "$T/rl.lua" encounterMgmt.raids.2.encounters.1.roles.1.assignedPlayers.1 | tr -d '"')
flock "$T/rl.lua" -c "touch '$T/rheld'; while [ ! -e '$T/rrelease' ]; do sleep 0.05; done" &
holder=$!
while [ ! -e "$T/rheld" ]; do sleep 0.02; done
expect 1 env OGRH_LOCK_WAIT_MS=0 "$OGRH" replace "$T/rl.lua" "$P" Standin; has err "another program is writing it"
touch "$T/rrelease"
wait $holder
expect 0 "$OGRH" replace "$T/rl.lua" "$P" Standin

# The figures make demo quotes are what the commands print, and what BENCHMARKS.md holds.
commas() { echo "$1" | sed ':a;s/\B[0-9]\{3\}\>/,&/;ta'; }
"$OGRH" gen --seed 1 -o "$T/g1.lua"
naxx=$(commas "$("$OGRH" wire encode "$T/g1.lua" --unit Naxx -q | awk '/bytes on the wire/ { print $6 }')")
all=$(commas "$("$OGRH" wire encode "$T/g1.lua" --unit all -q | awk '/bytes on the wire/ { print $6 }')")
grep -q "Naxx $naxx bytes" "$SRC/scripts/demo_3_wire.sh" && grep -q "whole plan $all bytes" "$SRC/scripts/demo_3_wire.sh" &&
  ok || bad "the demo quotes other figures than Naxx $naxx and the whole plan $all bytes"
grep -q "^| raid (largest, Naxx) | $naxx |" "$SRC/docs/BENCHMARKS.md" &&
  grep -q "^| whole plan (synced part only, issue 15) | $all |" "$SRC/docs/BENCHMARKS.md" && ok ||
  bad "BENCHMARKS.md holds other figures than Naxx $naxx and the whole plan $all bytes"

# Every option a command's help names is in its README section, and the reverse (a section
# with two commands in its title holds the options of both).
for c in get set fmt stats export import gen checksum validate diff repair defaults show where replace wire backup; do
  head=$(grep -m1 "^### .*\`ogrh $c[\` ]" "$SRC/README.md")
  [ -n "$head" ] && ok || { bad "README has no section for '$c'"; continue; }
  : > "$T/help.opts"
  for d in $(printf '%s\n' "$head" | grep -o '`ogrh [a-z]*' | cut -c7-); do
    "$OGRH" "$d" --help | grep -o -- '--[a-z][a-z-]*' >> "$T/help.opts"
  done
  sort -u -o "$T/help.opts" "$T/help.opts"
  awk -v h="$head" '/^##/ { on = ($0 == h) } on' "$SRC/README.md" |
    grep -o -- '--[a-z][a-z-]*' | sort -u > "$T/readme.opts"
  if cmp -s "$T/help.opts" "$T/readme.opts"; then ok; else
    bad "options of '$c': help and README differ: $(diff "$T/help.opts" "$T/readme.opts" | grep '^[<>]' | tr '\n' ' ')"
  fi
done

# Reading is linear in the number of top-level variables: callgrind's instruction count for
# 8,000 variables is under 12x that for 1,000 (a quadratic reader needs about 50x). Skipped
# where valgrind cannot run the program (a sanitizer build).
if command -v valgrind >/dev/null && ! ldd "$OGRH" 2>/dev/null | grep -q 'libasan\|libubsan'; then
  for n in 1000 8000; do
    awk -v n=$n 'BEGIN { for (i = 0; i < n; i++) printf "Var%d = %d\n", i, i }' > "$T/vars$n.lua"
    valgrind --tool=callgrind --callgrind-out-file="$T/cg$n" "$OGRH" fmt "$T/vars$n.lua" \
      > /dev/null 2>&1 || bad "callgrind run failed"
  done
  i1=$(awk '/^summary:/ { print $2 }' "$T/cg1000")
  i8=$(awk '/^summary:/ { print $2 }' "$T/cg8000")
  echo "cli: reading 1,000 / 8,000 variables: $i1 / $i8 instructions" >&2
  awk -v a="$i1" -v b="$i8" 'BEGIN { exit !(a > 0 && b < 12 * a) }' && ok ||
    bad "reading 8,000 variables costs $i8 instructions, 1,000 cost $i1"
else
  echo "cli: valgrind cannot run this build: the reading-cost check is skipped" >&2
fi

echo "cli: $pass passed, $fail failed"
[ "$fail" = 0 ]
