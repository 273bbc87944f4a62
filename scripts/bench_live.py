"""The live system at scale (make bench; docs/BENCHMARKS.md "The live system at scale").

Part 1: one mosquitto on loopback and one team of SIZE full `ogrh node` processes (each with its
own file and folder); the leader edits one assignment through its HTTP API every second; every
other node's log (--json) says when the change reached its plan. Part 2: the same broker setup
with TEAMS teams of SIZE players run by `ogrh-load` (the library's sync node on its own MQTT
connection per player, many players per process: 2,000 `ogrh node` processes would each load
the plan, a file watcher and an HTTP server); each team's leader edits every 2 s.

Reported: edit-to-visible latency (edit made -> applied in the other players' plans) p50, p99,
max; CPU of the broker and of the nodes over the editing window; their memory.

usage: /usr/bin/python3 scripts/bench_live.py BUILD_DIR [--part 1|2] [--teams 50] [--size 40]
                                              [--procs 5]"""

import calendar
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

BUILD = os.path.abspath(sys.argv[1])
SRC = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OGRH = os.path.join(BUILD, "ogrh")
LOAD = os.path.join(BUILD, "ogrh-load")
DEFAULTS = os.path.join(SRC, "data", "factory-defaults.lua")
SLOT = "encounterMgmt.raids.2.encounters.1.roles.2.assignedPlayers.1"
PASSWORD = "bench-password-1"
TICK = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")


def opt(name, default):
    a = sys.argv
    return type(default)(a[a.index(name) + 1]) if name in a else default


def say(*a):
    print(*a, flush=True)


def machine():
    return "(load average before: %.1f; %d cores)" % (os.getloadavg()[0], os.cpu_count())


