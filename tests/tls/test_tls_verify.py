"""Certificate verification: each bad certificate is refused with
FTP_ECERT and OpenSSL's reason, before anything but AUTH TLS is sent (the
password least of all); the CA options, the server name and insecure mode."""
import re

import pytest

from conftest import FTP_TLS_EXPLICIT, FTP_TLS_IMPLICIT, FTP_TLS_NONE, SERVERS, connect_login, mode_for
from helpers_tls import (TLS_VERSIONS, assert_nothing_after_auth, expect, ok, payload, sha,
                         server_saw_no_login)
from tls_scripted import ScriptedFTPS

# Bad certificate -> the reason OpenSSL gives (X509_verify_cert_error_string).
BAD = {
    "wronghost": r"hostname mismatch",
    "selfsigned": r"self[- ]signed certificate",
    "expired": r"certificate has expired",
    "untrusted": r"unable to get local issuer certificate",
}


def _refused(s, rc, reason):
    expect(s, rc, "FTP_ECERT", "connect with a bad certificate")
    msg = s.errmsg()
    assert re.search(reason, msg), f"errmsg {msg!r} lacks OpenSSL's reason /{reason}/"
    assert not s.is_connected(), "the session must close after FTP_ECERT"
    assert s.tls_version() == ""


def _login_refused_silently(s):
    """After the failed check, login must not send anything either."""
    n = len(s.debug_lines)
    rc = s.login("user", "secret-password")
    assert rc != s.L.FTP_OK, "login succeeded on a closed session"
    expect(s, rc, "FTP_ESTATE", "login after FTP_ECERT")
    assert s.debug_lines[n:] == [], f"sent after the failed check: {s.debug_lines[n:]}"


@pytest.mark.parametrize("kind", sorted(BAD))
@pytest.mark.parametrize("name", SERVERS)
def test_bad_certificate_real_server(pool, new_ftps, name, kind):
    srv = pool.get(name, cert=kind)
    s = new_ftps(mode=mode_for(srv))
    ok(s, s.set_address_family(4))
    rc = s.connect("localhost", srv.port)
    _refused(s, rc, BAD[kind])
    assert_nothing_after_auth(s, srv.implicit)
    _login_refused_silently(s)
    server_saw_no_login(srv, srv.implicit)


@pytest.mark.parametrize("kind", sorted(BAD))
@pytest.mark.parametrize("mode", [FTP_TLS_EXPLICIT, FTP_TLS_IMPLICIT], ids=["explicit", "implicit"])
def test_bad_certificate_no_byte_leaks(certs, new_ftps, mode, kind):
    """A scripted server records every byte it receives: in explicit mode
    exactly "AUTH TLS\\r\\n" arrives in clear, then only the TLS handshake,
    which the client aborts; no application data at all."""
    cert, key = certs.pair(kind)
    with ScriptedFTPS(cert, key, implicit=(mode == FTP_TLS_IMPLICIT)) as srv:
        s = new_ftps(mode=mode)
        ok(s, s.set_address_family(4))
        rc = s.connect("localhost", srv.port)
        _refused(s, rc, BAD[kind])
        _login_refused_silently(s)
        assert srv.wait_done(30), "the client did not close the connection"
        assert len(srv.controls) == 1, "the client connected again"
        c = srv.controls[0]
        assert c.handshake_error, "the server's handshake did not fail: the client went on"
        assert c.tls_version is None
        raw = bytes(c.raw_in)
        if mode == FTP_TLS_EXPLICIT:
            assert bytes(c.plain_in) == b"AUTH TLS\r\n", c.plain_in
            assert raw.startswith(b"AUTH TLS\r\n\x16\x03"), raw[:20]
        else:
            assert bytes(c.plain_in) == b""
            assert raw.startswith(b"\x16\x03"), raw[:20]
        for word in (b"USER", b"PASS", b"secret-password"):
            assert word not in raw, f"{word!r} on the wire"
        assert srv.datas == [] and not srv.errors, srv.errors
        assert_nothing_after_auth(s, mode == FTP_TLS_IMPLICIT)


def test_ip_address_mismatch(pool, new_ftps):
    """Connecting to 127.0.0.1: the certificate must name that IP address."""
    srv = pool.get("vsftpd", cert="wronghost")
    s = new_ftps()
    rc = s.connect("127.0.0.1", srv.port)
    _refused(s, rc, r"IP address mismatch")
    assert_nothing_after_auth(s, False)


def test_server_name_is_verified_and_sent(certs, pool, new_ftps):
    """ftp_set_tls_server_name(): the name checked against the certificate
    and sent as SNI when connecting to an address."""
    srv = pool.get("vsftpd", cert="wronghost")   # a certificate for wrong.example
    s = new_ftps()
    ok(s, s.set_tls_server_name("wrong.example"))
    connect_login(s, srv, host="127.0.0.1")
    assert s.tls_version() in TLS_VERSIONS
    ok(s, s.quit())

    good = pool.get("vsftpd")
    s = new_ftps()
    ok(s, s.set_tls_server_name("wrong.example"))
    _refused(s, s.connect("127.0.0.1", good.port), r"hostname mismatch")
    ok(s, s.set_tls_server_name(None))
    connect_login(s, good, host="127.0.0.1")     # back to the host: IP SAN
    ok(s, s.quit())

    # SNI on the wire (a scripted server records the name it was sent).
    cert, key = certs.pair("server")
    with ScriptedFTPS(cert, key) as sc:
        names = []
        sc.ctx.sni_callback = lambda obj, name, ctx: names.append(name)
        s = new_ftps()
        ok(s, s.set_tls_server_name("localhost"))
        ok(s, s.connect("127.0.0.1", sc.port), "connect with server name")
        ok(s, s.quit())
        s = new_ftps()
        ok(s, s.connect("127.0.0.1", sc.port), "connect to an address")
        ok(s, s.quit())
        assert sc.wait_done(30)
        # A name when one is set; none for a bare IP address (RFC 6066 §3).
        assert names == ["localhost", None], names


