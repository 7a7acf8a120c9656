"""Every error kind provoked for real: against real servers where they can
produce it (550, 421, refused, resolve), and against the scripted server for
what no real server does on purpose."""
import socket
import threading
import time

import pytest

import servers
from helpers import assert_usable, expect, login
from scripted import ScriptedServer, recv_all

BOUND = 15  # seconds of slack on top of a configured timeout


def connect_ok(sess, srv):
    rc = sess.connect(srv.host, srv.port)
    expect(sess, rc, "FTP_OK", 220)
    return sess


def timed(fn):
    t0 = time.monotonic()
    rc = fn()
    return rc, time.monotonic() - t0


# --------------------------------------------------------------------------
# real servers
# --------------------------------------------------------------------------

def test_550_is_eperm(ftp):
    rc, _ = ftp.retr("nope.bin")
    expect(ftp, rc, "FTP_EPERM", 550)
    assert ftp.reply_text().startswith("550")
    assert ftp.errmsg() != ""
    assert_usable(ftp)


@pytest.fixture
def pyftpd_maxcons(tmp_path):
    # pyftpdlib counts its listening socket too: max_cons=2 admits one client.
    srv = servers.PyftpdServer(tmp_path, max_cons=2, log=tmp_path / "pyftpd.log")
    yield srv
    srv.stop()


def test_421_too_many_connections(new_session, pyftpd_maxcons):
    a, b = new_session(), new_session()
    # The readiness probe's connection may still be counted for a moment.
    deadline = time.monotonic() + 30
    while True:
        rc = a.connect(pyftpd_maxcons.host, pyftpd_maxcons.port)
        if rc == 0 or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    expect(a, rc, "FTP_OK", 220)
    rc = b.connect(pyftpd_maxcons.host, pyftpd_maxcons.port)
    expect(b, rc, "FTP_ETEMP", 421)
    assert "421" in b.reply_text()
    assert b.errmsg() != ""
    assert_usable(a)


def test_pyftpdlib_default_settings(session, tmp_path):
    """pyftpdlib with its default handler settings (3 s failed-login pause)."""
    srv = servers.PyftpdServer(tmp_path, defaults=True, log=tmp_path / "d.log")
    try:
        connect_ok(session, srv)
        assert session.welcome().startswith("220")
        expect(session, session.login("user", "bad"), "FTP_EPERM", 530)
        expect(session, session.login("user", "12345"), "FTP_OK")
        (tmp_path / "d.txt").write_bytes(b"defaults")
        rc, data = session.retr("d.txt")
        expect(session, rc, "FTP_OK")
        assert data == b"defaults"
        expect(session, session.quit(), "FTP_OK")
    finally:
        srv.stop()


def test_resolve_failure(session):
    rc = session.connect("no-such-host.ftpkit-test.invalid", 21)
    expect(session, rc, "FTP_ERESOLVE")
    assert session.reply_code() == 0
    assert session.errmsg() != ""
    assert not session.is_connected()


def test_connection_refused(session):
    port = servers.free_port()
    rc = session.connect("127.0.0.1", port)
    expect(session, rc, "FTP_EIO")
    assert session.reply_code() == 0
    assert session.errmsg() != ""
    assert not session.is_connected()


def test_connection_refused_then_connect_works(session, pyftpd):
    port = servers.free_port()
    expect(session, session.connect("127.0.0.1", port), "FTP_EIO")
    login(session, pyftpd)
    assert_usable(session)


# --------------------------------------------------------------------------
# malformed replies (scripted)
# --------------------------------------------------------------------------

@pytest.mark.parametrize("greeting", ["2X0 hi", "22", "22 hi", "600 too high", "099 too low",
                                      "hello", "", "2000 four digits", " 220 leading space"])
def test_malformed_greeting_is_eproto(session, greeting):
    with ScriptedServer(greeting=greeting) as srv:
        rc = session.connect(srv.host, srv.port)
        expect(session, rc, "FTP_EPROTO")
        assert session.reply_code() == 0
        assert session.errmsg() != ""
        assert not session.is_connected()


@pytest.mark.parametrize("reply", ["2X0 hi", "22", "600 nope", "abc", "20 0"])
def test_malformed_reply_to_command_is_eproto(session, reply):
    with ScriptedServer(overrides={"NOOP": lambda c, a: c.reply(reply)}) as srv:
        connect_ok(session, srv)
        rc = session.sendcmd("NOOP")
        expect(session, rc, "FTP_EPROTO")
        assert session.reply_code() == 0
        assert not session.is_connected()
        expect(session, session.noop(), "FTP_ESTATE")


def _line_server(line):
    return ScriptedServer(overrides={"NOOP": lambda c, a: c.reply(line)})


@pytest.mark.parametrize("maxline", [None, 64, 1000])
def test_line_limit(session, maxline):
    limit = maxline or 8192
    if maxline:
        assert session.lib.ftp_set_maxline(session.s, maxline) == 0
    ok_line = "200 " + "x" * (limit - 4)
    with _line_server(ok_line) as srv:
        connect_ok(session, srv)
        expect(session, session.sendcmd("NOOP"), "FTP_OK", 200)
        assert session.reply_text() == ok_line
    with _line_server(ok_line + "y") as srv:
        connect_ok(session, srv)
        expect(session, session.sendcmd("NOOP"), "FTP_EPROTO")
        assert not session.is_connected()


