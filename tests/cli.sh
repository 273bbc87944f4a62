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
  expect 1 "$OGRH" "$c" "$T/nosv.lua" "$T/admin.lua"; has err "nosv.lua: no OGRH_SV data"
  expect 1 "$OGRH" "$c" "$T/admin.lua" "$T/nosv.lua"; has err "nosv.lua: no OGRH_SV data"
done
expect 1 "$OGRH" repair --from "$T/nosv.lua" "$T/client.lua"; has err "no OGRH_SV data"
expect 1 "$OGRH" repair --from "$T/admin.lua" "$T/nosv.lua"; has err "no OGRH_SV data"

# Standard output that cannot be written is a failure, for every command (one check in main).
for args in "wire encode $T/admin.lua --unit all" "get $T/admin.lua consumes.1" \
  "stats $T/admin.lua --json" "checksum $T/admin.lua --json" "gen --seed 2" "--help" \
  "validate $T/admin.lua $T/admin.lua" "export --json $T/small.lua"; do
  "$OGRH" $args > /dev/full 2>"$T/err"
  rc=$?
  [ "$rc" = 1 ] && ok || bad "exit $rc (want 1) writing to a full disk: ogrh $args"
  has err "disk full"
done

# OGRH_NOW must be a number of seconds a calendar can show; anything else is refused.
for v in abc 12abc 1e99 -5 253402300800 99999999999999999999; do
  expect 2 env OGRH_NOW="$v" "$OGRH" backup list "$T/admin.lua"; has err "OGRH_NOW must be"
done
cp "$T/small.lua" "$T/late.lua"
expect 0 env OGRH_NOW=253402300799 "$OGRH" backup create "$T/late.lua"
expect 0 env OGRH_NOW=253402300799 "$OGRH" backup list "$T/late.lua"; has out "Dec 31, 9999 11:59 PM"
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
  rm -f "$T/a/out.json"
  (cd "$T/a" && "$OGRH" "$@" > "$T/a/stdout" 2>/dev/null) || { bad "ogrh $* fails"; return; }
  if [ "$target" = - ]; then want=$(md5sum < "$T/a/stdout"); else want=$(md5sum < "$T/a/$target"); fi
  while :; do
    cp "$T/small.lua" "$T/a/work.lua"
    rm -f "$T/a/out.json"
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
alloc_loop work.lua fmt work.lua -o work.lua
alloc_loop out.json export --json work.lua -o out.json
alloc_loop work.lua import --json small.json -o work.lua

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
