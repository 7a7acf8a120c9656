"""FTP_TLS against vsftpd with explicit and implicit FTPS (anonymous logins
and data forced onto TLS, require_ssl_reuse=YES), and the mapping of
ssl.SSLContext settings onto libftpkit's options."""

from __future__ import annotations

import ftplib
import io
import ssl

import pytest

import ftpkit
from conftest import TIMEOUT


def ca_context(certs, **kw):
    return ssl.create_default_context(cafile=certs.ca, **kw)


def open_tls(srv, **kw):
    kw.setdefault("context", ca_context(srv.certs))
    ftp = ftpkit.FTP_TLS(implicit=srv.tls == "implicit", **kw)
    ftp.connect("127.0.0.1", srv.port, timeout=TIMEOUT)
    return ftp


def test_ftps_session(ftps_server, workdir):
    ftp = open_tls(ftps_server)
    assert ftp.welcome == "220 ftpkit python test server (vsftpd) ready."
    assert ftp.tls_version in ("TLSv1.2", "TLSv1.3")
    assert ftp.login().startswith("230")  # vsftpd forces TLS for this login
    ftp.cwd(workdir)
    payload = bytes(range(256)) * 4000
    seen = []
    assert ftp.storbinary("STOR s.bin", io.BytesIO(payload), callback=seen.append) \
        .startswith("226")
    assert ftp.data_resumed  # require_ssl_reuse is satisfied
    assert ftps_server.local(f"{workdir}/s.bin").read_bytes() == payload
    out = []
    ftp.retrbinary("RETR s.bin", out.append)
    assert b"".join(out) == payload
    assert ftp.nlst() == ["s.bin"]
    lines = []
    ftp.dir(lines.append)
    assert lines and lines[0].endswith("s.bin")
    # pull API over TLS
    ftp.voidcmd("TYPE I")
    with ftp.transfercmd("RETR s.bin") as conn:
        got = b""
        while True:
            b = conn.recv(65536)
            if not b:
                break
            got += b
    assert got == payload
    assert ftp.voidresp().startswith("226")
    assert ftp.size("s.bin") == len(payload)
    assert ftp.delete("s.bin").startswith("250")
    assert ftp.quit().startswith("221")


def test_ftplib_call_sequence_works(vsftpd_explicit, workdir):
    """ftplib's documented sequence: connect, auth (or login), prot_p."""
    ftp = ftpkit.FTP_TLS(context=ca_context(vsftpd_explicit.certs))
    ftp.connect("127.0.0.1", vsftpd_explicit.port, timeout=TIMEOUT)
    assert ftp.auth().startswith("234")  # already done at connect: same reply
    ftp.login()
    assert ftp.prot_p().startswith("200")
    ftp.cwd(workdir)
    ftp.storlines("STOR l.txt", io.BytesIO(b"a\nb\n"))
    lines = []
    ftp.retrlines("RETR l.txt", lines.append)
    assert lines == ["a", "b"]
    ftp.quit()


def test_manual_mode_is_ftplibs_behaviour(vsftpd_explicit, workdir):
    """auto_tls=False: clear until login()/auth(), data clear until prot_p()."""
    ftp = ftpkit.FTP_TLS(context=ca_context(vsftpd_explicit.certs), auto_tls=False)
    ftp.connect("127.0.0.1", vsftpd_explicit.port, timeout=TIMEOUT)
    assert ftp.tls_version == ""
    with pytest.raises(ftplib.error_perm):  # vsftpd: anonymous must use TLS
        ftp.login(secure=False)
    ftp = ftpkit.FTP_TLS(context=ca_context(vsftpd_explicit.certs), auto_tls=False)
    ftp.connect("127.0.0.1", vsftpd_explicit.port, timeout=TIMEOUT)
    assert ftp.login().startswith("230")  # secure=True: auth() first
    assert ftp.tls_version
    with pytest.raises(ValueError, match="Already using TLS"):
        ftp.auth()
    ftp.cwd(workdir)
    with pytest.raises(ftplib.error_perm):  # data still clear: vsftpd refuses
        ftp.nlst()
    ftp.prot_p()
    assert ftp.nlst() == []
    ftp.prot_c()
    with pytest.raises(ftplib.error_perm):
        ftp.nlst()
    ftp.quit()


