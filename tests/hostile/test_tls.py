"""AUTH TLS against a server that does not really speak TLS.

Explicit FTPS with verification off (ftp_set_tls_insecure(1)), so that only
the protocol failure matters; certificate checks are the tests/tls suite's
job.  In every case the call fails promptly, the connection is closed, and
no USER or PASS is ever sent in clear."""
from __future__ import annotations

import pytest

from hostile_support import (GREETING, MARGIN_S, TIMEOUT_S, assert_closed, assert_status, close, expect,
                     hold, recv, send, timed)


def explicit_tls(session):
    s = session()
    assert s.lib.ftp_set_tls_mode(s.s, s.lib.FTP_TLS_EXPLICIT) == 0
    assert s.lib.ftp_set_tls_insecure(s.s, 1) == 0
    return s


def assert_nothing_after_auth(srv):
    cmds = srv.commands()
    assert cmds[:1] == ["AUTH TLS"], cmds
    assert not any(c.upper().startswith(("USER", "PASS")) for c in cmds), cmds


def test_234_then_plain_text(server, session):
    """234, the client starts the handshake, and the server answers its
    ClientHello with a plain-text reply: FTP_ETLS, not a hang."""
    srv = server([GREETING, expect("AUTH"), send(b"234 AUTH TLS successful\r\n"),
                  recv(4096), send(b"220 this is plain text, not a TLS record\r\n"), hold()])
    s = explicit_tls(session)
    rc, took = timed(s, s.connect, srv.port, limit=TIMEOUT_S)
    assert_status(s, rc, "FTP_ETLS")
    assert took < TIMEOUT_S + MARGIN_S
    assert srv.wait_for("recv")["head"].startswith("16")  # a TLS handshake record
    assert_closed(s, srv)
    assert_nothing_after_auth(srv)


def test_234_glued_to_plain_text(server, session):
    """Plain text arrives together with the 234 (before any handshake): it
    would be taken as if it had come over TLS (the STARTTLS injection
    attack), so the library refuses it: FTP_ETLS (ftp_auth's "sent plain
    text right after its 234 reply"), closed."""
    srv = server([GREETING, expect("AUTH"),
                  send(b"234 AUTH TLS successful\r\n230 injected: logged in\r\n"), hold()])
    s = explicit_tls(session)
    rc, took = timed(s, s.connect, srv.port, limit=TIMEOUT_S)
    assert_status(s, rc, "FTP_ETLS")
    assert took < TIMEOUT_S + MARGIN_S
    assert_closed(s, srv)
    assert_nothing_after_auth(srv)


def test_234_then_silence(server, session):
    """234, then the server never answers the ClientHello: the handshake
    deadline fires."""
    srv = server([GREETING, expect("AUTH"), send(b"234 AUTH TLS successful\r\n"), hold()])
    s = explicit_tls(session)
    rc, took = timed(s, s.connect, srv.port, limit=TIMEOUT_S)
    assert_status(s, rc, "FTP_ETIMEOUT")
    assert took < TIMEOUT_S + MARGIN_S
    assert_closed(s, srv)
    assert_nothing_after_auth(srv)


def test_234_then_close(server, session):
    """234, then the server hangs up during the handshake: a failed
    handshake, FTP_ETLS."""
    srv = server([GREETING, expect("AUTH"), send(b"234 AUTH TLS successful\r\n"), recv(4096),
                  close()])
    s = explicit_tls(session)
    rc, took = timed(s, s.connect, srv.port, limit=TIMEOUT_S)
    assert_status(s, rc, "FTP_ETLS")
    assert took < TIMEOUT_S + MARGIN_S
    assert not s.connected()
    assert_status(s, s.noop(), "FTP_ESTATE")
    assert_nothing_after_auth(srv)


@pytest.mark.parametrize("reply,status", [
    pytest.param(b"500 AUTH not understood", "FTP_EPERM", id="500"),
    pytest.param(b"431 Unable to accept security mechanism", "FTP_ETEMP", id="431"),
    pytest.param(b"200 OK but not 234", "FTP_EREPLY", id="200"),
])
def test_auth_refused_in_explicit_mode(server, session, reply, status):
    """TLS was required: a refused AUTH closes the connection (nothing is
    sent in clear)."""
    srv = server([GREETING, expect("AUTH"), send(reply + b"\r\n")])
    s = explicit_tls(session)
    rc, took = timed(s, s.connect, srv.port, limit=TIMEOUT_S)
    assert_status(s, rc, status)
    assert s.code() == int(reply[:3])
    assert_closed(s, srv)
    assert_nothing_after_auth(srv)
