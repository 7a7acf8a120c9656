"""Fixtures of the fault-injection suite (tests/faults).

The servers (vsftpd from apt, pyftpdlib) and the CFFI loader are the
interop suite's (tests/interop/interop_servers.py, interop_ffi.py, imported
read-only): the same configurations, started the same way on 127.0.0.1, so
a test can SIGKILL a server together with every session process it forked
(see FtpServer.kill), then restart it on the same files.
"""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))   # tests/: the shared `support` package
sys.path.insert(0, str(HERE))

from faults_support import start_server  # noqa: E402
from interop_ffi import Lib  # noqa: E402
from interop_servers import temp_certs  # noqa: E402


@pytest.fixture(scope="session")
def lib():
    return Lib.get()


@pytest.fixture(scope="session")
def certs():
    with temp_certs("ftpkit-faults-certs-") as c:
        yield c


@pytest.fixture(params=["pyftpdlib", "vsftpd"])
def killable(request, certs):
    """A server of its own for one test, which the test may kill and restart
    (offering explicit FTPS, not requiring it)."""
    srv = start_server(request.param, certs)
    yield srv
    srv.cleanup()


@pytest.fixture(scope="session")
def shared_servers(certs):
    """Servers shared by the tests that do not kill them, started on demand
    (offering explicit FTPS, not requiring it)."""
    started: dict[str, object] = {}

    def get(kind):
        if kind not in started:
            started[kind] = start_server(kind, certs)
        return started[kind]
    yield get
    for srv in started.values():
        srv.cleanup()
