"""Callbacks from C into Python, threads and the GIL."""

from __future__ import annotations

import ftplib
import io
import socket
import threading
import traceback

import pytest

import ftpkit
from conftest import connect


class Boom(Exception):
    pass


def frames(exc: BaseException):
    return [f.name for f in traceback.extract_tb(exc.__traceback__)]


# -- exceptions raised by callbacks ----------------------------------------------

def test_retrbinary_callback_exception_is_reraised_with_traceback(server, ftp, workdir):
    server.put(f"{workdir}/big.bin", b"z" * 2_000_000)
    calls = []

    def my_callback(block):
        calls.append(len(block))
        if len(calls) == 3:
            raise Boom("from my_callback")

    with pytest.raises(Boom, match="from my_callback") as ei:
        ftp.retrbinary("RETR big.bin", my_callback, blocksize=4096)
    assert len(calls) == 3  # the transfer stopped at once
    assert "my_callback" in frames(ei.value)  # the original traceback
    assert "retrbinary" in frames(ei.value)
    # The session is in step and usable: ABOR was sent and answered.
    assert ftp.voidcmd("NOOP").startswith("200")
    out = []
    ftp.retrbinary("RETR big.bin", out.append)
    assert sum(map(len, out)) == 2_000_000


def test_retrlines_callback_exception(server, ftp, workdir):
    server.put(f"{workdir}/t.txt", b"a\nb\nc\n" * 10000)

    def on_line(line):
        if line == "b":
            raise KeyError(line)

    with pytest.raises(KeyError) as ei:
        ftp.retrlines("RETR t.txt", on_line)
    assert "on_line" in frames(ei.value)
    assert ftp.pwd() == workdir


def test_storbinary_read_and_callback_exceptions(server, ftp, workdir):
    class BadFile(io.RawIOBase):
        def __init__(self):
            self.n = 0

        def read(self, size=-1):
            self.n += 1
            if self.n == 5:
                raise OSError("disk on fire")
            return b"x" * size

    with pytest.raises(OSError, match="disk on fire") as ei:
        ftp.storbinary("STOR broken.bin", BadFile())
    assert "read" in frames(ei.value)
    assert ftp.voidcmd("NOOP").startswith("200")

    def progress(block):
        raise Boom("progress")

    with pytest.raises(Boom):
        ftp.storbinary("STOR broken2.bin", io.BytesIO(b"y" * 100000), 8192, progress)
    with pytest.raises(Boom):
        ftp.storlines("STOR broken3.txt", io.BytesIO(b"l\n" * 100), progress)
    assert ftp.voidcmd("NOOP").startswith("200")


def test_text_file_given_to_storbinary_is_typeerror(server, ftp):
    with pytest.raises(TypeError):
        ftp.storbinary("STOR t.bin", io.StringIO("text, not bytes"))
    assert ftp.voidcmd("NOOP").startswith("200")


def test_keyboard_interrupt_in_callback(server, ftp, workdir):
    server.put(f"{workdir}/k.bin", b"k" * 500_000)

    def interrupted(block):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        ftp.retrbinary("RETR k.bin", interrupted)
    assert ftp.voidcmd("NOOP").startswith("200")


def test_callback_runs_on_calling_thread(server, ftp, workdir):
    server.put(f"{workdir}/c.bin", b"c" * 1000)
    seen = set()
    ftp.retrbinary("RETR c.bin", lambda b: seen.add(threading.get_ident()))
    assert seen == {threading.get_ident()}


def test_abort_from_callback_stops_the_transfer(server, ftp, workdir):
    server.put(f"{workdir}/a.bin", b"a" * 3_000_000)
    blocks = []

    def take_two(block):
        blocks.append(block)
        if len(blocks) == 2:
            assert ftp.abort() is None

    resp = ftp.retrbinary("RETR a.bin", take_two, blocksize=1024)
    assert len(blocks) == 2
    assert resp[:3] in {"225", "226", "426"}
    assert ftp.voidcmd("NOOP").startswith("200")


def test_session_is_not_reentrant(server, ftp, workdir):
    server.put(f"{workdir}/r.bin", b"r" * 10000)

    def nested(block):
        ftp.voidcmd("NOOP")  # the session is inside retrbinary

    with pytest.raises(ftpkit.StateError):
        ftp.retrbinary("RETR r.bin", nested)
    assert ftp.voidcmd("NOOP").startswith("200")


def test_cancel_from_callback(server, ftp, workdir):
    server.put(f"{workdir}/x.bin", b"x" * 2_000_000)

    def cancel(block):
        ftp.cancel()

    with pytest.raises(ftpkit.Canceled) as ei:
        ftp.retrbinary("RETR x.bin", cancel, blocksize=1024)
    assert isinstance(ei.value, OSError)
    assert ftp.sock is None  # cancel leaves the session closed
    ftp.connect()  # and connect() starts over (same host and port)
    ftp.login(server.user, server.passwd)
    assert ftp.voidcmd("NOOP").startswith("200")


