"""Connection faults: nobody listening, a name that does not resolve, and a
server that never opens the data connection in active mode."""
from __future__ import annotations

import ipaddress
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from faults_support import Session
from scripted import ScriptedServer, basic_login

HERE = Path(__file__).resolve().parent


def unused_port() -> int:
    """A loopback port nobody listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_connection_refused(lib, shared_servers):
    s = Session()
    s.set_timeout(20000)
    port = unused_port()
    rc = s.connect("127.0.0.1", port)
    assert rc == lib.FTP_EIO, s.describe(rc)
    assert "refused" in s.errmsg().lower(), s.errmsg()
    assert not s.is_connected()
    assert s.welcome() == ""
    assert s.noop() == lib.FTP_ESTATE, s.describe()
    # The same session connects fine afterwards.
    srv = shared_servers("pyftpdlib")
    rc = s.connect("127.0.0.1", srv.port)
    assert rc == 0, s.describe(rc)
    assert s.login(srv.user, srv.password) == 0, s.describe()
    assert s.quit() == 0
    s.free()


def _resolver_stays_local() -> tuple[bool, str]:
    """Whether resolving a name in this process cannot send a DNS query off
    the machine (no `dns` in nsswitch, or only loopback name servers)."""
    try:
        hosts = next((ln.split(":", 1)[1].split() for ln in open("/etc/nsswitch.conf")
                      if ln.strip().startswith("hosts:")), ["files", "dns"])
    except OSError:
        hosts = ["files", "dns"]
    if not any(h.startswith("dns") or h == "resolve" for h in hosts):
        return True, "no DNS in /etc/nsswitch.conf"
    try:
        servers = [ln.split()[1] for ln in open("/etc/resolv.conf")
                   if ln.split()[:1] == ["nameserver"] and len(ln.split()) > 1]
    except OSError:
        servers = []
    off = []
    for ns in servers:
        try:
            if not ipaddress.ip_address(ns.split("%")[0]).is_loopback:
                off.append(ns)
        except ValueError:
            off.append(ns)
    if off:
        return False, f"/etc/resolv.conf names off-machine name servers: {', '.join(off)}"
    return True, "only loopback name servers (or none: glibc then asks 127.0.0.1)"


def _can_unshare_net() -> bool:
    exe = shutil.which("unshare")
    if not exe:
        return False
    return subprocess.run([exe, "--net", "true"], capture_output=True).returncode == 0


def test_name_does_not_resolve(lib):
    """ftp_connect() to a `.invalid` name (RFC 6761: never resolves) gives
    FTP_ERESOLVE, and the session can connect elsewhere afterwards.  The
    lookup runs in an empty network namespace (`unshare --net`) so nothing
    leaves the machine; without unshare it runs here only if the resolver is
    local, otherwise the test is skipped."""
    name = "no-such-host.ftpkit-test.invalid"
    if _can_unshare_net():
        r = subprocess.run(["unshare", "--net", sys.executable, str(HERE / "resolve_child.py"),
                            name], capture_output=True, text=True, timeout=120,
                           env=dict(os.environ))
        assert r.returncode == 0, r.stderr
        out = json.loads(r.stdout.strip().splitlines()[-1])
    else:
        local, why = _resolver_stays_local()
        if not local:
            pytest.skip(f"cannot resolve without network traffic: {why}, and "
                        "`unshare --net` is not available")
        s = Session()
        s.set_timeout(20000)
        t0 = time.monotonic()
        rc = s.connect(name, 21)
        out = {"rc": rc, "errmsg": s.errmsg(), "connected": s.is_connected(),
               "elapsed": time.monotonic() - t0}
        with ScriptedServer(lambda ctl, srv: (ctl.send("220 hi"), ctl.recv_line(),
                                              ctl.send("221 bye"))) as srv:
            out["after_rc"] = s.connect("127.0.0.1", srv.port)
            out["after_welcome"] = s.welcome()
            out["after_quit"] = s.quit()
        s.free()
    assert out["rc"] == lib.FTP_ERESOLVE, out
    assert name in out["errmsg"], out
    assert not out["connected"], out
    assert out["after_rc"] == 0, out
    assert out["after_welcome"].startswith("220"), out
    assert out["after_quit"] == 0, out


def _never_connects(ctl, server):
    """Accepts PORT/EPRT with 200 and the transfer command with 150, then
    never opens the data connection.  ABOR gets 225, NOOP 200."""
    line = basic_login(ctl)
    while line is not None:
        verb = line.split(" ", 1)[0].upper()
        if verb in ("PORT", "EPRT"):
            ctl.send("200 PORT command successful")
        elif verb in ("RETR", "STOR", "LIST", "NLST", "MLSD"):
            ctl.send("150 Opening data connection (but it never comes)")
        elif verb == "ABOR" or line.endswith("ABOR"):
            ctl.send("225 ABOR ok, nothing to abort")
        elif verb == "NOOP":
            ctl.send("200 noop ok")
        elif verb == "QUIT":
            ctl.send("221 bye")
            return
        else:
            ctl.send("502 not implemented here")
        line = ctl.recv_line()


def _announced_port(commands) -> int:
    for c in commands:
        m = re.fullmatch(r"PORT (\d+),(\d+),(\d+),(\d+),(\d+),(\d+)", c)
        if m:
            return int(m.group(5)) * 256 + int(m.group(6))
        m = re.fullmatch(r"EPRT \|\d\|[^|]+\|(\d+)\|", c)
        if m:
            return int(m.group(1))
    raise AssertionError(f"no PORT/EPRT among {commands}")


@pytest.mark.parametrize("op", ["retr", "stor", "list"])
def test_accept_timeout_in_active_mode(lib, op):
    data_timeout_ms = 1500
    with ScriptedServer(_never_connects) as srv:
        s = Session()
        assert s.set_timeout(30000) == 0
        assert s.set_data_timeout(data_timeout_ms) == 0
        assert s.set_passive(False) == 0
        assert s.connect("127.0.0.1", srv.port) == 0, s.describe()
        assert s.login("user", "pass") == 0, s.describe()
        pulled = []
        t0 = time.monotonic()
        if op == "retr":
            rc, data = s.retr("file.bin")
            assert data == b""
        elif op == "stor":
            rc = s.stor_cb("file.bin", lambda cap: pulled.append(cap) or b"x")
        else:
            rc, lines = s.list()
            assert lines == []
        elapsed = time.monotonic() - t0
        assert rc == lib.FTP_ETIMEOUT, s.describe(rc)
        # It did wait for the server (no timing upper bound beyond a very
        # generous one: the machine may be slow, but 30 s means the accept
        # deadline was not applied).
        assert elapsed >= data_timeout_ms / 1000 * 0.9, elapsed
        assert elapsed < 30, elapsed
        assert pulled == [], "upload data was pulled although no data connection exists"
        port = _announced_port(srv.commands)
        # The listener the library opened for PORT/EPRT is closed again.
        with socket.socket() as probe:
            probe.settimeout(5)
            with pytest.raises(ConnectionRefusedError):
                probe.connect(("127.0.0.1", port))
        # The session is either still usable or cleanly closed.
        if s.is_connected():
            assert s.noop() == 0, s.describe()
        else:
            assert s.noop() == lib.FTP_ESTATE, s.describe()
        s.free()
