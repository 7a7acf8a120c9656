"""Version, status names, lifecycle, option validation, wrong-state calls.
No server needed."""
import re
import threading

import pytest

import ftpkit_ffi
from helpers import expect

REPO = ftpkit_ffi.REPO


def test_version_number_matches_header(L):
    c = L.consts
    expected = (c["FTPKIT_VERSION_MAJOR"] << 16) | (c["FTPKIT_VERSION_MINOR"] << 8) | c["FTPKIT_VERSION_PATCH"]
    assert c["FTPKIT_VERSION_NUMBER"] == expected
    assert L.lib.ftp_version() == expected


def test_version_string(L):
    s = L.ffi.string(L.lib.ftp_version_string()).decode()
    c = L.consts
    assert s == f'{c["FTPKIT_VERSION_MAJOR"]}.{c["FTPKIT_VERSION_MINOR"]}.{c["FTPKIT_VERSION_PATCH"]}'
    # ... and the project version meson builds.
    m = re.search(r"version:\s*'([^']+)'", (REPO / "meson.build").read_text())
    assert m and m.group(1) == s
    # static: the same pointer every time
    assert L.lib.ftp_version_string() == L.lib.ftp_version_string()


def test_status_values_are_the_documented_ones(L):
    # The enum is append-only: these numbers are ABI and never change.
    for i, name in enumerate(ftpkit_ffi.KNOWN_STATUSES):
        assert getattr(L.lib, name) == -i, name
    # ... and it stays dense: 0, -1, -2, ... in declaration order.
    assert L.status_list[:len(ftpkit_ffi.KNOWN_STATUSES)] == ftpkit_ffi.KNOWN_STATUSES
    for i, name in enumerate(L.status_list):
        assert getattr(L.lib, name) == -i, name


def test_strerror_every_status(L):
    names = {}
    for name in L.status_list:
        v = getattr(L.lib, name)
        p = L.lib.ftp_strerror(v)
        assert p != L.ffi.NULL
        s = L.ffi.string(p).decode()
        assert s, name
        assert s != "unknown status", name
        names[s] = name
        assert L.lib.ftp_strerror(v) == p, "strings are static"
    assert len(names) == len(L.status_list), f"names must be distinct: {names}"


@pytest.mark.parametrize("v", [1, 2, 100, "past-the-end", -100, 2**31 - 1, -2**31])
def test_strerror_unknown(L, v):
    if v == "past-the-end":
        v = -len(L.status_list)
    p = L.lib.ftp_strerror(v)
    assert p != L.ffi.NULL
    assert L.ffi.string(p) == b"unknown status"


def test_new_free_and_free_null(L):
    s = L.lib.ftp_new()
    assert s != L.ffi.NULL
    L.lib.ftp_free(s)
    L.lib.ftp_free(L.ffi.NULL)


def test_many_sessions_independent(L):
    ss = [L.lib.ftp_new() for _ in range(50)]
    assert all(x != L.ffi.NULL for x in ss)
    assert len(set(int(L.ffi.cast("uintptr_t", x)) for x in ss)) == 50
    for x in ss:
        L.lib.ftp_free(x)


def test_fresh_session_state(session):
    assert session.reply_code() == 0
    assert session.reply_text_bytes() == b""
    assert session.errmsg() == ""
    assert session.welcome() == ""
    assert session.transfer_bytes() == 0
    assert not session.is_connected()
    # reply_text with len NULL
    p = session.lib.ftp_reply_text(session.s, session.ffi.NULL)
    assert p != session.ffi.NULL and session.ffi.string(p) == b""


def test_feature_before_login_is_zero(session):
    r, params = session.feature("MLST")
    assert r == 0


def test_close_on_closed_session_is_noop(session):
    session.close()
    session.close()
    assert not session.is_connected()


def test_cancel_without_running_call_is_noop(session):
    session.cancel()
    session.cancel()
    assert not session.is_connected()


@pytest.mark.parametrize("call", [
    lambda s: s.noop(),
    lambda s: s.sendcmd("NOOP"),
    lambda s: s.voidcmd("NOOP"),
    lambda s: s.login("user", "12345"),
    lambda s: s.cwd("x"),
    lambda s: s.pwd()[0],
    lambda s: s.mkd("x")[0],
    lambda s: s.rmd("x"),
    lambda s: s.delete("x"),
    lambda s: s.rename("a", "b"),
    lambda s: s.size("x")[0],
    lambda s: s.acct("x"),
    lambda s: s.quit(),
    lambda s: s.retr("x")[0],
    lambda s: s.stor("x", b"data"),
    lambda s: s.list()[0],
    lambda s: s.nlst()[0],
    lambda s: s.mlsd()[0],
    lambda s: s.retrlines("LIST")[0],
    lambda s: s.storlines("STOR x", b"a\n"),
    lambda s: s.transfer_open("RETR x")[0],
], ids=["noop", "sendcmd", "voidcmd", "login", "cwd", "pwd", "mkd", "rmd", "delete", "rename",
        "size", "acct", "quit", "retr", "stor", "list", "nlst", "mlsd", "retrlines", "storlines",
        "transfer_open"])
