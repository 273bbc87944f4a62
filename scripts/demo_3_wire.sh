# Demo, part 4 (sourced by scripts/demo.sh): what a repair costs on the channel.

step "17. One component on the channel: one message of under 100 bytes"
run "$OGRH" wire encode admin.lua --unit BWL/Razorgore/playerAssignments

step "18. The largest raid and the whole plan, summaries only"
echo "(docs/BENCHMARKS.md, same file: Naxx 2,126 bytes in 9 messages, the whole plan 7,890 bytes"
echo " in 31 messages and 6.46 s; the modelled OGAddonMsg needs 46,755 bytes, 248 messages and"
echo " 65.9 s for Naxx, 148,288 bytes and 219.6 s for the whole plan)"
run "$OGRH" wire encode admin.lua --unit Naxx -q
run "$OGRH" wire encode admin.lua --unit all -q

step "19. The messages decode back to the same unit"
"$OGRH" wire encode admin.lua --unit BWL/Razorgore/playerAssignments > frames.txt
run "$OGRH" wire decode frames.txt
