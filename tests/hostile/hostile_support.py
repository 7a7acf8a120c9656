"""Helpers for the hostile-server suite: a thin session wrapper over the C
API (the shared one of tests/support/ffi.py with this suite's names), the
scripted server as seen from the test (a subprocess on 127.0.0.1), a
watchdog timer and a peak-RSS probe."""
from __future__ import annotations

import gc
import json
import re
import subprocess
import sys
import threading
import time
from pathlib import Path
from types import SimpleNamespace

from support.ffi import BaseSession

HERE = Path(__file__).resolve().parent
SERVER = HERE / "hostile_server.py"

# Timeouts given to the library in the scenarios that wait for something,
# and the margin a call may take beyond them (a loaded 2-core machine).
TIMEOUT_S = 2.0
MARGIN_S = 10.0
# What any call may take in a scenario that involves no deadline at all.
QUICK_S = 30.0
# Memory: how much the process's peak RSS may grow during one call beyond
# the library's own cap for that case.
SLACK_MIB = 6


# ---------------------------------------------------------------------------
# The library


class Session(BaseSession):
    """One ftp_session* and the calls the scenarios need (statuses as ints);
    the shared wrapper (tests/support/ffi.py) with this suite's names."""

    def __init__(self, ffi, lib):
        super().__init__(SimpleNamespace(ffi=ffi, lib=lib))

    # state
    def connected(self) -> bool:
        return self.is_connected()

    def code(self) -> int:
        return self.reply_code()

    def text(self) -> bytes:
        return self.reply_text_bytes()

    def welcome(self) -> bytes:
        return self.ffi.string(self.lib.ftp_getwelcome(self.s))

    def describe(self) -> str:
        return (f"code={self.code()} text={self.text()[:200]!r} errmsg={self.errmsg()!r} "
                f"connected={self.connected()}")

    # options
    def timeouts(self, seconds: float):
        assert self.lib.ftp_set_timeout_ms(self.s, int(seconds * 1000)) == 0

    # calls
    def connect(self, port: int) -> int:
        return self.lib.ftp_connect(self.s, b"127.0.0.1", port)

    def login(self) -> int:
        return self.lib.ftp_login(self.s, b"anonymous", b"guest@", self.ffi.NULL)

    def size(self, path: bytes):
        out = self.ffi.new("uint64_t *", 12345)
        rc = self.lib.ftp_size(self.s, path, out)
        return rc, out[0]

    def mlsd(self, path=None, keep=True):
        """(rc, entries as (name, [(fact, value)]), count)."""
        entries = []
        count = [0]

        @self.ffi.callback("ftp_mlsd_cb")
        def cb(name, nlen, facts, nfacts, ud):
            count[0] += 1
            if keep:
                entries.append((bytes(self.ffi.buffer(name, nlen)), self._facts(facts, nfacts)))
            return 0

        rc = self.lib.ftp_mlsd(self.s, path if path is not None else self.ffi.NULL, cb,
                               self.ffi.NULL)
        return rc, entries, count[0]


STATUS_NAMES = ["FTP_OK", "FTP_EREPLY", "FTP_ETEMP", "FTP_EPERM", "FTP_EPROTO", "FTP_EIO",
                "FTP_ETIMEOUT", "FTP_ETLS", "FTP_ECERT", "FTP_ERESOLVE", "FTP_EINVAL",
                "FTP_ENOMEM", "FTP_ESTATE", "FTP_EABORTED", "FTP_ECANCELED", "FTP_ECLOSED",
                "FTP_EINTERNAL"]


def status_name(lib, rc: int) -> str:
    for name in STATUS_NAMES:
        if getattr(lib, name) == rc:
            return name
    return str(rc)


def assert_status(sess, rc: int, want: str):
    """rc is the status named `want` (e.g. "FTP_EPROTO")."""
    got = status_name(sess.lib, rc)
    assert got == want, f"expected {want}, got {got}: {sess.describe()}"


def assert_closed(sess, srv):
    """The session closed its control connection, and really did: the server
    saw the close, and a further call says "not connected"."""
    assert not sess.connected(), f"session still connected: {sess.describe()}"
    assert_status(sess, sess.noop(), "FTP_ESTATE")
    srv.assert_client_closed()


def assert_usable(sess):
    """The session is still connected and a NOOP gets the server's 200."""
    assert sess.connected(), f"session closed: {sess.describe()}"
    rc, took = timed(sess, sess.noop, limit=QUICK_S)
    assert_status(sess, rc, "FTP_OK")
    assert sess.code() == 200 and sess.text() == b"200 NOOP ok", sess.describe()


# ---------------------------------------------------------------------------
# Timing: every call runs under a watchdog that cancels it, so a hang fails
# the test (with the elapsed time) instead of stalling the suite.


def timed(sess: Session, fn, *args, limit: float):
    """Run fn(*args); returns (result, seconds).  ftp_cancel() fires at
    limit + 20 s so that a library that never returns cannot hang pytest."""
    t = threading.Timer(limit + 20.0, sess.lib.ftp_cancel, [sess.s])
    t.daemon = True
    start = time.monotonic()
    t.start()
    try:
        r = fn(*args)
    finally:
        t.cancel()
        t.join()
    took = time.monotonic() - start
    print(f"[{getattr(fn, '__name__', fn)} took {took:.2f} s]")
    return r, took


