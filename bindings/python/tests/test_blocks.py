"""retrbinary's block contract with many blocks per read of the data connection.

The binding asks libftpkit for large reads (up to 1 MiB, ``_RETR_CHUNK``) and
slices each one into blocks for the callback.  ftplib's contract must hold
whatever the slicing: every block is a ``bytes`` object of at most
``blocksize`` bytes, the blocks are the file in order (the caller may keep
them: a later read must not change an earlier block), and a callback that
raises or calls ``abort()`` stops the transfer at that very block.

storbinary without a callback reads plain binary files with ``readinto()``
straight into the library's buffer; other file objects keep ftplib's
``read(blocksize)``.
"""

from __future__ import annotations

import hashlib
import io
import os

import pytest

import ftpkit
from conftest import connect

SIZE = 5 * 1024 * 1024 + 123  # several reads of the data connection, a ragged end


@pytest.fixture(scope="module")
def payload() -> bytes:
    return os.urandom(SIZE)


@pytest.mark.parametrize("blocksize", [1000, 8192, 65536, 3 * 1024 * 1024 + 7])
def test_blocks_are_bytes_within_blocksize(server, ftp, workdir, payload, blocksize):
    server.put(f"{workdir}/p.bin", payload)
    blocks = []
    resp = ftp.retrbinary("RETR p.bin", blocks.append, blocksize=blocksize)
    assert resp.startswith("226")
    assert all(type(b) is bytes for b in blocks)
    assert all(0 < len(b) <= blocksize for b in blocks)
    assert len(blocks) >= -(-SIZE // blocksize)
    # The kept blocks are the file: no later read overwrote an earlier one.
    assert hashlib.sha256(b"".join(blocks)).digest() == hashlib.sha256(payload).digest()
    assert ftp.transfer_bytes == SIZE


def test_blocks_with_rest(server, ftp, workdir, payload):
    server.put(f"{workdir}/p.bin", payload)
    blocks = []
    ftp.retrbinary("RETR p.bin", blocks.append, blocksize=4096, rest=1_234_567)
    assert all(0 < len(b) <= 4096 for b in blocks)
    assert b"".join(blocks) == payload[1_234_567:]
    assert ftp.transfer_bytes == SIZE - 1_234_567


def test_default_blocksize_is_ftplibs(server, ftp, workdir, payload):
    server.put(f"{workdir}/p.bin", payload)
    sizes = []
    ftp.retrbinary("RETR p.bin", lambda b: sizes.append(len(b)))
    assert sum(sizes) == SIZE
    assert max(sizes) <= 8192  # ftplib's default blocksize


def test_exception_stops_inside_one_read(server, ftp, workdir, payload):
    """Small blocks: one read of the data connection makes many blocks; the
    raising callback is the last one called."""
    server.put(f"{workdir}/p.bin", payload)
    calls = []

    def on_block(block):
        calls.append(len(block))
        if len(calls) == 5:
            raise LookupError("enough")

    with pytest.raises(LookupError, match="enough"):
        ftp.retrbinary("RETR p.bin", on_block, blocksize=100)
    assert len(calls) == 5
    assert ftp.voidcmd("NOOP").startswith("200")
    got = []
    ftp.retrbinary("RETR p.bin", got.append, blocksize=100_000)
    assert b"".join(got) == payload


def test_abort_stops_inside_one_read(server, ftp, workdir, payload):
    server.put(f"{workdir}/p.bin", payload)
    calls = []

    def on_block(block):
        calls.append(block)
        if len(calls) == 3:
            assert ftp.abort() is None  # a request: the transfer stops after this block

    resp = ftp.retrbinary("RETR p.bin", on_block, blocksize=100)
    assert len(calls) == 3
    assert resp[:3] in {"225", "226", "426", "451"}
    assert b"".join(calls) == payload[:300]
    assert ftp.voidcmd("NOOP").startswith("200")


def test_blocks_over_tls(ftps_server, workdir, payload):
    ftps_server.put(f"{workdir}/p.bin", payload)
    ftp = connect(ftps_server, cwd=workdir)
    ftp.prot_p()
    blocks = []
    assert ftp.retrbinary("RETR p.bin", blocks.append, blocksize=7000).startswith("226")
    assert all(type(b) is bytes and 0 < len(b) <= 7000 for b in blocks)
    assert hashlib.sha256(b"".join(blocks)).digest() == hashlib.sha256(payload).digest()
    ftp.quit()


def test_bad_blocksize_is_refused_before_sending(server, ftp, workdir):
    server.put(f"{workdir}/x.bin", b"x" * 10)
    with pytest.raises(OverflowError):
        ftp.retrbinary("RETR x.bin", lambda b: None, blocksize=-1)
    assert ftp.voidcmd("NOOP").startswith("200")
    assert isinstance(ftp, ftpkit.FTP)


# -- storbinary ----------------------------------------------------------------

def test_stor_plain_file_fast_path(server, ftp, workdir, payload, tmp_path):
    src = tmp_path / "up.bin"
    src.write_bytes(payload)
    with open(src, "rb") as f:  # io.BufferedReader: read with readinto()
        assert ftp.storbinary("STOR up.bin", f, blocksize=8192).startswith("226")
        assert f.read() == b""  # all of it was read
    assert server.local(f"{workdir}/up.bin").read_bytes() == payload
    assert ftp.transfer_bytes == SIZE
    with open(src, "rb", buffering=0) as f:  # io.FileIO
        ftp.storbinary("STOR up2.bin", f)
    assert server.local(f"{workdir}/up2.bin").read_bytes() == payload
    ftp.storbinary("STOR up3.bin", io.BytesIO(payload), blocksize=100_000)
    assert server.local(f"{workdir}/up3.bin").read_bytes() == payload
    ftp.storbinary("STOR empty.bin", io.BytesIO(b""))
    assert server.local(f"{workdir}/empty.bin").read_bytes() == b""


def test_stor_rest_fast_path(server, ftp, workdir, payload):
    server.put(f"{workdir}/r.bin", payload[:1000])
    src = io.BytesIO(payload)
    src.seek(1000)
    ftp.storbinary("STOR r.bin", src, rest=1000)
    assert server.local(f"{workdir}/r.bin").read_bytes() == payload


class CountingReader(io.BytesIO):
    """A subclass that overrides read(): it must be called as ftplib does."""

    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.sizes = []

    def read(self, size=-1):
        self.sizes.append(size)
        return super().read(size)


def test_stor_subclass_keeps_read_blocksize(server, ftp, workdir, payload):
    src = CountingReader(payload)
    ftp.storbinary("STOR c.bin", src, blocksize=65536)
    assert server.local(f"{workdir}/c.bin").read_bytes() == payload
    assert set(src.sizes) == {65536}
    assert len(src.sizes) == -(-SIZE // 65536) + 1  # the last read returns b""


def test_stor_fast_path_readinto_error_aborts(server, ftp, workdir, payload, tmp_path):
    src = tmp_path / "f.bin"
    src.write_bytes(payload)
    f = open(src, "rb")
    calls = []
    real = f.readinto

    class Broken(Exception):
        pass

    def readinto(b):
        calls.append(len(b))
        if len(calls) == 3:
            raise Broken("disk gone")
        return real(b)

    try:
        f.readinto = readinto  # type: ignore[method-assign]
    except AttributeError:
        pytest.skip("cannot patch readinto on this Python")
    with f, pytest.raises(Broken, match="disk gone"):
        ftp.storbinary("STOR f.bin", f)
    assert len(calls) == 3
    assert all(n >= 8192 for n in calls)
    assert ftp.voidcmd("NOOP").startswith("200")
