"""The dashboard across nodes, in real browsers: an edit made in the admin's page appears in a
member's page (and an officer's) within 2 s without reloading, and flashes there; an officer's
edit in his page reaches the others; a member's page offers no edit; validation on a drifted
node shows the exact differing component in the tree, with both digests; a component-level
repair fixes it and the page says so; a repair from an officer whose channel is throttled as
in the game (Bob runs `--profile ctl`) shows its progress: bytes and the time left.

usage: /usr/bin/python3 tests/live/test_dashboard_sync.py path/to/ogrh SOURCE_DIR"""

import os
import random
import re
import string
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Suite, wait_until  # noqa: E402
import browser  # noqa: E402
from browser import TANKS  # noqa: E402

LIMIT_S = 2.0  # an edit in one page shows in the others within this long

suite = Suite("dashboard-sync")
team = browser.Team("dashboard-sync", sys.argv, extra={"Bob": ["--profile", "ctl"]})
nodes = team.nodes
open_browser = team.browser


def in_step():
    """Every node knows Alice as admin and is at her revision and digest."""
    st = [n.status() for n in nodes.values()]
    return all(s.get("admin") == "Alice" and s["revision"] == st[0]["revision"]
               and s["digest"] == st[0]["digest"] for s in st)


def check_start():
    team.start()
    wait_until("the three nodes in step", in_step, timeout=20)
    # A leader that has just started (and so become admin) first catches up from an officer
    # online, waiting up to 8 s for one that stays silent, and holds its writes meanwhile: one
    # write through the API, seen everywhere, says the team is settled before the pages are
    # timed.
    t0 = time.monotonic()
    assert nodes["Alice"].set(TANKS + "assignedPlayers.5", "Warmup")[0] == 200
    for n in nodes.values():
        wait_until("the first write at " + n.user,
                   lambda: n.get(TANKS + "assignedPlayers.5") == "Warmup", timeout=20)
    print("dashboard-sync: the admin's first write reached everyone after %.2f s"
          % (time.monotonic() - t0))
    assert nodes["Alice"].set(TANKS + "assignedPlayers.5", delete=True)[0] == 200
    wait_until("the team in step again", in_step, timeout=20)


def open_pages():
    for who in team.USERS:
        b = open_browser(who).open(nodes[who].url)
        b.wait("the encounter", lambda: b.text("#enc-title") == "Tanks and Heals")
        b.js("window.__loadedOnce = true")


def check_admin_edit_reaches_member():
    from selenium.webdriver.common.action_chains import ActionChains
    a, c, bob = open_browser("Alice"), open_browser("Carol"), open_browser("Bob")
    chip = a.q('#roster-list .chip[data-player="Bob"]')
    ActionChains(a.d).click_and_hold(chip).move_by_offset(12, 6).move_to_element(a.slot("1.1")) \
        .move_by_offset(3, 2).release().perform()
    t0 = time.monotonic()
    c.wait("Bob in Carol's page", lambda: c.slot_player("1.1") == "Bob", timeout=LIMIT_S)
    took = time.monotonic() - t0
    assert "flash" in c.fresh(lambda: c.slot("1.1").get_attribute("class")), \
        "no flash where it landed"
    assert c.js("return window.__loadedOnce") is True, "Carol's page reloaded"
    c.shot("member-sees-edit")
    bob.wait("Bob in his own page", lambda: bob.slot_player("1.1") == "Bob", timeout=LIMIT_S)
    print("dashboard-sync: the admin's edit showed in the member's page after %.2f s" % took)
    wait_until("Carol's file", lambda: nodes["Carol"].get(TANKS + "assignedPlayers.1") == "Bob")


def check_officer_edit_reaches_all():
    from selenium.webdriver.support.ui import Select
    a, c, bob = open_browser("Alice"), open_browser("Carol"), open_browser("Bob")
    bob.slot_click("2.1")
    bob.wait("the slot dialog", lambda: bob.q("#dlg-slot").is_displayed())
    Select(bob.q("#slot-player")).select_by_visible_text("Carol")
    Select(bob.q("#slot-mark")).select_by_visible_text("Moon")
    bob.click("#slot-save")
    t0 = time.monotonic()
    for page in (a, c):
        page.wait("Carol healing on every page", lambda: page.slot_player("2.1") == "Carol",
                  timeout=LIMIT_S + 1.0)
    print("dashboard-sync: the officer's edit showed everywhere after %.2f s"
          % (time.monotonic() - t0))
    assert c.slot_mark("2.1") == "Moon", c.slot_mark("2.1")
    a.shot("officer-edit")


