# Demo, part 3 (sourced by scripts/demo.sh): backups and rollback.

step "13. A manual backup of the client's plan (pinned)"
run "$OGRH" backup create client.lua --label "Before BWL changes"

step "14. Someone loads the factory defaults over it: a backup first (here backup 1, unchanged since)"
run "$OGRH" defaults client.lua
run "$OGRH" backup list client.lua

step "15. Roll back to the plan, verified against its digest"
run "$OGRH" backup restore client.lua 1
run "$OGRH" validate admin.lua client.lua

step "16. Export the backup as one line of text, import it into another file"
run "$OGRH" backup export client.lua 1 -o backup.txt
printf '(%s bytes of text, starting: %s...)\n' "$(wc -c < backup.txt)" "$(head -c 40 backup.txt)"
run "$OGRH" backup import friend.lua backup.txt --restore
run "$OGRH" validate admin.lua friend.lua