def test_line_limit_applies_to_inner_lines(session):
    assert session.lib.ftp_set_maxline(session.s, 64) == 0
    reply = "211-start\r\n" + "y" * 65 + "\r\n211 end"
    with _line_server(reply) as srv:
        connect_ok(session, srv)
        expect(session, session.sendcmd("NOOP"), "FTP_EPROTO")


def test_huge_line_without_newline_is_eproto(session):
    """A server streaming one endless line: memory stays bounded, EPROTO."""
    def handler(c):
        c.reply("220 hi")
        c.readline()
        try:
            for _ in range(4096):   # up to 16 MiB, stops when the client leaves
                c.send(b"200 " + b"z" * 4096)
        except OSError:
            pass

    with ScriptedServer(handler) as srv:
        connect_ok(session, srv)
        expect(session, session.sendcmd("NOOP"), "FTP_EPROTO")
        assert not session.is_connected()


def _endless_multiline(c):
    c.reply("220 hi")
    c.readline()
    c.send("211-start\r\n")
    try:
        for i in range(40000):   # ~4 MiB at most, stops when the client leaves
            c.send(b"211-line %06d " % i + b"m" * 90 + b"\r\n")
    except OSError:
        pass


@pytest.mark.parametrize("cap", [None, 4096])
def test_multiline_reply_that_never_ends(session, cap):
    if cap:
        assert session.lib.ftp_set_max_reply_size(session.s, cap) == 0
    with ScriptedServer(_endless_multiline) as srv:
        connect_ok(session, srv)
        expect(session, session.sendcmd("FEAT"), "FTP_EPROTO")
        assert not session.is_connected()


def test_multiline_reply_under_cap_ok(session):
    lines = ["211-start"] + [" line %d" % i for i in range(100)] + ["211 end"]
    with _line_server("\r\n".join(lines)) as srv:
        connect_ok(session, srv)
        expect(session, session.sendcmd("NOOP"), "FTP_OK", 211)
        assert session.reply_text() == "\n".join(lines)


def test_multiline_with_inner_codes_and_lf_endings(session):
    # Inner lines that look like other codes do not end the reply; LF-only line
    # ends are accepted and removed.
    raw = "250-first\n250-second\n200 not the end\n250 last"
    with _line_server(raw) as srv:
        connect_ok(session, srv)
        expect(session, session.sendcmd("NOOP"), "FTP_OK", 250)
        assert session.reply_text() == "250-first\n250-second\n200 not the end\n250 last"


def test_reply_with_nul_byte(session):
    def noop(c, a):
        c.send(b"200 a\x00b\r\n")
    with ScriptedServer(overrides={"NOOP": noop}) as srv:
        connect_ok(session, srv)
        expect(session, session.sendcmd("NOOP"), "FTP_OK", 200)
        assert session.reply_text_bytes() == b"200 a\x00b"


# --------------------------------------------------------------------------
# timeouts (scripted)
# --------------------------------------------------------------------------

def _silent(c):
    c.wait_closed(120)


def test_timeout_on_greeting(session):
    with ScriptedServer(_silent) as srv:
        assert session.set_timeout(1000) == 0
        rc, dt = timed(lambda: session.connect(srv.host, srv.port))
        expect(session, rc, "FTP_ETIMEOUT")
        assert dt < 1 + BOUND
        assert not session.is_connected()
        assert session.errmsg() != ""


def test_timeout_on_reply(session):
    with ScriptedServer(overrides={"NOOP": lambda c, a: None}) as srv:
        connect_ok(session, srv)
        assert session.lib.ftp_set_reply_timeout_ms(session.s, 1000) == 0
        rc, dt = timed(session.noop)
        expect(session, rc, "FTP_ETIMEOUT")
        assert dt < 1 + BOUND
        assert not session.is_connected()


def test_reply_timeout_not_extended_by_drip(session):
    """One byte every 0.25 s for ~50 s: the deadline is for the whole reply."""
    def drip(c, a):
        try:
            for ch in b"200 " + b"d" * 200 + b"\r\n":
                c.send(bytes([ch]))
                time.sleep(0.25)
        except OSError:
            pass
        return "stop"

    with ScriptedServer(overrides={"NOOP": drip}) as srv:
        connect_ok(session, srv)
        assert session.lib.ftp_set_reply_timeout_ms(session.s, 1500) == 0
        rc, dt = timed(session.noop)
        expect(session, rc, "FTP_ETIMEOUT")
        assert dt < 1.5 + BOUND
        assert not session.is_connected()