def check_member_no_edit():
    c = open_browser("Carol")
    assert not c.qa(".slot-btn") and not c.qa("[data-drag]") and not c.qa("[data-drop]")
    assert "Read-only" in c.text("#edit-hint")


def drift():
    """Carol restores a backup taken before the admin's last change: her plan now differs from
    the admin's in one component (restores are local on a member)."""
    carol, alice = nodes["Carol"], nodes["Alice"]
    st, b = carol.api("POST", "/api/backups", {"label": "before drift"})
    assert st == 201, (st, b)
    assert alice.set(TANKS + "assignedPlayers.2", "Drifttank")[0] == 200
    wait_until("the change at Carol",
               lambda: carol.get(TANKS + "assignedPlayers.2") == "Drifttank", timeout=5)
    st, r = carol.api("POST", "/api/backups/%d/restore" % b["id"])
    assert st == 200, (st, r)
    wait_until("Carol drifted", lambda: carol.get(TANKS + "assignedPlayers.2") is None)


def validate_drifted(c, make_drift):
    """make_drift(attempt), then Validate Structure in page c until it finds the difference.
    The admin polls every 30 s and a drifted node repairs itself then: if that happens between
    the drift and the click, drift again (at most three times) rather than pass on luck."""
    for attempt in range(3):
        make_drift(attempt)
        c.click("#validate-btn")
        c.wait("the result", lambda: c.q("#validation").is_displayed()
               or c.qa("#data-notice .notice-error"), timeout=20)
        assert c.q("#validation").is_displayed(), c.text("#data-notice")
        if "PASSED" not in c.text("#validation-lines"):
            return attempt
        print("dashboard-sync: the automatic repair came first; drifting again")
    raise AssertionError("the automatic repair came first three times")


def check_validate_and_repair():
    carol = nodes["Carol"]
    c = open_browser("Carol").open(carol.url, "data")
    validate_drifted(c, lambda attempt: drift())
    lines = c.text("#validation-lines")
    assert lines == "Structure mismatch detected: Molten Core > Tanks and Heals > " \
                    "playerAssignments\nStructure validation: FAILED (1 difference)", lines
    rows = c.qa("#tree-body tr[data-raid]")
    where = [(r.get_attribute("data-raid"), r.get_attribute("data-encounter"),
              r.get_attribute("data-component")) for r in rows]
    assert where == [("Molten Core", "", ""), ("Molten Core", "Tanks and Heals", ""),
                     ("Molten Core", "Tanks and Heals", "playerAssignments")], where
    comp = rows[2]
    cells = comp.find_elements("css selector", "td")
    assert cells[1].text.endswith("Minor"), cells[1].text
    local = cells[2].text
    st, tree = carol.api("GET", "/api/digests")
    want = tree["raids"][0]["encounters"][0]["components"]["playerAssignments"]
    assert local == want, (local, want)
    admin_tree = nodes["Alice"].api("GET", "/api/digests")[1]
    admin_digest = admin_tree["raids"][0]["encounters"][0]["components"]["playerAssignments"]
    assert admin_digest != local
    # The admin's digest stands beside ours.
    assert cells[3].text == admin_digest, (cells[3].text, admin_digest)
    assert c.q("#repair").is_displayed()
    c.shot("validate-drifted")
    # The same at phone size: the tree fits, nothing wider than the screen.
    c.viewport(*browser.PHONE)
    c.frames()
    assert c.overflow() <= 0, c.overflow()
    c.shot("validate-drifted")
    c.viewport(*browser.WIDE)
    # Repair just that component from the admin.
    comp.find_element("css selector", "input[type=radio]").click()
    assert c.q("#repair-level").get_attribute("value") == "component"
    assert c.text("#repair-unit") == "Molten Core > Tanks and Heals > playerAssignments"
    assert c.q("#repair-source").get_attribute("value") == ""  # the admin
    # A source the node refuses (Carol herself, a member: the page never offers her, as if the
    # roster had changed meanwhile): the notice gives the node's reason, nothing runs.
    # (In one go: the page refills the sources at every status update.)
    c.js("const s = document.querySelector('#repair-source'); s.add(new Option('Carol', 'Carol'));"
         " s.value = 'Carol'; document.querySelector('#repair-btn').click();")
    c.wait("the refusal", lambda: "Repair failed: Carol is not an officer" in
           (c.text("#data-notice .notice-error") or ""))
    assert not c.q("#repair-progress").is_displayed()
    assert c.q("#repair-btn").is_enabled()
    c.js("const s = document.querySelector('#repair-source'); s.remove(s.options.length - 1);"
         " s.value = '';")
    c.click("#repair-btn")
    c.wait("the progress bar", lambda: c.q("#repair-progress").is_displayed(), timeout=5)
    c.wait("success", lambda: "Repair completed successfully" in (c.text("#data-notice") or ""),
           timeout=30)
    wait_until("Carol repaired", lambda: carol.get(TANKS + "assignedPlayers.2") == "Drifttank")
    c.wait("validation passes again", lambda: "PASSED" in (c.text("#validation-lines") or ""),
           timeout=20)
    # The notice says what the repair carried: "Repair completed successfully (1 unit, 412 B
    # in 0.3 s). Structure validation: PASSED"
    text = c.text("#data-notice .notice-text")
    assert re.match(r"Repair completed successfully \(\d+ units?, \d+ (B|KB) in [\d.]+ s\)\. "
                    r"Structure validation: PASSED$", text), text
    c.shot("repaired")


