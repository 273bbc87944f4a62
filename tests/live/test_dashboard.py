"""The dashboard in a real browser (headless Chromium through Selenium) against a broker and
three nodes on loopback: the token, the plan and editing it in place (drag and pick), a member's
read-only page, changes flashing where they land, backups (create, list, pin, restore with the
seed's confirmation, the safety backup, delete refused below 3, export to the clipboard and a
file, import by paste and by file on other nodes), Data Management on the admin's page (the
plan's digests) and a member's (validation passes), the channel view (status, chart, event
log), the layout at 1366x768 and phone size, the keyboard, and nothing told by colour alone.
Every check saves screenshots in build/screenshots/.

What needs the nodes to differ (an edit reaching another player's page, validation and repair
of a drifted node, a repair's progress) is in test_dashboard_sync.py.

usage: /usr/bin/python3 tests/live/test_dashboard.py path/to/ogrh SOURCE_DIR"""

import json
import os
import sys
import time
import urllib.error
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import TOKEN, Suite, wait_until  # noqa: E402
import browser  # noqa: E402
from browser import HEALERS, TANKS  # noqa: E402

# Bob's clock is fixed at Jan 22, 2026 3:45 PM UTC, the seed's example time.
BOB_NOW = 1769096700

suite = Suite("dashboard")
team = browser.Team("dashboard", sys.argv, env={"Bob": {"OGRH_NOW": str(BOB_NOW)}})
nodes = team.nodes
open_browser = team.browser
SHOTS = team.shots


def http(url, headers=None):
    req = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, dict(r.headers), r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read().decode()


def norm(s):
    """Text as a person reads it: Chromium's ICU puts narrow no-break spaces in times."""
    return s.replace("\u202f", " ").replace("\u00a0", " ")


# ---- the token ----

def check_token():
    a = nodes["Alice"]
    # The page itself is served without the token (it holds nothing) and runs only its own files.
    st, headers, body = http(a.url + "/")
    assert st == 200 and "<title>OG-RaidHelper dashboard</title>" in body, (st, body[:200])
    assert "script-src 'self'" in headers.get("Content-Security-Policy", ""), headers
    assert headers.get("X-Frame-Options") == "DENY", headers
    for path in ("/main.js", "/core.js", "/style.css"):
        st, headers, _ = http(a.url + path)
        assert st == 200 and headers["Content-Type"].split(";")[0] in (
            "text/javascript", "text/css"), (path, st, headers)
    assert http(a.url + "/nope.js")[0] == 404
    # Every API request without the token gets 401, also the dashboard's own endpoints.
    for path in ("/api/status", "/api/plan", "/api/stats", "/api/digests", "/api/backups",
                 "/api/events"):
        st, _, body = http(a.url + path)
        assert st == 401 and json.loads(body)["status"] == 401, (path, st, body)
        assert http(a.url + path, {"Authorization": "Bearer wrong-token-xyz"})[0] == 401, path
    st, _, body = http(a.url + "/api/stats", {"Authorization": "Bearer " + TOKEN})
    assert st == 200 and json.loads(body)["intervalMs"] == 2000, (st, body)
    # The page without the token asks for it; a wrong one is refused, the right one opens.
    b = open_browser("Alice")
    b.open(a.url, with_token=False, wait_ready=False)
    b.wait("the token form", lambda: b.q("#login").is_displayed())
    assert not b.q("#main").is_displayed()
    b.q("#login-token").send_keys("not-the-token")
    b.click("#login-form button")
    b.wait("the refusal", lambda: "did not accept" in b.text("#login-error"))
    b.shot("token-refused")
    b.q("#login-token").clear()
    b.q("#login-token").send_keys(TOKEN)
    b.click("#login-form button")
    b.wait("the page", lambda: b.js("return document.body.dataset.ready"))
    # The link of the start line: the token leaves the address bar at once.
    b.open(a.url)
    assert "token=" not in b.d.current_url, b.d.current_url


