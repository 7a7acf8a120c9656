"""A 100 MiB round trip per server, compared by SHA-256, with bounded memory."""
import hashlib
import random

import pytest

from helpers import expect

SIZE = 100 * 1024 * 1024 + 12345   # not a multiple of any block size


class RandomStream:
    """SIZE pseudo-random bytes produced on demand, hashed as they go out."""

    def __init__(self, size, seed):
        self.left = size
        self.rng = random.Random(seed)
        self.buf = b""
        self.sha = hashlib.sha256()

    def __call__(self, cap):
        if not self.buf and self.left:
            n = min(self.left, 1 << 20)
            self.buf = self.rng.randbytes(n)
            self.left -= n
        out, self.buf = self.buf[:cap], self.buf[cap:]
        self.sha.update(out)
        return out


def file_sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while True:
            b = f.read(1 << 20)
            if not b:
                break
            h.update(b)
    return h.hexdigest()


@pytest.mark.watchdog(900)
def test_100mib_round_trip(ftp, workdir):
    src = RandomStream(SIZE, seed=20240601)
    rc = ftp.stor_fn("big.bin", src)
    expect(ftp, rc, "FTP_OK")
    assert ftp.transfer_bytes() == SIZE
    up_sha = src.sha.hexdigest()
    remote = workdir.local / "big.bin"
    assert remote.stat().st_size == SIZE
    assert file_sha256(remote) == up_sha

    rc, n = ftp.size("big.bin")
    expect(ftp, rc, "FTP_OK")
    assert n == SIZE

    h = hashlib.sha256()
    total = [0]

    def sink(b):
        h.update(b)
        total[0] += len(b)

    rc = ftp.retr_fn("big.bin", sink)
    expect(ftp, rc, "FTP_OK")
    assert total[0] == SIZE
    assert ftp.transfer_bytes() == SIZE
    assert h.hexdigest() == up_sha
    remote.unlink()


def test_empty_file_both_ways(ftp, workdir):
    rc = ftp.stor("empty.bin", b"")
    expect(ftp, rc, "FTP_OK")
    assert (workdir.local / "empty.bin").stat().st_size == 0
    calls = []
    rc = ftp.retr_fn("empty.bin", calls.append)
    expect(ftp, rc, "FTP_OK")
    assert calls == []
    assert ftp.transfer_bytes() == 0
    rc, n = ftp.size("empty.bin")
    expect(ftp, rc, "FTP_OK")
    assert n == 0
    # pull API too
    rc, size = ftp.transfer_open("RETR empty.bin", ord("I"))
    expect(ftp, rc, "FTP_OK")
    rc, b = ftp.transfer_read()
    assert rc == 0 and b == b""
    expect(ftp, ftp.transfer_close(), "FTP_OK")
    rc, size = ftp.transfer_open("STOR empty2.bin", ord("I"))
    expect(ftp, rc, "FTP_OK")
    expect(ftp, ftp.transfer_close(), "FTP_OK")
    assert (workdir.local / "empty2.bin").stat().st_size == 0
