"""A 100 MiB round trip (upload, download), checked by SHA-256."""

from __future__ import annotations

import hashlib
import os

from conftest import connect

SIZE = 100 * 1024 * 1024


def test_100_mib_round_trip(vsftpd, workdir, tmp_path):
    src = tmp_path / "big.bin"
    h_src = hashlib.sha256()
    with open(src, "wb") as f:
        left = SIZE
        while left:
            block = os.urandom(min(left, 1 << 20))
            h_src.update(block)
            f.write(block)
            left -= len(block)
    ftp = connect(vsftpd, cwd=workdir)
    sent = [0]
    with open(src, "rb") as f:
        resp = ftp.storbinary("STOR big.bin", f, 65536,
                              lambda b: sent.__setitem__(0, sent[0] + len(b)))
    assert resp.startswith("226")
    assert sent[0] == SIZE
    ftp.voidcmd("TYPE I")
    assert ftp.size("big.bin") == SIZE
    h_dst = hashlib.sha256()
    got = [0]

    def take(block):
        h_dst.update(block)
        got[0] += len(block)

    assert ftp.retrbinary("RETR big.bin", take, blocksize=65536).startswith("226")
    assert got[0] == SIZE
    assert h_dst.hexdigest() == h_src.hexdigest()
    h_disk = hashlib.sha256()
    with open(vsftpd.local(f"{workdir}/big.bin"), "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h_disk.update(block)
    assert h_disk.hexdigest() == h_src.hexdigest()
    ftp.quit()
