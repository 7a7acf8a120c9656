"""Connection, login and commands against real servers (pyftpdlib, vsftpd)."""
import os

import pytest

from helpers import assert_usable, expect, login


# --------------------------------------------------------------------------
# connect / login / quit / close
# --------------------------------------------------------------------------

def test_connect_and_welcome(session, server):
    rc = session.connect(server.host, server.port)
    expect(session, rc, "FTP_OK", 220)
    assert session.is_connected()
    w = session.welcome()
    assert w.startswith("220")
    assert "ftpkit test server" in w
    assert w == session.reply_text()
    assert session.errmsg() == ""


def test_connect_by_name_localhost(session, server):
    expect(session, session.connect("localhost", server.port), "FTP_OK", 220)


def test_reconnect_closes_previous_connection(session, server):
    expect(session, session.connect(server.host, server.port), "FTP_OK")
    expect(session, session.login(server.user, server.password), "FTP_OK")
    expect(session, session.connect(server.host, server.port), "FTP_OK", 220)
    # The new connection is not logged in: PWD is refused (530).
    rc, _ = session.pwd()
    expect(session, rc, "FTP_EPERM", 530)


def test_login_success(session, server):
    login(session, server)
    assert 200 <= session.reply_code() < 300
    assert session.errmsg() == ""
    assert_usable(session)


def test_login_failure_530(session, server):
    expect(session, session.connect(server.host, server.port), "FTP_OK")
    rc = session.login(server.user, "wrong-password")
    expect(session, rc, "FTP_EPERM", 530)
    assert session.errmsg() != ""
    # A reply error leaves the session usable: log in properly now.
    assert session.is_connected()
    expect(session, session.login(server.user, server.password), "FTP_OK")
    assert_usable(session)


@pytest.mark.parametrize("user,pw", [(None, None), ("", ""), ("anonymous", None), (None, "guest@")])
def test_anonymous_login(session, server, user, pw):
    server.put_file(server.anon_root / "anon.txt", b"anon data\n")
    expect(session, session.connect(server.host, server.port), "FTP_OK")
    expect(session, session.login(user, pw), "FTP_OK")
    rc, names = session.nlst()
    expect(session, rc, "FTP_OK")
    assert b"anon.txt" in [os.path.basename(n) for n in names]
    rc, data = session.retr("anon.txt")
    expect(session, rc, "FTP_OK")
    assert data == b"anon data\n"


def test_quit(session, server):
    login(session, server)
    rc = session.quit()
    expect(session, rc, "FTP_OK", 221)
    assert not session.is_connected()
    expect(session, session.noop(), "FTP_ESTATE")
    # The session can connect again.
    login(session, server)
    assert_usable(session)


def test_welcome_kept_after_close_and_quit(session, server):
    login(session, server)
    w = session.welcome()
    assert w.startswith("220")
    session.close()
    assert session.welcome() == w
    login(session, server)
    expect(session, session.quit(), "FTP_OK")
    assert session.welcome() == w


def test_close(session, server):
    login(session, server)
    session.close()
    assert not session.is_connected()
    session.close()
    expect(session, session.noop(), "FTP_ESTATE")
    login(session, server)
    assert_usable(session)


def test_free_while_connected(L, server):
    s = L.session()
    login(s, server)
    s.free()  # closes without QUIT, must not crash or leak a hang


# --------------------------------------------------------------------------
# sendcmd / voidcmd
# --------------------------------------------------------------------------

def test_sendcmd_reply_text_and_code(ftp):
    expect(ftp, ftp.sendcmd("NOOP"), "FTP_OK", 200)
    assert ftp.reply_text().startswith("200")
    assert "\n" not in ftp.reply_text() and "\r" not in ftp.reply_text()
    assert ftp.errmsg() == ""


