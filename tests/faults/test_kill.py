"""The server dies (SIGKILL, with every session process) during a transfer.

A download must fail with a clear error and say how many bytes arrived;
after the server is restarted, REST resumes it and the file is complete,
byte for byte.  An upload must never be reported done when the server did
not confirm it, whether it dies in the middle or after the last byte but
before its final reply; REST finishes it after the restart.
"""
from __future__ import annotations

import hashlib
import random

import pytest

from faults_support import login

HUGE = 64 << 20       # far more than loopback socket buffers hold
KILL_AFTER = 1 << 20


def huge_data(seed: str) -> bytes:
    return random.Random(seed).randbytes(HUGE)


@pytest.mark.parametrize("passive", [True, False], ids=["passive", "active"])
@pytest.mark.parametrize("tls", [False, True], ids=["ftp", "ftps"])
def test_killed_mid_download_then_rest_resumes(killable, passive, tls, lib, certs):
    data = huge_data("download")
    killable.put("huge.bin", data)
    s = login(killable, passive=passive, tls=tls, certs=certs)
    got = bytearray()

    def on_block(block):
        got.extend(block)
        if len(got) >= KILL_AFTER and killable.proc is not None:
            killable.kill()
            killable.proc = None

    rc = s.retr_cb("huge.bin", on_block)
    # With PROT P a data connection cut without close_notify is FTP_ETLS
    # (possibly truncated) unless the control connection's end is reported.
    allowed = (lib.FTP_EIO, lib.FTP_ECLOSED) + ((lib.FTP_ETLS,) if tls else ())
    assert rc in allowed, s.describe(rc)
    assert s.errmsg(), "a failed call must say why"
    assert s.transfer_bytes() == len(got), (s.transfer_bytes(), len(got))
    assert KILL_AFTER <= len(got) < len(data)
    assert bytes(got) == data[:len(got)], "the bytes that did arrive are not the file's"
    if rc == lib.FTP_ECLOSED:
        assert not s.is_connected()

    killable.start()                      # same files, maybe another port
    s.close()
    rc = s.connect("127.0.0.1", killable.port)     # TLS mode kept: AUTH TLS again
    assert rc == 0, s.describe(rc)
    assert s.login(killable.user, killable.password) == 0, s.describe()
    if killable.remote_dir != ".":
        assert s.cwd(killable.remote_dir) == 0, s.describe()
    offset = len(got)
    rc = s.retr_cb("huge.bin", got.extend, rest=offset)
    assert rc == 0, s.describe(rc)
    assert s.transfer_bytes() == len(data) - offset
    assert len(got) == len(data)
    assert hashlib.sha256(got).digest() == hashlib.sha256(data).digest()
    s.quit()
    s.free()


@pytest.mark.parametrize("passive", [True, False], ids=["passive", "active"])
def test_killed_mid_upload_is_not_done_then_rest_finishes(killable, passive, lib):
    data = huge_data("upload")
    s = login(killable, passive=passive)
    pos = 0
    calls_after_kill = 0

    def feed(cap):
        nonlocal pos, calls_after_kill
        if pos >= KILL_AFTER and killable.proc is not None:
            killable.kill()
            killable.proc = None
        if killable.proc is None:
            calls_after_kill += 1
        piece = data[pos:pos + cap]
        pos += len(piece)
        return piece

    rc = s.stor_cb("up.bin", feed)
    assert rc != 0, "an upload to a server that was killed was reported done"
    assert rc in (lib.FTP_EIO, lib.FTP_ECLOSED), s.describe(rc)
    assert s.errmsg()
    assert pos < len(data), "the library kept pulling data from a dead connection to the end"

    killable.start()
    part = killable.local_dir / "up.bin"
    kept = part.read_bytes() if part.exists() else b""
    assert len(kept) < len(data)
    assert kept == data[:len(kept)], "the server kept bytes that were not sent"

    s.close()
    assert s.connect("127.0.0.1", killable.port) == 0, s.describe()
    assert s.login(killable.user, killable.password) == 0, s.describe()
    if killable.remote_dir != ".":
        assert s.cwd(killable.remote_dir) == 0, s.describe()
    rc = s.stor("up.bin", data[len(kept):], rest=len(kept))
    assert rc == 0, s.describe(rc)
    assert hashlib.sha256(part.read_bytes()).digest() == hashlib.sha256(data).digest()
    s.quit()
    s.free()


@pytest.mark.parametrize("api", ["callback", "pull"])
def test_killed_after_last_byte_before_final_reply(killable, api, lib):
    """Every byte is handed over, then the server dies before its 226: the
    upload must still not be reported done."""
    data = random.Random("last").randbytes(256 * 1024)
    s = login(killable)
    if api == "callback":
        pos = 0

        def feed(cap):
            nonlocal pos
            piece = data[pos:pos + cap]
            pos += len(piece)
            if not piece:              # end of data: the server dies now
                killable.kill()
            return piece
        rc = s.stor_cb("last.bin", feed)
    else:
        rc, _ = s.transfer_open("STOR last.bin")
        assert rc == 0, s.describe(rc)
        assert s.transfer_write(data) == 0, s.describe()
        killable.kill()
        rc = s.transfer_close()
    assert rc != 0, "an upload whose final reply never came was reported done"
    assert rc in (lib.FTP_EIO, lib.FTP_ECLOSED), s.describe(rc)
    assert not s.is_connected() or s.noop() != 0
    s.free()


def test_killed_while_idle_next_command_fails_cleanly(killable, lib):
    s = login(killable)
    killable.kill()
    rc = s.noop()
    assert rc in (lib.FTP_ECLOSED, lib.FTP_EIO), s.describe(rc)
    assert not s.is_connected()
    # A closed session refuses commands with FTP_ESTATE, not a crash or hang.
    assert s.noop() == lib.FTP_ESTATE, s.describe()
    s.free()
