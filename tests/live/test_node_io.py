"""Live tests of `ogrh node`'s own machinery against a real broker: the roster and the ACL, the
HTTP API's contract, writes with permissions, the event stream, edits made to the file from
outside (more of them, and the broker restart, with six nodes in test_node_team.py), clean
stops, kill -9, and a stranger trying to speak for another.

usage: /usr/bin/python3 tests/live/test_node_io.py path/to/ogrh SOURCE_DIR"""

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import MQTT, TOKEN, Broker, Node, Suite, wait_until, workdir  # noqa: E402

OGRH = os.path.abspath(sys.argv[1])
SRC = os.path.abspath(sys.argv[2])
DEFAULTS = os.path.join(SRC, "data", "factory-defaults.lua")
SLOT = "encounterMgmt.raids.2.encounters.1.roles.2.assignedPlayers."
USERS = {u: "pw-" + u.lower() + "-7" for u in ("Alice", "Bob", "Carol", "Dan", "Mallory")}

root = workdir("live-io")
broker = Broker(OGRH, root, USERS, {"Onyxia": "Alice"})
nodes = {}
suite = Suite("live-io")


def roster(user, *players, show=False, password_user=None):
    args = [OGRH, "roster", "--broker", broker.address, "--raid", "Onyxia", "--user", user,
            "--password-file", os.path.join(root, (password_user or user) + ".pw")]
    args += ["--show"] if show else list(players)
    return subprocess.run(args, capture_output=True, text=True, timeout=30)


def check_roster():
    r = roster("Alice", "Bob:assistant", "Carol", "Dan")
    assert r.returncode == 0 and "published: 4 players, leader Alice" in r.stdout, r
    r = roster("Bob", "Bob:leader", "Alice")
    assert r.returncode == 1 and "Not authorized" in r.stderr, r
    r = roster("Carol", show=True)
    assert r.returncode == 0 and "assistant  Bob" in r.stdout and "member     Carol" in r.stdout, r
    r = roster("Carol", show=True, password_user="Dan")
    assert r.returncode == 1 and "Not authorized" in r.stderr, r


def check_start():
    for user in ("Alice", "Bob", "Carol"):
        nodes[user] = Node(OGRH, root, user, "Onyxia", broker, DEFAULTS).start()
    for user, rank in (("Alice", "leader"), ("Bob", "assistant"), ("Carol", "member")):
        wait_until("%s's rank" % user, lambda: nodes[user].status().get("rank") == rank)
    st = nodes["Alice"].status()
    for key in ("connected", "team", "admin", "epoch", "revision", "digest", "stale", "queue",
                "bytesIn", "bytesOut"):
        assert key in st, key
    assert st["admin"] == "Alice" and st["team"] == "Onyxia", st
    # --status reads the same from the folder beside the file.
    def status_line():
        r = subprocess.run([OGRH, "node", "--file", nodes["Alice"].file, "--status"],
                           capture_output=True, text=True)
        return r.returncode == 0 and "running" in r.stdout and "admin      Alice" in r.stdout
    wait_until("--status to show the admin", status_line)