@pytest.mark.parametrize("cmd", ["HELP", "FEAT"])
def test_sendcmd_multiline(ftp, cmd):
    expect(ftp, ftp.sendcmd(cmd), "FTP_OK")
    code = ftp.reply_code()
    assert code in (211, 214)
    raw = ftp.reply_text_bytes()
    lines = raw.split(b"\n")
    assert len(lines) >= 3, raw
    assert lines[0].startswith(b"%d-" % code)
    assert lines[-1].startswith(b"%d " % code) or lines[-1] == b"%d" % code
    assert b"\r" not in raw
    # len out-param agrees with the NUL-terminated string
    p = ftp.lib.ftp_reply_text(ftp.s, ftp.ffi.NULL)
    assert ftp.ffi.string(p) == raw


def test_sendcmd_5xx_is_eperm_and_usable(ftp):
    expect(ftp, ftp.sendcmd("XYZZY"), "FTP_EPERM")
    assert 500 <= ftp.reply_code() < 600
    assert ftp.errmsg() != ""
    assert ftp.is_connected()
    assert_usable(ftp)


def test_voidcmd_2xx(ftp):
    expect(ftp, ftp.voidcmd("NOOP"), "FTP_OK", 200)


def test_sendcmd_3xx_ok_voidcmd_3xx_ereply(ftp, workdir):
    workdir.put("f.txt", b"x")
    expect(ftp, ftp.sendcmd("RNFR f.txt"), "FTP_OK", 350)
    expect(ftp, ftp.sendcmd("RNTO g.txt"), "FTP_OK", 250)
    assert (workdir.local / "g.txt").exists()
    rc = ftp.voidcmd("RNFR g.txt")
    expect(ftp, rc, "FTP_EREPLY", 350)
    assert ftp.errmsg() != ""
    # still usable
    expect(ftp, ftp.voidcmd("RNTO h.txt"), "FTP_OK", 250)
    assert (workdir.local / "h.txt").exists()


@pytest.mark.parametrize("bad", ["NOOP\r\nDELE f.txt", "NOOP\nDELE f.txt", "NOOP\rDELE f.txt",
                                 "DELE f.txt\r\n", "\n"])
def test_sendcmd_crlf_einval_nothing_sent(ftp, workdir, bad):
    workdir.put("f.txt", b"keep me")
    ftp.set_debug(1)
    ftp.debug_lines.clear()
    for fn in (ftp.sendcmd, ftp.voidcmd):
        rc = fn(bad)
        expect(ftp, rc, "FTP_EINVAL")
    assert not [x for x in ftp.debug_lines if "*cmd*" in x], ftp.debug_lines
    assert (workdir.local / "f.txt").exists()
    assert ftp.is_connected()
    assert_usable(ftp)


def test_sendcmd_null_einval(ftp):
    expect(ftp, ftp.lib.ftp_sendcmd(ftp.s, ftp.ffi.NULL), "FTP_EINVAL")
    assert_usable(ftp)


# --------------------------------------------------------------------------
# directories
# --------------------------------------------------------------------------

def test_pwd_and_cwd(ftp, workdir):
    rc, p = ftp.pwd()
    expect(ftp, rc, "FTP_OK", 257)
    assert p.endswith(b"/" + workdir.remote.encode()), p
    workdir.mkdir("sub")
    expect(ftp, ftp.cwd("sub"), "FTP_OK")
    assert 200 <= ftp.reply_code() < 300
    rc, p2 = ftp.pwd()
    assert p2 == p + b"/sub"
    expect(ftp, ftp.cwd(".."), "FTP_OK")
    rc, p3 = ftp.pwd()
    assert p3 == p


def test_cwd_dotdot_sends_cdup(ftp, workdir):
    workdir.mkdir("sub")
    expect(ftp, ftp.cwd("sub"), "FTP_OK")
    ftp.set_debug(1)
    expect(ftp, ftp.cwd(".."), "FTP_OK")
    cmds = [x for x in ftp.debug_lines if "*cmd*" in x]
    assert any("CDUP" in x for x in cmds), cmds


def test_cwd_missing_is_eperm(ftp):
    expect(ftp, ftp.cwd("no-such-dir"), "FTP_EPERM", 550)
    assert_usable(ftp)


def test_pwd_len_null(ftp, workdir):
    out = ftp.ffi.new("const char **")
    rc = ftp.lib.ftp_pwd(ftp.s, out, ftp.ffi.NULL)
    expect(ftp, rc, "FTP_OK")
    assert ftp.ffi.string(out[0]).endswith(workdir.remote.encode())


