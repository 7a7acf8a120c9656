"""Fixtures for the hostile-server suite: the library loaded through CFFI
from FTPKIT_LIBRARY, sessions on it, and the scripted server (a subprocess
listening on 127.0.0.1, one per scenario)."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))   # tests/: the shared `support` package
sys.path.insert(0, str(HERE))

from hostile_support import TIMEOUT_S, Server, Session  # noqa: E402
from support.ffi import load  # noqa: E402


@pytest.fixture(scope="session")
def ftp():
    try:
        return load()
    except RuntimeError as e:
        pytest.fail(str(e))


@pytest.fixture
def session(ftp):
    """make(timeout_s) -> a new Session with all three timeouts set."""
    made = []

    def make(timeout_s: float = TIMEOUT_S) -> Session:
        s = Session(*ftp)
        s.timeouts(timeout_s)
        made.append(s)
        return s

    yield make
    for s in made:
        s.free()


@pytest.fixture
def server():
    """start(steps) -> a running scripted server (see hostile_server.py)."""
    started: list[Server] = []

    def start(steps: list) -> Server:
        srv = Server(steps)
        started.append(srv)
        return srv

    yield start
    for srv in started:
        srv.stop()
    for srv in started:
        bad = [e for e in srv.events if e["ev"] in ("error", "unexpected", "garbage")]
        assert not bad, f"the scripted server reports: {bad}"