def check_api_contract():
    a = nodes["Alice"]
    assert a.api("GET", "/api/status", token=None)[0] == 401
    assert a.api("GET", "/api/plan", token=None)[0] == 401
    assert a.api("GET", "/api/status", token="wrong-token-xx")[0] == 401
    with urllib.request.urlopen(a.url + "/api/status?token=" + TOKEN, timeout=5) as r:
        assert r.status == 200
    st, o = a.api("POST", "/api/set", raw=b"{not json")
    assert st == 400 and "not JSON" in o["error"], (st, o)
    st, o = a.api("POST", "/api/set", raw=b"[1,2]")
    assert st == 400 and "object" in o["error"], (st, o)
    st, o = a.api("POST", "/api/set", {"path": "a.b"})
    assert st == 400, (st, o)
    st, o = a.api("GET", "/api/no/such/thing")
    assert st == 404 and o["status"] == 404, (st, o)
    st, o = a.api("GET", "/api/set")
    assert st == 405, (st, o)
    st, o = a.api("POST", "/api/set", raw=b"x" * (1024 * 1024 + 1))
    assert st == 413 and "larger" in o["error"], (st, o)
    st, o = a.api("POST", "/api/backups/99999/restore")
    assert st == 404, (st, o)
    # The plan as a player reads it, tags filled in.
    st, plan = a.api("GET", "/api/plan")
    assert st == 200 and len(plan["raids"]) == 6 and "roles" not in plan["raids"][1]["encounters"][0]
    st, o = a.api("GET", "/api/plan?unit=Molten%20Core/Tanks%20and%20Heals")
    assert st == 200, (st, o)
    enc = o["raids"][0]["encounters"][0]
    assert enc["roles"][0]["slots"][0]["mark"] == "Skull", enc["roles"][0]
    assert enc["announcements"][0]["template"] == "[R1.M1] [R1.P1] healed by [R2.P1]"
    assert enc["announcements"][0]["text"].startswith("(Skull)"), enc["announcements"][0]
    st, o = a.api("GET", "/api/plan?unit=Nope")
    assert st == 404 and "BWL" in o["error"], (st, o)
    # The node is still well after all of that.
    assert a.status()["connected"]


def check_writes():
    a, b, c = nodes["Alice"], nodes["Bob"], nodes["Carol"]
    st, rec = a.set(SLOT + "1", "Tankadin")
    assert st == 200 and rec["new"] == "Tankadin" and "playerAssignments" in rec["scope"]["components"]
    wait_until("Alice's file", lambda: a.get(SLOT + "1") == "Tankadin")
    st, rec = a.set("encounterMgmt.raids.2.encounters.1.roles.2.raidMarks.1", lua="8")
    assert st == 200 and rec["new"] == 8, rec
    st, rec = b.set(SLOT + "1", "Holybob")
    assert st == 200, (st, rec)
    # An officer's write reaches everyone through the admin (a proposal, then a delta).
    wait_until("Bob's write at Carol", lambda: c.get(SLOT + "1") == "Holybob")
    st, rec = b.set("encounterMgmt.raids.2.encounters.1.name", "Razor")
    assert st == 403 and rec["refused"] and "officer" in rec["reason"], (st, rec)
    before = c.get(SLOT + "1")
    st, rec = c.set(SLOT + "1", "Sneaky")
    assert st == 403 and "member" in rec["reason"], (st, rec)
    time.sleep(0.6)
    assert c.get(SLOT + "1") == before
    # A member's own settings are its own to change.
    st, rec = c.set("ui.minimized", True)
    assert st == 200, (st, rec)
    st, rec = a.set(SLOT + "1", delete=True)
    assert st == 200 and rec["new"] is None, rec


def check_events():
    a = nodes["Alice"]
    seen = []

    def reader():
        req = urllib.request.Request(a.url + "/api/events?token=" + TOKEN)
        with urllib.request.urlopen(req, timeout=10) as r:
            for line in r:
                line = line.decode().strip()
                if line.startswith("data: "):
                    seen.append(json.loads(line[6:]))
                    if seen[-1].get("path", "").endswith("assignedPlayers.3"):
                        return
    t = threading.Thread(target=reader, daemon=True)
    t.start()
    # The stream first replays recent events; then it carries new ones as they happen.
    wait_until("the replay", lambda: any(e["event"] == "started" for e in seen))
    st, _ = a.set(SLOT + "3", "Eventbob")
    assert st == 200
    t.join(10)
    ev = [e for e in seen
          if e["event"] == "changed" and e.get("path", "").endswith("assignedPlayers.3")]
    assert ev and ev[0]["new"] == "Eventbob" and ev[0]["scope"]["kind"] == "encounter", seen[-3:]
    assert a.status()["eventStreams"] in (0, 1)


def outside_set(node, path, lit):
    subprocess.run([OGRH, "set", node.file, path, lit], check=True, capture_output=True)


