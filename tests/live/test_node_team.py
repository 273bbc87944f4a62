"""A team of six live nodes on one broker, as issue 12 describes it: the raid leader (the admin),
an officer (assistant) and four members, each `ogrh node` with its own SavedVariables file in its
own folder, on a mosquitto with a generated password file and ACL. Edits through the API and in
the files reach every other node's FILE (or are refused and reported), a node killed with
kill -9 in the middle of a repair comes back and converges with nothing lost, a broker restart
is survived (queued writes go out, the roster is published again), a member publishing under
another's name is stopped by the broker; validation, repair and the admin grant through the API.

The leader's node sends at the game's pace (--profile ctl), so that a repair lasts long enough
to be interrupted.

usage: /usr/bin/python3 tests/live/test_node_team.py path/to/ogrh SOURCE_DIR"""

import json
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import MQTT, Broker, Node, Suite, wait_until, workdir  # noqa: E402

OGRH = os.path.abspath(sys.argv[1])
SRC = os.path.abspath(sys.argv[2])
DEFAULTS = os.path.join(SRC, "data", "factory-defaults.lua")
TEAM = "Blackwing"
LEAD, OFFICER = "Lead", "Offi"
MEMBERS = ["Mem1", "Mem2", "Mem3", "Mem4"]
PLAYERS = [LEAD, OFFICER] + MEMBERS
USERS = {u: "pw-" + u.lower() + "-9" for u in PLAYERS}
SLOT = "encounterMgmt.raids.2.encounters.1.roles.2.assignedPlayers."
MARK = "encounterMgmt.raids.2.encounters.1.roles.2.raidMarks.1"

root = workdir("live-team")
broker = Broker(OGRH, root, USERS, {TEAM: LEAD})
nodes = {}
suite = Suite("live-team")


def others(user):
    return [n for u, n in nodes.items() if u != user]


def in_every_file(path, value, but=None, timeout=30):
    """Waits until every node's FILE (but one) holds value at path."""
    for n in others(but):
        wait_until("%s at %s in %s's file" % (value, path, n.user),
                   lambda: n.get(path) == value, timeout=timeout, step=0.2)


def one_digest(timeout=40):
    def same():
        d = {n.status()["digest"] for n in nodes.values()}
        return len(d) == 1
    wait_until("every node on one digest", same, timeout=timeout, step=0.2)
    return nodes[LEAD].status()["digest"]


def outside_set(node, path, lit):
    subprocess.run([OGRH, "set", node.file, path, lit], check=True, capture_output=True)


def check_start():
    r = subprocess.run([OGRH, "roster", "--broker", broker.address, "--raid", TEAM, "--user", LEAD,
                        "--password-file", os.path.join(root, LEAD + ".pw"),
                        OFFICER + ":assistant"] + MEMBERS, capture_output=True, text=True,
                       timeout=30)
    assert r.returncode == 0 and "6 players, leader Lead" in r.stdout, r
    for user in PLAYERS:
        extra = ["--profile", "ctl"] if user == LEAD else []
        nodes[user] = Node(OGRH, root, user, TEAM, broker, DEFAULTS, extra=extra).start()
    for user in PLAYERS:
        rank = "leader" if user == LEAD else "assistant" if user == OFFICER else "member"
        n = nodes[user]
        wait_until("%s's rank" % user, lambda: n.status().get("rank") == rank)
        wait_until("%s to know the admin" % user, lambda: n.status().get("admin") == LEAD,
                   timeout=20)
    # Six folders, six files, one plan.
    assert len({n.file for n in nodes.values()}) == 6
    one_digest()


def check_admin_edit():
    st, rec = nodes[LEAD].set(SLOT + "1", "Tankadin")
    assert st == 200 and rec["new"] == "Tankadin", (st, rec)
    st, rec = nodes[LEAD].set(MARK, lua="7")
    assert st == 200, (st, rec)
    in_every_file(SLOT + "1", "Tankadin")
    in_every_file(MARK, 7)
    one_digest()


def check_officer_edit():
    st, rec = nodes[OFFICER].set(SLOT + "2", "Holyoffi")
    assert st == 200, (st, rec)
    # Through the admin, who orders it, to everyone else: the leader's file included.
    in_every_file(SLOT + "2", "Holyoffi", but=OFFICER)
    assert nodes[OFFICER].get(SLOT + "2") == "Holyoffi"
    st, rec = nodes[OFFICER].set("encounterMgmt.raids.2.encounters.1.name", "Renamed")
    assert st == 403 and "officer" in rec["reason"], (st, rec)
    one_digest()