def cpu_seconds(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def memory_kb(pid):
    out = {}
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            k, _, v = line.partition(":")
            if k in ("VmRSS", "VmHWM", "RssAnon"):
                out[k] = int(v.split()[0])
    return out


def pct(values, q):
    if not values:
        return float("nan")
    v = sorted(values)
    return v[min(len(v) - 1, int(q * (len(v) - 1) + 0.5))]


def wait_until(what, fn, timeout):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            if fn():
                return
        except (OSError, ValueError):
            pass
        time.sleep(0.2)
    raise SystemExit("bench_live: timed out waiting for %s" % what)


class Broker:
    def __init__(self, root, users, teams):
        self.dir = os.path.join(root, "broker")
        os.makedirs(self.dir)
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        pw = os.path.join(self.dir, "passwords")
        with open(pw, "w") as f:
            f.writelines("%s:%s\n" % (u, PASSWORD) for u in users)
        subprocess.run(["mosquitto_passwd", "-U", pw], check=True)
        acl = os.path.join(self.dir, "acl")
        with open(acl, "w") as f:
            f.write(subprocess.run([OGRH, "roster", "--acl"] + ["%s:%s" % t for t in teams],
                                   check=True, capture_output=True, text=True).stdout)
        conf = os.path.join(self.dir, "mosquitto.conf")
        with open(conf, "w") as f:
            f.write("listener %d 127.0.0.1\nallow_anonymous false\npassword_file %s\nacl_file %s\n"
                    "persistence false\nlog_dest none\nmax_queued_messages 10000\n"
                    % (self.port, pw, acl))
            if os.geteuid() == 0:
                f.write("user root\n")
        self.proc = subprocess.Popen(["mosquitto", "-c", conf], stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)

        def listening():
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                return True
        wait_until("the broker", listening, 10)
        self.address = "127.0.0.1:%d" % self.port

    def stop(self):
        self.proc.terminate()
        self.proc.wait(10)


def part1(size):
    say("== one team of %d `ogrh node` processes on one broker %s" % (size, machine()))
    root = tempfile.mkdtemp(prefix="ogrh-bench-live-")
    users = ["Lead"] + ["P%02d" % i for i in range(2, size + 1)]
    broker = Broker(root, users, [("Team", "Lead")])
    pwfile = os.path.join(root, "pw")
    with open(pwfile, "w") as f:
        f.write(PASSWORD + "\n")
    r = subprocess.run([OGRH, "roster", "--broker", broker.address, "--raid", "Team", "--user",
                        "Lead", "--password-file", pwfile] + users[1:], capture_output=True,
                       text=True)
    assert r.returncode == 0, r
    procs, files = {}, {}
    for u in users:
        d = os.path.join(root, u)
        os.makedirs(d)
        files[u] = os.path.join(d, "OG-RaidHelper.lua")
        shutil.copy(DEFAULTS, files[u])
        args = [OGRH, "node", "--file", files[u], "--broker", broker.address, "--raid", "Team",
                "--user", u, "--password-file", pwfile, "--json"]
        if u == "Lead":
            args += ["--http", "127.0.0.1:0", "--token", "bench-token-0001"]
        procs[u] = subprocess.Popen(args, stdout=subprocess.DEVNULL,
                                    stderr=open(os.path.join(d, "log.json"), "w"))

    def status(u):
        with open(files[u] + ".node/status.json") as f:
            return json.load(f)
    wait_until("every node connected, with its rank", lambda: all(
        status(u).get("connected") and status(u).get("rank") for u in users), 120)
    url = status("Lead")["http"].split("/?token=")[0]
    time.sleep(5)  # warm-up: the admin's first polls
    edits, every = 30, 1.0
    cpu0 = {u: cpu_seconds(p.pid) for u, p in procs.items()}
    b0, t0 = cpu_seconds(broker.proc.pid), time.monotonic()
    times = []
    for k in range(edits):
        at = t0 + k * every
        time.sleep(max(0, at - time.monotonic()))
        body = json.dumps({"path": SLOT, "value": "Edit%d" % k}).encode()
        req = urllib.request.Request(url + "/api/set", data=body, method="POST",
                                     headers={"Authorization": "Bearer bench-token-0001"})
        times.append(time.time())
        with urllib.request.urlopen(req, timeout=10) as resp:
            assert resp.status == 200
    time.sleep(3)
    window = time.monotonic() - t0
    bcpu = cpu_seconds(broker.proc.pid) - b0
    ncpu = {u: cpu_seconds(p.pid) - cpu0[u] for u, p in procs.items()}
    mem = {u: memory_kb(p.pid) for u, p in procs.items()}
    bmem = memory_kb(broker.proc.pid)
    for p in procs.values():
        p.send_signal(signal.SIGTERM)
    for p in procs.values():
        p.wait(30)
    broker.stop()
    lat, missing = [], 0
    for u in users[1:]:
        seen = []
        with open(os.path.join(root, u, "log.json")) as f:
            for line in f:
                if '"changed"' not in line:
                    continue
                e = json.loads(line)
                if e.get("event") == "changed" and "playerAssignments" in e.get("msg", ""):
                    t = calendar.timegm(time.strptime(e["time"][:19], "%Y-%m-%dT%H:%M:%S"))
                    seen.append(t + int(e["time"][20:23]) / 1000)
        # Each edit's first change at or after it, before the next edit.
        for k, t in enumerate(times):
            nxt = times[k + 1] if k + 1 < len(times) else float("inf")
            hits = [s for s in seen if t - 0.0005 <= s < nxt]
            if hits:
                lat.append((hits[0] - t) * 1000)
            else:
                missing += 1
    shutil.rmtree(root, ignore_errors=True)
    report("%d nodes, 1 team" % size, lat, missing, edits * (size - 1), window, bcpu, bmem,
           sum(ncpu.values()), size, [m.get("VmRSS", 0) for m in mem.values()],
           [m.get("RssAnon", 0) for m in mem.values()], max(ncpu.values()))


def report(what, lat, missing, expected, window, bcpu, bmem, ncpu_total, nclients, rss, anon,
           ncpu_max=None):
    say("%s: %d of %d edits seen (%d missing)" % (what, len(lat), expected, missing))
    say("  edit-to-visible latency: p50 %.0f ms, p99 %.0f ms, max %.0f ms"
        % (pct(lat, 0.5), pct(lat, 0.99), max(lat) if lat else float("nan")))
    say("  broker: %.2f%% of one core over %.0f s, %.1f MB resident (peak %.1f MB)"
        % (100 * bcpu / window, window, bmem["VmRSS"] / 1024, bmem["VmHWM"] / 1024))
    line = "  nodes: %.1f%% of one core in all (%.4f%% per player" % (
        100 * ncpu_total / window, 100 * ncpu_total / window / nclients)
    if ncpu_max is not None:
        line += ", the busiest %.1f%%" % (100 * ncpu_max / window)
    say(line + ")")
    say("  node memory: %.0f MB resident in all, %.2f MB per player (%.2f MB of it private)"
        % (sum(rss) / 1024, sum(rss) / nclients / 1024, sum(anon) / nclients / 1024))


def part2(teams, size, procs):
    n = teams * size
    say("== %d teams of %d players (%d clients) in %d ogrh-load processes on one broker %s"
        % (teams, size, n, procs, machine()))
    root = tempfile.mkdtemp(prefix="ogrh-bench-scale-")
    names = ["t%03d" % t for t in range(teams)]
    users = ["%sp%02d" % (t, i) for t in names for i in range(1, size + 1)]
    broker = Broker(root, users, [(t, t + "p01") for t in names])
    per = (teams + procs - 1) // procs
    edits, every = 20, 2000
    start_at = int(time.time() * 1000) + 15000 + n * 10
    loads = []
    for i in range(procs):
        first, count = i * per, min(per, teams - i * per)
        if count <= 0:
            break
        args = [LOAD, "--broker", broker.address, "--password", PASSWORD, "--prefix", "t",
                "--first", str(first), "--teams", str(count), "--size", str(size), "--edits",
                str(edits), "--every", str(every), "--warmup", "3000", "--drain", "8000",
                "--start-at", str(start_at), "--out", os.path.join(root, "lat%d" % i), "--hold",
                "1"]
        loads.append(subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                      text=True))
    say("  started; every process edits from the same moment, %.0f s from now"
        % ((start_at / 1000) - time.time()))
    results, phases = [], {}
    # The editing window: CPU is sampled when the edits start and when they end.
    wait_s = start_at / 1000 - time.time()
    if wait_s > 0:
        time.sleep(wait_s)
    b0, t0 = cpu_seconds(broker.proc.pid), time.monotonic()
    l0 = [cpu_seconds(p.pid) for p in loads]
    time.sleep(edits * every / 1000)
    window = time.monotonic() - t0
    bcpu = cpu_seconds(broker.proc.pid) - b0
    lcpu = sum(cpu_seconds(p.pid) - c for p, c in zip(loads, l0))
    for p in loads:
        for line in p.stdout:
            o = json.loads(line)
            if "phase" in o:
                phases.setdefault(o["phase"], []).append(o["wall"])
                continue
            results.append(o)
            break
    mem = [memory_kb(p.pid) for p in loads]
    bmem = memory_kb(broker.proc.pid)
    for p in loads:
        p.stdin.close()
        p.wait(60)
    broker.stop()
    lat = []
    for i in range(len(loads)):
        with open(os.path.join(root, "lat%d" % i)) as f:
            lat += [float(x) for x in f]
    shutil.rmtree(root, ignore_errors=True)
    late = (max(phases.get("edits", [start_at])) - start_at) / 1000
    say("  connected: %d of %d; build %.1f s, connect %.1f s (slowest process); edits began "
        "%.1f s after the agreed moment in the latest process"
        % (sum(r["connected"] for r in results), n, max(r["build_ms"] for r in results) / 1000,
           max(r["connect_ms"] for r in results) / 1000, late))
    expected = sum(r["expected"] for r in results)
    report("%d clients, %d teams" % (n, teams), lat, expected - len(lat), expected, window, bcpu,
           bmem, lcpu, n, [m["VmRSS"] for m in mem], [m["RssAnon"] for m in mem])


part = opt("--part", 0)
size = opt("--size", 40)
if part in (0, 1):
    part1(size)
if part in (0, 2):
    part2(opt("--teams", 50), size, opt("--procs", 5))