def check_stop_restart():
    a = nodes["Alice"]
    rev = a.status()["revision"]
    rc = a.stop()
    assert rc == 0, rc
    assert "stopped" in a.read_log()
    r = subprocess.run([OGRH, "node", "--file", a.file, "--status"], capture_output=True, text=True)
    assert r.returncode == 1 and "not running" in r.stdout, r
    a.start()
    assert a.status()["revision"] == rev, (a.status()["revision"], rev)


def check_kill9():
    a = nodes["Alice"]
    st, _ = a.set(SLOT + "5", "Beforekill")
    rev = a.status()["revision"]
    time.sleep(0.6)  # let the debounced write happen
    a.kill9()
    outside_set(a, SLOT + "6", '"Whiledown"')
    a.start()
    wait_until("the edit made while down", lambda: a.status()["fileState"]["acceptedEdits"] >= 1)
    assert "changed while no node ran" in a.read_log()
    assert a.status()["revision"] >= rev + 1
    wait_until("both in the file",
               lambda: a.get(SLOT + "5") == "Beforekill" and a.get(SLOT + "6") == "Whiledown")


def repairs(node):
    return node.read_log().count("Requesting repair")


def write_then_kill9(node, path, prefix):
    """An accepted write through the API, then kill -9 before the debounced file write (the
    change is in the journal only); (value, change record)."""
    for attempt in range(5):
        value = "%s%d" % (prefix, attempt)
        st, rec = node.set(path, value)
        assert st == 200, (st, rec)
        node.kill9()
        if node.get(path) != value:
            return value, rec
        node.start()  # the write got there first (a very slow moment): try again
    raise AssertionError("the file was written before kill -9 every time")


def check_kill9_before_the_file():
    # An accepted write is durable when the API answers, though the file is written a moment
    # later (debounced): kill -9 in between loses nothing, and the admin's restart repairs
    # nobody (without the journal, its plan would lack the write its state counts: it would
    # start a fresh log and repair the team back to the older plan).
    a, b, c = nodes["Alice"], nodes["Bob"], nodes["Carol"]
    wait_until("the team in step", lambda: a.status()["digest"] == b.status()["digest"] ==
               c.status()["digest"], timeout=40)
    value, rec = write_then_kill9(a, SLOT + "12", "Crash")
    rev = rec["revision"]
    # As if the crash had come while appending the next record: a torn tail, cut off at start.
    with open(a.file + ".node/journal", "ab") as f:
        f.write(b"\x01\x40\x00\x00\x00torn")
    wait_until("the write at Bob and Carol",
               lambda: b.get(SLOT + "12") == value and c.get(SLOT + "12") == value)
    before = (repairs(b), repairs(c))
    a.start()
    wait_until("Alice's file", lambda: a.get(SLOT + "12") == value)
    # (The journal may hold the previous check's edit too, if its file write was still due.)
    assert re.search(r"applied \d+ changes? of the plan", a.read_log()[a.log_from:]), \
        a.read_log()[-1500:]
    assert "could not be applied" not in a.read_log()[a.log_from:]
    st = a.status()
    assert st["revision"] == rev and not st["stale"], (st["revision"], rev, st["stale"])
    # The admin polls at once when it starts, and on joins: the team compares and agrees.
    wait_until("one digest", lambda: a.status()["digest"] == b.status()["digest"] ==
               c.status()["digest"], timeout=40)
    time.sleep(1.0)
    assert (repairs(b), repairs(c)) == before, "a repair after the restart"
    assert b.get(SLOT + "12") == value and c.get(SLOT + "12") == value
    assert a.status()["revision"] == rev


def check_one_node_per_file():
    a = nodes["Alice"]
    r = subprocess.run([OGRH, "node", "--file", a.file, "--broker", broker.address, "--raid",
                        "Onyxia", "--user", "Alice", "--password-file",
                        os.path.join(root, "Alice.pw")], capture_output=True, text=True, timeout=20)
    assert r.returncode == 1 and "another 'ogrh node' is running" in r.stderr, r


