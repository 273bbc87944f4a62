# Demo, part 5 (sourced by scripts/demo.sh): the live system. One mosquitto and three players'
# nodes on loopback: an edit through the leader's node reaches the others' files; a copy that
# drifted is found and repaired by itself; then everything stops. What is shown of the nodes is
# their own log lines (one per event).

if ! command -v mosquitto >/dev/null || ! command -v curl >/dev/null; then
  printf '\n(The live part needs mosquitto and curl: scripts/deps.sh installs them.)\n'
  return 0
fi

LIVE_PIDS=()
live_stop_all() {
  local p
  for p in "${LIVE_PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${LIVE_PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
  LIVE_PIDS=()
}
trap 'live_stop_all; rm -rf "$W"' EXIT

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
BROKER=127.0.0.1:$PORT
TOKEN=demo-token-5f3a9c
declare -A LOGAT=()

# wait_for WHAT CMD...: polls CMD for up to 60 s.
wait_for() {
  local what=$1 i
  shift
  for i in $(seq 600); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 0.1
  done
  echo "(gave up waiting for $what)"
  return 0
}
# The nodes' log lines written since the last call, in time order (not in a pipeline: it keeps
# its place in each log).
show_logs() {
  local who at
  : > logs.new
  for who in alice bob carol; do
    [ -f "$who.log" ] || continue
    at=${LOGAT[$who]:-0}
    tail -c +"$((at + 1))" "$who.log" >> logs.new
    LOGAT[$who]=$(stat -c %s "$who.log")
  done
  sort -s -k1,1 logs.new | sed -e 's/^/  | /' -e 's/\/?token=[0-9a-z-]*//'
}
connected() { "$OGRH" node --file "$1/OG-RaidHelper.lua" --status | grep -q 'connected  yes'; }
node_start() { # node_start who User
  "$OGRH" node --file "$1/OG-RaidHelper.lua" --broker "$BROKER" --raid Onyxia --user "$2" \
    --password-file "$1.pw" --http 127.0.0.1:0 --token "$TOKEN" 2>> "$1.log" &
  LIVE_PIDS+=($!)
  eval "PID_$1=$!"
}

step "20. The live system: a broker on loopback with an account per player and the ACL"
for who in Alice Bob Carol; do
  printf 'pw-%s-demo\n' "${who,,}" > "${who,,}.pw"
  mosquitto_passwd -b $([ "$who" = Alice ] && echo -c) passwords "$who" "pw-${who,,}-demo"
done
echo '$ mosquitto_passwd -b [-c] passwords Alice|Bob|Carol PASSWORD    (three accounts)'
run "$OGRH" roster --acl Onyxia:Alice
"$OGRH" roster --acl Onyxia:Alice > acl
cat > mosquitto.conf <<EOF
listener $PORT 127.0.0.1
allow_anonymous false
password_file $W/passwords
acl_file $W/acl
persistence false
log_dest none
EOF
[ "$(id -u)" = 0 ] && echo "user root" >> mosquitto.conf
echo "\$ mosquitto -c mosquitto.conf &      (listener $PORT 127.0.0.1, allow_anonymous false)"
mosquitto -c mosquitto.conf 2>/dev/null &
LIVE_PIDS+=($!)
wait_for "the broker" python3 -c "import socket; socket.create_connection(('127.0.0.1', $PORT), 1)"
run "$OGRH" roster --broker "$BROKER" --raid Onyxia --user Alice --password-file alice.pw \
  Bob:assistant Carol

step "21. Three players' nodes, each with its own SavedVariables file"
mkdir alice bob carol
for who in alice bob carol; do cp "$SRC/data/factory-defaults.lua" "$who/OG-RaidHelper.lua"; done
echo "\$ ogrh node --file alice/OG-RaidHelper.lua --broker $BROKER --raid Onyxia --user Alice \\"
echo "      --password-file alice.pw --http 127.0.0.1:0 --token $TOKEN 2> alice.log &"
echo "  (and the same for Bob and Carol)"
node_start alice Alice
node_start bob Bob
node_start carol Carol
for who in alice bob carol; do wait_for "$who's node" connected "$who"; done
sleep 1.5
show_logs
URL=$(grep -o 'http://127.0.0.1:[0-9]*' alice.log | head -1)

step "22. Alice, the raid leader and admin, puts a tank on Razorgore through her node's API"
SLOT='encounterMgmt.raids.2.encounters.1.roles.2.assignedPlayers.1'
echo "\$ curl -H 'Authorization: Bearer $TOKEN' $URL/api/set \\"
echo "      -d '{\"path\": \"$SLOT\", \"value\": \"Tankadin\"}'"
curl -s -H "Authorization: Bearer $TOKEN" "$URL/api/set" \
  -d "{\"path\": \"$SLOT\", \"value\": \"Tankadin\"}"
echo
for who in bob carol; do
  wait_for "the edit at $who" sh -c "'$OGRH' get $who/OG-RaidHelper.lua $SLOT | grep -q Tankadin"
done
sleep 0.5
show_logs
run "$OGRH" get bob/OG-RaidHelper.lua 'BWL/Razorgore/Near Side Tanks:assignedPlayers'
run "$OGRH" get carol/OG-RaidHelper.lua 'BWL/Razorgore/Near Side Tanks:assignedPlayers'

step "23. Carol's copy drifts: her node stopped, an older file from another PC put in its place"
kill "$PID_carol"
wait "$PID_carol" 2>/dev/null || true
show_logs
run cp "$SRC/data/factory-defaults.lua" carol/OG-RaidHelper.lua
run rm -r carol/OG-RaidHelper.lua.node
run "$OGRH" validate alice/OG-RaidHelper.lua carol/OG-RaidHelper.lua

step "24. Her node starts again: the admin's check finds the drift and it is repaired by itself"
node_start carol Carol
wait_for "Carol's repair" sh -c "'$OGRH' get carol/OG-RaidHelper.lua $SLOT | grep -q Tankadin"
sleep 1
show_logs
run "$OGRH" validate alice/OG-RaidHelper.lua carol/OG-RaidHelper.lua

step "25. Everything stops: each node saves its state and its file"
live_stop_all
show_logs