def check_member_edit():
    before = one_digest()
    revs = {u: n.status()["revision"] for u, n in nodes.items()}
    st, rec = nodes["Mem1"].set(SLOT + "1", "Sneaky")
    assert st == 403 and rec["refused"] and "member" in rec["reason"], (st, rec)
    time.sleep(1.0)
    for u, n in nodes.items():
        assert n.get(SLOT + "1") == "Tankadin", u
        assert n.status()["revision"] == revs[u], u
    assert one_digest() == before


def check_outside_admin():
    outside_set(nodes[LEAD], SLOT + "3", '"Fromfile"')
    wait_until("the leader's node to take it",
               lambda: nodes[LEAD].status()["fileState"]["acceptedEdits"] >= 1)
    in_every_file(SLOT + "3", "Fromfile", but=LEAD)
    one_digest()


def check_outside_member():
    m = nodes["Mem2"]
    before = one_digest()
    outside_set(m, SLOT + "3", '"Mutiny"')
    wait_until("Mem2's node to refuse the edit", lambda: m.status()["fileState"]["refusedEdits"] >= 1)
    # Reported (log line, and the file as edited kept as a backup), and undone in the file.
    wait_until("Mem2's file written back", lambda: m.get(SLOT + "3") == "Fromfile")
    log = m.read_log()
    assert "refused Mem2's change of %s3 (file)" % SLOT in log, log[-1500:]
    st, o = m.api("GET", "/api/backups")
    assert st == 200 and any("refused" in b["label"] for b in o["backups"]), o
    for n in others("Mem2"):
        assert n.get(SLOT + "3") == "Fromfile", n.user
    assert one_digest() == before
    # Her own settings in the same file are hers.
    outside_set(m, "ui.locked", "true")
    wait_until("Mem2's setting taken", lambda: m.status()["fileState"]["acceptedEdits"] >= 1)
    time.sleep(0.5)
    assert m.get("ui.locked") is True
    assert one_digest() == before


def big_raid():
    """Raid 1 as a Lua literal under another name: a change too large for one message."""
    text = subprocess.run([OGRH, "get", nodes[LEAD].file, "encounterMgmt.raids.1"], check=True,
                          capture_output=True, text=True).stdout
    head = '\n\t["name"] = "Molten Core",'
    assert head in text
    return text.replace(head, '\n\t["name"] = "Molten Core Two",')


def under_way(r):
    """Bytes of the repair received, not all of its units applied: units travel several to a
    message, so a repair may go from none applied to all in one step."""
    ok = r["state"] == "receiving" and (r["unitsDone"] >= 1 or r["bytesDone"] > 0) and \
        r["unitsDone"] < r["unitsTotal"]
    return r if ok else None


def check_kill9_during_repair():
    lead, m = nodes[LEAD], nodes["Mem4"]
    assert m.stop() == 0
    # While Mem4 is away the admin adds a whole raid: Mem4 comes back behind by more than a
    # message holds, and is repaired unit by unit at the game's pace.
    st, rec = lead.set("encounterMgmt.raids.7", lua=big_raid())
    assert st == 200, (st, rec)
    st, rec = lead.set(SLOT + "4", "Whileaway")
    assert st == 200, (st, rec)
    m.start()
    # A write of its own, accepted and durable, then kill -9 in the middle of the repair (its
    # units travel several to a message: the kill follows the first sign of progress at once).
    st, rec = m.set("ui.minimized", True)
    assert st == 200, (st, rec)
    progress = wait_until("Mem4's repair to be under way",
                          lambda: under_way(m.status()["repair"]), timeout=40, step=0.01)
    m.kill9()
    assert progress["unitsDone"] < progress["unitsTotal"], progress
    st, rec = lead.set(SLOT + "5", "Whiledead")
    assert st == 200, (st, rec)
    m.start()
    wait_until("Mem4 to converge", lambda: m.status()["digest"] == lead.status()["digest"],
               timeout=50, step=0.2)
    # The file follows the plan a moment later (debounced).
    wait_until("Mem4's file", lambda: m.get("encounterMgmt.raids.7.name") == "Molten Core Two" and
               m.get(SLOT + "4") == "Whileaway" and m.get(SLOT + "5") == "Whiledead",
               timeout=20, step=0.2)
    assert m.get("ui.minimized") is True  # its own write survived the kill
    assert m.get("encounterMgmt.raids.1.name") == "Molten Core"
    in_every_file("encounterMgmt.raids.7.name", "Molten Core Two", timeout=40)
    one_digest()


