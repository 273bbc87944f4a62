"""A headless Chromium for the dashboard's tests (tests/live/test_dashboard*.py), driven by
Selenium: Debian's chromium, chromium-driver and python3-selenium, run with /usr/bin/python3.

The browser reaches nothing but loopback: every host name resolves to nothing except 127.0.0.1
and ::1, and the features that phone home are off. The viewport is set exactly (1366x768, or a
phone's 390x844), the time zone is UTC and the locale en-US, so that what the page shows can be
compared with what the test computes. Screenshots go to build/screenshots/."""

import os
import shutil
import subprocess
import tempfile
import time

from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By

from harness import TOKEN, Broker, Node, wait_until, workdir

CHROMIUM = "/usr/bin/chromium"
DRIVER = "/usr/bin/chromedriver"
WIDE = (1366, 768)
PHONE = (390, 844)

FLAGS = [
    "--headless=new", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
    "--no-default-browser-check", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--disable-default-apps", "--disable-extensions", "--metrics-recording-only",
    "--disable-features=Translate,OptimizationHints,MediaRouter,AutofillServerCommunication",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE ::1",
    "--lang=en-US", "--window-size=1366,900",
]


# The plan's first encounter (Molten Core > Tanks and Heals): its two roles.
TANKS = "encounterMgmt.raids.1.encounters.1.roles.1."
HEALERS = "encounterMgmt.raids.1.encounters.1.roles.2."


def available():
    return os.path.exists(CHROMIUM) and os.path.exists(DRIVER)


class Session:
    """One headless Chromium for a whole test file: each player's page is a window of it
    (starting a browser costs seconds; a window, a few milliseconds)."""

    def __init__(self):
        self.downloads = tempfile.mkdtemp(prefix="ogrh-downloads-")
        self.profile = tempfile.mkdtemp(prefix="ogrh-chromium-")
        opts = webdriver.ChromeOptions()
        opts.binary_location = CHROMIUM
        for f in FLAGS + ["--user-data-dir=" + self.profile]:
            opts.add_argument(f)
        if os.geteuid() == 0:
            opts.add_argument("--no-sandbox")
        opts.add_experimental_option("prefs", {
            "download.default_directory": self.downloads, "download.prompt_for_download": False})
        opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        self.driver = webdriver.Chrome(service=Service(DRIVER), options=opts)
        self.driver.set_script_timeout(20)
        self.first = self.driver.current_window_handle  # the first window is the first page's
        self.current = None  # the Browser whose window the driver is in
        self.errors = []  # the pages' error messages, read from the driver's log

    def window(self):
        if self.first:
            handle, self.first = self.first, None
            return handle
        self.driver.switch_to.new_window("window")
        return self.driver.current_window_handle

    def read_log(self):
        try:
            self.errors += [e["message"] for e in self.driver.get_log("browser")
                            if e["level"] == "SEVERE"]
        except WebDriverException:
            pass
        return self.errors

    def close(self):
        try:
            self.driver.quit()
        finally:
            shutil.rmtree(self.profile, ignore_errors=True)
            shutil.rmtree(self.downloads, ignore_errors=True)