def check_sighup():
    a = nodes["Alice"]
    a.proc.send_signal(signal.SIGHUP)
    wait_until("the reload", lambda: "reading %s again" % a.file in a.read_log())
    assert a.status()["connected"]


def check_acl():
    b = nodes["Bob"]
    before = b.status()["framesIn"]
    # A listener with Dan's account hears what the team's topics carry.
    ear = MQTT(broker.port, "Dan", USERS["Dan"], client_id="raw-ear")
    assert ear.rc == 0 and ear.subscribe("ogrh/Onyxia/#") == 0
    ear.messages(0.5)  # the retained roster
    # Mallory has an account but is not on the roster; she tries to speak as Alice.
    m = MQTT(broker.port, "Mallory", USERS["Mallory"])
    assert m.rc == 0
    m.publish("ogrh/Onyxia/from/Alice", b"OGRH\tforged")
    m.publish("ogrh/Onyxia/roster", b'{"format":"ogrh-roster"}')
    m.publish("ogrh/Onyxia/from/Mallory", b"OGRH\tnot-on-roster")
    m.close()
    wait_until("Bob to ignore Mallory", lambda: "Mallory, who is not on the roster" in b.read_log())
    # Carol, who is on the roster, reaches Bob: the control that the path works.
    c = MQTT(broker.port, "Carol", USERS["Carol"])
    c.publish("ogrh/Onyxia/from/Carol", b"OGRH\tgenuine")
    c.close()
    wait_until("Carol's frame", lambda: b.status()["framesIn"] >= before + 1)
    heard = ear.messages(1.0)
    ear.close()
    payloads = [p for _, p, _ in heard]
    assert b"OGRH\tnot-on-roster" in payloads and b"OGRH\tgenuine" in payloads, heard
    assert b"OGRH\tforged" not in payloads and b'{"format":"ogrh-roster"}' not in payloads, heard
    assert b.status()["rank"] == "assistant"  # the forged roster did not land
    # And with MQTT 5 the broker says no to the sender: the roster by a non-leader.
    r = roster("Carol", "Carol:leader")
    assert r.returncode == 1 and "Not authorized" in r.stderr


def check_backups():
    a, b = nodes["Alice"], nodes["Bob"]
    st, one = a.api("POST", "/api/backups", {"label": "Before BWL changes"})
    assert st == 201 and one["pinned"] and one["manual"] and one["size"] > 100000, one
    st, two = a.api("POST", "/api/backups", {"label": "Second"})
    st, lst = a.api("GET", "/api/backups")
    assert st == 200 and lst["backups"][0]["id"] == two["id"] and lst["currentSize"] > 0
    assert a.api("POST", "/api/backups/%d/unpin" % one["id"])[1]["pinned"] is False
    assert a.api("POST", "/api/backups/%d/pin" % one["id"])[1]["pinned"] is True
    st, line = a.api("GET", "/api/backups/%d/export" % one["id"])
    assert st == 200 and line.startswith("OGRHBK2 "), (st, line[:40])
    st, imp = b.api("POST", "/api/backups/import", raw=line.encode())
    assert st == 201 and imp["label"].startswith("Before BWL changes"), (st, imp)
    st, o = b.api("POST", "/api/backups/import", raw=b"OGRHBK1 garbage")
    assert st == 400, (st, o)
    count = len(b.api("GET", "/api/backups")[1]["backups"])
    st, res = b.api("POST", "/api/backups/%d/restore" % imp["id"])
    assert st == 200 and res["safetyBackup"]["reason"] == "before restore", (st, res)
    assert len(b.api("GET", "/api/backups")[1]["backups"]) == count + 1
    # Deleting refuses to go below three backups, in the seed's words.
    bl = b.api("GET", "/api/backups")[1]["backups"]
    for bk in bl[3:]:
        assert b.api("DELETE", "/api/backups/%d?confirm=1" % bk["id"])[0] == 200
    st, o = b.api("DELETE", "/api/backups/%d?confirm=1" % bl[0]["id"])
    assert st == 409 and o["error"] == "Cannot delete - minimum 3 backups required", (st, o)


