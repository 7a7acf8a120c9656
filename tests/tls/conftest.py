"""Fixtures for the FTPS suite (issue 3): the library through CFFI, test
certificates made with the openssl command, and real FTPS servers (vsftpd
explicit and implicit, pyftpdlib's TLS handler) on 127.0.0.1."""
from __future__ import annotations

import faulthandler
import importlib.util
import os
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))   # tests/: the shared `support` package
sys.path.insert(0, str(HERE))

import tls_servers  # noqa: E402
from support import pki  # noqa: E402
from support.ffi import Library, find_header, find_library  # noqa: E402
from tls_session import FTPS  # noqa: E402

DEFAULT_WATCHDOG = 240

FTP_TLS_NONE, FTP_TLS_EXPLICIT, FTP_TLS_IMPLICIT = 0, 1, 2


def pytest_configure(config):
    config.addinivalue_line("markers", "watchdog(seconds): per-test hang watchdog")


@pytest.fixture(autouse=True)
def _watchdog(request):
    """A hung C call must not hang the run: dump stacks and exit."""
    m = request.node.get_closest_marker("watchdog")
    faulthandler.dump_traceback_later(m.args[0] if m else DEFAULT_WATCHDOG, exit=True)
    yield
    faulthandler.cancel_dump_traceback_later()


# --------------------------------------------------------------------------
# The library
# --------------------------------------------------------------------------

@pytest.fixture(scope="session")
def L():
    path = find_library()
    if path is None:
        pytest.skip("libftpkit.so not found (set FTPKIT_LIBRARY)")
    return Library(path, find_header())


@pytest.fixture(scope="session")
def certs(tmp_path_factory):
    return pki.make_all(tmp_path_factory.mktemp("certs"))


@pytest.fixture
def new_ftps(L, certs):
    """Factory: a session in `mode`, trusting the test CA (ca=True), with a
    level-2 debug trace collected in .debug_lines.  Freed at teardown."""
    made = []

    def make(mode=FTP_TLS_EXPLICIT, ca=True, timeout_ms=60000):
        s = FTPS(L)
        made.append(s)
        assert s.set_debug(2) == 0
        assert s.set_timeout(timeout_ms) == 0
        assert s.set_tls_mode(mode) == 0, s.describe()
        if ca:
            assert s.set_tls_ca(certs.ca, None) == 0, s.describe()
        return s
    yield make
    for s in made:
        s.free()


# --------------------------------------------------------------------------
# Servers, started on first use and kept for the whole run
# --------------------------------------------------------------------------

def _have_vsftpd():
    if not os.path.exists(tls_servers.VSFTPD):
        return f"vsftpd is not installed ({tls_servers.VSFTPD})"
    if os.geteuid() != 0:
        return "vsftpd needs root"
    return None


def _have_pyftpdlib():
    for mod in ("pyftpdlib", "OpenSSL"):
        if importlib.util.find_spec(mod) is None:
            return f"{mod} is not installed"
    return None


class Pool:
    """Started servers by configuration; all stopped at the end of the run."""

    def __init__(self, certs):
        self.certs = certs
        self.servers = {}

    def vsftpd(self, cert="server", implicit=False, **extra):
        why = _have_vsftpd()
        if why:
            pytest.skip(why)
        key = ("vsftpd", cert, implicit, tuple(sorted(extra.items())))
        if key not in self.servers:
            pem, k = self.certs.pair(cert)
            self.servers[key] = tls_servers.VsftpdTLS(pem, k, implicit=implicit, extra=extra)
        srv = self.servers[key]
        srv.log_mark()
        return srv

    def pyftpd(self, cert="server", **kw):
        why = _have_pyftpdlib()
        if why:
            pytest.skip(why)
        key = ("pyftpd", cert, tuple(sorted(kw.items())))
        if key not in self.servers:
            pem, k = self.certs.pair(cert)
            self.servers[key] = tls_servers.PyftpdTLS(pem, k, **kw)
        srv = self.servers[key]
        srv.log_mark()
        return srv

    def get(self, name, cert="server"):
        """By suite-wide name: vsftpd, vsftpd-implicit, pyftpdlib."""
        if name == "vsftpd":
            return self.vsftpd(cert)
        if name == "vsftpd-implicit":
            return self.vsftpd(cert, implicit=True)
        if name == "pyftpdlib":
            return self.pyftpd(cert)
        raise ValueError(name)

    def stop(self):
        for srv in self.servers.values():
            srv.stop()
            srv.cleanup()


@pytest.fixture(scope="session")
def pool(certs):
    p = Pool(certs)
    yield p
    p.stop()


SERVERS = ["vsftpd", "vsftpd-implicit", "pyftpdlib"]


def mode_for(srv) -> int:
    return FTP_TLS_IMPLICIT if srv.implicit else FTP_TLS_EXPLICIT


def upath(srv, name: str) -> str:
    """Remote path of an uploadable file `name` on `srv`."""
    return f"{srv.upload_dir}/{name}" if srv.upload_dir else name


def connect_login(s, srv, host=None):
    L = s.L
    rc = s.connect(host or srv.host, srv.port)
    assert rc == L.FTP_OK, f"connect to {srv}: {L.name(rc)} {s.describe()}"
    rc = s.login(srv.user, srv.password)
    assert rc == L.FTP_OK, f"login to {srv}: {L.name(rc)} {s.describe()}"
    return s


@pytest.fixture
def logged_in(new_ftps):
    """Factory: a session secured for `srv` (its mode, test CA), logged in."""
    def make(srv, **kw):
        s = new_ftps(mode=mode_for(srv), **kw)
        return connect_login(s, srv)
    return make
