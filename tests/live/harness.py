"""Helpers for the live tests: a mosquitto broker of our own on a free loopback port with a
generated password file and ACL, `ogrh node` processes, their HTTP API, and a minimal raw MQTT
client (to act as a misbehaving member). Standard library only; run with /usr/bin/python3.

Nothing here talks to anything but 127.0.0.1, and every process started is stopped by close()."""

import json
import os
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

TOKEN = "live-test-token-0123"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(what, fn, timeout=10.0, step=0.05):
    """Polls fn until it returns a true value; fails with `what` after timeout seconds."""
    end = time.monotonic() + timeout
    last = None
    while time.monotonic() < end:
        try:
            last = fn()
        except Exception as e:  # a node may be restarting
            last = e
        if last and not isinstance(last, Exception):
            return last
        time.sleep(step)
    raise AssertionError("timed out waiting for %s (last: %r)" % (what, last))


class Broker:
    """mosquitto on 127.0.0.1:<free port>, accounts from `users`, the ACL from `ogrh roster --acl`."""

    def __init__(self, ogrh, root, users, teams):
        self.ogrh, self.dir = ogrh, os.path.join(root, "broker")
        os.makedirs(self.dir, exist_ok=True)
        self.port = free_port()
        self.pwfile = os.path.join(self.dir, "passwords")
        for i, (user, pw) in enumerate(users.items()):
            args = ["mosquitto_passwd", "-b"] + (["-c"] if i == 0 else []) + [self.pwfile, user, pw]
            subprocess.run(args, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            with open(os.path.join(root, user + ".pw"), "w") as f:
                f.write(pw + "\n")
        self.acl = os.path.join(self.dir, "acl")
        acl = subprocess.run([ogrh, "roster", "--acl"] + ["%s:%s" % t for t in teams.items()],
                             check=True, capture_output=True, text=True).stdout
        with open(self.acl, "w") as f:
            f.write(acl)
        self.conf = os.path.join(self.dir, "mosquitto.conf")
        with open(self.conf, "w") as f:
            f.write("listener %d 127.0.0.1\nallow_anonymous false\npassword_file %s\n"
                    "acl_file %s\npersistence false\nlog_dest file %s\nlog_type error\n"
                    "log_type warning\nlog_type notice\n"
                    % (self.port, self.pwfile, self.acl, os.path.join(self.dir, "broker.log")))
            # Started as root, mosquitto drops to the `mosquitto` user unless told otherwise.
            if os.geteuid() == 0:
                f.write("user root\n")
        self.proc = None

    def start(self):
        self.proc = subprocess.Popen(["mosquitto", "-c", self.conf], stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)

        def listening():
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                return True
        wait_until("the broker to listen", listening)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)
        self.proc = None

    @property
    def address(self):
        return "127.0.0.1:%d" % self.port


class Node:
    """One `ogrh node` with its own file in its own folder."""

    def __init__(self, ogrh, root, user, team, broker, source=None, extra=(), env=None):
        self.ogrh, self.user, self.team, self.broker = ogrh, user, team, broker
        self.root = root
        self.dir = os.path.join(root, user)
        os.makedirs(self.dir, exist_ok=True)
        self.file = os.path.join(self.dir, "OG-RaidHelper.lua")
        if source and not os.path.exists(self.file):
            shutil.copy(source, self.file)
        self.log = os.path.join(self.dir, "node.log")
        self.extra = list(extra)
        self.env = dict(os.environ, **(env or {}))
        self.proc = None
        self.url = None

    def start(self, wait_connected=True):
        args = [self.ogrh, "node", "--file", self.file, "--broker", self.broker.address,
                "--raid", self.team, "--user", self.user, "--password-file",
                os.path.join(self.root, self.user + ".pw"), "--http", "127.0.0.1:0",
                "--token", TOKEN, "-v"] + self.extra
        self.logf = open(self.log, "a")
        self.log_from = os.path.getsize(self.log)
        self.proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=self.logf,
                                     env=self.env)
        self.url = wait_until("%s's start line" % self.user, self._find_url)
        if wait_connected:
            wait_until("%s to connect" % self.user, lambda: self.status()["connected"])
        return self

    def _find_url(self):
        if self.proc.poll() is not None:
            raise AssertionError("%s's node exited with %s:\n%s" % (self.user, self.proc.returncode,
                                                                  self.read_log()[-2000:]))
        for line in reversed(self.read_log()[self.log_from:].splitlines()):
            if "node started" in line and "http://" in line:
                return line[line.index("http://"):].split("/?token=")[0]
        return None

    def read_log(self):
        try:
            with open(self.log, "rb") as f:
                return f.read().decode(errors="replace")
        except FileNotFoundError:
            return ""

    def api(self, method, path, body=None, token=TOKEN, raw=None, headers=None):
        """(status, parsed JSON or text) of one request."""
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        req = urllib.request.Request(self.url + path, data=data, method=method)
        if token:
            req.add_header("Authorization", "Bearer " + token)
        for k, v in (headers or {}).items():
            req.add_header(k, v)
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                status, text = r.status, r.read().decode()
        except urllib.error.HTTPError as e:
            status, text = e.code, e.read().decode()
        try:
            return status, json.loads(text)
        except ValueError:
            return status, text

    def status(self):
        st, o = self.api("GET", "/api/status")
        assert st == 200, (st, o)
        return o

    def set(self, path, value=None, lua=None, level=None, delete=False):
        body = {"path": path}
        if lua is not None:
            body["lua"] = lua
        elif not delete:
            body["value"] = value
        if delete:
            body["delete"] = True
        if level:
            body["syncLevel"] = level
        return self.api("POST", "/api/set", body)

    def get(self, path):
        """The value at path in the node's file, as JSON (None when absent)."""
        r = subprocess.run([self.ogrh, "get", self.file, path, "--json"], capture_output=True,
                           text=True)
        return json.loads(r.stdout) if r.returncode == 0 else None

    def stop(self, sig=signal.SIGTERM):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            self.proc.wait(15)
        rc = self.proc.returncode if self.proc else None
        self.proc = None
        if getattr(self, "logf", None):
            self.logf.close()
            self.logf = None
        return rc

    def kill9(self):
        return self.stop(signal.SIGKILL)


