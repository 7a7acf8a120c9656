"""Command details no real server shows on demand, on the scripted server;
threads and cancellation races against real servers."""
import threading

import pytest

from helpers import assert_usable, expect, login
from scripted import ScriptedServer


def connect_ok(sess, srv):
    expect(sess, sess.connect(srv.host, srv.port), "FTP_OK", 220)


def test_cwd_dotdot_cdup_500_retried_as_cwd(session):
    with ScriptedServer(overrides={"CDUP": lambda c, a: c.reply("500 CDUP not understood.")}) as srv:
        connect_ok(session, srv)
        expect(session, session.cwd(".."), "FTP_OK", 250)
        assert srv.commands[-2:] == ["CDUP", "CWD .."], srv.commands


def test_cwd_other_path_sends_cwd(session):
    with ScriptedServer() as srv:
        connect_ok(session, srv)
        expect(session, session.cwd("a b/c"), "FTP_OK")
        assert srv.commands[-1] == "CWD a b/c"


def test_delete_accepts_200(session):
    with ScriptedServer(overrides={"DELE": lambda c, a: c.reply("200 Deleted.")}) as srv:
        connect_ok(session, srv)
        expect(session, session.delete("f"), "FTP_OK", 200)


def test_rename_rnfr_must_be_3xx(session):
    with ScriptedServer(overrides={"RNFR": lambda c, a: c.reply("250 Odd but positive.")}) as srv:
        connect_ok(session, srv)
        expect(session, session.rename("a", "b"), "FTP_EREPLY", 250)
        assert not srv.saw("RNTO"), srv.commands
        assert_usable(session)


def test_rename_rnto_refused(session):
    ovr = {"RNFR": lambda c, a: c.reply("350 Ready."),
           "RNTO": lambda c, a: c.reply("553 Not allowed.")}
    with ScriptedServer(overrides=ovr) as srv:
        connect_ok(session, srv)
        expect(session, session.rename("a", "b"), "FTP_EPERM", 553)
        assert srv.commands[-2:] == ["RNFR a", "RNTO b"]


def test_quit_error_reply_still_closes(session):
    with ScriptedServer(overrides={"QUIT": lambda c, a: c.reply("500 No quitting.")}) as srv:
        connect_ok(session, srv)
        rc = session.quit()
        expect(session, rc, "FTP_EPERM", 500)
        assert not session.is_connected()


def test_quit_when_server_already_gone(session):
    with ScriptedServer(overrides={"QUIT": lambda c, a: "stop"}) as srv:
        connect_ok(session, srv)
        session.quit()
        assert not session.is_connected()


def test_connect_port_0_means_21(session):
    try:
        srv = ScriptedServer(greeting="220 on port 21", port=21)
    except OSError:
        pytest.skip("port 21 on 127.0.0.1 is taken or needs privileges")
    with srv:
        expect(session, session.connect("127.0.0.1", 0), "FTP_OK", 220)
        assert session.welcome() == "220 on port 21"


def test_callbacks_run_on_calling_thread(session):
    listing = b"one\r\ntwo\r\n"
    with ScriptedServer(files={"f": b"x" * 100_000}, listing=listing) as srv:
        connect_ok(session, srv)
        me = threading.get_ident()
        seen = set()
        session.set_debug(1)
        rc = session.retr_fn("f", lambda b: seen.add(threading.get_ident()))
        expect(session, rc, "FTP_OK")
        rc, _ = session.nlst()
        expect(session, rc, "FTP_OK")
        rc = session.stor_fn("g", lambda cap: (seen.add(threading.get_ident()), b"")[1])
        expect(session, rc, "FTP_OK")
        assert seen == {me}
        # the debug callback too
        dbg_threads = set()
        orig = session.debug_lines

        class Rec(list):
            def append(self, x):
                dbg_threads.add(threading.get_ident())
                super().append(x)
        session.debug_lines = Rec(orig)
        expect(session, session.noop(), "FTP_OK")
        assert dbg_threads == {me}


def test_session_moves_between_threads(session, server, workdir):
    workdir.put("t.bin", b"threads")
    login(session, server)
    assert session.cwd(workdir.remote) == 0
    results = []

    def work():
        rc, data = session.retr("t.bin")
        results.append((rc, data))

    for _ in range(3):
        t = threading.Thread(target=work)
        t.start()
        t.join(120)
    assert results == [(0, b"threads")] * 3


def test_concurrent_sessions(new_session, server, workdir):
    """Different sessions are fully independent, used at the same time."""
    import os
    n = 4
    blobs = [os.urandom(2_000_000 + i) for i in range(n)]
    for i, b in enumerate(blobs):
        workdir.put(f"c{i}.bin", b)
    sessions = [new_session() for _ in range(n)]
    for s in sessions:
        login(s, server)
        assert s.cwd(workdir.remote) == 0
    errors = []

    def work(i):
        s = sessions[i]
        try:
            for rnd in range(3):
                rc, data = s.retr(f"c{i}.bin")
                if rc != 0 or data != blobs[i]:
                    errors.append((i, rnd, "retr", rc, s.describe()))
                rc = s.stor(f"u{i}.bin", blobs[i][::-1])
                if rc != 0:
                    errors.append((i, rnd, "stor", rc, s.describe()))
        except Exception as e:  # noqa: BLE001
            errors.append((i, repr(e)))

    ts = [threading.Thread(target=work, args=(i,)) for i in range(n)]
    for t in ts:
        t.start()
    for t in ts:
        t.join(300)
    assert not errors
    for i in range(n):
        assert (workdir.local / f"u{i}.bin").read_bytes() == blobs[i][::-1]


def test_cancel_racing_calls(session, pyftpd):
    """ftp_cancel at any time: each call either completes or is canceled."""
    stop = threading.Event()

    def canceller():
        while not stop.is_set():
            session.cancel()
            stop.wait(0.003)

    L = session.L
    outcomes = set()
    t = threading.Thread(target=canceller, daemon=True)
    t.start()
    try:
        for _ in range(30):
            rc = session.connect(pyftpd.host, pyftpd.port)
            outcomes.add(rc)
            assert rc in (L.FTP_OK, L.FTP_ECANCELED), session.describe()
            if rc != 0:
                assert not session.is_connected()
                continue
            for _ in range(5):
                rc = session.noop()
                outcomes.add(rc)
                assert rc in (L.FTP_OK, L.FTP_ECANCELED), session.describe()
                if rc != 0:
                    assert not session.is_connected()
                    break
    finally:
        stop.set()
        t.join(10)
    # With the canceller gone the session works normally.
    login(session, pyftpd)
    assert_usable(session)