def test_auto_tls_secures_even_insecure_login(vsftpd_explicit):
    ftp = open_tls(vsftpd_explicit)
    assert ftp.tls_version  # AUTH TLS happened in connect()
    assert ftp.login(secure=False).startswith("230")
    assert ftp.nlst() is not None  # data protected by login
    ftp.quit()


def test_ccc_and_plain_ftp_tls_errors(vsftpd_explicit):
    ftp = ftpkit.FTP_TLS(context=ca_context(vsftpd_explicit.certs), auto_tls=False)
    ftp.connect("127.0.0.1", vsftpd_explicit.port, timeout=TIMEOUT)
    with pytest.raises(ValueError, match="not using TLS"):
        ftp.ccc()
    ftp.login()
    with pytest.raises(ftplib.error_perm):  # vsftpd does not implement CCC
        ftp.ccc()
    assert ftp.voidcmd("NOOP").startswith("200")
    ftp.quit()


def test_verification_is_on_by_default(ftps_server):
    """No context: the system CA store, which does not know the test CA."""
    ftp = ftpkit.FTP_TLS(implicit=ftps_server.tls == "implicit")
    with pytest.raises(ssl.SSLCertVerificationError) as ei:
        ftp.connect("127.0.0.1", ftps_server.port, timeout=TIMEOUT)
    assert isinstance(ei.value, ftpkit.CertificateError)
    assert isinstance(ei.value, ftplib.all_errors)
    assert ftp.sock is None


def test_context_cert_none_turns_verification_off(ftps_server):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    ftp = open_tls(ftps_server, context=ctx)
    assert ftp.login().startswith("230")
    ftp.quit()


def test_context_with_cadata_der(ftps_server):
    der = ssl.PEM_cert_to_DER_cert(open(ftps_server.certs.ca).read())
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.load_verify_locations(cadata=der)
    ftp = open_tls(ftps_server, context=ctx)
    assert ftp.login().startswith("230")
    ftp.quit()


def test_context_versions(vsftpd_explicit):
    ctx = ca_context(vsftpd_explicit.certs)
    ctx.maximum_version = ssl.TLSVersion.TLSv1_2
    ftp = open_tls(vsftpd_explicit, context=ctx)
    assert ftp.tls_version == "TLSv1.2"
    ftp.close()
    ctx = ca_context(vsftpd_explicit.certs)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_3
    ftp = open_tls(vsftpd_explicit, context=ctx)
    assert ftp.tls_version == "TLSv1.3"
    ftp.close()


@pytest.mark.filterwarnings("ignore:ssl.TLSVersion:DeprecationWarning")
def test_context_settings_that_cannot_be_mapped(vsftpd_explicit):
    certs = vsftpd_explicit.certs
    ctx = ca_context(certs)
    ctx.load_cert_chain(certs.client_cert, certs.client_key)
    with pytest.raises(ftpkit.UnsupportedContext, match="certfile"):
        open_tls(vsftpd_explicit, context=ctx)
    ctx = ca_context(certs)
    ctx.check_hostname = False
    with pytest.raises(ftpkit.UnsupportedContext, match="check_hostname"):
        open_tls(vsftpd_explicit, context=ctx)
    ctx = ca_context(certs)
    ctx.minimum_version = ssl.TLSVersion.TLSv1
    ctx.maximum_version = ssl.TLSVersion.TLSv1_1
    with pytest.raises(ftpkit.UnsupportedContext, match="1.2 and 1.3"):
        open_tls(vsftpd_explicit, context=ctx)
    ctx = ca_context(certs)
    ctx.verify_flags |= ssl.VERIFY_CRL_CHECK_LEAF
    with pytest.raises(ftpkit.UnsupportedContext, match="CRL"):
        open_tls(vsftpd_explicit, context=ctx)
    assert issubclass(ftpkit.UnsupportedContext, ValueError)