# -- threads and the GIL ----------------------------------------------------------

def test_gil_released_while_waiting_for_greeting():
    """The greeting is sent by a Python thread only after another Python
    thread has counted to 100: connect() can succeed only if the GIL is
    released while the C call waits."""
    counted = threading.Event()
    count = [0]

    def ticker():
        while count[0] < 100:
            count[0] += 1
            threading.Event().wait(0.001)
        counted.set()

    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]

    def serve():
        conn, _ = listener.accept()
        with conn:
            counted.wait(60)
            conn.sendall(b"220 counted\r\n")
            conn.recv(100)  # QUIT or close

    t_srv = threading.Thread(target=serve, daemon=True)
    t_srv.start()
    ftp = ftpkit.FTP()
    t_tick = threading.Thread(target=ticker, daemon=True)
    t_tick.start()
    assert ftp.connect("127.0.0.1", port, timeout=30) == "220 counted"
    assert count[0] == 100
    ftp.close()
    listener.close()
    t_srv.join(30)


def test_gil_released_during_transfer(tmp_path):
    """A real FTP server (pyftpdlib) runs in a thread of this process: a long
    download can only progress if every blocking C call releases the GIL,
    and a ticker thread keeps counting meanwhile."""
    from pyftpdlib.authorizers import DummyAuthorizer
    from pyftpdlib.handlers import FTPHandler
    from pyftpdlib.servers import FTPServer

    (tmp_path / "long.bin").write_bytes(b"L" * 20_000_000)
    auth = DummyAuthorizer()
    auth.add_user("u", "p", str(tmp_path), perm="elr")
    handler = type("H", (FTPHandler,), {"authorizer": auth})
    srv = FTPServer(("127.0.0.1", 0), handler)
    port = srv.socket.getsockname()[1]
    t_srv = threading.Thread(target=srv.serve_forever, kwargs={"timeout": 0.05},
                             daemon=True)
    t_srv.start()
    stop = threading.Event()
    ticks = [0]

    def ticker():
        while not stop.is_set():
            ticks[0] += 1
            stop.wait(0.001)

    t_tick = threading.Thread(target=ticker, daemon=True)
    try:
        ftp = ftpkit.FTP()
        ftp.connect("127.0.0.1", port, timeout=30)
        ftp.login("u", "p")
        t_tick.start()
        got = [0]
        ftp.retrbinary("RETR long.bin", lambda b: got.__setitem__(0, got[0] + len(b)))
        assert got[0] == 20_000_000
        ftp.quit()
    finally:
        stop.set()
        srv.close_all()
        t_srv.join(30)
    assert ticks[0] > 0


def test_other_thread_gets_state_error_while_busy(server, ftp, workdir):
    server.put(f"{workdir}/b.bin", b"b" * 500_000)
    result = []
    in_callback = threading.Event()
    release = threading.Event()

    def slow(block):
        if not in_callback.is_set():
            in_callback.set()
            release.wait(30)

    def other():
        in_callback.wait(30)
        try:
            ftp.voidcmd("NOOP")
            result.append("no error")
        except ftpkit.StateError as e:
            result.append(e)
        release.set()

    t = threading.Thread(target=other)
    t.start()
    ftp.retrbinary("RETR b.bin", slow)
    t.join(30)
    assert len(result) == 1 and isinstance(result[0], ftpkit.StateError)
    assert ftp.voidcmd("NOOP").startswith("200")


def test_close_from_other_thread_cancels(server, ftp, workdir):
    server.put(f"{workdir}/c.bin", b"c" * 5_000_000)
    in_callback = threading.Event()
    closed = threading.Event()

    def wait_for_close(block):
        if not in_callback.is_set():
            in_callback.set()
            closed.wait(30)

    def closer():
        in_callback.wait(30)
        ftp.close()  # the call is running: this cancels it
        closed.set()

    t = threading.Thread(target=closer)
    t.start()
    with pytest.raises(ftplib.all_errors):
        ftp.retrbinary("RETR c.bin", wait_for_close, blocksize=4096)
    t.join(30)
    assert ftp.sock is None


# -- nothing is kept alive by the C side ------------------------------------------

def test_callbacks_and_sessions_are_not_leaked(server, workdir):
    import gc
    import weakref

    server.put(f"{workdir}/w.bin", b"w" * 100_000)

    class Sink:
        def __init__(self, fail):
            self.fail = fail
            self.n = 0

        def __call__(self, block):
            self.n += len(block)
            if self.fail:
                raise Boom("leak check")

    refs = []
    for fail in (False, True) * 20:
        ftp = connect(server, cwd=workdir)
        sink = Sink(fail)
        try:
            ftp.retrbinary("RETR w.bin", sink)
        except Boom:
            pass
        ftp.quit()
        refs += [weakref.ref(sink), weakref.ref(ftp)]
        del sink, ftp
    gc.collect()
    assert [r for r in refs if r() is not None] == []