def check_broker_restart():
    lead = nodes[LEAD]
    broker.stop()
    for n in nodes.values():
        wait_until("%s to notice" % n.user, lambda: not n.status()["connected"], timeout=30)
    # The admin keeps writing: its writes wait and go out on return.
    st, rec = lead.set(SLOT + "6", "Offline")
    assert st == 200 and rec["queued"], (st, rec)
    # So do the officer's: its outbox holds them (durably) until the broker is back.
    st, rec = nodes[OFFICER].set(SLOT + "8", "Outboxed")
    assert st == 200 and rec["queued"], (st, rec)
    assert nodes[OFFICER].status()["outbox"] >= 1
    broker.start()
    for n in nodes.values():
        wait_until("%s to reconnect" % n.user, lambda: n.status()["connected"], timeout=50)
        assert n.status()["reconnects"] >= 1, n.user
    in_every_file(SLOT + "6", "Offline", but=LEAD, timeout=40)
    in_every_file(SLOT + "8", "Outboxed", but=OFFICER, timeout=40)
    # The broker kept no retained messages: the leader's node publishes the roster it kept.
    wait_until("the roster published again",
               lambda: "published the one kept here" in lead.read_log(), timeout=20)
    r = subprocess.run([OGRH, "roster", "--broker", broker.address, "--raid", TEAM, "--user",
                        "Mem3", "--password-file", os.path.join(root, "Mem3.pw"), "--show"],
                       capture_output=True, text=True, timeout=30)
    assert r.returncode == 0 and "assistant  Offi" in r.stdout, r
    for n in nodes.values():
        wait_until("%s's rank after the restart" % n.user, lambda: n.status()["rank"] is not None)
    one_digest()


def check_acl():
    before = one_digest()
    # A listener with a member's account sees what the team's topics carry.
    ear = MQTT(broker.port, "Mem3", USERS["Mem3"], client_id="raw-ear")
    assert ear.rc == 0 and ear.subscribe("ogrh/%s/#" % TEAM) == 0
    ear.messages(0.5)  # the retained roster
    # Mem1, a member with an account, speaks as the leader and rewrites the roster.
    m = MQTT(broker.port, "Mem1", USERS["Mem1"], client_id="raw-mem1")
    assert m.rc == 0
    m.publish("ogrh/%s/from/%s" % (TEAM, LEAD), b"OGRH\tforged")
    m.publish("ogrh/%s/roster" % TEAM, b'{"format":"ogrh-roster","version":1,"team":"%s",'
              b'"players":[{"name":"Mem1","rank":"leader"}]}' % TEAM.encode())
    # The control: what Mem1 publishes under its own name is carried.
    m.publish("ogrh/%s/from/Mem1" % TEAM, b"OGRH\tgenuine")
    m.close()
    heard = ear.messages(1.5)
    ear.close()
    assert ("ogrh/%s/from/Mem1" % TEAM, b"OGRH\tgenuine", False) in heard, heard
    assert not any(b"forged" in p or b'"Mem1","rank":"leader"' in p for _, p, _ in heard), heard
    for u, n in nodes.items():
        assert n.status()["admin"] == LEAD and n.status()["rank"] is not None, u
    assert nodes["Mem1"].status()["rank"] == "member"
    # The broker still holds the leader's roster.
    again = MQTT(broker.port, "Mem4", USERS["Mem4"], client_id="raw-again")
    again.subscribe("ogrh/%s/roster" % TEAM)
    retained = again.messages(1.0)
    again.close()
    assert retained and retained[0][2], retained
    leaders = [p["name"] for p in json.loads(retained[0][1])["players"] if p["rank"] == "leader"]
    assert leaders == [LEAD], retained
    assert one_digest() == before


