"""ftp_retr_files / ftp_stor_files: many files over parallel sessions."""
import os
import threading

import pytest

import servers
from helpers import assert_usable, expect


def items(sess, specs):
    """specs: [(path or None, fd)] -> (cdata array, keepalive)."""
    ffi = sess.ffi
    arr = ffi.new("ftp_file_item[]", len(specs))
    keep = []
    for i, (path, fd) in enumerate(specs):
        if path is None:
            arr[i].path = ffi.NULL
        else:
            c = ffi.new("char[]", path.encode() if isinstance(path, str) else path)
            keep.append(c)
            arr[i].path = c
        arr[i].fd = fd
        arr[i].status = 12345
        arr[i].bytes = 999
    return arr, keep


@pytest.mark.parametrize("parallel", [0, 1, 3, 8])
def test_retr_files(ftp, workdir, tmp_path, parallel):
    blobs = {f"f{i}.bin": os.urandom(200_000 + 7919 * i) for i in range(10)}
    for name, data in blobs.items():
        workdir.put(name, data)
    files = {name: open(tmp_path / name, "wb+") for name in blobs}
    try:
        arr, keep = items(ftp, [(name, f.fileno()) for name, f in files.items()])
        ftp.set_debug(1)
        ftp.debug_lines.clear()
        rc = ftp.lib.ftp_retr_files(ftp.s, arr, len(files), parallel)
        expect(ftp, rc, "FTP_OK")
        for i, name in enumerate(files):
            assert arr[i].status == 0, (name, ftp.L.name(arr[i].status))
            assert arr[i].bytes == len(blobs[name])
    finally:
        for f in files.values():
            f.close()
    for name, data in blobs.items():
        assert (tmp_path / name).read_bytes() == data
    # The debug callback sees only this session's traffic: no helper logins.
    assert not [x for x in ftp.debug_lines if "'USER" in x or "'PASS" in x], ftp.debug_lines
    assert ftp.is_connected()
    assert_usable(ftp)
    rc, p = ftp.pwd()
    assert p.endswith(workdir.remote.encode())


@pytest.mark.parametrize("parallel", [1, 4])
def test_stor_files(ftp, workdir, tmp_path, parallel):
    blobs = {f"u{i}.bin": os.urandom(150_000 + 104_729 * i) for i in range(8)}
    files = {}
    for name, data in blobs.items():
        (tmp_path / name).write_bytes(b"SKIP" + data)
        f = open(tmp_path / name, "rb")
        f.seek(4)   # used from the current offset
        files[name] = f
    try:
        arr, keep = items(ftp, [(name, f.fileno()) for name, f in files.items()])
        rc = ftp.lib.ftp_stor_files(ftp.s, arr, len(files), parallel)
        expect(ftp, rc, "FTP_OK")
        for i, name in enumerate(files):
            assert arr[i].status == 0, (name, ftp.L.name(arr[i].status))
            assert arr[i].bytes == len(blobs[name])
    finally:
        for f in files.values():
            f.close()
    for name, data in blobs.items():
        assert (workdir.local / name).read_bytes() == data
    assert_usable(ftp)


def test_retr_files_partial_failure(ftp, workdir, tmp_path):
    names = ["ok0.bin", "missing1.bin", "ok2.bin", "missing3.bin", "ok4.bin"]
    for n in names:
        if n.startswith("ok"):
            workdir.put(n, n.encode() * 1000)
    files = [open(tmp_path / n, "wb+") for n in names]
    try:
        arr, keep = items(ftp, [(n, f.fileno()) for n, f in zip(names, files)])
        rc = ftp.lib.ftp_retr_files(ftp.s, arr, len(names), 3)
        # the status of the first failed item, by index
        expect(ftp, rc, "FTP_EPERM")
        assert "2" in ftp.errmsg(), ftp.errmsg()   # counts the failures
        for i, n in enumerate(names):
            if n.startswith("ok"):
                assert arr[i].status == 0, (n, ftp.L.name(arr[i].status))
                assert arr[i].bytes == len(n) * 1000
            else:
                assert arr[i].status == ftp.L.FTP_EPERM, (n, ftp.L.name(arr[i].status))
                assert arr[i].bytes == 0
    finally:
        for f in files:
            f.close()
    for n in names:
        if n.startswith("ok"):
            assert (tmp_path / n).read_bytes() == n.encode() * 1000
    assert_usable(ftp)


@pytest.mark.parametrize("bad", ["null-path", "crlf-path", "negative-fd"])
@pytest.mark.parametrize("func", ["ftp_retr_files", "ftp_stor_files"])
def test_files_invalid_nothing_sent(ftp, workdir, tmp_path, bad, func):
    workdir.put("a.bin", b"a")
    f = open(tmp_path / "a.bin", "wb+")
    try:
        specs = [("a.bin", f.fileno()), ("a.bin", f.fileno())]
        if bad == "null-path":
            specs[1] = (None, f.fileno())
        elif bad == "crlf-path":
            specs[1] = ("a.bin\r\nDELE a.bin", f.fileno())
        else:
            specs[1] = ("a.bin", -1)
        arr, keep = items(ftp, specs)
        ftp.set_debug(1)
        ftp.debug_lines.clear()
        rc = getattr(ftp.lib, func)(ftp.s, arr, 2, 2)
        expect(ftp, rc, "FTP_EINVAL")
        assert not [x for x in ftp.debug_lines if "*cmd*" in x], ftp.debug_lines
    finally:
        f.close()
    assert (workdir.local / "a.bin").read_bytes() == b"a"
    assert_usable(ftp)