class Browser:
    """One player's page: a window of the session. name prefixes its screenshots. Every use of
    self.d first brings the driver to this window."""

    def __init__(self, name, shots_dir, token, session, size=WIDE):
        self.name, self.shots, self.token = name, shots_dir, token
        os.makedirs(shots_dir, exist_ok=True)
        self.session = session
        self.downloads = session.downloads
        self.handle = session.window()
        session.current = None
        self.url = None
        self.size = None
        self.viewport(*size)

    @property
    def d(self):
        s = self.session
        if s.current is not self:
            s.driver.switch_to.window(self.handle)
            s.current = self
        return s.driver

    def viewport(self, w, h):
        """An exact layout viewport (and a phone's, below 500 px: touch and mobile layout)."""
        self.size = (w, h)
        self.d.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
            "width": w, "height": h, "deviceScaleFactor": 1, "mobile": w < 500})
        self.d.execute_cdp_cmd("Emulation.setTimezoneOverride", {"timezoneId": "UTC"})
        self.d.execute_cdp_cmd("Emulation.setLocaleOverride", {"locale": "en-US"})

    def open(self, base, frag="plan", with_token=True, wait_ready=True):
        """Opens a node's dashboard (base: its http://127.0.0.1:PORT) as the link of its start
        line does (with_token=False: without the token)."""
        self.url = base
        self.d.execute_cdp_cmd("Browser.setDownloadBehavior",
                               {"behavior": "allow", "downloadPath": self.downloads})
        for perm in (["clipboardReadWrite", "clipboardSanitizedWrite"],):
            try:
                self.d.execute_cdp_cmd("Browser.grantPermissions",
                                       {"origin": base, "permissions": perm})
            except WebDriverException:
                pass
        self.d.get(base + "/" + ("?token=" + self.token if with_token else "") + "#" + frag)
        if wait_ready:
            self.wait("the page to start", lambda: self.js("return document.body.dataset.ready"))
        return self

    def js(self, script, *args):
        return self.d.execute_script(script, *args)

    def js_async(self, script, *args):
        return self.d.execute_async_script(script, *args)

    def wait(self, what, fn, timeout=10.0, step=0.05):
        end = time.monotonic() + timeout
        last = None
        while time.monotonic() < end:
            try:
                last = fn()
            except WebDriverException as e:
                last = e
            if last and not isinstance(last, Exception):
                return last
            time.sleep(step)
        self.shot("FAILED-" + what.replace(" ", "-")[:40])
        raise AssertionError("%s: timed out waiting for %s (last: %r)" % (self.name, what, last))

    def frames(self):
        """Returns once the page has drawn two more frames (what a click changed is laid out)."""
        self.js_async("const done = arguments[0]; "
                      "requestAnimationFrame(() => requestAnimationFrame(() => done(1)));")

    def q(self, css):
        return self.d.find_element(By.CSS_SELECTOR, css)

    def qa(self, css):
        return self.d.find_elements(By.CSS_SELECTOR, css)

    @staticmethod
    def fresh(fn):
        """fn(), again when the page drew what it found anew before it was used (the events of
        other players' changes redraw the plan at any time)."""
        for attempt in range(5):
            try:
                return fn()
            except StaleElementReferenceException:
                if attempt == 4:
                    raise
        return None

    def text(self, css):
        """The text of the first element css matches (None: none)."""
        def read():
            els = self.qa(css)
            return els[0].text if els else None
        return self.fresh(read)

    def click(self, css):
        self.fresh(lambda: self.q(css).click())

    def tab(self, name):
        self.click("#tab-" + name)
        self.wait("tab " + name, lambda: self.q("#panel-" + name).is_displayed())

    def shot(self, what):
        """Saves what the page shows now as build/screenshots/<name>-<what>-<width>.png."""
        path = os.path.join(self.shots, "%s-%s-%d.png" % (self.name, what, self.size[0]))
        self.d.save_screenshot(path)
        return path

    def errors(self):
        """Messages the pages logged as errors (failed requests the test provoked included); the
        driver's log holds every window's."""
        return self.session.read_log()

    # ---- the dashboard's own elements ----

    def slot(self, key):
        """The plan's slot "ROLE.SLOT" of the encounter shown."""
        return self.q('.slot[data-key="%s"]' % key)

    def texts(self, css, attr=None):
        """The text (or attribute attr) of every element css matches, read in one go."""
        return self.fresh(lambda: [e.get_attribute(attr) if attr else e.text
                                   for e in self.qa(css)])

    def slot_player(self, key):
        return self.text('.slot[data-key="%s"] .player' % key)

    def slot_click(self, key):
        """Presses the button of the plan's slot "ROLE.SLOT"."""
        self.fresh(lambda: self.slot(key).find_element(By.CSS_SELECTOR, "button").click())

    def slot_mark(self, key):
        """The name of the raid mark the slot shows."""
        return self.fresh(lambda: self.slot(key).find_element(By.CSS_SELECTOR, "svg.mark")
                          .get_attribute("aria-label"))

    def overflow(self):
        """How far the page is wider than the viewport (0: no sideways scrolling)."""
        return self.js("return document.documentElement.scrollWidth - "
                       "document.documentElement.clientWidth")

    def close(self):
        pass  # the session closes every window


class Team:
    """The dashboards' test team: a broker of its own, the roster (Alice leader, Bob assistant,
    Carol member) published by Alice, their nodes on the factory defaults, and one browser per
    player, opened on demand. argv is the test's (ogrh, SOURCE_DIR); env: extra environment per
    player; extra: extra arguments of a player's `ogrh node`. close() stops everything it
    started."""

    USERS = ("Alice", "Bob", "Carol")
    RANKS = (("Alice", "leader"), ("Bob", "assistant"), ("Carol", "member"))

    def __init__(self, name, argv, env=None, extra=None):
        self.name = name
        self.ogrh, self.src = os.path.abspath(argv[1]), os.path.abspath(argv[2])
        # Screenshots of the sanitizer build's run get names of their own.
        self.flavour = os.path.basename(os.path.dirname(self.ogrh))
        self.shots = os.path.join(self.src, "build", "screenshots")
        self.root = workdir(name)
        passwords = {u: "pw-" + u.lower() + "-7" for u in self.USERS}
        self.broker = Broker(self.ogrh, self.root, passwords, {"Onyxia": "Alice"})
        self.env = env or {}
        self.extra = extra or {}
        self.nodes, self.browsers = {}, {}
        self.session = None

    def start(self):
        self.broker.start()
        r = subprocess.run([self.ogrh, "roster", "--broker", self.broker.address, "--raid",
                            "Onyxia", "--user", "Alice", "--password-file",
                            os.path.join(self.root, "Alice.pw"), "Bob:assistant", "Carol"],
                           capture_output=True, text=True, timeout=30)
        assert r.returncode == 0, r
        defaults = os.path.join(self.src, "data", "factory-defaults.lua")
        for user in self.USERS:
            self.nodes[user] = Node(self.ogrh, self.root, user, "Onyxia", self.broker, defaults,
                                    extra=self.extra.get(user, ()),
                                    env=self.env.get(user)).start()
        for user, rank in self.RANKS:
            wait_until("%s's rank" % user,
                       lambda: self.nodes[user].status().get("rank") == rank)

    def browser(self, who, size=WIDE):
        if who not in self.browsers:
            tag = "%s-%s" % (self.name, who.lower())
            if self.flavour != "build":
                tag = self.flavour + "-" + tag
            if not self.session:
                self.session = Session()
            self.browsers[who] = Browser(tag, self.shots, TOKEN, self.session, size)
        return self.browsers[who]

    def close(self):
        if self.session:
            self.session.close()
        for n in self.nodes.values():
            n.stop()
        self.broker.stop()