def check_validate_and_repair():
    lead, m = nodes[LEAD], nodes["Mem3"]
    st, o = m.api("POST", "/api/validate")
    assert st == 200 and o["valid"] and o["lines"] == ["Structure validation: PASSED"], (st, o)
    # Mem3 keeps the plan as it is, the leader changes it, Mem3 restores the kept one: a copy
    # that differs from the admin's, here only (a member's restore is not sent).
    st, kept = m.api("POST", "/api/backups", {"label": "before Later"})
    assert st == 201, (st, kept)
    st, rec = lead.set(SLOT + "7", "Later")
    assert st == 200, (st, rec)
    wait_until("the edit at Mem3", lambda: m.get(SLOT + "7") == "Later", step=0.2)
    time.sleep(4)  # past the admin's poll after the burst: the next one is 30 s away
    st, o = m.api("POST", "/api/backups/%d/restore" % kept["id"])
    assert st == 200 and o["restored"] == kept["id"], (st, o)
    wait_until("Mem3's file restored", lambda: m.get(SLOT + "7") is None, step=0.2)
    st, o = m.api("POST", "/api/validate")
    assert st == 200 and not o["valid"], (st, o)
    assert "Structure mismatch detected: BWL > Razorgore > playerAssignments" in o["lines"], o
    assert o["lines"][-1].startswith("Structure validation: FAILED"), o
    diff = [d for d in o["differences"] if "playerAssignments" in d["components"]]
    assert diff and diff[0]["localDigest"] != diff[0]["adminDigest"], o
    st, o = m.api("POST", "/api/repair", {"level": "encounter", "unit": "BWL/Razorgore"})
    assert st == 200 and o["state"] == "running", (st, o)
    wait_until("Mem3 repaired", lambda: m.get(SLOT + "7") == "Later", timeout=30, step=0.2)
    assert "Repair completed successfully" in m.read_log()
    one_digest()
    st, o = m.api("POST", "/api/validate")
    assert st == 200 and o["valid"], (st, o)


def check_admin_grant():
    lead, off, m = nodes[LEAD], nodes[OFFICER], nodes["Mem1"]
    epoch = lead.status()["epoch"]
    st, o = m.api("POST", "/api/admin", {"player": "Mem1"})
    assert st == 403, (st, o)
    st, o = lead.api("POST", "/api/admin", {"player": OFFICER})
    assert st == 200 and o["admin"] == OFFICER and o["epoch"] == epoch + 1, (st, o)
    for n in nodes.values():
        wait_until("%s to know the new admin" % n.user,
                   lambda: n.status()["admin"] == OFFICER and n.status()["epoch"] == epoch + 1)
    # The structure is the admin's now: the officer changes a raid setting, everyone gets it.
    path = "encounterMgmt.raids.2.encounters.1.roles.1.name"
    st, rec = off.set(path, "Orb Control")
    assert st == 200, (st, rec)
    in_every_file(path, "Orb Control", but=OFFICER)
    st, rec = lead.set(path, "Lead Again")
    assert st == 403, (st, rec)
    # An assistant hands it back.
    st, o = off.api("POST", "/api/admin", {"player": LEAD})
    assert st == 200 and o["epoch"] == epoch + 2, (st, o)
    for n in nodes.values():
        wait_until("%s to know the admin again" % n.user, lambda: n.status()["admin"] == LEAD)
    one_digest()


def check_all_files_agree():
    one_digest()
    texts = set()
    for n in nodes.values():
        r = subprocess.run([OGRH, "get", n.file, "encounterMgmt", "--json"], capture_output=True,
                           text=True, check=True)
        texts.add(r.stdout)
    assert len(texts) == 1, "the six files hold different plans"


try:
    broker.start()
    steps = [
        ("six nodes start: leader-admin, officer, four members", check_start),
        ("an admin edit through the API reaches every other file", check_admin_edit),
        ("an officer edit through the API reaches every other file", check_officer_edit),
        ("a member's edit is refused; nothing changes anywhere", check_member_edit),
        ("the admin's file edited from outside: the edit reaches the others", check_outside_admin),
        ("a member's file edited from outside: refused, reported, undone", check_outside_member),
        ("kill -9 during a repair: restart, converge, nothing lost", check_kill9_during_repair),
        ("broker restart: all reconnect, queued writes go out, converge", check_broker_restart),
        ("ACL: a member publishing as the leader is dropped by the broker", check_acl),
        ("validation and a repair through a member's API", check_validate_and_repair),
        ("admin handed to the officer and back", check_admin_grant),
        ("the six files hold one plan", check_all_files_agree),
    ]
    for title, fn in steps:
        if not suite.check(title, fn) and fn is check_start:
            break
finally:
    for n in nodes.values():
        n.stop()
    broker.stop()
sys.exit(suite.finish())
