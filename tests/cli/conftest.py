"""Fixtures of the CLI suite: the `ftpkit` executable ($FTPKIT_CLI), test
certificates made with the openssl command, and real servers on 127.0.0.1:
pyftpdlib (plain and explicit FTPS) and vsftpd (explicit FTPS with
require_ssl_reuse, implicit FTPS)."""
from __future__ import annotations

import faulthandler
import itertools
import os
import random
import shutil
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

import clisrv  # noqa: E402

MiB = 1024 * 1024
BIG = 20 * MiB
WATCHDOG = 300          # seconds; a hung test dumps its stack and exits


@pytest.fixture(autouse=True)
def _watchdog():
    faulthandler.dump_traceback_later(WATCHDOG, exit=True)
    yield
    faulthandler.cancel_dump_traceback_later()


@pytest.fixture(scope="session")
def cli(tmp_path_factory):
    exe = os.environ.get("FTPKIT_CLI", "")
    if not exe:
        pytest.fail("FTPKIT_CLI is not set: point it at the built ftpkit executable")
    if not os.access(exe, os.X_OK):
        pytest.fail(f"FTPKIT_CLI={exe} is not an executable file")
    return clisrv.Cli(exe, tmp_path_factory.mktemp("home"))


@pytest.fixture(scope="session")
def pki(tmp_path_factory):
    if not os.path.exists(clisrv.OPENSSL):
        pytest.skip("the openssl command is not installed")
    return clisrv.Pki(tmp_path_factory.mktemp("pki"))


@pytest.fixture(scope="session")
def big_data():
    """20 MiB of incompressible bytes, the same for the whole run."""
    return random.Random(20).randbytes(BIG)


def _need_vsftpd():
    if not os.path.exists(clisrv.VSFTPD):
        pytest.skip(f"vsftpd is not installed ({clisrv.VSFTPD})")
    if os.geteuid() != 0:
        pytest.skip("vsftpd needs root")


@pytest.fixture(scope="session")
def pyftpd_plain(tmp_path_factory):
    d = tmp_path_factory.mktemp("pyftpd-plain")
    srv = clisrv.Pyftpd(d / "root", d / "log.txt", fail_after=3 * MiB)
    yield srv
    srv.stop()
    shutil.rmtree(srv.root, ignore_errors=True)   # keep the log


@pytest.fixture(scope="session")
def pyftpd_tls(tmp_path_factory, pki):
    d = tmp_path_factory.mktemp("pyftpd-tls")
    srv = clisrv.Pyftpd(d / "root", d / "log.txt",
                        tls=(pki.cert("server"), pki.key("server")))
    yield srv
    srv.stop()
    shutil.rmtree(srv.root, ignore_errors=True)   # keep the log


@pytest.fixture(scope="session")
def vsftpd_explicit(pki):
    _need_vsftpd()
    srv = clisrv.Vsftpd(pki.cert("server"), pki.key("server"))
    yield srv
    srv.stop()
    srv.cleanup()


@pytest.fixture(scope="session")
def vsftpd_implicit(pki):
    _need_vsftpd()
    srv = clisrv.Vsftpd(pki.cert("server"), pki.key("server"), implicit=True)
    yield srv
    srv.stop()
    srv.cleanup()


@pytest.fixture(scope="session")
def vsftpd_selfsigned(pki):
    """Explicit FTPS with a self-signed certificate."""
    _need_vsftpd()
    srv = clisrv.Vsftpd(pki.cert("selfsigned"), pki.key("selfsigned"))
    yield srv
    srv.stop()
    srv.cleanup()


@pytest.fixture(scope="session")
def vsftpd_wrongname(pki):
    """Implicit FTPS with a certificate from the trusted CA for another
    host name."""
    _need_vsftpd()
    srv = clisrv.Vsftpd(pki.cert("wrongname"), pki.key("wrongname"), implicit=True)
    yield srv
    srv.stop()
    srv.cleanup()


# The servers a parametrized test runs against, and the options that make
# the CLI use TLS for them.
SERVERS = {
    "pyftpdlib": ("pyftpd_plain", []),
    "pyftpdlib-explicit": ("pyftpd_tls", ["--ssl-reqd", "--cacert", "{ca}"]),
    "vsftpd-explicit": ("vsftpd_explicit", ["--ssl-reqd", "--cacert", "{ca}"]),
    "vsftpd-implicit": ("vsftpd_implicit", ["--cacert", "{ca}"]),
}


class Target:
    """A server plus the CLI options to reach it."""

    def __init__(self, name, srv, opts):
        self.name, self.srv, self.opts = name, srv, opts

    def url(self, path=""):
        return self.srv.url(path)

    def upload_url(self, name):
        return self.srv.url(self.srv.remote_dir + name)

    def uploaded(self, name) -> Path:
        return self.srv.upload_dir / name


@pytest.fixture
def target(request, pki):
    fixture, opts = SERVERS[request.param]
    srv = request.getfixturevalue(fixture)
    return Target(request.param, srv, [o.format(ca=pki.ca) for o in opts])


_names = itertools.count(1)


@pytest.fixture
def unique():
    """A fresh file name on every call: u001_<stem>.bin, ..."""
    return lambda stem="f": f"u{next(_names):03d}_{stem}.bin"


@pytest.fixture
def workdir(tmp_path):
    d = tmp_path / "local"
    d.mkdir()
    yield d
    shutil.rmtree(d, ignore_errors=True)
