"""Fixtures of the interoperability matrix (tests/interop).

Every test runs against each of vsftpd, ProFTPD, Pure-FTPd and pyftpdlib
(`server`, started once per run on 127.0.0.1), in plain FTP and explicit
FTPS with PROT P (`mode`), with passive and active data connections
(`data_mode`).  `ftp` is a session connected and logged in that way, in the
server's working folder.  A server is skipped (with the reason) only when it
cannot run here: its binary is missing after fetch_servers.sh, which the
fixture runs itself when ProFTPD or Pure-FTPd is not unpacked yet.
"""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))   # tests/: the shared `support` package
sys.path.insert(0, str(HERE))

from interop_ffi import Lib, configured_session, enter  # noqa: E402
from interop_data import BIG, SEED  # noqa: E402
from interop_servers import SERVER_CLASSES, ensure_fetched, temp_certs  # noqa: E402

SERVER_NAMES = ["vsftpd", "proftpd", "pure-ftpd", "pyftpdlib"]

# Library bugs this suite found, as (test, server, mode, reason); each such
# test is xfail(strict=True): it must keep failing until the bug is fixed,
# and then the entry has to go.  Details in MATRIX.md.
# Library bugs this suite found are fixed; a new one goes here as
# (test name, server, mode, reason) and is marked xfail(strict=True).
KNOWN_BUGS: list = []


def pytest_collection_modifyitems(config, items):
    for item in items:
        params = getattr(getattr(item, "callspec", None), "params", {})
        for test, server, mode, reason in KNOWN_BUGS:
            if (item.originalname == test and params.get("server") == server
                    and params.get("mode") == mode):
                item.add_marker(pytest.mark.xfail(strict=True, reason=reason))


@pytest.fixture(scope="session")
def lib():
    return Lib.get()


@pytest.fixture(scope="session")
def certs():
    with temp_certs("ftpkit-interop-certs-") as c:
        yield c


@pytest.fixture(scope="session", params=SERVER_NAMES)
def server(request, certs):
    name = request.param
    fetch_note = ""
    if name in ("proftpd", "pure-ftpd"):
        fetch_note = ensure_fetched()
    srv = SERVER_CLASSES[name](certs)
    reason = srv.available()
    if reason:
        srv.cleanup()
        pytest.skip(f"{name}: {reason}" + (f" ({fetch_note})" if fetch_note else ""))
    try:
        srv.start()
        srv.put("seed.bin", SEED)
        srv.put("big.bin", BIG)
        srv.put("empty.bin", b"")
        yield srv
    finally:
        srv.cleanup()


@pytest.fixture(params=["plain", "tls"])
def mode(request):
    return request.param


@pytest.fixture(params=["passive", "active"])
def data_mode(request):
    return request.param


@pytest.fixture
def fresh(server, mode, data_mode, certs):
    """A new, unconnected session configured for (mode, data_mode)."""
    if mode == "tls" and not server.tls:
        pytest.skip(f"{server.name}: no TLS support in this build (mod_tls.so / pyOpenSSL missing)")
    s = configured_session(passive=data_mode == "passive", tls=mode == "tls", certs=certs)
    yield s
    if s.is_connected():
        s.quit()
    s.free()


@pytest.fixture
def ftp(fresh, server):
    """A session connected, logged in and in server.remote_dir."""
    return enter(fresh, server)


@pytest.fixture
def uniq(request, mode, data_mode):
    """A file name unique to this test and parameter set."""
    return f"{request.node.originalname}-{mode}-{data_mode}"