def test_client_certificate_files(vsftpd_explicit):
    certs = vsftpd_explicit.certs
    ftp = open_tls(vsftpd_explicit, certfile=certs.client_cert, keyfile=certs.client_key)
    assert ftp.login().startswith("230")
    ftp.quit()
    with pytest.raises(ValueError):
        ftpkit.FTP_TLS(keyfile=certs.client_key)


def test_unreadable_client_certificate_is_tls_error(vsftpd_explicit, tmp_path):
    ftp = ftpkit.FTP_TLS(context=ca_context(vsftpd_explicit.certs),
                         certfile=str(tmp_path / "missing.pem"))
    with pytest.raises(ssl.SSLError):
        ftp.connect("127.0.0.1", vsftpd_explicit.port, timeout=TIMEOUT)


def test_constructor_logs_in(ftps_server):
    class F(ftpkit.FTP_TLS):
        port = ftps_server.port
    with F("127.0.0.1", "anonymous", "", context=ca_context(ftps_server.certs),
           implicit=ftps_server.tls == "implicit", timeout=TIMEOUT) as ftp:
        assert ftp.pwd() == "/"
    assert ftp.sock is None


def test_auth_refused_by_plain_server(pyftpd):
    ftp = ftpkit.FTP_TLS()
    with pytest.raises(ftplib.error_perm):  # 500 AUTH not understood
        ftp.connect("127.0.0.1", pyftpd.port, timeout=TIMEOUT)
    assert ftp.welcome == pyftpd.greeting  # the greeting did arrive
    assert ftp.sock is None  # and nothing was sent in clear after it
    ftp = ftpkit.FTP_TLS(implicit=True)
    with pytest.raises(ssl.SSLError):
        ftp.connect("127.0.0.1", pyftpd.port, timeout=TIMEOUT)


def test_active_mode_over_tls(ftps_server, workdir):
    payload = bytes(range(256)) * 20000
    ftps_server.put(f"{workdir}/a.bin", payload)
    ftp = open_tls(ftps_server)
    ftp.login()
    ftp.cwd(workdir)
    ftp.set_pasv(False)  # PORT, the server connects to us, TLS on top
    out = []
    ftp.retrbinary("RETR a.bin", out.append)
    assert b"".join(out) == payload
    ftp.storbinary("STOR b.bin", io.BytesIO(payload))
    assert ftps_server.local(f"{workdir}/b.bin").read_bytes() == payload
    ftp.quit()


def test_abort_over_tls_keeps_session(ftps_server):
    ftp = open_tls(ftps_server)
    ftp.login()
    assert ftp.abort()[:3] in {"225", "226"}
    assert ftp.voidcmd("NOOP").startswith("200")
    ftp.quit()


def test_callback_exception_over_tls_is_reraised(ftps_server, workdir):
    ftps_server.put(f"{workdir}/a.bin", b"a" * 1_000_000)
    ftp = open_tls(ftps_server)
    ftp.login()
    ftp.cwd(workdir)

    def boom(block):
        raise KeyError("stop")

    # The callback's own exception comes back, and stopping the transfer
    # (ABOR inside TLS) does not break the session.
    with pytest.raises(KeyError):
        ftp.retrbinary("RETR a.bin", boom)
    assert ftp.voidcmd("NOOP").startswith("200")
    ftp.close()


def test_stopped_transfers_over_tls_keep_session(ftps_server, workdir):
    payload = bytes(range(256)) * 20000
    ftps_server.put(f"{workdir}/a.bin", payload)
    ftp = open_tls(ftps_server)
    ftp.login()
    ftp.cwd(workdir)

    def boom(block):
        raise KeyError("stop")

    with pytest.raises(KeyError):
        ftp.retrbinary("RETR a.bin", boom)
    assert ftp.voidcmd("NOOP").startswith("200")
    blocks = []

    def abort_after_one(block):
        blocks.append(block)
        ftp.abort()

    resp = ftp.retrbinary("RETR a.bin", abort_after_one, 4096)
    assert len(blocks) == 1 and resp[:3] in {"225", "226", "426"}
    assert ftp.voidcmd("NOOP").startswith("200")
    out = []
    ftp.retrbinary("RETR a.bin", out.append)  # the session is still good
    assert b"".join(out) == payload
    ftp.quit()