def test_mkd_pwd_quote_and_space(ftp, workdir, server):
    name = 'a "q" b'
    rc, out = ftp.mkd(name)
    expect(ftp, rc, "FTP_OK", 257)
    assert (workdir.local / name).is_dir()
    assert out.endswith(b"/" + name.encode()), out
    expect(ftp, ftp.cwd(name), "FTP_OK")
    rc, p = ftp.pwd()
    expect(ftp, rc, "FTP_OK")
    assert p.endswith(b"/" + workdir.remote.encode() + b"/" + name.encode()), p


def test_mkd_returns_path_and_rmd(ftp, workdir):
    rc, out = ftp.mkd("newdir")
    expect(ftp, rc, "FTP_OK", 257)
    assert out.endswith(b"/newdir"), out
    assert (workdir.local / "newdir").is_dir()
    rc, out2 = ftp.mkd("other", want=False)
    expect(ftp, rc, "FTP_OK")
    assert (workdir.local / "other").is_dir()
    expect(ftp, ftp.rmd("newdir"), "FTP_OK")
    assert 200 <= ftp.reply_code() < 300
    assert not (workdir.local / "newdir").exists()
    expect(ftp, ftp.rmd("newdir"), "FTP_EPERM", 550)
    expect(ftp, ftp.mkd("other")[0], "FTP_EPERM", 550)
    assert_usable(ftp)


def test_delete(ftp, workdir):
    workdir.put("gone.txt", b"bye")
    expect(ftp, ftp.delete("gone.txt"), "FTP_OK", 250)
    assert not (workdir.local / "gone.txt").exists()
    expect(ftp, ftp.delete("gone.txt"), "FTP_EPERM", 550)
    assert_usable(ftp)


def test_rename(ftp, workdir):
    workdir.put("old name.txt", b"content")
    expect(ftp, ftp.rename("old name.txt", "new name.txt"), "FTP_OK")
    assert 200 <= ftp.reply_code() < 300
    assert not (workdir.local / "old name.txt").exists()
    assert (workdir.local / "new name.txt").read_bytes() == b"content"
    rc = ftp.rename("missing.txt", "x.txt")
    expect(ftp, rc, "FTP_EPERM", 550)
    assert not (workdir.local / "x.txt").exists()
    assert_usable(ftp)


@pytest.mark.parametrize("call", [
    lambda s: s.cwd("a\r\nDELE keep.txt"),
    lambda s: s.cwd("a\nb"),
    lambda s: s.mkd("a\rb")[0],
    lambda s: s.rmd("a\nb"),
    lambda s: s.delete("keep.txt\r\nNOOP"),
    lambda s: s.delete("keep.txt\n"),
    lambda s: s.rename("keep.txt", "x\ny"),
    lambda s: s.rename("keep.txt\r\n", "y"),
    lambda s: s.size("keep.txt\n")[0],
    lambda s: s.acct("a\r\nDELE keep.txt"),
    lambda s: s.retr("keep.txt\r\nDELE keep.txt")[0],
    lambda s: s.stor("new\r\nDELE keep.txt", b"x"),
    lambda s: s.list("a\nb")[0],
    lambda s: s.nlst("a\rb")[0],
    lambda s: s.mlsd("a\nb")[0],
    lambda s: s.retrlines("RETR keep.txt\r\nDELE keep.txt")[0],
    lambda s: s.storlines("STOR x\nDELE keep.txt", b"a\n"),
    lambda s: s.transfer_open("RETR keep.txt\r\nDELE keep.txt")[0],
], ids=["cwd", "cwd-lf", "mkd", "rmd", "delete", "delete-lf", "rename-to", "rename-from", "size",
        "acct", "retr", "stor", "list", "nlst", "mlsd", "retrlines", "storlines", "transfer_open"])
