"""Stopping a transfer on purpose leaves the session usable.

ftp_abort() in the middle of a pull download or upload, a data callback or
read callback that returns non-zero (FTP_EABORTED), and ftp_abort() with
no transfer open: afterwards the same session transfers a file byte-exact.
ftp_cancel() from another thread is the exception by contract: the call
returns FTP_ECANCELED and the session is closed, so it reconnects.
Against pyftpdlib, vsftpd, and vsftpd with explicit FTPS and PROT P.
"""
from __future__ import annotations

import threading
import time

import pytest

from faults_support import BIG, SEED, login

KINDS = ["pyftpdlib", "vsftpd", "vsftpd-tls"]


@pytest.fixture(params=KINDS)
def sess(request, shared_servers, certs):
    kind = request.param
    srv = shared_servers(kind.split("-")[0])
    s = login(srv, tls=kind.endswith("-tls"), certs=certs)
    # Two replies on loopback: generous, and a hang costs 15 s, not 30.
    assert s.set_reply_timeout(15000) == 0
    s.server = srv
    yield s
    if s.is_connected():
        s.quit()
    s.free()


def still_usable(s):
    assert s.is_connected(), s.describe()
    assert s.noop() == 0, s.describe()
    rc, cwd = s.pwd()
    assert rc == 0, s.describe(rc)
    rc, data = s.retr("seed.bin")
    assert rc == 0, s.describe(rc)
    assert data == SEED


def test_abort_pull_download(sess):
    rc, size = sess.transfer_open("RETR big.bin")
    assert rc == 0, sess.describe(rc)
    got = b""
    while len(got) < 512 * 1024:
        rc, chunk = sess.transfer_read(65536)
        assert rc == 0 and chunk, sess.describe(rc)
        got += chunk
    assert got == BIG[:len(got)]
    rc = sess.abort()
    assert rc == 0, sess.describe(rc)
    assert sess.reply_code() in (225, 226, 426), sess.describe()
    still_usable(sess)


def skip_upload_abort_on_pyftpdlib(sess):
    """pyftpdlib 2.2.0's own bug, reproduced with Python's ftplib alone (see
    the Rust and Go bindings' READMEs): after it answers an upload's ABOR
    with "225 ... data channel closed", its next data connection may stall
    after 64 KiB.  It made CI flaky, so upload aborts run on vsftpd only."""
    if sess.server.name == "pyftpdlib":
        pytest.skip("pyftpdlib 2.2.0 stalls the next data connection after an upload's ABOR")


def test_abort_pull_upload(sess):
    skip_upload_abort_on_pyftpdlib(sess)
    name = f"pull-abort-{id(sess)}.bin"
    rc, _ = sess.transfer_open("STOR " + name)
    assert rc == 0, sess.describe(rc)
    for i in range(8):
        assert sess.transfer_write(BIG[i << 16:(i + 1) << 16]) == 0, sess.describe()
    rc = sess.abort()
    assert rc == 0, sess.describe(rc)
    still_usable(sess)
    p = sess.server.local_dir / name
    if p.exists():
        kept = p.read_bytes()
        assert len(kept) <= 8 << 16 and kept == BIG[:len(kept)]
        assert sess.delete(name) == 0, sess.describe()


def test_callback_stops_download(sess, lib):
    seen = []

    def on_block(block):
        seen.append(len(block))
        return 1 if sum(seen) >= 256 * 1024 else 0
    rc = sess.retr_cb("big.bin", on_block)
    assert rc == lib.FTP_EABORTED, sess.describe(rc)
    assert sess.transfer_bytes() == sum(seen)
    still_usable(sess)


def test_callback_stops_upload(sess, lib):
    skip_upload_abort_on_pyftpdlib(sess)
    name = f"cb-abort-{id(sess)}.bin"
    pos = 0

    def feed(cap):
        nonlocal pos
        if pos >= 512 * 1024:
            return 1                   # stop: the upload must not complete
        piece = BIG[pos:pos + cap]
        pos += len(piece)
        return piece
    rc = sess.stor_cb(name, feed)
    assert rc == lib.FTP_EABORTED, sess.describe(rc)
    still_usable(sess)
    p = sess.server.local_dir / name
    if p.exists():
        kept = p.read_bytes()
        assert len(kept) <= pos and kept == BIG[:len(kept)]
        assert sess.delete(name) == 0, sess.describe()


def test_abort_without_transfer(sess):
    rc = sess.abort()
    assert rc == 0, sess.describe(rc)
    still_usable(sess)


def test_cancel_from_another_thread(sess, lib, certs):
    """ftp_cancel() while a download runs: FTP_ECANCELED promptly, the
    session closed; ftp_connect() on the same handle starts over."""
    started = threading.Event()

    def on_block(block):
        started.set()
        time.sleep(0.01)               # keep the download going
        return 0
    canceller = threading.Thread(target=lambda: (started.wait(30), sess.cancel()))
    canceller.start()
    rc = sess.retr_cb("big.bin", on_block)
    canceller.join(30)
    assert rc == lib.FTP_ECANCELED, sess.describe(rc)
    assert not sess.is_connected()
    srv = sess.server
    rc = sess.connect("127.0.0.1", srv.port)
    assert rc == 0, sess.describe(rc)
    assert sess.login(srv.user, srv.password) == 0, sess.describe()
    if srv.remote_dir != ".":
        assert sess.cwd(srv.remote_dir) == 0, sess.describe()
    still_usable(sess)