def check_endpoints():
    """What the page reads besides the API of issue 12: the samples and the digest tree."""
    a = nodes["Alice"]
    st, tree = a.api("GET", "/api/digests")
    assert st == 200, (st, tree)
    assert tree["root"] == a.status()["digest"], (tree["root"], a.status()["digest"])
    assert [r["name"] for r in tree["raids"]][:2] == ["Molten Core", "BWL"], tree["raids"][:2]
    enc = tree["raids"][0]["encounters"][0]
    assert enc["name"] == "Tanks and Heals" and sorted(enc["components"]) == sorted(
        ["encounterMetadata", "roles", "playerAssignments", "raidMarks", "assignmentNumbers",
         "announcements"]), enc
    assert sorted(tree["globals"]) == ["consumes", "rolesUI", "tradeItems"], tree["globals"]
    # A write changes exactly the digests above it.
    assert a.set(TANKS + "assignedPlayers.4", "Digesttank")[0] == 200
    after = a.api("GET", "/api/digests")[1]
    e2 = after["raids"][0]["encounters"][0]
    changed = [c for c in enc["components"] if enc["components"][c] != e2["components"][c]]
    assert changed == ["playerAssignments"], changed
    assert after["root"] != tree["root"] and after["globals"] == tree["globals"]
    assert after["raids"][1] == tree["raids"][1]
    assert a.set(TANKS + "assignedPlayers.4", None, delete=True)[0] == 200
    # Samples every 2 s, oldest first, with rates.
    wait_until("three samples", lambda: len(a.api("GET", "/api/stats")[1]["samples"]) >= 3,
               timeout=10)
    stats = a.api("GET", "/api/stats")[1]
    ts = [x["t"] for x in stats["samples"]]
    assert ts == sorted(ts) and all(1500 <= b - c <= 2600 for c, b in zip(ts, ts[1:])), ts
    for x in stats["samples"]:
        assert x["bytesIn"] >= 0 and x["inRate"] >= 0 and x["queue"] >= 0, x
    assert a.api("POST", "/api/stats", {})[0] == 405
    assert a.api("GET", "/api/nothing")[0] == 404


# ---- the plan ----

def check_plan():
    b = open_browser("Alice").open(nodes["Alice"].url)
    b.wait("the encounter", lambda: b.text("#enc-title") == "Tanks and Heals")
    assert b.q("#raid-select").get_attribute("value") == "1"
    assert "Molten Core" in b.text("#raid-select option:checked")
    # Roles with their slots, raid marks as icons with their names, and the announcements.
    heads = list(zip(b.texts(".role h3 span.role-name"), b.texts(".role h3 span.count")))
    assert heads[:2] == [("Tanks", "0/4"), ("Healers", "0/6")], heads
    marks = b.texts('.role[data-role="1"] svg.mark', "aria-label")
    assert marks == ["Skull", "Cross", "Square", "Moon"], marks
    # A plan filled in (through the API: the open page follows): the announcements' tags are
    # filled, their raid marks drawn as icons; "[&...]" lines show once all their tags have a
    # value.
    a = nodes["Alice"]
    team_plan = {TANKS + "assignedPlayers.%d" % i: n for i, n in
                 enumerate(("Ragetank", "Shieldwall", "Bearform", "Tauntbot"), 1)}
    team_plan.update({HEALERS + "assignedPlayers.%d" % i: n for i, n in
                      enumerate(("Holyone", "Flashheal", "Chainy"), 1)})
    for path, name in team_plan.items():
        assert a.set(path, name)[0] == 200, path
    b.wait("the plan filled in", lambda: b.text(".role h3 .count") == "4/4"
           and b.slot_player("2.3") == "Chainy")
    texts = b.texts("#announcements li .ann", "data-text")
    assert texts == ["(Skull) Ragetank healed by Holyone", "(Cross) Shieldwall healed by Flashheal",
                     "(Square) Bearform healed by Chainy"], texts
    shown = b.texts("#announcements li .ann")
    assert shown[0] == "Skull Ragetank healed by Holyone", shown  # the icon's title
    icons = b.texts("#announcements li .ann svg.mark", "aria-label")
    assert icons == ["Skull", "Cross", "Square"], icons
    # Encounters of the raid with their counts; another encounter on a click.
    encs = b.texts("#enc-list .enc-name")
    assert encs[:3] == ["Tanks and Heals", "Incindis", "Garr"], encs
    assert b.texts("#enc-list .enc-count")[0] == "7/10"
    b.shot("plan")
    for path in team_plan:
        assert a.set(path, delete=True)[0] == 200, path
    b.wait("the plan emptied", lambda: b.text(".role h3 .count") == "0/4"
           and b.slot_player("2.3") is None)
    b.fresh(lambda: b.qa("#enc-list .enc-btn")[2].click())
    b.wait("Garr", lambda: b.text("#enc-title") == "Garr")
    b.fresh(lambda: b.qa("#enc-list .enc-btn")[0].click())
    b.wait("back", lambda: b.text("#enc-title") == "Tanks and Heals")
    assert b.q("#badge-role").text == "Admin" and "Connected" in b.q("#badge-conn").text


