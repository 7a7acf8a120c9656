"""Client certificates (ftp_set_tls_client_cert) against servers that
require one: vsftpd (require_cert=YES, validate_cert=YES, ca_certs_file)
and pyftpdlib (a context with VERIFY_PEER | VERIFY_FAIL_IF_NO_PEER_CERT)."""
import re

import pytest

from conftest import FTP_TLS_EXPLICIT, connect_login, upath
from helpers_tls import expect, ok, payload, sha, wait_server_closed
from tls_session import sha256_file


@pytest.fixture(params=["vsftpd", "pyftpdlib"])
def cert_server(request, pool, certs):
    if request.param == "vsftpd":
        return pool.vsftpd(require_cert="YES", validate_cert="YES", ca_certs_file=certs.ca)
    return pool.pyftpd(client_ca=certs.ca)


def test_client_cert_accepted(certs, cert_server, new_ftps):
    srv = cert_server
    data = payload(600000, seed=50)
    srv.put("cc.bin", data)
    s = new_ftps()
    ok(s, s.set_tls_client_cert(*certs.pair("client")), "set client cert")
    connect_login(s, srv)
    for passive in (1, 0):
        ok(s, s.set_passive(passive))
        rc, got, _ = s.retr_sha("cc.bin")
        ok(s, rc, f"RETR with client cert, passive={passive}")
        assert got == sha(data)
        rname = upath(srv, f"cc-up-{passive}.bin")
        ok(s, s.stor(rname, data), f"STOR with client cert, passive={passive}")
        assert sha256_file(srv.local(rname)) == sha(data)
    ok(s, s.quit())


def test_client_cert_in_one_file(certs, cert_server, new_ftps, tmp_path):
    """key_file NULL: the key is in the certificate file."""
    both = tmp_path / "client-both.pem"
    pem, key = certs.pair("client")
    both.write_bytes(open(pem, "rb").read() + open(key, "rb").read())
    s = new_ftps()
    ok(s, s.set_tls_client_cert(str(both), None))
    connect_login(s, cert_server)
    ok(s, s.quit())


def _refused(s, srv):
    """Connect, then log in: the server's rejection of the client certificate
    surfaces as FTP_ETLS (during the handshake with TLS 1.2, at the first
    read with TLS 1.3), and the login never succeeds."""
    rc = s.connect(srv.host, srv.port)
    if rc == s.L.FTP_OK:
        # TLS 1.3: the client's handshake is complete before the server
        # checks the certificate.  Let the server's verdict (an alert, then
        # FIN) arrive first, so the outcome does not depend on timing.
        assert wait_server_closed(srv.port), "the server kept the connection open"
        rc = s.login(srv.user, srv.password)
    expect(s, rc, "FTP_ETLS", "server requires a valid client certificate")
    # OpenSSL's reason: the server's alert.
    assert re.search(r"alert|certificate|handshake failure", s.errmsg()), s.errmsg()
    assert not s.is_connected()
    assert not srv.commands_since() or not any(
        c.startswith("PASS") for c in srv.commands_since()), srv.commands_since()


@pytest.mark.parametrize("version", [0x0303, 0x0304], ids=["tls12", "tls13"])
def test_no_client_cert_refused(cert_server, new_ftps, version):
    s = new_ftps()
    ok(s, s.set_tls_versions(version, version))
    _refused(s, cert_server)


@pytest.mark.parametrize("version", [0x0303, 0x0304], ids=["tls12", "tls13"])
def test_client_cert_from_other_ca_refused(certs, cert_server, new_ftps, version):
    s = new_ftps()
    ok(s, s.set_tls_versions(version, version))
    ok(s, s.set_tls_client_cert(*certs.pair("badclient")))
    _refused(s, cert_server)


def test_client_cert_removed(certs, cert_server, new_ftps):
    s = new_ftps()
    ok(s, s.set_tls_client_cert(*certs.pair("client")))
    ok(s, s.set_tls_client_cert(None, None), "remove client cert")
    _refused(s, cert_server)


def test_client_key_mismatch_is_local_tls_error(certs, pool, new_ftps):
    """A key that does not match the certificate: FTP_ETLS at connect,
    before anything but AUTH TLS was sent."""
    srv = pool.vsftpd()
    s = new_ftps(mode=FTP_TLS_EXPLICIT)
    ok(s, s.set_tls_client_cert(certs.pair("client")[0], certs.pair("server")[1]))
    rc = s.connect(srv.host, srv.port)
    expect(s, rc, "FTP_ETLS", "mismatched client key")
    assert "key" in s.errmsg().lower(), s.errmsg()
    assert not s.is_connected()
    assert not any(c.startswith(("USER", "PASS")) for c in s.cmds_sent())


def test_client_cert_file_missing(pool, new_ftps, tmp_path):
    srv = pool.vsftpd()
    s = new_ftps()
    ok(s, s.set_tls_client_cert(str(tmp_path / "nope.pem"), None))
    rc = s.connect(srv.host, srv.port)
    expect(s, rc, "FTP_ETLS", "missing client certificate file")
    assert not s.is_connected()