def test_connect_timeout_blackhole_listener(session):
    """A listener whose backlog is full: SYNs go unanswered, connect times out."""
    ls = socket.socket()
    ls.bind(("127.0.0.1", 0))
    ls.listen(0)
    port = ls.getsockname()[1]
    fillers = []
    try:
        # Fill the accept queue so further connects hang in SYN_SENT.
        for _ in range(8):
            f = socket.socket()
            f.setblocking(False)
            try:
                f.connect(("127.0.0.1", port))
            except BlockingIOError:
                pass
            fillers.append(f)
        time.sleep(0.5)
        probe = socket.socket()
        probe.settimeout(2)
        try:
            probe.connect(("127.0.0.1", port))
            probe.close()
            pytest.skip("this kernel accepts past the listen backlog; cannot blackhole")
        except (socket.timeout, OSError):
            probe.close()
        assert session.lib.ftp_set_connect_timeout_ms(session.s, 1000) == 0
        rc, dt = timed(lambda: session.connect("127.0.0.1", port))
        expect(session, rc, "FTP_ETIMEOUT")
        assert dt < 1 + BOUND
    finally:
        for f in fillers:
            f.close()
        ls.close()


# --------------------------------------------------------------------------
# closed connections (scripted)
# --------------------------------------------------------------------------

def test_close_without_greeting(session):
    with ScriptedServer(lambda c: None) as srv:
        rc = session.connect(srv.host, srv.port)
        expect(session, rc, "FTP_ECLOSED")
        assert not session.is_connected()


def test_close_mid_multiline_greeting(session):
    with ScriptedServer(lambda c: c.send("220-hello\r\n220-more\r\n")) as srv:
        rc = session.connect(srv.host, srv.port)
        expect(session, rc, "FTP_ECLOSED")
        assert not session.is_connected()


def test_close_mid_line(session):
    with ScriptedServer(lambda c: c.send("220 partial greet")) as srv:
        rc = session.connect(srv.host, srv.port)
        assert rc in (session.L.FTP_ECLOSED, session.L.FTP_EPROTO), session.L.name(rc)
        assert not session.is_connected()


def test_close_instead_of_reply(session):
    first = []

    def noop(c, a):
        if not first:
            first.append(1)
            return "stop"
        c.reply("200 ok")

    with ScriptedServer(overrides={"NOOP": noop}) as srv:
        connect_ok(session, srv)
        expect(session, session.noop(), "FTP_ECLOSED")
        assert not session.is_connected()
        expect(session, session.noop(), "FTP_ESTATE")
        connect_ok(session, srv)
        assert_usable(session)


# --------------------------------------------------------------------------
# greetings and reply classes (scripted)
# --------------------------------------------------------------------------

def test_120_then_220(session):
    def handler(c):
        c.reply("120 Service ready in 1 minute.")
        time.sleep(0.3)
        c.reply("220 Now ready.")
        c.server.command_loop(c)

    with ScriptedServer(handler) as srv:
        rc = session.connect(srv.host, srv.port)
        expect(session, rc, "FTP_OK", 220)
        assert session.welcome().startswith("220")
        assert "Now ready." in session.welcome()
        assert_usable(session)


@pytest.mark.parametrize("greeting,status", [("421 Service not available, closing.", "FTP_ETEMP"),
                                             ("530 Not allowed.", "FTP_EPERM")])
def test_refusal_greeting(session, greeting, status):
    with ScriptedServer(lambda c: c.reply(greeting)) as srv:
        rc = session.connect(srv.host, srv.port)
        expect(session, rc, status, int(greeting[:3]))
        assert session.errmsg() != ""


def test_unsolicited_reply_is_eproto_and_closes(session):
    # Two replies to one NOOP, in one write: the second is unsolicited.
    with ScriptedServer(overrides={"NOOP": lambda c, a: c.send("200 ok\r\n200 extra\r\n")}) as srv:
        connect_ok(session, srv)
        expect(session, session.noop(), "FTP_OK", 200)
        assert session.reply_text() == "200 ok"
        rc = session.sendcmd("PWD")
        expect(session, rc, "FTP_EPROTO")
        assert not session.is_connected()
        assert "PWD" not in srv.commands


def test_unsolicited_421_closes(session):
    def noop(c, a):
        c.send("200 ok\r\n421 Timeout: closing control connection.\r\n")
        return "stop"

    with ScriptedServer(overrides={"NOOP": noop}) as srv:
        connect_ok(session, srv)
        expect(session, session.noop(), "FTP_OK", 200)
        rc = session.sendcmd("PWD")
        expect(session, rc, "FTP_ETEMP", 421)
        assert not session.is_connected()


def test_4xx_to_command(session):
    with ScriptedServer(overrides={"SITE": lambda c, a: c.reply("450 Busy, try later.")}) as srv:
        connect_ok(session, srv)
        expect(session, session.sendcmd("SITE X"), "FTP_ETEMP", 450)
        expect(session, session.voidcmd("SITE X"), "FTP_ETEMP", 450)
        assert session.reply_text() == "450 Busy, try later."
        assert session.is_connected()
        assert_usable(session)


def test_1xx_to_sendcmd_ok_voidcmd_ereply(session):
    def site(c, a):
        c.reply("150 preliminary")
    with ScriptedServer(overrides={"SITE": site}) as srv:
        connect_ok(session, srv)
        expect(session, session.sendcmd("SITE A"), "FTP_OK", 150)
        expect(session, session.voidcmd("SITE B"), "FTP_EREPLY", 150)


