"""ftp_set_tls_versions(): TLS 1.2-only and 1.3-only runs against the real
servers, invalid ranges, and version mismatches (FTP_ETLS, not FTP_ECERT)."""
import re

import pytest

from conftest import FTP_TLS_EXPLICIT, SERVERS, connect_login, mode_for, upath
from helpers_tls import expect, ok, payload, sha
from tls_session import sha256_file

V12, V13 = 0x0303, 0x0304
NAMES = {V12: "TLSv1.2", V13: "TLSv1.3"}


def test_version_constants_match_header(L):
    assert L.consts["FTP_TLS_VERSION_1_2"] == V12
    assert L.consts["FTP_TLS_VERSION_1_3"] == V13


@pytest.mark.parametrize("version", [V12, V13], ids=["tls12", "tls13"])
@pytest.mark.parametrize("name", SERVERS)
def test_single_version_run(pool, new_ftps, name, version):
    """Only one TLS version allowed: the control and data connections use
    it; downloads and uploads work (passive and active)."""
    srv = pool.get(name)
    data = payload(400000, seed=40 + version)
    fname = f"ver-{version:x}.bin"
    srv.put(fname, data)
    s = new_ftps(mode=mode_for(srv))
    ok(s, s.set_tls_versions(version, version), "set versions")
    connect_login(s, srv)
    assert s.tls_version() == NAMES[version], s.describe()
    for passive in (1, 0):
        ok(s, s.set_passive(passive))
        rc, got, _ = s.retr_sha(fname)
        ok(s, rc, f"RETR passive={passive}")
        assert got == sha(data)
        rname = upath(srv, f"ver-up-{version:x}-{passive}.bin")
        ok(s, s.stor(rname, data), f"STOR passive={passive}")
        assert sha256_file(srv.local(rname)) == sha(data)
    assert s.tls_version() == NAMES[version]
    ok(s, s.quit())


def test_invalid_version_ranges(L, new_ftps):
    s = new_ftps()
    for lo, hi in [(V13, V12), (0x0302, 0), (0x0301, V12), (0x0300, 0), (0x0305, 0),
                   (V12, 0x0305), (12345, 0), (-1, 0)]:
        expect(s, s.set_tls_versions(lo, hi), "FTP_EINVAL", f"versions ({lo:#x}, {hi:#x})")
    ok(s, s.set_tls_versions(V12, 0), "1.2 and newer")
    ok(s, s.set_tls_versions(V13, 0), "1.3 and newer")
    ok(s, s.set_tls_versions(V12, V13), "1.2..1.3")


@pytest.mark.parametrize("client,server", [((V13, V13), {"max_tls": "1.2"}),
                                           ((V12, V12), {"min_tls": "1.3"})],
                         ids=["client13-server12", "client12-server13"])
def test_version_mismatch_is_tls_error(pool, new_ftps, client, server):
    """No common version: FTP_ETLS with OpenSSL's reason, nothing sent
    after AUTH TLS."""
    srv = pool.pyftpd(**server)
    s = new_ftps(mode=FTP_TLS_EXPLICIT)
    ok(s, s.set_tls_versions(*client))
    rc = s.connect(srv.host, srv.port)
    expect(s, rc, "FTP_ETLS", "no common TLS version")
    assert re.search(r"protocol version|unsupported protocol|no protocols available",
                     s.errmsg()), s.errmsg()
    assert not s.is_connected()
    assert s.cmds_sent() == ["AUTH TLS"], s.cmds_sent()