def check_edit_by_drag():
    a, b = nodes["Alice"], open_browser("Alice")
    from selenium.webdriver.common.action_chains import ActionChains
    chip = b.q('#roster-list .chip[data-player="Bob"]')
    target = b.slot("1.1")
    ActionChains(b.d).click_and_hold(chip).move_by_offset(12, 6).move_to_element(target) \
        .move_by_offset(3, 2).release().perform()
    wait_until("Bob in Alice's file", lambda: a.get(TANKS + "assignedPlayers.1") == "Bob")
    b.wait("Bob on the page", lambda: b.slot_player("1.1") == "Bob")
    # A player dragged from one slot to another moves there (and what was there moves back).
    ActionChains(b.d).click_and_hold(b.slot("1.1").find_element("css selector", "button")) \
        .move_by_offset(10, 8).move_to_element(b.slot("2.3")).release().perform()
    wait_until("Bob moved", lambda: a.get(HEALERS + "assignedPlayers.3") == "Bob"
               and a.get(TANKS + "assignedPlayers.1") is None)
    b.wait("the move on the page", lambda: b.slot_player("2.3") == "Bob"
           and b.slot_player("1.1") is None)
    b.shot("plan-dragged")


def check_edit_by_pick():
    """The keyboard's way: focus a slot, Enter, pick a player, a mark and a number."""
    a, b = nodes["Alice"], open_browser("Alice")
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import Select
    # (Until the page has drawn the slot anew after the drag above, its button may be gone or
    # not ready for keys: the key goes again then.)
    def enter():
        if not b.q("#dlg-slot").is_displayed():
            b.slot("2.2").find_element("css selector", "button").send_keys(Keys.ENTER)
        return b.q("#dlg-slot").is_displayed()
    b.wait("the slot dialog", enter)
    assert b.text("#dlg-slot-title") == "Healers, slot 2"
    names = [o.text for o in b.qa("#slot-player option")]
    assert names == ["— empty —", "Alice", "Bob", "Carol"], names
    Select(b.q("#slot-player")).select_by_visible_text("Carol")
    Select(b.q("#slot-mark")).select_by_visible_text("Star")
    b.q("#slot-number").send_keys("3")
    b.shot("plan-pick")
    b.click("#slot-save")
    wait_until("Carol in the file", lambda: (a.get(HEALERS + "assignedPlayers.2"),
                                              a.get(HEALERS + "raidMarks.2"),
                                              a.get(HEALERS + "assignmentNumbers.2"))
               == ("Carol", 1, 3))
    b.wait("the slot on the page", lambda: b.slot_player("2.2") == "Carol")
    assert b.slot_mark("2.2") == "Star"
    assert b.text('.slot[data-key="2.2"] .num') == "#3"
    # Our own change does not flash as if someone else had made it.
    assert "flash" not in b.fresh(lambda: b.slot("2.2").get_attribute("class"))
    # Clear it again.
    b.slot_click("2.2")
    b.wait("the dialog", lambda: b.q("#dlg-slot").is_displayed())
    b.click("#slot-clear")
    wait_until("the slot cleared", lambda: a.get(HEALERS + "assignedPlayers.2") is None
               and a.get(HEALERS + "raidMarks.2") is None)
    b.wait("cleared on the page", lambda: b.slot_player("2.2") is None)