def test_verification_is_on_by_default(pool, new_ftps):
    """No CA given: the system store does not know the test CA."""
    srv = pool.get("vsftpd")
    s = new_ftps(ca=False)
    _refused(s, s.connect("localhost", srv.port), BAD["untrusted"])
    assert_nothing_after_auth(s, False)


@pytest.mark.parametrize("name", ["vsftpd", "pyftpdlib"])
def test_insecure_mode(pool, new_ftps, name):
    """ftp_set_tls_insecure(1) accepts a self-signed certificate (data too),
    and 0 turns verification back on."""
    srv = pool.get(name, cert="selfsigned")
    data = payload(100000, seed=21)
    srv.put("insecure.bin", data)
    s = new_ftps(ca=False)
    ok(s, s.set_tls_insecure(1))
    connect_login(s, srv)
    rc, got, _ = s.retr_sha("insecure.bin")
    ok(s, rc, "RETR (insecure)")
    assert got == sha(data)
    ok(s, s.quit())
    ok(s, s.set_tls_insecure(0))
    _refused(s, s.connect(srv.host, srv.port), BAD["selfsigned"])


def test_ca_dir(certs, pool, new_ftps):
    srv = pool.get("vsftpd")
    s = new_ftps(ca=False)
    ok(s, s.set_tls_ca(None, certs.ca_dir))
    connect_login(s, srv)
    ok(s, s.quit())


@pytest.mark.parametrize("form", ["der", "pem"])
@pytest.mark.parametrize("name", ["vsftpd", "pyftpdlib"])
def test_ca_in_memory(certs, pool, new_ftps, name, form):
    """ftp_add_tls_ca_cert() with DER (or PEM) bytes; data connections are
    verified against it too."""
    srv = pool.get(name)
    data = payload(150000, seed=22)
    srv.put("mem.bin", data)
    s = new_ftps(ca=False)
    blob = certs.ca_der if form == "der" else certs.ca_pem_bytes
    ok(s, s.add_tls_ca_cert(blob), "add CA")
    connect_login(s, srv)
    rc, got, _ = s.retr_sha("mem.bin")
    ok(s, rc, "RETR")
    assert got == sha(data)
    ok(s, s.quit())


def test_ca_in_memory_errors_and_clear(certs, pool, new_ftps):
    srv = pool.get("vsftpd")
    s = new_ftps(ca=False)
    expect(s, s.add_tls_ca_cert(None), "FTP_EINVAL", "NULL data")
    expect(s, s.add_tls_ca_cert(certs.ca_der, 0), "FTP_EINVAL", "zero length")
    # Only the other (untrusted) CA in memory: it replaces the system store
    # and does not vouch for the server.
    ok(s, s.add_tls_ca_cert((certs.dir / "otherca.pem").read_bytes()))
    _refused(s, s.connect("localhost", srv.port), BAD["untrusted"])
    ok(s, s.add_tls_ca_cert(certs.ca_der))
    connect_login(s, srv)
    ok(s, s.quit())
    ok(s, s.clear_tls_ca(), "clear")
    _refused(s, s.connect("localhost", srv.port), BAD["untrusted"])


def test_ca_in_memory_garbage(pool, new_ftps):
    srv = pool.get("vsftpd")
    s = new_ftps(ca=False)
    ok(s, s.add_tls_ca_cert(b"this is not a certificate" * 4), "add garbage")
    rc = s.connect("localhost", srv.port)
    expect(s, rc, "FTP_ETLS", "connect with an unparseable CA")
    assert not s.is_connected()
    assert not any("USER" in x or "PASS" in x for x in s.debug_lines)


def test_ca_file_unreadable(pool, new_ftps, tmp_path):
    srv = pool.get("vsftpd")
    s = new_ftps(ca=False)
    ok(s, s.set_tls_ca(str(tmp_path / "missing.pem"), None), "set (read at connect)")
    rc = s.connect("localhost", srv.port)
    expect(s, rc, "FTP_ETLS", "connect with a missing CA file")
    assert not s.is_connected()
    assert not any("USER" in x or "PASS" in x for x in s.debug_lines)


def test_auth_with_bad_certificate(pool, new_ftps):
    """ftp_auth() from a plain session verifies the same way: FTP_ECERT,
    the connection closed, nothing more sent."""
    srv = pool.get("vsftpd", cert="expired")
    s = new_ftps(mode=FTP_TLS_NONE)
    ok(s, s.connect("localhost", srv.port), "plain connect")
    rc = s.auth()
    _refused(s, rc, BAD["expired"])
    assert_nothing_after_auth(s, False)
    _login_refused_silently(s)
    server_saw_no_login(srv, False)