# ---------------------------------------------------------------------------
# Memory: the peak RSS of this process (the library runs in it) during a call.


def _status_kib(key: str) -> int:
    with open("/proc/self/status") as f:
        m = re.search(rf"^{key}:\s+(\d+) kB", f.read(), re.M)
    assert m, key
    return int(m.group(1))


class PeakRSS:
    """`with PeakRSS() as m: ...` then m.growth_mib: how far the process's
    peak RSS rose above its RSS at entry.  The peak is reset at entry by
    writing 5 to /proc/self/clear_refs; where that is refused, a thread
    samples VmRSS every 5 ms instead."""

    def __enter__(self):
        gc.collect()
        self.base = _status_kib("VmRSS")
        self._sampler = None
        try:
            with open("/proc/self/clear_refs", "w") as f:
                f.write("5")
            self.mode = "VmHWM"
        except OSError:
            self.mode = "sampled"
            self._peak = self.base
            self._stop = threading.Event()

            def sample():
                while not self._stop.wait(0.005):
                    self._peak = max(self._peak, _status_kib("VmRSS"))

            self._sampler = threading.Thread(target=sample, daemon=True)
            self._sampler.start()
        return self

    def __exit__(self, *exc):
        if self._sampler is None:
            peak = _status_kib("VmHWM")
        else:
            self._stop.set()
            self._sampler.join()
            peak = max(self._peak, _status_kib("VmRSS"))
        self.growth_mib = (peak - self.base) / 1024.0
        print(f"[peak RSS growth {self.growth_mib:.2f} MiB ({self.mode})]")
        return False


# ---------------------------------------------------------------------------
# The scripted server


def B(data: bytes) -> str:
    """Bytes as a script string (one character per byte)."""
    return data.decode("latin-1")


class Server:
    def __init__(self, steps: list):
        self.proc = subprocess.Popen(
            [sys.executable, str(SERVER)], stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.proc.stdin.write(json.dumps(steps))
        self.proc.stdin.close()
        self.events: list[dict] = []
        self._cond = threading.Condition()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        ev = self.wait_for("listening", timeout=30)
        self.port = ev["port"]

    def _read(self):
        for line in self.proc.stdout:
            try:
                ev = json.loads(line)
            except ValueError:
                ev = {"ev": "garbage", "line": line}
            with self._cond:
                self.events.append(ev)
                self._cond.notify_all()
        with self._cond:
            self.events.append({"ev": "exited"})
            self._cond.notify_all()

    def wait_for(self, ev: str, timeout: float = 30, **match) -> dict:
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                for e in self.events:
                    if e["ev"] == ev and all(e.get(k) == v for k, v in match.items()):
                        return e
                if any(e["ev"] == "exited" for e in self.events) and ev != "exited":
                    raise AssertionError(f"server exited before {ev}: {self.events[-5:]}")
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"no {ev!r} event within {timeout} s; "
                                         f"events: {self.events[-10:]}")
                self._cond.wait(left)

    def has(self, ev: str, **match) -> bool:
        with self._cond:
            return any(e["ev"] == ev and all(e.get(k) == v for k, v in match.items())
                       for e in self.events)

    def commands(self) -> list[str]:
        with self._cond:
            return [e["line"] for e in self.events if e["ev"] == "cmd"]

    def assert_client_closed(self):
        """The client really closed the control connection (not just a flag)."""
        self.wait_for("client-closed", timeout=MARGIN_S)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(timeout=30)
        self._reader.join(timeout=10)
        self.proc.stderr.close()
        self.proc.stdout.close()



# ---------------------------------------------------------------------------
# Script steps (see hostile_server.py for what each does)


def _s(data) -> str:
    return B(data) if isinstance(data, (bytes, bytearray)) else data


def send(data):
    return ["send", _s(data)]


def expect(verb: str):
    return ["expect", verb]


def mark(name: str):
    return ["mark", name]


def sleep(seconds: float):
    return ["sleep", seconds]


def epsv(fmt: str = "229 Entering Extended Passive Mode (|||{port}|)\r\n"):
    """Expect EPSV; answer fmt (line end included; keys: see the server)."""
    return ["epsv", fmt]


def pasv(fmt: str):
    """Refuse EPSV with 500, expect PASV, answer fmt (line end included)."""
    return ["pasv", fmt]


def accept():
    return ["accept"]


def data(payload):
    return ["data", _s(payload)]


def data_close():
    return ["data_close"]


def data_reset():
    return ["data_reset"]


def stream(chunk, limit: int, pause: float = 0.0):
    return ["stream", _s(chunk), limit, pause]


def drip(payload, pause: float):
    return ["drip", _s(payload), pause]


def recv(n: int):
    return ["recv", n]


def close():
    return ["close"]


def hold():
    return ["hold"]


GREETING = send(b"220 hostile test server ready\r\n")


def connect_ok(sess, srv):
    rc, took = timed(sess, sess.connect, srv.port, limit=QUICK_S)
    assert_status(sess, rc, "FTP_OK")
    assert took < QUICK_S