def check_flash():
    """A change made elsewhere (another program on the API, the game's file) appears on the
    open page without reloading, and flashes where it lands."""
    a, b = nodes["Alice"], open_browser("Alice")
    b.js("window.__marker = 1")
    t0 = time.monotonic()
    st, _ = a.set(TANKS + "assignedPlayers.2", "Apitank")
    assert st == 200
    b.wait("Apitank on the page", lambda: b.slot_player("1.2") == "Apitank", timeout=2.0)
    took = time.monotonic() - t0
    assert "flash" in b.fresh(lambda: b.slot("1.2").get_attribute("class"))
    assert b.text('.slot[data-key="1.2"] .changed-tag') == "changed"
    assert b.js("return window.__marker") == 1, "the page reloaded"
    b.shot("plan-flash")
    print("dashboard: a change reached the page in %.2f s" % took)
    # A change to another encounter flashes that encounter in the list.
    st, _ = a.set("encounterMgmt.raids.1.encounters.3.roles.1.assignedPlayers.1", "Garrtank")
    assert st == 200
    b.wait("Garr flashing", lambda: "flash" in b.q('#enc-list li[data-enc="1.3"]')
           .get_attribute("class"), timeout=2.0)
    b.wait("Garr's count", lambda: b.qa("#enc-list .enc-count")[2].text.startswith("1/"))


def check_member_readonly():
    c = nodes["Carol"]
    b = open_browser("Carol").open(c.url)
    b.wait("the encounter", lambda: b.text("#enc-title") == "Tanks and Heals")
    assert b.q("#badge-role").text.startswith("Member"), b.q("#badge-role").text
    assert "Read-only" in b.text("#edit-hint")
    # Nothing to press, nothing to drag.
    assert not b.qa(".slot-btn") and not b.qa("[data-drag]") and not b.qa("[data-drop]")
    assert len(b.qa(".slot-view")) == 10
    assert len(b.qa("#roster-list .chip.static")) == 3
    before = c.get(TANKS + "assignedPlayers.3")
    from selenium.webdriver.common.action_chains import ActionChains
    ActionChains(b.d).click_and_hold(b.q("#roster-list .chip")).move_by_offset(10, 10) \
        .move_to_element(b.slot("1.3")).release().perform()
    b.slot("1.3").click()
    time.sleep(0.5)
    assert not b.q("#dlg-slot").is_displayed()
    assert c.get(TANKS + "assignedPlayers.3") == before
    b.shot("plan-member")


# ---- backups ----

def rows(b):
    return b.qa("#backup-list tr[data-id]")


def row_of(b, label, prefix=False):
    for r in rows(b):
        text = r.find_element("css selector", "td.label").text
        if text == label or (prefix and text.startswith(label)):
            return r
    return None


def backups_api(n):
    st, o = n.api("GET", "/api/backups")
    assert st == 200, (st, o)
    return o


def create_backup(b, label):
    b.click("#backup-create")
    b.wait("the create dialog", lambda: b.q("#dlg-backup").is_displayed())
    b.wait("the size estimate", lambda: b.text("#backup-size").endswith("KB"))
    b.q("#backup-label").send_keys(label)
    b.click("#backup-ok")
    b.wait("the new backup", lambda: row_of(b, label))
    return row_of(b, label)