class MQTT:
    """A bare MQTT 3.1.1 client over a socket: enough to connect, publish and subscribe."""

    def __init__(self, port, user, password, client_id=None):
        self.s = socket.create_connection(("127.0.0.1", port), timeout=5)
        cid = (client_id or "raw-%s-%d" % (user, os.getpid())).encode()
        u, p = user.encode(), password.encode()
        var = b"\x00\x04MQTT\x04\xc2\x00\x1e"
        payload = (struct.pack(">H", len(cid)) + cid + struct.pack(">H", len(u)) + u +
                   struct.pack(">H", len(p)) + p)
        self._send(0x10, var + payload)
        typ, body = self._recv()
        assert typ == 0x20, typ
        self.rc = body[1]
        self.mid = 0

    def _send(self, first, body):
        n, enc = len(body), b""
        while True:
            b = n % 128
            n //= 128
            enc += bytes([b | (0x80 if n else 0)])
            if not n:
                break
        self.s.sendall(bytes([first]) + enc + body)

    def _recv(self):
        first, body = self._recv_full()
        return first & 0xF0, body

    def _recv_full(self):
        first = self.s.recv(1)
        if not first:
            raise ConnectionError("closed")
        mult, n = 1, 0
        while True:
            b = self.s.recv(1)[0]
            n += (b & 127) * mult
            mult *= 128
            if not b & 128:
                break
        body = b""
        while len(body) < n:
            body += self.s.recv(n - len(body))
        return first[0], body

    def publish(self, topic, payload, qos=1):
        self.mid += 1
        t = topic.encode()
        var = struct.pack(">H", len(t)) + t + (struct.pack(">H", self.mid) if qos else b"")
        self._send(0x30 | (qos << 1), var + payload)
        if qos:
            typ, _ = self._recv()
            assert typ == 0x40, typ

    def subscribe(self, topic):
        """Subscribes at QoS 0 (deliveries need no acknowledgement); the granted QoS."""
        self.mid += 1
        t = topic.encode()
        self._send(0x82, struct.pack(">HH", self.mid, len(t)) + t + b"\x00")
        typ, body = self._recv()
        assert typ == 0x90, typ
        return body[-1]

    def messages(self, seconds):
        """[(topic, payload, retained)] of the messages that arrive within seconds."""
        out = []
        end = time.monotonic() + seconds
        try:
            while time.monotonic() < end:
                self.s.settimeout(max(0.01, end - time.monotonic()))
                first, body = self._recv_full()
                if first & 0xF0 != 0x30:
                    continue
                tl = struct.unpack(">H", body[:2])[0]
                skip = 2 + tl + (2 if first & 0x06 else 0)
                out.append((body[2:2 + tl].decode(), body[skip:], bool(first & 1)))
        except socket.timeout:
            pass
        finally:
            self.s.settimeout(5)
        return out

    def close(self):
        try:
            self._send(0xE0, b"")
        finally:
            self.s.close()


class Suite:
    """Runs named checks, prints progress, and ends with the 'N passed, N failed' line."""

    def __init__(self, name):
        self.name, self.passed, self.failed = name, 0, 0
        self.t0 = time.monotonic()

    def check(self, title, fn):
        t = time.monotonic()
        print("%s: %s ..." % (self.name, title), flush=True)
        try:
            fn()
        except Exception as e:  # report and go on with the next check
            self.failed += 1
            print("%s: FAIL %s: %s" % (self.name, title, e), flush=True)
            import traceback
            traceback.print_exc(file=sys.stdout)
            return False
        self.passed += 1
        print("%s: ok %s (%.1f s)" % (self.name, title, time.monotonic() - t), flush=True)
        return True

    def finish(self):
        print("%s: %.0f s" % (self.name, time.monotonic() - self.t0))
        print("%d passed, %d failed" % (self.passed, self.failed), flush=True)
        return 0 if self.failed == 0 else 1


def workdir(name):
    return tempfile.mkdtemp(prefix="ogrh-%s-" % name)
