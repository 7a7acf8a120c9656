"""The exception mapping: each reply class and each C status, and that code
catching ftplib's exceptions catches ftpkit's."""

from __future__ import annotations

import ftplib
import socket
import ssl
import time

import pytest

import ftpkit
from ftpkit._ffi import ffi, lib
from conftest import TIMEOUT, connect
import servers


def assert_ftplib_catches(exc: BaseException) -> None:
    """`except ftplib.all_errors` (ftplib's own tuple) must catch it."""
    try:
        raise exc
    except ftplib.all_errors:
        pass
    assert isinstance(exc, ftpkit.all_errors)


# -- reply classes, from real servers -----------------------------------------

def test_5xx_is_error_perm(server, ftp):
    with pytest.raises(ftplib.error_perm) as ei:
        ftp.cwd("does-not-exist")
    e = ei.value
    assert isinstance(e, ftpkit.error_perm) and isinstance(e, ftpkit.Error)
    assert str(e).startswith("550") and e.args[0][:3] == "550"
    assert e.code == 550 and e.status == lib.FTP_EPERM
    assert_ftplib_catches(e)
    assert ftp.voidcmd("NOOP").startswith("200")  # still usable


def test_login_failure_is_error_perm(pyftpd):
    ftp = ftpkit.FTP()
    ftp.connect("127.0.0.1", pyftpd.port, timeout=TIMEOUT)
    with pytest.raises(ftplib.error_perm) as ei:
        ftp.login("user", "wrong")
    assert str(ei.value).startswith("530")
    ftp.close()


def test_4xx_is_error_temp(pyftpd):
    ftp = connect(pyftpd)
    with pytest.raises(ftplib.error_temp) as ei:
        ftp.sendcmd("XTMP")
    e = ei.value
    assert isinstance(e, ftpkit.error_temp)
    assert str(e) == "451 Temporary failure (test)"
    assert e.code == 451 and e.status == lib.FTP_ETEMP
    assert_ftplib_catches(e)
    assert ftp.voidcmd("NOOP").startswith("200")
    ftp.quit()


def test_421_on_connect_is_error_temp(tmp_base):
    root = tmp_base / "maxcons"
    root.mkdir()
    srv = servers.Pyftpd(root, max_cons=2)  # pyftpdlib counts its listener too
    try:
        first = ftpkit.FTP()
        for _ in range(100):  # until the server has seen the start-up probe go
            try:
                first.connect("127.0.0.1", srv.port, timeout=TIMEOUT)
                break
            except ftplib.error_temp:
                time.sleep(0.1)
        assert first.sock is not None
        with pytest.raises(ftplib.error_temp) as ei:
            ftpkit.FTP().connect("127.0.0.1", srv.port, timeout=TIMEOUT)
        assert str(ei.value).startswith("421")
        first.close()
    finally:
        srv.stop()


def test_unexpected_class_is_error_reply(pyftpd, workdir):
    pyftpd.put(f"{workdir}/f", b"x")
    ftp = connect(pyftpd, cwd=workdir)
    with pytest.raises(ftplib.error_reply) as ei:
        ftp.voidcmd("RNFR f")  # 350: positive, but not 2xx
    assert str(ei.value).startswith("350")
    assert ei.value.status == lib.FTP_EREPLY
    assert_ftplib_catches(ei.value)
    ftp.voidcmd("RNTO g")  # the 350 stands: finish the rename
    with pytest.raises(ftplib.error_reply) as ei:
        ftp.voidcmd("XPRE")  # 1xx
    assert str(ei.value).startswith("150")
    assert ftp.sendcmd("XPRE").startswith("150")  # sendcmd accepts 1xx-3xx
    assert ftp.voidcmd("NOOP").startswith("200")
    ftp.quit()


def test_malformed_reply_is_error_proto(pyftpd):
    ftp = connect(pyftpd)
    with pytest.raises(ftplib.error_proto) as ei:
        ftp.sendcmd("XBAD")
    assert isinstance(ei.value, ftpkit.error_proto)
    assert ei.value.status == lib.FTP_EPROTO
    assert_ftplib_catches(ei.value)
    assert ftp.sock is None  # the library closes a connection it cannot trust


def test_server_hangup_is_eoferror(pyftpd):
    ftp = connect(pyftpd)
    with pytest.raises(EOFError) as ei:
        ftp.sendcmd("XBYE")
    assert isinstance(ei.value, ftpkit.ConnectionClosed)
    assert_ftplib_catches(ei.value)
    assert ftp.sock is None