def check_backups():
    bob = nodes["Bob"]
    b = open_browser("Bob").open(bob.url, "backups")
    b.wait("the list", lambda: b.text("#backup-current").endswith("KB"))
    # The create dialog shows the size of the data now.
    current = backups_api(bob)["currentSize"]
    r = create_backup(b, "Before BWL changes")
    b.shot("backup-created")
    note = b.text("#backup-notice .notice-text")
    assert note.startswith("Backup created successfully: Before BWL changes ("), note
    info = backups_api(bob)["backups"][0]
    assert info["label"] == "Before BWL changes" and info["pinned"] and info["manual"], info
    assert abs(info["size"] - current) < 4096, (info["size"], current)
    cells = {c.get_attribute("data-label"): norm(c.text) for c in
             r.find_elements("css selector", "td[data-label]")}
    assert cells["Time"] == "Jan 22, 2026 3:45 PM", cells
    assert cells["Size"] == "%d KB" % round(info["size"] / 1024), (cells, info["size"])
    assert cells["Reason"] == "Manual" and cells["Pinned"].endswith("Pinned"), cells
    # Pin and unpin.
    r.find_element("css selector", ".act-pin").click()
    b.wait("unpinned", lambda: row_of(b, "Before BWL changes").find_element(
        "css selector", "td.pinned").text == "No")
    assert backups_api(bob)["backups"][0]["pinned"] is False
    row_of(b, "Before BWL changes").find_element("css selector", ".act-pin").click()
    b.wait("pinned", lambda: row_of(b, "Before BWL changes").find_element(
        "css selector", "td.pinned").text.endswith("Pinned"))
    assert backups_api(bob)["backups"][0]["pinned"] is True
    # Two more, after changes, so that a restore has something to undo.
    assert bob.set(TANKS + "assignedPlayers.4", "Bobtank")[0] == 200
    create_backup(b, "Second")
    assert bob.set(TANKS + "assignedPlayers.4", "Othertank")[0] == 200
    create_backup(b, "Third")
    labels = [x.find_element("css selector", "td.label").text for x in rows(b)]
    assert labels[:3] == ["Third", "Second", "Before BWL changes"], labels  # newest first

    # Restore "Second", with the seed's confirmation.
    before = len(rows(b))
    row_of(b, "Second").find_element("css selector", ".act-restore").click()
    b.wait("the confirmation", lambda: b.q("#dlg-confirm").is_displayed())
    body = norm(b.text("#dlg-confirm-body"))
    assert "This will replace all current data. Continue?" in body, body
    assert "Jan 22, 2026 3:45 PM" in body and "Second" in body, body
    assert "Safety backup will be created first" in body, body
    b.shot("backup-restore-confirm")
    b.click("#dlg-confirm-ok")
    b.wait("the safety backup", lambda: len(rows(b)) == before + 1)
    newest = rows(b)[0]
    assert newest.find_element("css selector", "td.reason").text == "Before restore"
    wait_until("the restored file", lambda: bob.get(TANKS + "assignedPlayers.4") == "Bobtank")
    assert "Safety backup created first" in b.text("#backup-notice .notice-text")
    b.shot("backup-restored")

    # Delete: manual backups ask first (cancel keeps it), automatic ones go at once, and the
    # last three stay.
    row_of(b, "Third").find_element("css selector", ".act-delete").click()
    b.wait("the delete confirmation", lambda: b.q("#dlg-confirm").is_displayed())
    assert "manual backup" in b.text("#dlg-confirm-body")
    b.click("#dlg-confirm-cancel")
    assert row_of(b, "Third") is not None
    while len(backups_api(bob)["backups"]) > 3:
        n = len(rows(b))
        auto = [x for x in rows(b) if x.get_attribute("data-reason") != "manual"
                and x.get_attribute("data-pinned") == "0"]
        if auto:
            auto[0].find_element("css selector", ".act-delete").click()
            time.sleep(0.3)
            assert not b.q("#dlg-confirm").is_displayed(), "an automatic backup asked"
        else:
            rows(b)[0].find_element("css selector", ".act-delete").click()
            b.wait("the confirmation", lambda: b.q("#dlg-confirm").is_displayed())
            b.click("#dlg-confirm-ok")
        b.wait("one fewer", lambda: len(rows(b)) == n - 1)
    rows(b)[0].find_element("css selector", ".act-delete").click()
    b.wait("the refusal", lambda: b.text("#backup-notice .notice-text")
           == "Cannot delete - minimum 3 backups required")
    assert not b.q("#dlg-confirm").is_displayed() and len(rows(b)) == 3
    # The node says the same when asked directly.
    one = backups_api(bob)["backups"][0]["id"]
    st, o = bob.api("DELETE", "/api/backups/%d?confirm=1" % one)
    assert st == 409 and o["error"] == "Cannot delete - minimum 3 backups required", (st, o)
    b.shot("backup-minimum")