def test_sendcmd_crlf_nothing_reaches_server(session):
    with ScriptedServer() as srv:
        connect_ok(session, srv)
        for bad in ("NOOP\r\nDELE x", "DELE x\n", "DELE\rx"):
            expect(session, session.sendcmd(bad), "FTP_EINVAL")
            expect(session, session.voidcmd(bad), "FTP_EINVAL")
        expect(session, session.login("bad\nuser", "pw"), "FTP_EINVAL")
        expect(session, session.login("user", "pw\r\nDELE x"), "FTP_EINVAL")
        expect(session, session.login("user", "pw", "ac\nct"), "FTP_EINVAL")
        expect(session, session.noop(), "FTP_OK")
        assert srv.commands == ["NOOP"], srv.commands


# --------------------------------------------------------------------------
# login dialogue details (scripted)
# --------------------------------------------------------------------------

@pytest.mark.parametrize("user,pw,exp_user,exp_pw", [
    (None, None, "anonymous", "anonymous@"),
    ("", "", "anonymous", "anonymous@"),
    ("anonymous", None, "anonymous", "anonymous@"),
    (None, "me@example.org", "anonymous", "me@example.org"),
    ("bob", "pw x", "bob", "pw x"),
])
def test_login_arguments(session, user, pw, exp_user, exp_pw):
    with ScriptedServer() as srv:
        connect_ok(session, srv)
        expect(session, session.login(user, pw), "FTP_OK")
        assert f"USER {exp_user}" in srv.commands
        assert f"PASS {exp_pw}" in srv.commands


def test_login_230_after_user_sends_no_pass(session):
    with ScriptedServer(overrides={"USER": lambda c, a: c.reply("230 No password needed.")}) as srv:
        connect_ok(session, srv)
        expect(session, session.login("u", "p"), "FTP_OK")
        assert not srv.saw("PASS"), srv.commands


def test_login_acct_when_asked(session):
    with ScriptedServer(overrides={"PASS": lambda c, a: c.reply("332 Need account.")}) as srv:
        connect_ok(session, srv)
        expect(session, session.login("u", "p", "myacct"), "FTP_OK")
        assert "ACCT myacct" in srv.commands, srv.commands


def test_login_reads_feat_and_ignores_errors(session):
    with ScriptedServer(overrides={"FEAT": lambda c, a: c.reply("502 No FEAT.")}) as srv:
        connect_ok(session, srv)
        expect(session, session.login("u", "p"), "FTP_OK")
        assert srv.commands.count("FEAT") == 1
        assert session.feature("SIZE")[0] == 0
        assert_usable(session)


def test_login_unexpected_reply_class(session):
    with ScriptedServer(overrides={"PASS": lambda c, a: c.reply("120 what?")}) as srv:
        connect_ok(session, srv)
        rc = session.login("u", "p")
        assert rc in (session.L.FTP_EREPLY,), session.describe()


# --------------------------------------------------------------------------
# parsing of PASV/EPSV/PWD/SIZE/MKD replies (scripted)
# --------------------------------------------------------------------------

def test_unparseable_pasv_is_eproto(session):
    with ScriptedServer(overrides={"PASV": lambda c, a: c.reply("227 Entering Passive Mode (1,2,3).")},
                        files={"f": b"x"}) as srv:
        connect_ok(session, srv)
        assert session.lib.ftp_set_epsv(session.s, 0) == 0
        rc, _ = session.retr("f")
        expect(session, rc, "FTP_EPROTO")
        # a well-formed reply whose content cannot be used: still usable
        assert session.is_connected()
        assert_usable(session)


def test_unparseable_epsv_is_eproto(session):
    with ScriptedServer(overrides={"EPSV": lambda c, a: c.reply("229 Entering Extended Passive Mode (|||abc|)")},
                        files={"f": b"x"}) as srv:
        connect_ok(session, srv)
        rc, _ = session.retr("f")
        expect(session, rc, "FTP_EPROTO")
        assert session.is_connected()
        assert_usable(session)


@pytest.mark.parametrize("reply", ['257 no quotes here', '257 "unterminated', '257 "a\x00b"'])
def test_unparseable_pwd_is_eproto(session, reply):
    with ScriptedServer(overrides={"PWD": lambda c, a: c.send(reply.encode("latin-1") + b"\r\n")}) as srv:
        connect_ok(session, srv)
        rc, out = session.pwd()
        expect(session, rc, "FTP_EPROTO")
        # a well-formed reply whose content cannot be used: still usable
        assert session.is_connected()
        assert_usable(session)


@pytest.mark.parametrize("reply,expected", [
    ('257 "/a ""b"" c" is cwd', b'/a "b" c'),
    ('257 "/plain"', b"/plain"),
    ('257 "/x y" trailing "quoted" text', b"/x y"),
])
def test_pwd_parsing(session, reply, expected):
    with ScriptedServer(overrides={"PWD": lambda c, a: c.reply(reply)}) as srv:
        connect_ok(session, srv)
        rc, out = session.pwd()
        expect(session, rc, "FTP_OK", 257)
        assert out == expected