def check_file_keeps_the_rest():
    # Dan's file has another variable and keys the node does not know; his node watches the
    # file by size and time (no inotify) and logs JSON.
    dan = Node(OGRH, root, "Dan", "Onyxia", broker, DEFAULTS, extra=["--json"],
               env={"OGRH_NODE_POLL": "1"})
    with open(dan.file, "a") as f:
        f.write('\nOGRH_Other = {\n\t["keep"] = "me",\n}\n')
    outside_set(dan, "encounterMgmt.raids.2.encounters.1.roles.1.futureField", "42")
    outside_set(dan, "unknownTop", '{a = 1}')
    nodes["Dan"] = dan.start()
    st, _ = dan.set("ui.selectedRaid", "BWL")
    assert st == 200
    wait_until("Dan's write", lambda: dan.get("ui.selectedRaid") == "BWL")
    assert dan.get("encounterMgmt.raids.2.encounters.1.roles.1.futureField") == 42
    assert dan.get("unknownTop") == {"a": 1}
    with open(dan.file) as f:
        assert 'OGRH_Other = {\n\t["keep"] = "me",\n}' in f.read()
    # Polling finds an outside edit too.
    outside_set(dan, "ui.point", '"CENTER"')
    wait_until("Dan's node to poll the edit", lambda: dan.status()["fileState"]["acceptedEdits"] >= 1)
    lines = [json.loads(x) for x in dan.read_log().splitlines() if x.startswith("{")]
    assert lines and all("event" in x and "time" in x for x in lines), dan.read_log()[:300]
    assert any(x["event"] == "watch" and "no inotify" in x["msg"] for x in lines)


def check_no_lost_edit_in_a_race():
    a = nodes["Alice"]
    # API writes waiting for their debounced write while someone edits the file (from the file
    # as it was, a moment older): every change survives, whatever the timing.
    for i in range(8):
        st, _ = a.set(SLOT + "7", "Api%d" % i)
        assert st == 200
        time.sleep(0.22 + 0.03 * (i % 4))
        outside_set(a, SLOT + "8", '"File%d"' % i)
        wait_until("both writes, round %d" % i,
                   lambda: a.get(SLOT + "7") == "Api%d" % i and a.get(SLOT + "8") == "File%d" % i)


def check_older_copy():
    a = nodes["Alice"]
    # The game keeps the plan it loaded and writes it back at logout: values the team changed
    # since are not taken back, the player's own edit in that copy is.
    with open(a.file) as f:
        loaded = f.read()
    st, _ = a.set(SLOT + "10", "Teamchange")
    wait_until("the team's change in the file", lambda: a.get(SLOT + "10") == "Teamchange")
    game = os.path.join(a.dir, "game-copy.lua")
    with open(game, "w") as f:
        f.write(loaded)
    outside_set(type("G", (), {"file": game})(), SLOT + "11", '"Ingame"')
    os.replace(game, a.file)
    wait_until("the in-game edit", lambda: a.get(SLOT + "11") == "Ingame")
    wait_until("the team's change kept", lambda: a.get(SLOT + "10") == "Teamchange")
    assert "only put back what the plan held before" in a.read_log()


