"""Fixtures: the package from source, real servers, per-test directories.

The package is imported from this source tree (no installation needed); the
library is found as ftpkit._ffi documents (the Meson test sets
FTPKIT_LIBRARY to the library it just built).
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(SRC))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import ftpkit  # noqa: E402
import servers  # noqa: E402

TIMEOUT = 60  # seconds, for every connection the tests make
SERVER_FIXTURES = ("server", "ftps_server", "pyftpd", "vsftpd", "vsftpd_explicit",
                   "vsftpd_implicit")


@pytest.fixture(scope="session")
def tmp_base():
    d = Path(tempfile.mkdtemp(prefix="ftpkit-py-", dir="/tmp"))
    d.chmod(0o755)
    yield d
    shutil.rmtree(d, ignore_errors=True)


@pytest.fixture(scope="session")
def certs(tmp_base):
    return servers.make_certs(tmp_base / "pki")


@pytest.fixture(scope="session")
def pyftpd(tmp_base):
    root = tmp_base / "pyftpd-root"
    root.mkdir()
    s = servers.Pyftpd(root)
    yield s
    s.stop()


@pytest.fixture(scope="session")
def vsftpd(tmp_base):
    s = servers.Vsftpd(tmp_base)
    yield s
    s.stop()


@pytest.fixture(scope="session")
def vsftpd_explicit(tmp_base, certs):
    s = servers.Vsftpd(tmp_base, "explicit", certs)
    yield s
    s.stop()


@pytest.fixture(scope="session")
def vsftpd_implicit(tmp_base, certs):
    s = servers.Vsftpd(tmp_base, "implicit", certs)
    yield s
    s.stop()


@pytest.fixture(params=["pyftpdlib", "vsftpd"])
def server(request):
    """Each plain server in turn."""
    return request.getfixturevalue("pyftpd" if request.param == "pyftpdlib" else "vsftpd")


@pytest.fixture(params=["explicit", "implicit"])
def ftps_server(request):
    """vsftpd with explicit, then implicit FTPS (both with require_ssl_reuse)."""
    return request.getfixturevalue(f"vsftpd_{request.param}")


@pytest.fixture
def workdir(request):
    """A fresh writable remote directory on the test's server."""
    srv = None
    for name in SERVER_FIXTURES:
        if name in request.fixturenames:
            srv = request.getfixturevalue(name)
            break
    assert srv is not None, "workdir needs a server fixture"
    remote = srv.make_workdir()
    yield remote
    shutil.rmtree(srv.local(remote), ignore_errors=True)


def connect(srv, module=ftpkit, cwd=None, **kw):
    """A logged-in FTP (or FTP_TLS for FTPS servers) of `module` on `srv`."""
    if srv.tls:
        import ssl
        ctx = ssl.create_default_context(cafile=srv.certs.ca)
        ftp = module.FTP_TLS(context=ctx, implicit=srv.tls == "implicit", **kw)
    else:
        ftp = module.FTP(**kw)
    ftp.connect("127.0.0.1", srv.port, timeout=TIMEOUT)
    ftp.login(srv.user, srv.passwd)
    if cwd:
        ftp.cwd(cwd)
    return ftp


@pytest.fixture
def ftp(request, workdir):
    """An ftpkit session logged in on the test's server, in `workdir`."""
    srv = None
    for name in SERVER_FIXTURES:
        if name in request.fixturenames:
            srv = request.getfixturevalue(name)
            break
    f = connect(srv, cwd=workdir)
    yield f
    f.close()
