"""Assertion helpers for the FTPS suite."""
from __future__ import annotations

import os
import re
import time

TLS_VERSIONS = ("TLSv1.2", "TLSv1.3")


def expect(s, rc, status, what=""):
    L = s.L
    assert rc == getattr(L, status), (
        f"{what}: expected {status}, got {L.name(rc)}; {s.describe()}")


def ok(s, rc, what=""):
    expect(s, rc, "FTP_OK", what)


def payload(n: int, seed: int) -> bytes:
    """n pseudo-random bytes (different for each seed)."""
    import random
    return random.Random(seed).randbytes(n)


def sha(data: bytes) -> str:
    import hashlib
    return hashlib.sha256(data).hexdigest()


def assert_nothing_after_auth(s, implicit: bool):
    """The client's own trace shows no command but AUTH TLS went out (and no
    line at all was written in implicit mode): no USER, no PASS."""
    cmds = s.cmds_sent()
    puts = [x for x in s.debug_lines if x.startswith("*put*")]
    if implicit:
        assert cmds == [] and puts == [], f"sent after a failed TLS check: {s.debug_lines}"
    else:
        assert cmds == ["AUTH TLS"], f"commands sent: {cmds}; trace {s.debug_lines}"
        assert len(puts) == 1 and "AUTH TLS" in puts[0], f"lines written: {puts}"
    for line in s.debug_lines:
        assert "USER" not in line and "PASS" not in line, f"login leaked: {line!r}"


def wait_for(pred, timeout=20.0, step=0.05) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pred():
            return True
        time.sleep(step)
    return bool(pred())


def server_saw_no_login(srv, implicit: bool):
    """The server's own log: AUTH TLS (explicit) and nothing of a login."""
    if not implicit:
        # Wait until the server logged AUTH TLS, so the absence of USER/PASS
        # below is not just logging lag.
        assert wait_for(lambda: any(c.upper().startswith("AUTH") for c in srv.commands_since())), (
            f"{srv} never logged AUTH TLS: {srv.log_since()[-2000:]}")
    cmds = srv.commands_since()
    bad = [c for c in cmds if re.match(r"(?i)(USER|PASS)\b", c)]
    assert not bad, f"{srv} received {bad} although the certificate check failed"


def remove(path):
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


def _established_to(port: int) -> int:
    """How many local TCP sockets are ESTABLISHED to remote `port`."""
    n = 0
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(table) as f:
                next(f)
                for line in f:
                    parts = line.split()
                    if parts[3] == "01" and int(parts[2].rsplit(":", 1)[1], 16) == port:
                        n += 1
        except FileNotFoundError:
            pass
    return n


def wait_server_closed(port: int, timeout=20.0) -> bool:
    """Wait until no client socket to `port` is ESTABLISHED any more (the
    server closed it: FIN or RST), so whatever the server sent before
    closing (an alert) has arrived."""
    return wait_for(lambda: _established_to(port) == 0, timeout)