@pytest.mark.parametrize("reply,expected", [
    ('257 "/new ""dir"""', b'/new "dir"'),
    ('257 Directory created.', b""),
    ('250 Directory created.', b""),
])
def test_mkd_parsing(session, reply, expected):
    with ScriptedServer(overrides={"MKD": lambda c, a: c.reply(reply)}) as srv:
        connect_ok(session, srv)
        rc, out = session.mkd("x")
        expect(session, rc, "FTP_OK")
        assert out == expected


@pytest.mark.parametrize("reply", ["213 12abc", "213 -5", "213 ", "213 99999999999999999999",
                                   "213 9223372036854775808", "213 0x10"])
def test_unparseable_size_is_eproto(session, reply):
    with ScriptedServer(overrides={"SIZE": lambda c, a: c.reply(reply)}) as srv:
        connect_ok(session, srv)
        rc, n = session.size("f")
        expect(session, rc, "FTP_EPROTO")
        assert session.is_connected()
        assert_usable(session)


@pytest.mark.parametrize("reply,expected", [("213 0", 0), ("213 9223372036854775807", 2**63 - 1),
                                            ("213 42", 42)])
def test_size_parsing(session, reply, expected):
    with ScriptedServer(overrides={"SIZE": lambda c, a: c.reply(reply)}) as srv:
        connect_ok(session, srv)
        rc, n = session.size("f")
        expect(session, rc, "FTP_OK", 213)
        assert n == expected
        assert "TYPE I" in srv.commands


def test_size_from_150_scripted(session):
    def retr(c, a):
        c.reply("150 Opening data connection for f (1234567 bytes).")
        d = c.data_conn()
        d.sendall(b"x" * 10)
        d.close()
        c.reply("226 done")
    with ScriptedServer(overrides={"RETR": retr}) as srv:
        connect_ok(session, srv)
        rc, size = session.transfer_open("RETR f", ord("I"))
        expect(session, rc, "FTP_OK", 150)
        assert size == 1234567
        while True:
            rc, b = session.transfer_read()
            expect(session, rc, "FTP_OK")
            if not b:
                break
        expect(session, session.transfer_close(), "FTP_OK", 226)


# --------------------------------------------------------------------------
# data connection failures (scripted)
# --------------------------------------------------------------------------

def test_150_then_close_without_226(session):
    def retr(c, a):
        c.reply("150 here it comes")
        d = c.data_conn()
        d.sendall(b"q" * 1000)
        d.close()
        return "stop"   # close the control connection without 226

    with ScriptedServer(overrides={"RETR": retr}) as srv:
        connect_ok(session, srv)
        rc, data = session.retr("f")
        expect(session, rc, "FTP_ECLOSED")
        assert session.transfer_bytes() == 1000
        assert data == b"q" * 1000   # what arrived was handed over, but not reported complete
        assert not session.is_connected()


def test_data_closed_early_then_426(session):
    def retr(c, a):
        c.reply("150 Opening (5000 bytes)")
        d = c.data_conn()
        d.sendall(b"q" * 1000)
        d.close()
        c.reply("426 Connection closed; transfer aborted.")

    with ScriptedServer(overrides={"RETR": retr}) as srv:
        connect_ok(session, srv)
        rc, data = session.retr("f")
        expect(session, rc, "FTP_ETEMP", 426)
        assert session.transfer_bytes() == 1000
        assert_usable(session)


def test_data_reset_then_226_is_not_success(session):
    """The data connection is reset (not a clean end) yet the server says 226."""
    def retr(c, a):
        c.reply("150 Opening (100000 bytes)")
        d = c.data_conn()
        d.sendall(b"r" * 1000)
        time.sleep(0.5)
        d.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        d.close()   # RST
        c.reply("226 Transfer complete (not really).")

    with ScriptedServer(overrides={"RETR": retr, "NOOP": _Streaming().noop}) as srv:
        connect_ok(session, srv)
        rc, data = session.retr("f")
        assert rc != 0, session.describe()
        assert rc in (session.L.FTP_EIO,), session.describe()
        assert session.transfer_bytes() <= 1000
        # EIO on the data connection: still connected, replies in step.
        assert session.is_connected()
        expect(session, session.noop(), "FTP_OK", 200)
        assert session.reply_text() == "200 NOOP marker"


def test_no_final_reply_times_out(session):
    def retr(c, a):
        c.reply("150 here")
        d = c.data_conn()
        d.sendall(b"s" * 777)
        d.close()
        c.wait_closed(60)
        return "stop"

    with ScriptedServer(overrides={"RETR": retr}) as srv:
        connect_ok(session, srv)
        assert session.lib.ftp_set_reply_timeout_ms(session.s, 1000) == 0
        rc, dt = timed(lambda: session.retr("f")[0])
        expect(session, rc, "FTP_ETIMEOUT")
        assert dt < 1 + BOUND
        assert session.transfer_bytes() == 777
        assert not session.is_connected()


