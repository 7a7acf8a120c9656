"""Data connections resume the control connection's TLS session: vsftpd
with require_ssl_reuse=YES refuses any data connection that does not, so
several consecutive transfers (downloads and uploads, passive and active)
must all succeed with ftp_tls_data_resumed() == 1."""
import pytest

from conftest import mode_for, connect_login, upath
from helpers_tls import ok, payload, sha
from tls_session import sha256_file

# R: RETR, S: STOR (a small file, as most uploads are), L: LIST, M: STOR of
# 1 MiB.  Each sequence runs in passive, then in active mode.
SEQUENCES = {"mixed": "RSRSLSSRMS", "uploads": "SSSSSSSS", "downloads": "RRRRRRRR"}


def _run(s, srv, passive, tag, sequence):
    down = payload(200000, seed=60)
    srv.put("res.bin", down)
    ok(s, s.set_passive(passive))
    for i, op in enumerate(sequence):
        what = f"#{i} {op} passive={passive}"
        if op == "R":
            rc, got, _ = s.retr_sha("res.bin")
            ok(s, rc, what)
            assert got == sha(down), what
        elif op in "SM":
            up = payload(20000 if op == "S" else 1 << 20, seed=i)
            rname = upath(srv, f"res-{tag}-{passive}-{i}.bin")
            ok(s, s.stor(rname, up), what)
            assert sha256_file(srv.local(rname)) == sha(up), what
        elif op == "L":
            rc, lines = s.list(srv.upload_dir or None)
            ok(s, rc, what)
        assert s.tls_data_resumed() == 1, f"{what}: data connection did not resume"


@pytest.mark.parametrize("seq", sorted(SEQUENCES))
@pytest.mark.parametrize("version", [0, 0x0303, 0x0304], ids=["default", "tls12", "tls13"])
@pytest.mark.parametrize("name", ["vsftpd", "vsftpd-implicit"])
def test_consecutive_transfers_resume(pool, new_ftps, name, version, seq):
    srv = pool.get(name)
    s = new_ftps(mode=mode_for(srv))
    if version:
        ok(s, s.set_tls_versions(version, version))
    connect_login(s, srv)
    tag = f"{version:x}-{seq}"
    _run(s, srv, 1, tag, SEQUENCES[seq])
    _run(s, srv, 0, tag, SEQUENCES[seq])
    ok(s, s.quit())


def test_resumed_flag_on_pyftpdlib(pool, logged_in):
    """pyftpdlib does not require reuse; the flag is still 0 or 1 and the
    transfers work."""
    srv = pool.get("pyftpdlib")
    s = logged_in(srv)
    for passive in (1, 0):
        ok(s, s.set_passive(passive))
        data = payload(50000, seed=passive)
        ok(s, s.stor(f"pr-{passive}.bin", data))
        assert s.tls_data_resumed() in (0, 1)
        rc, got, _ = s.retr_sha(f"pr-{passive}.bin")
        ok(s, rc)
        assert got == sha(data)
        assert s.tls_data_resumed() in (0, 1)
    ok(s, s.quit())


def test_resumed_is_zero_without_protection(pool, new_ftps):
    """Before any protected data connection the flag is 0."""
    srv = pool.get("vsftpd")
    s = new_ftps(mode=mode_for(srv))
    assert s.tls_data_resumed() == 0
    connect_login(s, srv)
    assert s.tls_data_resumed() == 0
    ok(s, s.quit())