def test_crlf_in_path_einval_nothing_sent(ftp, workdir, call):
    workdir.put("keep.txt", b"keep")
    ftp.set_debug(1)
    ftp.debug_lines.clear()
    rc = call(ftp)
    expect(ftp, rc, "FTP_EINVAL")
    assert not [x for x in ftp.debug_lines if "*cmd*" in x], ftp.debug_lines
    assert (workdir.local / "keep.txt").read_bytes() == b"keep"
    assert ftp.is_connected()
    assert_usable(ftp)


def test_size_binary(ftp, workdir):
    data = b"line1\nline2\nline3\n" * 100
    workdir.put("s.txt", data)
    rc, n = ftp.size("s.txt")
    expect(ftp, rc, "FTP_OK", 213)
    assert n == len(data)
    # After an ASCII transfer the size is still the binary size.
    rc, lines = ftp.retrlines("RETR s.txt")
    expect(ftp, rc, "FTP_OK")
    rc, n = ftp.size("s.txt")
    expect(ftp, rc, "FTP_OK")
    assert n == len(data)
    rc, n = ftp.size("missing.txt")
    expect(ftp, rc, "FTP_EPERM", 550)
    assert_usable(ftp)


def test_size_large_sparse_file(ftp, workdir):
    """A size beyond 32 bits comes back exactly (a sparse file)."""
    p = workdir.local / "sparse.bin"
    with open(p, "wb") as f:
        f.truncate(5 * 2**30 + 7)
    workdir.server.own(p)
    rc, n = ftp.size("sparse.bin")
    expect(ftp, rc, "FTP_OK")
    assert n == 5 * 2**30 + 7


def test_noop(ftp):
    expect(ftp, ftp.noop(), "FTP_OK")
    assert 200 <= ftp.reply_code() < 300


def test_acct_unsupported_is_reply_error(ftp):
    rc = ftp.acct("someaccount")
    L = ftp.L
    assert rc in (L.FTP_EPERM, L.FTP_ETEMP, L.FTP_EREPLY), f"{L.name(rc)} {ftp.describe()}"
    code = ftp.reply_code()
    assert {L.FTP_EPERM: 5, L.FTP_ETEMP: 4, L.FTP_EREPLY: None}[rc] in (code // 100, None)
    assert_usable(ftp)


def test_feature_pyftpdlib(session, pyftpd):
    login(session, pyftpd)
    r, params = session.feature("MLST")
    assert r == 1
    assert params is not None and "type*" in params.lower() and "size*" in params.lower()
    assert session.feature("mlst")[0] == 1
    assert session.feature("Utf8")[0] == 1
    assert session.feature("SIZE")[0] == 1
    assert session.feature("EPSV")[0] == 1
    assert session.feature("NOSUCHFEATURE")[0] == 0
    r = session.lib.ftp_feature(session.s, b"SIZE", session.ffi.NULL)
    assert r == 1


def test_feature_vsftpd(session, vsftpd):
    login(session, vsftpd)
    assert session.feature("SIZE")[0] == 1
    assert session.feature("EPSV")[0] == 1
    r, params = session.feature("REST")
    assert r == 1 and params is not None and "STREAM" in params.upper()
    assert session.feature("MLST")[0] == 0


def test_login_sends_opts_utf8_when_listed(session, pyftpd):
    session.set_debug(1)
    login(session, pyftpd)
    cmds = [x for x in session.debug_lines if "*cmd*" in x]
    assert any("FEAT" in x for x in cmds), cmds
    assert any("OPTS UTF8 ON" in x for x in cmds), cmds


def test_login_no_opts_utf8_when_not_listed(session, vsftpd):
    session.set_debug(1)
    login(session, vsftpd)
    cmds = [x for x in session.debug_lines if "*cmd*" in x]
    assert any("FEAT" in x for x in cmds), cmds
    assert not any("OPTS UTF8" in x for x in cmds), cmds


def test_feature_params_survive_other_calls(session, pyftpd):
    """params stay valid until the next ftp_connect() or ftp_free()."""
    login(session, pyftpd)
    p = session.ffi.new("const char **")
    assert session.lib.ftp_feature(session.s, b"MLST", p) == 1
    before = session.ffi.string(p[0])
    for _ in range(3):
        assert session.noop() == 0
        assert session.pwd()[0] == 0
    assert session.ffi.string(p[0]) == before
