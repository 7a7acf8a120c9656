"""What no real server does on purpose, with a scripted FTPS server built on
Python's ssl module: plain text after AUTH TLS, AUTH SSL only, a TLS
download truncated without close_notify, CCC, and the bytes on the wire of
PROT C and PROT P data connections."""
import pytest

from conftest import FTP_TLS_EXPLICIT, FTP_TLS_IMPLICIT, FTP_TLS_NONE
from helpers_tls import TLS_VERSIONS, assert_nothing_after_auth, expect, ok, payload, sha
from tls_scripted import ScriptedFTPS


@pytest.fixture
def scripted(certs):
    made = []

    def make(**kw):
        cert, key = certs.pair(kw.pop("cert", "server"))
        srv = ScriptedFTPS(cert, key, **kw)
        made.append(srv)
        return srv
    yield make
    for srv in made:
        srv.close()


def _no_login_on_wire(srv):
    for c in srv.controls:
        assert b"USER" not in bytes(c.plain_in) and b"PASS" not in bytes(c.plain_in), c.plain_in
        assert b"USER" not in bytes(c.raw_in) and b"PASS" not in bytes(c.raw_in)


# --------------------------------------------------------------------------
# A server that accepts AUTH TLS and then does not speak TLS
# --------------------------------------------------------------------------

@pytest.mark.watchdog(120)
@pytest.mark.parametrize("via", ["connect", "ftp_auth"])
def test_plain_text_after_auth_is_tls_error(scripted, new_ftps, via):
    """234, then a plain-text reply to the ClientHello: FTP_ETLS at once
    (not a hang, not a timeout), connection closed, no login sent."""
    srv = scripted(auth="plain-after-hello")
    s = new_ftps(mode=FTP_TLS_EXPLICIT if via == "connect" else FTP_TLS_NONE, timeout_ms=60000)
    if via == "connect":
        rc = s.connect(srv.host, srv.port)
    else:
        ok(s, s.connect(srv.host, srv.port), "plain connect")
        rc = s.auth()
    expect(s, rc, "FTP_ETLS", "handshake against plain text")
    assert s.errmsg(), "no error message"
    assert not s.is_connected()
    assert s.tls_version() == ""
    expect(s, s.login("u", "secret"), "FTP_ESTATE", "login afterwards")
    assert_nothing_after_auth(s, False)
    assert srv.wait_done(30)
    _no_login_on_wire(srv)


@pytest.mark.watchdog(120)
def test_plain_reply_right_after_234(scripted, new_ftps):
    """234 and a plain-text reply in one write: an error at once (the
    header allows FTP_ETLS or, for bytes before the handshake, FTP_EPROTO),
    connection closed, no login sent."""
    srv = scripted(auth="plain-immediate")
    s = new_ftps(timeout_ms=60000)
    rc = s.connect(srv.host, srv.port)
    assert rc in (s.L.FTP_ETLS, s.L.FTP_EPROTO), f"{s.L.name(rc)} {s.describe()}"
    assert not s.is_connected()
    expect(s, s.login("u", "secret"), "FTP_ESTATE", "login afterwards")
    assert_nothing_after_auth(s, False)
    _no_login_on_wire(srv)


@pytest.mark.watchdog(120)
def test_closed_after_client_hello_is_tls_error(scripted, new_ftps):
    """234, the server reads the ClientHello and closes cleanly (FIN):
    FTP_ETLS ("handshake failure"), no login sent."""
    srv = scripted(auth="close-after-hello")
    s = new_ftps(timeout_ms=60000)
    rc = s.connect(srv.host, srv.port)
    expect(s, rc, "FTP_ETLS", "server closed during the handshake")
    assert not s.is_connected()
    assert_nothing_after_auth(s, False)
    _no_login_on_wire(srv)


@pytest.mark.watchdog(120)
def test_closed_right_after_234(scripted, new_ftps):
    """234 and an immediate close (the ClientHello then meets a closed
    socket): an error, never success or a hang."""
    srv = scripted(auth="close")
    s = new_ftps(timeout_ms=60000)
    rc = s.connect(srv.host, srv.port)
    # A reset of the TCP connection may surface as an I/O error.
    assert rc in (s.L.FTP_ETLS, s.L.FTP_EIO), f"{s.L.name(rc)} {s.describe()}"
    assert not s.is_connected()
    assert_nothing_after_auth(s, False)


@pytest.mark.watchdog(120)
def test_silent_after_234_times_out(scripted, new_ftps):
    """234, then silence: the handshake is bounded by the timeouts."""
    srv = scripted(auth="silent")
    s = new_ftps(timeout_ms=3000)
    rc = s.connect(srv.host, srv.port)
    expect(s, rc, "FTP_ETIMEOUT", "silent server after 234")
    assert not s.is_connected()
    assert_nothing_after_auth(s, False)