def test_slow_data_times_out(session):
    """The server sends a chunk every 3 s; the data timeout is 1 s."""
    def retr(c, a):
        c.reply("150 slow")
        d = c.data_conn()
        try:
            for _ in range(20):
                d.sendall(b"w" * 100)
                time.sleep(3)
        except OSError:
            pass
        d.close()
        return "stop"

    with ScriptedServer(overrides={"RETR": retr}) as srv:
        connect_ok(session, srv)
        assert session.lib.ftp_set_data_timeout_ms(session.s, 1000) == 0
        rc, dt = timed(lambda: session.retr("f")[0])
        expect(session, rc, "FTP_ETIMEOUT")
        assert dt < 1 + BOUND
        assert session.transfer_bytes() == 100
        assert session.errmsg() != ""


def test_slow_data_pull_read_times_out(session):
    def retr(c, a):
        c.reply("150 slow")
        d = c.data_conn()
        try:
            d.sendall(b"w" * 100)
            time.sleep(30)
        except OSError:
            pass
        d.close()
        return "stop"

    with ScriptedServer(overrides={"RETR": retr}) as srv:
        connect_ok(session, srv)
        assert session.lib.ftp_set_data_timeout_ms(session.s, 1000) == 0
        expect(session, session.transfer_open("RETR f")[0], "FTP_OK")
        got = b""
        t0 = time.monotonic()
        while True:
            rc, b = session.transfer_read()
            if rc != 0:
                break
            assert b, "EOF from a server that never closed the data connection"
            got += b
        expect(session, rc, "FTP_ETIMEOUT")
        assert time.monotonic() - t0 < 1 + BOUND
        assert got == b"w" * 100


def test_active_mode_server_never_connects(session):
    def retr(c, a):
        c.reply("150 I will never connect")
        c.wait_closed(60)
        return "stop"

    with ScriptedServer(overrides={"RETR": retr}) as srv:
        connect_ok(session, srv)
        assert session.lib.ftp_set_passive(session.s, 0) == 0
        assert session.lib.ftp_set_data_timeout_ms(session.s, 1000) == 0
        rc, dt = timed(lambda: session.retr("f")[0])
        expect(session, rc, "FTP_ETIMEOUT")
        assert dt < 1 + BOUND


def test_pasv_port_refused_is_eio(session):
    def pasv(c, a):
        port = servers.free_port()   # nothing listens there
        c.reply(f"227 Entering Passive Mode (127,0,0,1,{port >> 8},{port & 255}).")

    with ScriptedServer(overrides={"PASV": pasv}, files={"f": b"x"}) as srv:
        connect_ok(session, srv)
        assert session.lib.ftp_set_epsv(session.s, 0) == 0
        rc, _ = session.retr("f")
        expect(session, rc, "FTP_EIO")
        # EIO on the data connection: the session stays connected and usable.
        assert session.is_connected()
        assert_usable(session)


# --------------------------------------------------------------------------
# PASV host handling, EPSV fallback (scripted)
# --------------------------------------------------------------------------

def test_pasv_foreign_host_ignored(session):
    files = {"f": b"pasv data"}
    # Gate on a loopback address first so that a library that wrongly trusts
    # the reply never sends a packet off this machine.
    with ScriptedServer(overrides={"PASV": lambda c, a: c.pasv(reply_host="127.0.0.2")},
                        files=files) as srv:
        connect_ok(session, srv)
        assert session.lib.ftp_set_epsv(session.s, 0) == 0
        rc, data = session.retr("f")
        expect(session, rc, "FTP_OK")
        assert data == b"pasv data"
    with ScriptedServer(overrides={"PASV": lambda c, a: c.pasv(reply_host="192.0.2.1")},
                        files=files) as srv:
        assert session.lib.ftp_set_connect_timeout_ms(session.s, 2000) == 0
        connect_ok(session, srv)
        rc, data = session.retr("f")
        expect(session, rc, "FTP_OK")
        assert data == b"pasv data"
        assert srv.saw("PASV") and not srv.saw("EPSV")


def test_pasv_trusted_host_used(session):
    try:
        with socket.socket() as t:
            t.bind(("127.0.0.2", 0))
    except OSError:
        pytest.skip("127.0.0.2 cannot be bound here")
    files = {"f": b"trusted"}
    ovr = {"PASV": lambda c, a: c.pasv(reply_host="127.0.0.2", bind_host="127.0.0.2")}
    with ScriptedServer(overrides=ovr, files=files) as srv:
        connect_ok(session, srv)
        assert session.lib.ftp_set_epsv(session.s, 0) == 0
        assert session.lib.ftp_set_trust_pasv_host(session.s, 1) == 0
        rc, data = session.retr("f")
        expect(session, rc, "FTP_OK")
        assert data == b"trusted"


@pytest.mark.parametrize("refusal", ["500 EPSV not understood.", "502 Not implemented.",
                                     "522 Network protocol not supported."])
def test_epsv_refused_falls_back_to_pasv_and_remembers(session, refusal):
    with ScriptedServer(overrides={"EPSV": lambda c, a: c.reply(refusal)},
                        files={"f": b"fallback"}) as srv:
        connect_ok(session, srv)
        for _ in range(3):
            rc, data = session.retr("f")
            expect(session, rc, "FTP_OK")
            assert data == b"fallback"
        assert srv.commands.count("EPSV") == 1, srv.commands
        assert srv.commands.count("PASV") == 3, srv.commands