def check_export_import():
    bob, carol, alice = nodes["Bob"], nodes["Carol"], nodes["Alice"]
    b = open_browser("Bob")
    r = row_of(b, "Before BWL changes")
    r.find_element("css selector", ".act-export").click()
    b.wait("the export dialog", lambda: b.q("#dlg-export").is_displayed())
    text = b.q("#export-text").get_attribute("value")
    assert text.startswith("OGRHBK"), text[:30]
    b.click("#export-copy")
    b.wait("copied", lambda: b.text("#export-state"))
    state = b.text("#export-state")
    if state == "Copied to the clipboard.":
        pasted = b.js_async("navigator.clipboard.readText().then(arguments[0], "
                            "e => arguments[0]('ERR ' + e))")
        assert pasted == text, (pasted[:40], text[:40])
    else:  # a browser that keeps the clipboard to itself: the text is selected for Ctrl+C
        assert "select" in state, state
    print("dashboard: export to the clipboard: %s" % state)
    b.click("#export-download")
    path = b.wait("the download", lambda: [os.path.join(b.downloads, f)
                                           for f in os.listdir(b.downloads)
                                           if f.endswith(".txt")])[0]
    with open(path) as f:
        assert f.read().strip() == text
    b.shot("backup-export")
    b.click("#dlg-export button[value=close]")

    # Paste it on Carol's page.
    c = open_browser("Carol").open(carol.url, "backups")
    c.wait("the list", lambda: c.text("#backup-current").endswith("KB"))
    c.js("const t = document.querySelector('#import-text'); t.value = arguments[0];"
         "t.dispatchEvent(new Event('input'));", text)
    c.click("#import-btn")
    c.wait("the imported backup", lambda: row_of(c, "Before BWL changes", prefix=True))
    r = row_of(c, "Before BWL changes", prefix=True)
    assert r.find_element("css selector", "td.reason").text == "Imported"
    assert c.text("#backup-notice .notice-text").startswith("Backup imported:")
    c.shot("backup-imported")
    # And the saved file on Alice's page.
    a = open_browser("Alice").open(alice.url, "backups")
    a.wait("the list", lambda: a.text("#backup-current").endswith("KB"))
    a.q("#import-file").send_keys(path)
    a.click("#import-btn")
    a.wait("the imported backup", lambda: row_of(a, "Before BWL changes", prefix=True))
    # Something that is not a backup is refused with the node's reason.
    a.js("document.querySelector('#import-text').value = 'OGRHBK2 garbage'")
    a.click("#import-btn")
    a.wait("the refusal", lambda: (a.text("#backup-notice .notice-text") or "")
           .startswith("Cannot import:"))


# ---- Data Management on the admin's and a member's page ----

def check_data_management():
    """The admin's plan is the reference: its page says so. A member validates against it."""
    b = open_browser("Alice").open(nodes["Alice"].url, "data")
    b.wait("the admin's note", lambda: b.q("#admin-note").is_displayed())
    assert not b.q("#validate-btn").is_enabled()
    # What the others are compared with: the plan's digests by raid.
    a = nodes["Alice"]
    tree = a.api("GET", "/api/digests")[1]
    b.wait("the admin's digests", lambda: b.q("#own-digests").is_displayed())
    assert b.text("#own-digests-summary").startswith("Plan digest %s at revision " % tree["root"])
    first = b.qa("#own-digests-body tr")[0].find_elements("css selector", "td")
    assert [x.text for x in first] == ["Molten Core", str(len(tree["raids"][0]["encounters"])),
                                       tree["raids"][0]["digest"]], [x.text for x in first]
    b.shot("data-admin")
    assert not open_browser("Carol").open(nodes["Carol"].url, "data") \
        .q("#own-digests").is_displayed()
    c = nodes["Carol"]
    b = open_browser("Carol").open(c.url, "data")
    assert not b.q("#admin-note").is_displayed()
    # Before validating: what the node knows already.
    st = c.status()
    b.wait("the plan's state", lambda: (b.text("#data-state") or "").startswith(
        "This plan: revision %d, digest %s." % (st["revision"], st["digest"])))
    assert "raid admin's (Alice)" in b.text("#data-state"), b.text("#data-state")
    b.click("#validate-btn")
    b.wait("an answer", lambda: b.qa("#data-notice .notice") or b.q("#validation").is_displayed())
    # In step with the admin (test_dashboard_sync.py makes a difference and repairs it).
    b.wait("the result", lambda: b.q("#validation").is_displayed())
    assert "PASSED" in b.text("#validation-lines"), b.text("#validation-lines")
    assert not b.q("#repair").is_displayed() and not b.qa("#tree-body tr[data-raid]")
    b.shot("data")


# ---- channel ----