# --------------------------------------------------------------------------
# AUTH SSL fallback (ftp_set_tls_auth_ssl_fallback)
# --------------------------------------------------------------------------

def test_auth_ssl_fallback(scripted, new_ftps):
    srv = scripted(auth="ssl-only")
    s = new_ftps()
    ok(s, s.set_tls_auth_ssl_fallback(1))
    ok(s, s.connect(srv.host, srv.port), "connect with AUTH SSL fallback")
    assert s.tls_version() in TLS_VERSIONS
    ok(s, s.login("u", "p"))
    cmds = s.cmds_sent()
    assert cmds[:2] == ["AUTH TLS", "AUTH SSL"], cmds
    ok(s, s.quit())


def test_auth_refused_without_fallback(scripted, new_ftps):
    """Default: a 5xx to AUTH TLS fails the connect (FTP_EPERM), the
    connection is closed, and USER/PASS are never sent in clear."""
    srv = scripted(auth="ssl-only")
    s = new_ftps()
    rc = s.connect(srv.host, srv.port)
    expect(s, rc, "FTP_EPERM", "AUTH TLS refused")
    assert s.reply_code() == 504
    assert not s.is_connected(), "explicit mode must not continue in clear"
    assert s.cmds_sent() == ["AUTH TLS"], s.cmds_sent()
    expect(s, s.login("u", "secret"), "FTP_ESTATE", "login afterwards")
    assert srv.wait_done(30)
    _no_login_on_wire(srv)
    assert bytes(srv.controls[0].plain_in) == b"AUTH TLS\r\n"


def test_ftp_auth_refused_session_stays_clear_and_usable(scripted, new_ftps):
    """ftp_auth() refused: a reply error; the plain session stays usable."""
    srv = scripted(auth="refuse")
    s = new_ftps(mode=FTP_TLS_NONE)
    ok(s, s.connect(srv.host, srv.port))
    expect(s, s.auth(), "FTP_EPERM", "AUTH refused")
    assert s.is_connected() and s.tls_version() == ""
    ok(s, s.noop(), "NOOP in clear")
    ok(s, s.quit())


# --------------------------------------------------------------------------
# Truncated TLS downloads: no close_notify is an error, never a full file
# --------------------------------------------------------------------------

@pytest.mark.parametrize("size", [0, 1 << 20], ids=["empty", "1MiB"])
def test_truncated_download_is_tls_error(scripted, new_ftps, size):
    data = payload(size, seed=31)
    srv = scripted(retr="truncate", files={"f": data})
    s = new_ftps()
    ok(s, s.connect(srv.host, srv.port))
    ok(s, s.login("u", "p"))
    got = bytearray()
    rc = s.retr_fn("f", got.extend)
    expect(s, rc, "FTP_ETLS", "download without close_notify")
    assert "close_notify" in s.errmsg() or "truncat" in s.errmsg(), s.errmsg()
    assert srv.datas[-1]["end"] == "truncated"
    assert len(got) <= size and s.transfer_bytes() == len(got)
    # The server's 226 did not make it a success; the session goes on.
    assert s.is_connected(), "a data-connection TLS error keeps the session"
    ok(s, s.noop(), "NOOP after the truncated download")


def test_truncated_download_pull_api(scripted, new_ftps):
    data = payload(300000, seed=32)
    srv = scripted(retr="truncate", files={"f": data})
    s = new_ftps()
    ok(s, s.connect(srv.host, srv.port))
    ok(s, s.login("u", "p"))
    rc, _ = s.transfer_open("RETR f")
    ok(s, rc, "transfer_open")
    total = 0
    for _ in range(10000):
        rc, chunk = s.transfer_read(65536)
        if rc != 0:
            break
        assert chunk, "transfer_read reported a clean end of a truncated stream"
        total += len(chunk)
    expect(s, rc, "FTP_ETLS", "transfer_read at the truncation")
    assert total <= len(data)


def test_clean_download_control(scripted, new_ftps):
    """The same scripted server ending the data with close_notify: success
    (so the tests above fail for the right reason)."""
    data = payload(1 << 20, seed=33)
    srv = scripted(retr="clean", files={"f": data})
    s = new_ftps()
    ok(s, s.connect(srv.host, srv.port))
    ok(s, s.login("u", "p"))
    rc, got, n = s.retr_sha("f")
    ok(s, rc, "clean TLS download")
    assert got == sha(data) and n == len(data)
    assert srv.datas[-1]["end"] == "clean" and srv.datas[-1]["prot"] == "P"


# --------------------------------------------------------------------------
# Uploads end with close_notify
# --------------------------------------------------------------------------