def test_crlf_in_command_is_valueerror(server, ftp, workdir):
    for bad in ("NOOP\r\nDELE x", "NOOP\n", "x\rDELE y"):
        with pytest.raises(ValueError):
            ftp.sendcmd(bad)
    with pytest.raises(ValueError):
        ftp.delete("a\nb")
    with pytest.raises(ValueError):
        ftp.cwd("nul\0byte")
    assert ftp.voidcmd("NOOP").startswith("200")  # nothing was sent


def test_refused_is_oserror():
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(OSError) as ei:
        ftpkit.FTP().connect("127.0.0.1", port, timeout=TIMEOUT)
    assert isinstance(ei.value, ftpkit.NetworkError)
    assert ei.value.status == lib.FTP_EIO
    assert_ftplib_catches(ei.value)


def test_silent_server_is_timeouterror():
    with socket.create_server(("127.0.0.1", 0)) as listener:  # accepts, never greets
        port = listener.getsockname()[1]
        ftp = ftpkit.FTP()
        with pytest.raises(TimeoutError) as ei:
            ftp.connect("127.0.0.1", port, timeout=1)
    assert isinstance(ei.value, ftpkit.TimeoutExpired)
    assert isinstance(ei.value, OSError)
    assert ftp.sock is None


def test_local_file_error_is_local_error(server, ftp, workdir):
    server.put(f"{workdir}/f.bin", b"f" * 1_000_000)
    with open("/dev/full", "wb") as full:  # every write fails with ENOSPC
        with pytest.raises(OSError) as ei:
            ftp.retrfile("f.bin", full)
    assert isinstance(ei.value, ftpkit.LocalError)
    assert ei.value.status == lib.FTP_ELOCAL
    assert ftp.voidcmd("NOOP").startswith("200")  # the session stays usable


def test_not_connected_is_state_error():
    ftp = ftpkit.FTP()
    with pytest.raises(ftpkit.StateError) as ei:
        ftp.voidcmd("NOOP")
    assert isinstance(ei.value, ftplib.Error)
    assert ei.value.status == lib.FTP_ESTATE


# -- every status, through the one mapping function -----------------------------

EXPECTED = {
    "FTP_EREPLY": (ftpkit.error_reply, ftplib.error_reply),
    "FTP_ETEMP": (ftpkit.error_temp, ftplib.error_temp),
    "FTP_EPERM": (ftpkit.error_perm, ftplib.error_perm),
    "FTP_EPROTO": (ftpkit.error_proto, ftplib.error_proto),
    "FTP_EIO": (ftpkit.NetworkError, OSError),
    "FTP_ETIMEOUT": (ftpkit.TimeoutExpired, TimeoutError),
    "FTP_ETLS": (ftpkit.TLSError, ssl.SSLError),
    "FTP_ECERT": (ftpkit.CertificateError, ssl.SSLCertVerificationError),
    "FTP_ERESOLVE": (ftpkit.ResolveError, socket.gaierror),
    "FTP_EINVAL": (ftpkit.InvalidArgument, ValueError),
    "FTP_ENOMEM": (MemoryError, MemoryError),
    "FTP_ESTATE": (ftpkit.StateError, ftplib.Error),
    "FTP_EABORTED": (ftpkit.Aborted, ftplib.Error),
    "FTP_ECANCELED": (ftpkit.Canceled, OSError),
    "FTP_ECLOSED": (ftpkit.ConnectionClosed, EOFError),
    "FTP_EINTERNAL": (ftpkit.InternalError, ftplib.Error),
    "FTP_ELOCAL": (ftpkit.LocalError, OSError),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_status_mapping(name):
    s = ffi.gc(lib.ftp_new(), lib.ftp_free)
    status = getattr(lib, name)
    with pytest.raises(BaseException) as ei:
        ftpkit.check(s, status)
    ours, stdlib = EXPECTED[name]
    assert type(ei.value) is ours
    assert isinstance(ei.value, stdlib)
    assert ei.value.status == status
    if name not in ("FTP_ENOMEM", "FTP_EINVAL"):  # ftplib: not in all_errors either
        assert_ftplib_catches(ei.value)
    assert str(ei.value)  # never an empty message


def test_every_status_is_mapped():
    statuses = {n for n in dir(lib) if n.startswith("FTP_E") and isinstance(getattr(lib, n), int)}
    assert statuses == set(EXPECTED)


def test_success_raises_nothing():
    s = ffi.gc(lib.ftp_new(), lib.ftp_free)
    ftpkit.check(s, lib.FTP_OK)