def check_broken_file():
    a = nodes["Alice"]
    with open(a.file) as f:
        good = f.read()
    with open(a.file, "w") as f:
        f.write(good[: len(good) // 2])  # as if the game were caught mid-write
    wait_until("the node to give up reading", lambda: "cannot be read" in a.read_log(), timeout=15)
    st, _ = a.set(SLOT + "9", "Notwritten")
    assert st == 200
    time.sleep(0.8)
    with open(a.file) as f:
        assert f.read() == good[: len(good) // 2], "the node wrote over a file it could not read"
    assert a.status()["fileState"]["unreadable"]
    with open(a.file, "w") as f:
        f.write(good)
    wait_until("the file to be read again", lambda: "can be read again" in a.read_log())
    wait_until("the waiting write", lambda: a.get(SLOT + "9") == "Notwritten")


def check_foreign_state():
    # A state that does not fit (here another player's) is dropped and the plan read again:
    # the journal's changes, which the dropped state counted, are applied again too.
    a, b = nodes["Alice"], nodes["Bob"]
    value, _ = write_then_kill9(a, SLOT + "13", "Journaled")
    wait_until("the write at Bob", lambda: b.get(SLOT + "13") == value)
    shutil.copy(b.file + ".node/state", a.file + ".node/state")
    a.start()
    assert "the saved sync state does not fit" in a.read_log()[a.log_from:]
    wait_until("the write in Alice's file", lambda: a.get(SLOT + "13") == value)
    wait_until("one digest", lambda: a.status()["digest"] == b.status()["digest"], timeout=40)
    assert b.get(SLOT + "13") == value


def check_loopback_only():
    r = subprocess.run([OGRH, "node", "--file", os.path.join(root, "x.lua"), "--broker",
                        broker.address, "--raid", "Onyxia", "--user", "Dan", "--http",
                        "0.0.0.0:0"], capture_output=True, text=True, timeout=20)
    assert r.returncode == 1 and "not a loopback address" in r.stderr, r


def check_own_program():
    # Only ogrh-node links the MQTT and HTTP libraries; `ogrh node` and `ogrh roster` run it.
    def libs(prog):
        return subprocess.run(["ldd", prog], capture_output=True, text=True).stdout
    live = os.path.join(os.path.dirname(OGRH), "ogrh-node")
    assert "libmosquitto" not in libs(OGRH) and "libmicrohttpd" not in libs(OGRH), libs(OGRH)
    assert "libmosquitto" in libs(live) and "libmicrohttpd" in libs(live), libs(live)
    r = subprocess.run([OGRH, "help", "node"], capture_output=True, text=True)
    assert r.returncode == 0 and r.stdout.startswith("usage: ogrh node --file FILE"), r
    # Alone, without ogrh-node beside it or on PATH, ogrh says what is missing.
    alone = os.path.join(root, "alone")
    os.makedirs(alone, exist_ok=True)
    subprocess.run(["cp", OGRH, alone], check=True)
    r = subprocess.run([os.path.join(alone, os.path.basename(OGRH)), "roster", "--acl", "T:L"],
                       capture_output=True, text=True, env=dict(os.environ, PATH="/usr/bin:/bin"))
    assert r.returncode == 1 and "its own program, ogrh-node" in r.stderr, r


try:
    suite.check("ogrh-node is its own program; ogrh runs it", check_own_program)
    broker.start()
    suite.check("roster: only the leader's account may publish it", check_roster)
    suite.check("nodes start, connect and learn their ranks", check_start)
    suite.check("HTTP API: token, JSON errors, limits, the plan", check_api_contract)
    suite.check("writes with permissions: admin, officer, member", check_writes)
    suite.check("event stream carries changes as they happen", check_events)
    suite.check("SIGTERM stops cleanly; restart keeps the state", check_stop_restart)
    suite.check("kill -9, an edit while down, restart", check_kill9)
    suite.check("kill -9 before the debounced file write: nothing lost, no repair",
                check_kill9_before_the_file)
    suite.check("one node per file", check_one_node_per_file)
    suite.check("SIGHUP reads the file again", check_sighup)
    suite.check("ACL: nobody speaks for another; strangers are ignored", check_acl)
    suite.check("backups over the API", check_backups)
    suite.check("other variables and unknown keys are kept; polling without inotify",
                check_file_keeps_the_rest)
    suite.check("an API write and a file edit at once: both kept", check_no_lost_edit_in_a_race)
    suite.check("an older copy of the file (the game's) takes nothing back", check_older_copy)
    suite.check("a file that does not parse is never written over", check_broken_file)
    suite.check("a state that does not fit: dropped, the journal applied again",
                check_foreign_state)
    suite.check("HTTP only on loopback unless asked", check_loopback_only)
finally:
    for n in nodes.values():
        n.stop()
    broker.stop()
sys.exit(suite.finish())
