"""Helpers of the fault-injection suite: test data, server start-up, a
logged-in session, and the process's open file descriptors.

The servers and the CFFI loader are the interop suite's
(tests/interop/interop_servers.py and interop_ffi.py, imported read-only).
"""
from __future__ import annotations

import os
import random
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "interop"))

from interop_ffi import Session, configured_session, enter  # noqa: E402, F401
from interop_servers import Pyftpdlib, Vsftpd  # noqa: E402

SEED = random.Random(1123).randbytes(1 << 20)   # 1 MiB: seed.bin
BIG = random.Random(2428).randbytes(8 << 20)    # 8 MiB: big.bin


def start_server(kind: str, certs) -> object:
    """Start vsftpd or pyftpdlib (offering FTPS when `certs` is given) with
    seed.bin and big.bin in its work folder; skip if it cannot run here."""
    cls = {"vsftpd": Vsftpd, "pyftpdlib": Pyftpdlib}[kind]
    srv = cls(certs)
    reason = srv.available()
    if reason:
        srv.cleanup()
        pytest.skip(f"{kind}: {reason}")
    srv.start()
    srv.put("seed.bin", SEED)
    srv.put("big.bin", BIG)
    return srv


def login(srv, *, passive=True, tls=False, certs=None, timeout_ms=30000) -> Session:
    """A new session connected and logged in to `srv`, in its work folder."""
    return enter(configured_session(passive=passive, tls=tls, certs=certs, timeout_ms=timeout_ms),
                 srv)


def open_fds() -> dict[int, str]:
    """This process's open file descriptors and what they point at."""
    out = {}
    for name in os.listdir("/proc/self/fd"):
        try:
            out[int(name)] = os.readlink(f"/proc/self/fd/{name}")
        except OSError:
            pass   # the directory's own fd, closed meanwhile
    return out