# Garr's first announcement (Molten Core's third encounter).
GARR_ANN = "encounterMgmt.raids.1.encounters.3.announcements.1"


def long_note():
    """About 9 KB of text that compresses badly: more than the game's channel sends at once
    (a burst of 4000 bytes, then 800 B/s), so the repair takes seconds."""
    rng = random.Random(13)
    words = ["".join(rng.choice(string.ascii_letters) for _ in range(rng.randint(3, 9)))
             for _ in range(1400)]
    return " ".join(words)[:9000]


def check_repair_progress():
    """A long announcement the admin wrote is missing at Carol; she repairs it from Bob, an
    officer on the game's throttle: the page shows the bytes and the time left as they come."""
    carol, alice, bob = nodes["Carol"], nodes["Alice"], nodes["Bob"]
    note = long_note()
    c = open_browser("Carol").open(carol.url, "data")

    def without_the_note(attempt):
        st, b = carol.api("POST", "/api/backups", {"label": "before the long note"})
        assert st == 201, (st, b)
        assert alice.set(GARR_ANN, note + str(attempt))[0] == 200
        for n in (carol, bob):
            wait_until("the note at " + n.user, lambda: n.get(GARR_ANN) == note + str(attempt),
                       timeout=30)
        assert carol.api("POST", "/api/backups/%d/restore" % b["id"])[0] == 200
        wait_until("Carol without it", lambda: carol.get(GARR_ANN) != note + str(attempt))

    attempt = validate_drifted(c, without_the_note)
    row = c.q('#tree-body tr[data-component="announcements"]')
    assert row.get_attribute("data-encounter") == "Garr", row.get_attribute("data-encounter")
    row.find_element("css selector", "input[type=radio]").click()
    from selenium.webdriver.support.ui import Select
    assert c.text("#repair-unit") == "Molten Core > Garr > announcements"
    Select(c.q("#repair-source")).select_by_value("Bob")
    c.click("#repair-btn")
    # "Receiving · 0 B of 7 KB · 0 of 1 units · about 9 s left"
    progress = re.compile(r"Receiving · [\d.]+ (B|KB) of [\d.]+ KB · .*about \d+ s left")
    c.wait("the bytes and the time left",
           lambda: progress.search(c.text("#repair-progress-text") or ""), timeout=20)
    bar = c.q("#repair-bar")
    assert int(bar.get_attribute("max")) > 4000, bar.get_attribute("max")
    # Where the player clicked: the bar is on the screen.
    top, bottom = c.js("const r = document.querySelector('#repair-progress')"
                       ".getBoundingClientRect(); return [r.top, r.bottom];")
    assert 0 <= top and bottom <= c.size[1], (top, bottom)
    c.shot("repair-progress")
    c.wait("success", lambda: "Repair completed successfully" in (c.text("#data-notice") or ""),
           timeout=60)
    wait_until("Carol repaired", lambda: carol.get(GARR_ANN) == note + str(attempt))
    c.wait("validation passes again", lambda: "PASSED" in (c.text("#validation-lines") or ""),
           timeout=20)
    c.shot("repaired-from-officer")


def main():
    if not browser.available():
        print("dashboard-sync: SKIP: chromium and chromium-driver are not installed")
        return 1
    try:
        if not suite.check("broker, roster and three nodes in step", check_start):
            return suite.finish()
        suite.check("the pages open", open_pages)
        for title, fn in (("an admin's edit appears in a member's page within 2 s",
                           check_admin_edit_reaches_member),
                          ("an officer's edit appears in every page", check_officer_edit_reaches_all),
                          ("a member's page offers no edit", check_member_no_edit),
                          ("validate a drifted node, repair the component",
                           check_validate_and_repair),
                          ("a repair from a throttled officer shows its progress",
                           check_repair_progress)):
            suite.check(title, fn)
    finally:
        team.close()
    return suite.finish()


if __name__ == "__main__":
    sys.exit(main())