def check_channel():
    a = nodes["Alice"]
    b = open_browser("Alice").open(a.url, "channel")
    b.wait("the status", lambda: b.text('#channel-status dd[data-key="connected"]'))
    assert b.text('#channel-status dd[data-key="connected"]').startswith("Yes, to 127.0.0.1:")
    assert b.text('#channel-status dd[data-key="admin"]').startswith("Alice (epoch ")
    rev = a.status()["revision"]
    b.wait("the revision", lambda: b.text('#channel-status dd[data-key="revision"]') == str(rev))
    assert b.text('#channel-status dd[data-key="state"]') in ("In sync", "Unknown",
                                                               "Stale: differs from the admin")
    # The chart fills from the node's samples (one every 2 s) and the stream's "stats" events.
    b.wait("two samples", lambda: b.js("return document.querySelectorAll('#chart path.s-in')"
                                       ".length") == 1, timeout=8)
    n0 = b.js("return document.querySelector('#chart path.s-in').getAttribute('d')"
              ".split('L').length")
    b.wait("a sample from the stream", lambda: b.js(
        "return document.querySelector('#chart path.s-in').getAttribute('d')"
        ".split('L').length") > n0, timeout=6)
    assert "Bytes/s in" in b.text(".legend")
    log = b.texts("#event-log li", "data-event")
    assert "connected" in log and "started" in log, log
    assert not any("token=" + TOKEN in t for t in b.texts("#event-log li"))
    # A change's place in the log by name, as the plan names it, once (the node's "changed"
    # and the program's line with the path are one write).
    before = len(b.qa('#event-log li[data-event="changed"]'))
    assert a.set(TANKS + "assignedPlayers.4", "Logtank")[0] == 200
    want = "Alice changed Molten Core > Tanks and Heals > roles.1.assignedPlayers.4: Logtank"
    b.wait("the change in the log by name",
           lambda: b.text('#event-log li[data-event="changed"] .ev-msg') == want)
    b.frames()
    msgs = b.texts('#event-log li[data-event="changed"] .ev-msg')
    assert len(msgs) == before + 1, msgs[:3]
    assert a.set(TANKS + "assignedPlayers.4", delete=True)[0] == 200
    # The chart spans as far back as the node's samples go, in whole minutes.
    axis = b.texts("#chart text.axis")
    assert "now" in axis and ("−1 min" in axis or "−15 s" in axis), axis
    b.shot("channel")


# ---- layout and keyboard ----

def check_layout():
    """Every tab at 1366x768 and at phone size: nothing wider than the screen; screenshots."""
    for who in ("Alice", "Carol"):
        b = open_browser(who)
        for size in (browser.WIDE, browser.PHONE):
            b.viewport(*size)
            b.open(nodes[who].url, "plan")
            b.wait("the encounter", lambda: b.text("#enc-title") == "Tanks and Heals")
            for tab in ("plan", "data", "backups", "channel"):
                b.tab(tab)
                b.frames()
                over = b.overflow()
                assert over <= 0, "%s %s at %s: %d px wider than the screen" % (who, tab, size,
                                                                               over)
                b.shot("layout-" + tab)
            if who == "Alice" and size == browser.WIDE:
                # A system that asks for dark gets the dark theme.
                b.d.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": [
                    {"name": "prefers-color-scheme", "value": "dark"}]})
                b.tab("plan")
                bg = b.js("return getComputedStyle(document.body).backgroundColor")
                assert bg == "rgb(20, 23, 28)", bg
                b.shot("layout-plan-dark")
                b.d.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": []})
            if size == browser.PHONE:
                # The encounter picker of a narrow screen.
                b.tab("plan")
                assert b.q("#enc-select").is_displayed() and not b.q("#enc-list").is_displayed()
            if size == browser.PHONE and who == "Carol":
                # The seed's restore confirmation fits a phone.
                b.tab("backups")
                b.wait("a backup", lambda: b.qa("#backup-list .act-restore"))
                b.fresh(lambda: b.qa("#backup-list .act-restore")[0].click())
                b.wait("the confirmation", lambda: b.q("#dlg-confirm").is_displayed())
                b.frames()
                assert b.overflow() <= 0, b.overflow()
                r = b.js("const r = document.querySelector('#dlg-confirm')"
                         ".getBoundingClientRect(); return [r.left, r.right];")
                assert r[0] >= 0 and r[1] <= browser.PHONE[0], r
                b.shot("layout-restore-confirm")
                b.click("#dlg-confirm-cancel")
                b.wait("closed", lambda: not b.q("#dlg-confirm").is_displayed())
        b.viewport(*browser.WIDE)