def test_epsv_off_sends_pasv_only(session):
    with ScriptedServer(files={"f": b"p"}) as srv:
        connect_ok(session, srv)
        assert session.lib.ftp_set_epsv(session.s, 0) == 0
        rc, _ = session.retr("f")
        expect(session, rc, "FTP_OK")
        assert not srv.saw("EPSV") and srv.saw("PASV")


# --------------------------------------------------------------------------
# storlines on the wire, MLSD parsing, retrlines limits (scripted)
# --------------------------------------------------------------------------

@pytest.mark.parametrize("chunk", [None, 1, 2, 5])
def test_storlines_wire_bytes(session, chunk):
    with ScriptedServer() as srv:
        connect_ok(session, srv)
        src = b"a\nb\r\nc\n\nlast\r\n"
        rc = session.storlines("STOR t.txt", src, chunk=chunk)
        expect(session, rc, "FTP_OK")
        assert srv.uploads["t.txt"] == b"a\r\nb\r\nc\r\n\r\nlast\r\n"
        assert "TYPE A" in srv.commands


def test_mlsd_scripted_parsing(session):
    listing = (b"Type=file;Size=3;Modify=20200102030405; plain.txt\r\n"
               b"type=dir;UNIX.mode=0755; dir with spaces\r\n"
               b"type=file;size=0; semi;colon name ; x\r\n"
               b" no facts\r\n"
               b"type=file;size=1; bin\xff\xfename\n")
    with ScriptedServer(listing=listing) as srv:
        connect_ok(session, srv)
        rc, entries = session.mlsd()
        expect(session, rc, "FTP_OK")
        assert [n for n, _ in entries] == [b"plain.txt", b"dir with spaces", b"semi;colon name ; x",
                                           b"no facts", b"bin\xff\xfename"]
        f0 = dict(entries[0][1])
        assert f0 == {b"type": b"file", b"size": b"3", b"modify": b"20200102030405"}
        assert dict(entries[1][1]) == {b"type": b"dir", b"unix.mode": b"0755"}
        assert entries[3][1] == []


@pytest.mark.parametrize("bad", [b"type=file;size=3;noname\r\n", b"type=file;size=3; \r\n",
                                 b"typefile; name\r\n"])
def test_mlsd_malformed_line_is_eproto(session, bad):
    listing = b"type=file;size=1; good\r\n" + bad + b"type=file; after\r\n"
    with ScriptedServer(listing=listing) as srv:
        connect_ok(session, srv)
        rc, entries = session.mlsd()
        expect(session, rc, "FTP_EPROTO")
        assert [n for n, _ in entries] == [b"good"]
        # a malformed listing line leaves the session connected and usable
        assert session.is_connected()
        assert_usable(session)


def test_retrlines_line_over_limit_is_eproto(session):
    listing = b"short\r\n" + b"L" * 100 + b"\r\nafter\r\n"
    with ScriptedServer(listing=listing) as srv:
        connect_ok(session, srv)
        assert session.lib.ftp_set_maxline(session.s, 64) == 0
        rc, lines = session.retrlines("LIST")
        expect(session, rc, "FTP_EPROTO")
        assert lines == [b"short"]
        assert session.is_connected()
        assert_usable(session)


def test_retrlines_line_endings(session):
    listing = b"crlf\r\nlf\n\r\nmid\rcr\r\nlast"
    with ScriptedServer(listing=listing) as srv:
        connect_ok(session, srv)
        rc, lines = session.retrlines("LIST")
        expect(session, rc, "FTP_OK")
        assert lines == [b"crlf", b"lf", b"", b"mid\rcr", b"last"]


def test_nlst_names_with_nul_bytes(session):
    with ScriptedServer(listing=b"a\x00b\r\nc\r\n") as srv:
        connect_ok(session, srv)
        rc, names = session.nlst()
        expect(session, rc, "FTP_OK")
        assert names == [b"a\x00b", b"c"]


# --------------------------------------------------------------------------
# ABOR on the wire (scripted)
# --------------------------------------------------------------------------

class _Streaming:
    """RETR streams until ABOR; ABOR answers 426 then 226."""

    def __init__(self):
        self.stop = threading.Event()
        self.data = None

    def retr(self, c, a):
        c.reply("150 streaming")
        self.data = c.data_conn()

        def pump(d=self.data):
            try:
                while not self.stop.is_set():
                    d.sendall(b"z" * 16384)
            except OSError:
                pass
        threading.Thread(target=pump, daemon=True).start()

    def abor(self, c, a):
        self.stop.set()
        if self.data is not None:
            self.data.close()
            c.reply("426 Connection closed; transfer aborted.")
        c.reply("226 Abort successful.")

    def noop(self, c, a):
        c.reply("200 NOOP marker")


