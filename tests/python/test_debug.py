"""The debug trace: levels, format, and PASS/ACCT redaction."""
import pytest

from helpers import expect, login
from scripted import ScriptedServer

SECRET_PW = "Pw-Secret-9f2c"
SECRET_ACCT = "Acct-Secret-77"


def cmd_lines(sess):
    return [x for x in sess.debug_lines if x.startswith("*cmd*")]


def test_level1_commands_and_replies(session, server):
    session.set_debug(1)
    login(session, server)
    expect(session, session.noop(), "FTP_OK")
    cmds = cmd_lines(session)
    resps = [x for x in session.debug_lines if x.startswith("*resp*")]
    assert f"*cmd* 'USER {server.user}'" in cmds, cmds
    assert "*cmd* 'NOOP'" in cmds, cmds
    assert any(x.startswith("*resp* '220") for x in resps), resps
    assert any(x.startswith("*resp* '200") for x in resps), resps
    # level 1 has no per-line traces
    assert not [x for x in session.debug_lines if x.startswith(("*put*", "*get*"))]


def test_password_redacted_real_server(session, server):
    session.set_debug(2)
    login(session, server)
    pass_lines = [x for x in session.debug_lines if "PASS" in x]
    assert pass_lines, session.debug_lines
    assert all("PASS ****" in x for x in pass_lines), pass_lines
    assert not any(f"PASS {server.password}" in x for x in session.debug_lines)


@pytest.mark.parametrize("level", [1, 2])
def test_password_and_acct_never_appear(session, level):
    ovr = {"PASS": lambda c, a: c.reply("332 Need account.")}
    with ScriptedServer(overrides=ovr) as srv:
        session.set_debug(level)
        expect(session, session.connect(srv.host, srv.port), "FTP_OK")
        expect(session, session.login("someone", SECRET_PW, SECRET_ACCT), "FTP_OK")
        expect(session, session.acct(SECRET_ACCT), "FTP_OK")
        # the secrets really went over the wire
        assert f"PASS {SECRET_PW}" in srv.commands
        assert f"ACCT {SECRET_ACCT}" in srv.commands
    text = "\n".join(session.debug_lines)
    assert SECRET_PW not in text
    assert SECRET_ACCT not in text
    assert "PASS ****" in text and "ACCT ****" in text


def test_password_not_in_errmsg_or_trace_on_failure(session):
    ovr = {"PASS": lambda c, a: c.reply("530 Login incorrect.")}
    with ScriptedServer(overrides=ovr) as srv:
        session.set_debug(2)
        expect(session, session.connect(srv.host, srv.port), "FTP_OK")
        expect(session, session.login("someone", SECRET_PW), "FTP_EPERM", 530)
        assert SECRET_PW not in session.errmsg()
        assert SECRET_PW not in "\n".join(session.debug_lines)


def test_level2_put_get(session, server):
    session.set_debug(2)
    login(session, server)
    expect(session, session.sendcmd("HELP"), "FTP_OK")
    puts = [x for x in session.debug_lines if x.startswith("*put*")]
    gets = [x for x in session.debug_lines if x.startswith("*get*")]
    assert any("NOOP" in x or "HELP" in x for x in puts), puts
    # a multi-line reply gives one *get* per line
    help_lines = session.reply_text().split("\n")
    assert len(gets) >= len(help_lines) + 1, gets


def test_level0_silent(session, server):
    session.set_debug(0)
    login(session, server)
    expect(session, session.noop(), "FTP_OK")
    assert session.debug_lines == []


def test_level1_null_callback(session, server):
    assert session.lib.ftp_set_debug(session.s, 2, session.ffi.NULL, session.ffi.NULL) == 0
    login(session, server)
    expect(session, session.noop(), "FTP_OK")


def test_debug_can_be_switched_off(session, server):
    session.set_debug(1)
    login(session, server)
    n = len(session.debug_lines)
    assert n > 0
    assert session.lib.ftp_set_debug(session.s, 0, session._dbg_cb, session.ffi.NULL) == 0
    expect(session, session.noop(), "FTP_OK")
    assert len(session.debug_lines) == n