def check_keyboard():
    from selenium.webdriver.common.keys import Keys
    b = open_browser("Alice").open(nodes["Alice"].url, "plan")
    b.q("#tab-plan").send_keys(Keys.ARROW_RIGHT)
    b.wait("Data Management by keyboard", lambda: b.q("#panel-data").is_displayed())
    assert b.js("return document.activeElement.id") == "tab-data"
    b.q("#tab-data").send_keys(Keys.ARROW_RIGHT)
    b.wait("Backups by keyboard", lambda: b.q("#panel-backups").is_displayed())
    # Tab from the tab list reaches the first control of the section.
    b.q("#tab-backups").send_keys(Keys.TAB)
    assert b.js("return document.activeElement.id") == "backup-create"
    b.q("#backup-create").send_keys(Keys.ENTER)
    b.wait("the dialog", lambda: b.q("#dlg-backup").is_displayed())
    b.q("#backup-label").send_keys(Keys.ESCAPE)
    b.wait("closed", lambda: not b.q("#dlg-backup").is_displayed())
    # Every control the page shows has a name a screen reader can say.
    unnamed = b.js("""return [...document.querySelectorAll('button, select, input, textarea')]
        .filter(e => e.offsetParent !== null && !(e.getAttribute('aria-label') ||
            (e.labels && e.labels.length) || e.textContent.trim()))
        .map(e => e.outerHTML.slice(0, 80));""")
    assert not unnamed, unnamed


def check_without_colour():
    """Nothing is told by colour alone: states are words and signs, the chart's lines differ by
    their dash pattern, severities by their marks. Screenshots in grey show it."""
    b = open_browser("Alice").open(nodes["Alice"].url, "channel")
    b.wait("the chart", lambda: b.qa("#chart path.s-in"))
    dashes = [b.js("return getComputedStyle(document.querySelector('#chart path.%s'))"
                   ".strokeDasharray" % c) for c in ("s-in", "s-out", "s-queue")]
    assert len(set(dashes)) == 3, dashes
    badges = [b.js("const e = document.querySelector(arguments[0]); return "
                   "getComputedStyle(e, '::before').content + ' ' + e.textContent", sel)
              for sel in ("#badge-conn", "#badge-sync")]
    assert all(x.startswith(('"✓ "', '"✗ "')) for x in badges), badges
    b.js("document.documentElement.style.filter = 'grayscale(1)'")
    b.shot("grey-channel")
    b.tab("plan")
    b.wait("the encounter", lambda: b.text("#enc-title") == "Tanks and Heals")
    b.shot("grey-plan")
    b.js("document.documentElement.style.filter = ''")


def check_ipv6():
    """A node serving on ::1 (the other loopback) serves the same page."""
    c = nodes["Carol"]
    c.stop()
    c.extra = ["--http", "[::1]:0"]
    c.start()
    assert c.url.startswith("http://[::1]:"), c.url
    b = open_browser("Carol").open(c.url, "plan")
    b.wait("the encounter", lambda: b.text("#enc-title") == "Tanks and Heals")
    assert b.q("#badge-role").text.startswith("Member")
    b.shot("ipv6")


def check_clean():
    """No script errors on any page (failed requests the tests provoked are not script errors)."""
    for who, b in team.browsers.items():
        bad = [e for e in b.errors() if "Failed to load resource" not in e]
        assert not bad, (who, bad)


def main():
    if not browser.available():
        print("dashboard: SKIP: chromium and chromium-driver are not installed (scripts/deps.sh)")
        return 1
    only = os.environ.get("DASHBOARD_ONLY")
    try:
        for title, fn in (("broker, roster and three nodes", team.start),
                          ("the token", check_token),
                          ("the samples and the digest tree", check_endpoints),
                          ("the plan renders", check_plan),
                          ("the admin edits by dragging", check_edit_by_drag),
                          ("the admin edits by picking (keyboard)", check_edit_by_pick),
                          ("changes made elsewhere flash on the open page", check_flash),
                          ("a member's page offers no edit", check_member_readonly),
                          ("backups: create, list, pin, restore, delete", check_backups),
                          ("backups: export, then import on other nodes", check_export_import),
                          ("data management", check_data_management),
                          ("channel", check_channel),
                          ("layout at 1366x768 and phone size", check_layout),
                          ("keyboard", check_keyboard),
                          ("readable without colour", check_without_colour),
                          ("the page on ::1", check_ipv6),
                          ("no script errors", check_clean)):
            # DASHBOARD_ONLY=word runs the checks whose title has it (while working on one).
            if only and only not in title and not title.startswith(("broker", "the token")):
                continue
            if not suite.check(title, fn) and title.startswith("broker"):
                break
    finally:
        team.close()
    print("dashboard: screenshots in %s" % SHOTS)
    return suite.finish()


if __name__ == "__main__":
    sys.exit(main())