def test_abort_pull_transfer_wire(session):
    st = _Streaming()
    with ScriptedServer(overrides={"RETR": st.retr, "ABOR": st.abor, "NOOP": st.noop}) as srv:
        connect_ok(session, srv)
        expect(session, session.transfer_open("RETR f")[0], "FTP_OK")
        rc, b = session.transfer_read()
        expect(session, rc, "FTP_OK")
        assert b
        expect(session, session.abort(), "FTP_OK")
        # Both replies were read: the next command gets its own reply.
        expect(session, session.noop(), "FTP_OK", 200)
        assert session.reply_text() == "200 NOOP marker"
        abor = [r for r in srv.raw_lines if b"ABOR" in r]
        assert abor, srv.raw_lines
        # Plain ABOR: no Telnet IP/Synch (Pure-FTPd ignores such lines) and
        # no urgent data.
        assert abor[0].rstrip(b"\r\n") == b"ABOR", abor[0]
        assert srv.conns[0].oob == [], f"unexpected urgent data: {srv.conns[0].oob}"


def test_callback_abort_sends_abor_and_resyncs(session):
    st = _Streaming()
    with ScriptedServer(overrides={"RETR": st.retr, "ABOR": st.abor, "NOOP": st.noop}) as srv:
        connect_ok(session, srv)
        rc = session.retr_fn("f", lambda b: 1)
        expect(session, rc, "FTP_EABORTED")
        assert srv.saw("ABOR")
        expect(session, session.noop(), "FTP_OK", 200)
        assert session.reply_text() == "200 NOOP marker"


def test_upload_callback_abort_scripted(session):
    got = {}

    def stor(c, a):
        c.reply("150 send it")
        d = c.data_conn()
        got["data"] = recv_all(d)
        d.close()
        c.reply("226 stored (the client closed the data connection)")

    with ScriptedServer(overrides={"STOR": stor, "NOOP": _Streaming().noop}) as srv:
        connect_ok(session, srv)
        n = [0]

        def fn(cap):
            n[0] += 1
            return b"u" * 100 if n[0] <= 2 else 5

        rc = session.stor_fn("f", fn)
        expect(session, rc, "FTP_EABORTED")
        assert srv.saw("ABOR"), srv.commands
        assert session.transfer_bytes() <= 200
        expect(session, session.noop(), "FTP_OK", 200)
        assert session.reply_text() == "200 NOOP marker"


def test_upload_final_reply_error_not_success(session):
    def stor(c, a):
        c.reply("150 send it")
        d = c.data_conn()
        recv_all(d)
        d.close()
        c.reply("452 Disk full.")

    with ScriptedServer(overrides={"STOR": stor}) as srv:
        connect_ok(session, srv)
        rc = session.stor("f", b"x" * 5000)
        expect(session, rc, "FTP_ETEMP", 452)
        assert session.transfer_bytes() == 5000
        assert_usable(session)


# --------------------------------------------------------------------------
# ftp_cancel from another thread
# --------------------------------------------------------------------------

def _run_in_thread(fn):
    res = {}

    def run():
        res["rc"] = fn()
    t = threading.Thread(target=run, daemon=True)
    t.start()
    return t, res


def test_cancel_blocked_reply(session):
    with ScriptedServer(overrides={"NOOP": lambda c, a: None}) as srv:
        connect_ok(session, srv)
        assert session.set_timeout(120_000) == 0
        t, res = _run_in_thread(session.noop)
        assert srv.wait_for_command("NOOP")
        time.sleep(0.2)
        session.cancel()
        t.join(60)
        assert not t.is_alive(), "ftp_cancel did not unblock ftp_noop"
        expect(session, res["rc"], "FTP_ECANCELED")
        assert not session.is_connected()
        # connect again and continue
        connect_ok(session, srv)
        expect(session, session.sendcmd("PWD"), "FTP_OK", 257)


def test_cancel_blocked_connect(session):
    with ScriptedServer(_silent) as srv:
        assert session.set_timeout(120_000) == 0
        t, res = _run_in_thread(lambda: session.connect(srv.host, srv.port))
        assert srv.accepted.wait(30)
        time.sleep(0.2)
        session.cancel()
        t.join(60)
        assert not t.is_alive(), "ftp_cancel did not unblock ftp_connect"
        expect(session, res["rc"], "FTP_ECANCELED")
        assert not session.is_connected()


def test_cancel_blocked_transfer(session):
    def retr(c, a):
        c.reply("150 slow")
        d = c.data_conn()
        d.sendall(b"c" * 10)
        c.wait_closed(120)
        d.close()
        return "stop"

    with ScriptedServer(overrides={"RETR": retr}) as srv:
        connect_ok(session, srv)
        assert session.set_timeout(120_000) == 0
        got = []
        first = threading.Event()

        def cb(b):
            got.append(b)
            first.set()

        t, res = _run_in_thread(lambda: session.retr_fn("f", cb))
        assert first.wait(30)
        time.sleep(0.2)
        session.cancel()
        t.join(60)
        assert not t.is_alive(), "ftp_cancel did not unblock ftp_retr"
        expect(session, res["rc"], "FTP_ECANCELED")
        assert b"".join(got) == b"c" * 10
        assert not session.is_connected()


def test_cancel_before_call_does_not_stick(session):
    with ScriptedServer() as srv:
        session.cancel()
        connect_ok(session, srv)
        session.cancel()
        expect(session, session.noop(), "FTP_OK")
