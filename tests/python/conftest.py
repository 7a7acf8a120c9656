"""Fixtures for the capi suite: the library through CFFI and real FTP servers
on loopback (pyftpdlib and vsftpd in subprocesses)."""
from __future__ import annotations

import faulthandler
import itertools
import os
import re
import shutil
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))   # tests/: the shared `support` package
sys.path.insert(0, str(HERE))

import ftpkit_ffi  # noqa: E402
import servers  # noqa: E402
from helpers import login  # noqa: E402

# Generous per-test watchdog: a hung C call must not hang CI for 30 minutes.
DEFAULT_WATCHDOG = 240


def pytest_configure(config):
    config.addinivalue_line("markers", "watchdog(seconds): per-test hang watchdog")
    config.addinivalue_line("markers", "servers(*names): restrict the `server` parametrization")


@pytest.fixture(autouse=True)
def _watchdog(request):
    m = request.node.get_closest_marker("watchdog")
    secs = m.args[0] if m else DEFAULT_WATCHDOG
    faulthandler.dump_traceback_later(secs, exit=True)
    yield
    faulthandler.cancel_dump_traceback_later()


# --------------------------------------------------------------------------
# The library
# --------------------------------------------------------------------------

@pytest.fixture(scope="session")
def L():
    path = ftpkit_ffi.find_library()
    if path is None:
        pytest.skip("libftpkit.so not found (set FTPKIT_LIBRARY or build into /work/main/build*)")
    return ftpkit_ffi.Lib(path, ftpkit_ffi.find_header())


@pytest.fixture
def session(L):
    s = L.session()
    yield s
    s.free()


@pytest.fixture
def new_session(L):
    """Factory for extra sessions, all freed at teardown."""
    made = []

    def make():
        s = L.session()
        made.append(s)
        return s
    yield make
    for s in made:
        s.free()


# --------------------------------------------------------------------------
# Real servers
# --------------------------------------------------------------------------

@pytest.fixture(scope="session")
def pyftpd(tmp_path_factory):
    root = tmp_path_factory.mktemp("pyftpd-root")
    log = tmp_path_factory.mktemp("pyftpd-log") / "pyftpd.log"
    srv = servers.PyftpdServer(root, log=log)
    yield srv
    srv.stop()


@pytest.fixture(scope="session")
def vsftpd():
    if not os.path.exists(servers.VSFTPD):
        pytest.skip(f"vsftpd is not installed ({servers.VSFTPD} missing)")
    if os.geteuid() != 0:
        pytest.skip("vsftpd tests need root (local login user, chroot dirs)")
    srv = servers.VsftpdServer()
    yield srv
    srv.stop()
    srv.cleanup()


SERVER_NAMES = ["pyftpdlib", "vsftpd"]


def pytest_generate_tests(metafunc):
    if "server" in metafunc.fixturenames:
        m = metafunc.definition.get_closest_marker("servers")
        names = list(m.args) if m else SERVER_NAMES
        metafunc.parametrize("server", names, indirect=True)


@pytest.fixture
def server(request):
    return request.getfixturevalue({"pyftpdlib": "pyftpd", "vsftpd": "vsftpd"}[request.param])


_counter = itertools.count(1)


class Workdir:
    """A fresh directory on the server, as a local path and a remote name."""

    def __init__(self, server, local: Path, remote: str):
        self.server = server
        self.local = local
        self.remote = remote

    def put(self, name, data: bytes) -> Path:
        return self.server.put_file(self.local / name, data)

    def mkdir(self, name) -> Path:
        return self.server.make_dir(self.local / name)


@pytest.fixture
def workdir(server, request):
    name = "t%03d_%s" % (next(_counter), re.sub(r"[^A-Za-z0-9_]+", "_", request.node.name)[:60])
    local = server.root / name
    server.make_dir(local)
    yield Workdir(server, local, name)
    shutil.rmtree(local, ignore_errors=True)


@pytest.fixture
def ftp(session, server, workdir):
    """A session logged in as the full-permission user, in a fresh directory."""
    login(session, server)
    rc = session.cwd(workdir.remote)
    assert rc == 0, session.describe()
    return session