def test_calls_before_connect_are_estate(session, call):
    rc = call(session)
    expect(session, rc, "FTP_ESTATE")
    assert session.errmsg() != ""


def test_transfer_calls_without_open_transfer_are_estate(session):
    expect(session, session.transfer_read()[0], "FTP_ESTATE")
    expect(session, session.transfer_write(b"x"), "FTP_ESTATE")
    expect(session, session.transfer_close(), "FTP_ESTATE")


def test_timeout_setters_validate(session):
    lib, s = session.lib, session.s
    for f in (lib.ftp_set_timeout_ms, lib.ftp_set_connect_timeout_ms,
              lib.ftp_set_reply_timeout_ms, lib.ftp_set_data_timeout_ms):
        assert f(s, 1000) == 0
        assert f(s, 1) == 0
        assert f(s, 0) == lib.FTP_EINVAL
        assert f(s, -5) == lib.FTP_EINVAL


def test_option_setters_validate(session):
    lib, s, ffi = session.lib, session.s, session.ffi
    assert lib.ftp_set_passive(s, 0) == 0
    assert lib.ftp_set_passive(s, 1) == 0
    assert lib.ftp_set_epsv(s, 0) == 0
    assert lib.ftp_set_epsv(s, 1) == 0
    assert lib.ftp_set_trust_pasv_host(s, 1) == 0
    assert lib.ftp_set_trust_pasv_host(s, 0) == 0
    for fam in (0, 4, 6):
        assert lib.ftp_set_address_family(s, fam) == 0, fam
    for fam in (1, 5, -1, 46):
        assert lib.ftp_set_address_family(s, fam) == lib.FTP_EINVAL, fam
    assert lib.ftp_set_source_address(s, b"127.0.0.1", 0) == 0
    assert lib.ftp_set_source_address(s, b"::1", 0) == 0
    assert lib.ftp_set_source_address(s, ffi.NULL, 0) == 0
    assert lib.ftp_set_source_address(s, b"localhost", 0) == lib.FTP_EINVAL
    assert lib.ftp_set_source_address(s, b"example.invalid", 0) == lib.FTP_EINVAL
    assert lib.ftp_set_maxline(s, 64) == 0
    assert lib.ftp_set_maxline(s, 63) == lib.FTP_EINVAL
    assert lib.ftp_set_maxline(s, 0) == lib.FTP_EINVAL
    assert lib.ftp_set_maxline(s, 8192) == 0
    assert lib.ftp_set_max_reply_size(s, 1 << 20) == 0
    assert lib.ftp_set_blocksize(s, 1) == 0
    assert lib.ftp_set_blocksize(s, 64 << 20) == 0
    assert lib.ftp_set_blocksize(s, (64 << 20) + 1) == lib.FTP_EINVAL
    assert lib.ftp_set_blocksize(s, 0) == lib.FTP_EINVAL
    assert lib.ftp_set_blocksize(s, 65536) == 0
    assert lib.ftp_set_debug(s, 0, ffi.NULL, ffi.NULL) == 0
    assert lib.ftp_set_debug(s, 1, ffi.NULL, ffi.NULL) == 0
    assert lib.ftp_set_debug(s, 2, ffi.NULL, ffi.NULL) == 0


def test_connect_null_host_is_einval(session):
    expect(session, session.lib.ftp_connect(session.s, session.ffi.NULL, 21), "FTP_EINVAL")


def test_connect_cr_lf_host_is_einval_or_resolve(session):
    # A host name with CR/LF can never be resolved; nothing may be sent anywhere.
    rc = session.connect("127.0.0.1\r\nX", 21)
    assert rc in (session.L.FTP_EINVAL, session.L.FTP_ERESOLVE), session.L.name(rc)


def test_sessions_on_many_threads(L):
    """Different sessions are independent; each may be used on its own thread."""
    errors = []

    def worker():
        try:
            with L.session() as s:
                for _ in range(20):
                    if s.noop() != L.FTP_ESTATE:
                        errors.append("noop before connect was not ESTATE")
                    assert s.set_timeout(1000) == 0
        except Exception as e:  # noqa: BLE001
            errors.append(repr(e))

    ts = [threading.Thread(target=worker) for _ in range(8)]
    for t in ts:
        t.start()
    for t in ts:
        t.join(60)
    assert not errors
