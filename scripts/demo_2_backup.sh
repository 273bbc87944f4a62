#!/usr/bin/env bash
# Demo, part 3: backups and rollback.
set -eu
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
run() { printf '$ %s\n' "$*" | sed "s|$W/||g; s|$SRC/||g"; "$@"; }

step "12. A manual backup of the client's plan (pinned)"
run "$OGRH" backup create "$W/client.lua" --label "Before BWL changes"

step "13. Someone loads the factory defaults over it: a backup is taken first"
run "$OGRH" defaults "$W/client.lua"
run "$OGRH" backup list "$W/client.lua"

step "14. Roll back to the plan, verified against its digest"
run "$OGRH" backup restore "$W/client.lua" 1
run "$OGRH" validate "$W/admin.lua" "$W/client.lua"

step "15. Export the backup as one line of text, import it into another file"
run "$OGRH" backup export "$W/client.lua" 1 -o "$W/backup.txt"
printf '(%s bytes of text, starting: %s...)\n' "$(wc -c < "$W/backup.txt")" "$(head -c 40 "$W/backup.txt")"
run "$OGRH" backup import "$W/friend.lua" "$W/backup.txt" --restore
run "$OGRH" validate "$W/admin.lua" "$W/friend.lua"