def test_files_not_connected_estate(session, tmp_path):
    with open(tmp_path / "x", "wb") as f:
        arr, keep = items(session, [("x", f.fileno())])
        expect(session, session.lib.ftp_retr_files(session.s, arr, 1, 2), "FTP_ESTATE")
        expect(session, session.lib.ftp_stor_files(session.s, arr, 1, 2), "FTP_ESTATE")


def test_retr_files_zero_items(ftp):
    arr, keep = items(ftp, [])
    assert ftp.lib.ftp_retr_files(ftp.s, arr, 0, 4) == 0
    assert_usable(ftp)


@pytest.fixture
def pyftpd_one_client(tmp_path):
    # pyftpdlib counts its listening socket too: max_cons=2 admits one client.
    root = tmp_path / "root"
    root.mkdir()
    srv = servers.PyftpdServer(root, max_cons=2, log=tmp_path / "pyftpd.log")
    yield srv
    srv.stop()


def test_retr_files_helpers_refused(session, pyftpd_one_client, tmp_path):
    """Helpers that cannot connect (421) leave their share to the others."""
    srv = pyftpd_one_client
    for i in range(5):
        (srv.root / f"h{i}.bin").write_bytes(bytes([i]) * 50_000)
    import time
    deadline = time.monotonic() + 30
    while session.connect(srv.host, srv.port) != 0 and time.monotonic() < deadline:
        time.sleep(0.2)
    expect(session, session.login(srv.user, srv.password), "FTP_OK")
    files = [open(tmp_path / f"h{i}.bin", "wb+") for i in range(5)]
    try:
        arr, keep = items(session, [(f"h{i}.bin", f.fileno()) for i, f in enumerate(files)])
        rc = session.lib.ftp_retr_files(session.s, arr, 5, 4)
        expect(session, rc, "FTP_OK")
        assert all(arr[i].status == 0 for i in range(5))
    finally:
        for f in files:
            f.close()
    for i in range(5):
        assert (tmp_path / f"h{i}.bin").read_bytes() == bytes([i]) * 50_000


def _drain(fds):
    for r in fds:
        os.set_blocking(r, False)
        try:
            while os.read(r, 1 << 20):
                pass
        except (BlockingIOError, OSError):
            pass


@pytest.mark.servers("pyftpdlib")
def test_cancel_stops_every_worker(ftp, workdir):
    """Workers blocked writing into full pipes: ftp_cancel(s) stops them all."""
    n = 4
    for i in range(n):
        workdir.put(f"c{i}.bin", os.urandom(4 << 20))
    pipes = [os.pipe() for _ in range(n)]
    arr, keep = items(ftp, [(f"c{i}.bin", w) for i, (r, w) in enumerate(pipes)])
    res = {}

    def run():
        res["rc"] = ftp.lib.ftp_retr_files(ftp.s, arr, n, n)

    t = threading.Thread(target=run, daemon=True)
    t.start()
    t.join(2)   # let the workers fill the pipes and block
    ftp.cancel()
    t.join(30)
    stuck = t.is_alive()
    if stuck:
        # unblock the workers so that the test process can go on
        for _ in range(200):
            _drain([r for r, w in pipes])
            t.join(0.1)
            if not t.is_alive():
                break
    for r, w in pipes:
        os.close(r)
        os.close(w)
    assert not stuck, ("ftp_cancel did not stop workers blocked on their descriptors "
                       f"(after draining the pipes the call returned {res.get('rc')})")
    expect(ftp, res["rc"], "FTP_ECANCELED")
    assert any(arr[i].status == ftp.L.FTP_ECANCELED for i in range(n))
    assert not ftp.is_connected()


@pytest.mark.servers("pyftpdlib")
def test_cancel_retr_fd_blocked_on_pipe(ftp, workdir):
    workdir.put("p.bin", os.urandom(4 << 20))
    r, w = os.pipe()
    res = {}
    t = threading.Thread(target=lambda: res.setdefault("rc", ftp.retr_fd("p.bin", w)), daemon=True)
    t.start()
    t.join(2)
    ftp.cancel()
    t.join(30)
    stuck = t.is_alive()
    if stuck:
        for _ in range(200):
            _drain([r])
            t.join(0.1)
            if not t.is_alive():
                break
    os.close(r)
    os.close(w)
    assert not stuck, ("ftp_cancel did not unblock ftp_retr_fd blocked on a full pipe "
                       f"(after draining it returned {res.get('rc')})")
    expect(ftp, res["rc"], "FTP_ECANCELED")
