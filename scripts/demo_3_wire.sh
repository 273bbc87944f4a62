#!/usr/bin/env bash
# Demo, part 4: what a repair costs on the channel.
set -eu
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
run() { printf '$ %s\n' "$*" | sed "s|$W/||g; s|$SRC/||g"; "$@"; }

step "16. One component on the channel: a single message of under 100 bytes"
run "$OGRH" wire encode "$W/admin.lua" --unit BWL/Razorgore/playerAssignments

step "17. A whole raid and the whole document, summaries only (OGAddonMsg: ~54 s for a raid)"
run "$OGRH" wire encode "$W/admin.lua" --unit BWL -q
run "$OGRH" wire encode "$W/admin.lua" --unit all -q

step "18. The messages decode back to the same unit"
"$OGRH" wire encode "$W/admin.lua" --unit BWL/Razorgore > "$W/frames.txt"
run "$OGRH" wire decode "$W/frames.txt" | head -4