@pytest.mark.parametrize("size", [0, 1, 30000, 1 << 20])
@pytest.mark.parametrize("mode", [FTP_TLS_EXPLICIT, FTP_TLS_IMPLICIT], ids=["explicit", "implicit"])
def test_upload_ends_with_close_notify(scripted, new_ftps, mode, size):
    """The server sees the client's close_notify (not a bare TCP close or a
    reset) at the end of every upload, and can send its own back."""
    srv = scripted(implicit=(mode == FTP_TLS_IMPLICIT))
    data = payload(size, seed=34)
    s = new_ftps(mode=mode)
    ok(s, s.connect(srv.host, srv.port))
    ok(s, s.login("u", "p"))
    for i in range(3):
        rc = s.stor(f"up{i}", data)
        rec = srv.datas[-1]
        ok(s, rc, f"upload #{i} of {size} bytes (server: {rec})")
        assert rec["error"] is None, rec
        assert rec["prot"] == "P" and rec["clean_eof"] and not rec["ragged_eof"], rec
        assert not rec["reset"], f"upload #{i}: the client reset the data connection"
        assert srv.uploads[f"up{i}"] == data
    ok(s, s.quit())


# --------------------------------------------------------------------------
# PROT C / PROT P on the wire
# --------------------------------------------------------------------------

def test_prot_c_and_p_on_the_wire(scripted, new_ftps):
    data = payload(200000, seed=35)
    srv = scripted(files={"f": data})
    s = new_ftps()
    ok(s, s.connect(srv.host, srv.port))
    ok(s, s.login("u", "p"))
    ok(s, s.stor("p1", data), "PROT P upload")
    raw = bytes(srv.datas[-1]["chan"].raw_in)
    assert raw.startswith(b"\x16\x03") and data[:64] not in raw, "PROT P data was not encrypted"
    assert srv.uploads["p1"] == data
    ok(s, s.prot_c(), "PROT C")
    ok(s, s.stor("c1", data), "PROT C upload")
    rec = srv.datas[-1]
    assert rec["prot"] == "C" and bytes(rec["chan"].raw_in) == data, "PROT C data not clear"
    rc, got, _ = s.retr_sha("f")
    ok(s, rc, "PROT C download")
    assert got == sha(data) and bytes(srv.datas[-1]["chan"].raw_out) == data
    ok(s, s.prot_p(), "PROT P again")
    rc, got, _ = s.retr_sha("f")
    ok(s, rc, "PROT P download")
    assert got == sha(data)
    out = bytes(srv.datas[-1]["chan"].raw_out)
    assert out.startswith(b"\x16\x03") and data[:64] not in out


# --------------------------------------------------------------------------
# CCC
# --------------------------------------------------------------------------

@pytest.mark.parametrize("mode", [FTP_TLS_EXPLICIT, FTP_TLS_IMPLICIT], ids=["explicit", "implicit"])
def test_ccc_clears_control_keeps_data_protected(scripted, new_ftps, mode):
    """CCC: close_notify both ways, then the control connection continues in
    plain text while data connections stay protected (PROT P)."""
    data = payload(250000, seed=36)
    srv = scripted(files={"f": data}, implicit=(mode == FTP_TLS_IMPLICIT))
    s = new_ftps(mode=mode)
    ok(s, s.connect(srv.host, srv.port))
    ok(s, s.login("u", "secret"))
    ok(s, s.ccc(), "CCC")
    assert s.reply_code() == 200
    assert s.tls_version() == "", "ftp_tls_version after CCC"
    ok(s, s.noop(), "NOOP in clear")
    rc, got, _ = s.retr_sha("f")
    ok(s, rc, "download after CCC")
    assert got == sha(data)
    rec = srv.datas[-1]
    assert rec["prot"] == "P" and rec["tls_version"] in TLS_VERSIONS, rec
    ok(s, s.quit())
    assert srv.wait_done(30)
    st = srv.ccc_state
    assert st["ccc_clean"], "the client's close_notify never came after CCC"
    c = srv.controls[0]
    # Everything after the TLS shutdown arrived as plain text, on the wire.
    after = bytes(c.plain_in[st["ccc_at"]:])
    assert after.startswith(b"NOOP\r\n"), after[:40]
    assert b"NOOP\r\nTYPE I\r\n" in bytes(c.raw_in), "commands after CCC not in clear"
    # The password went only inside TLS.
    assert b"secret" not in bytes(c.raw_in)
    assert not srv.errors, srv.errors


def test_ccc_twice_is_state_error(scripted, new_ftps):
    srv = scripted()
    s = new_ftps()
    ok(s, s.connect(srv.host, srv.port))
    ok(s, s.login("u", "p"))
    ok(s, s.ccc())
    n = len(s.cmds_sent())
    expect(s, s.ccc(), "FTP_ESTATE", "second CCC")
    assert len(s.cmds_sent()) == n, "nothing may be sent"
    ok(s, s.noop())
