"""FTPS against real servers: login, PROT P transfers (passive and active),
the 100 MiB round trip, PROT C, CCC and ftp_auth() from a plain session."""
import os

import pytest

from conftest import FTP_TLS_EXPLICIT, FTP_TLS_IMPLICIT, FTP_TLS_NONE, SERVERS, mode_for, upath
from helpers_tls import TLS_VERSIONS, expect, ok, payload, sha
from tls_session import sha256_file

BIG = 100 * 1024 * 1024 + 12345   # >= 100 MiB, not a multiple of any block size


@pytest.mark.parametrize("name", SERVERS)
def test_login_is_secured(pool, new_ftps, name):
    srv = pool.get(name)
    s = new_ftps(mode=mode_for(srv))
    ok(s, s.connect(srv.host, srv.port), "connect")
    assert s.tls_version() in TLS_VERSIONS, s.describe()
    assert s.welcome().startswith("220"), s.welcome()
    ok(s, s.login(srv.user, srv.password), "login")
    cmds = s.cmds_sent()
    if srv.implicit:
        assert not any(c.startswith("AUTH") for c in cmds), cmds
    else:
        assert cmds[0] == "AUTH TLS", cmds
    # USER/PASS only after TLS, then PBSZ 0 + PROT P (secure by default).
    i_user = cmds.index(f"USER {srv.user}")
    assert cmds[i_user + 1] == "PASS ****", cmds
    assert "PBSZ 0" in cmds[i_user:] and "PROT P" in cmds[i_user:], cmds
    assert cmds.index("PROT P") > cmds.index("PBSZ 0")
    # The password never shows in the trace.
    assert not any(srv.password in line for line in s.debug_lines), s.debug_lines
    # The server saw the login (it refuses USER/PASS without TLS: vsftpd
    # force_anon_logins_ssl, pyftpdlib tls_control_required).
    seen = srv.commands_since()
    assert any(c.startswith("USER") for c in seen) and any(c.startswith("PASS") for c in seen), seen
    ok(s, s.noop(), "noop")
    assert s.tls_version() in TLS_VERSIONS
    ok(s, s.quit(), "quit")
    assert not s.is_connected()
    assert s.tls_version() == "", "ftp_tls_version after QUIT"


@pytest.mark.parametrize("passive", [1, 0], ids=["passive", "active"])
@pytest.mark.parametrize("name", SERVERS)
def test_prot_p_transfers(pool, logged_in, name, passive):
    srv = pool.get(name)
    down = payload(1024 * 1024 + 7, seed=1 + passive)
    fname = f"down-{passive}.bin"
    srv.put(fname, down)
    s = logged_in(srv)
    ok(s, s.set_passive(passive))
    rc, digest, n = s.retr_sha(fname)
    ok(s, rc, "RETR")
    assert n == len(down) and digest == sha(down)
    assert s.transfer_bytes() == len(down)

    up = payload(3 * 1024 * 1024 + 1, seed=10 + passive)
    rname = upath(srv, f"up-{passive}.bin")
    ok(s, s.stor(rname, up), "STOR")
    assert s.transfer_bytes() == len(up)
    assert sha256_file(srv.local(rname)) == sha(up)

    rc, lines = s.list(srv.upload_dir or None)
    ok(s, rc, "LIST")
    assert any(f"up-{passive}.bin" in ln.decode(errors="replace") for ln in lines), lines
    # Every data connection was protected: PROT C was never sent.
    assert "PROT C" not in s.cmds_sent()
    ok(s, s.delete(rname), "DELE")
    ok(s, s.quit())


@pytest.fixture(scope="session")
def big_file(tmp_path_factory):
    """BIG pseudo-random bytes on disk (made once), and their SHA-256."""
    p = tmp_path_factory.mktemp("big") / "big.bin"
    import random
    rng = random.Random(3)
    with open(p, "wb") as f:
        left = BIG
        while left:
            n = min(left, 1 << 22)
            f.write(rng.randbytes(n))
            left -= n
    os.chmod(p, 0o644)
    os.chmod(p.parent, 0o755)
    yield p, sha256_file(p)
    p.unlink()   # pytest keeps old temp dirs; do not leave 100 MiB behind


@pytest.mark.watchdog(900)
@pytest.mark.parametrize("name", ["vsftpd", "pyftpdlib"])
def test_100mib_round_trip_prot_p(pool, logged_in, big_file, name):
    """One >= 100 MiB download and upload per server, over PROT P, compared
    by SHA-256 (vsftpd: strict_ssl_read_eof, so the upload must end with
    close_notify)."""
    path, digest = big_file
    srv = pool.get(name)
    remote = srv.local("big.bin")
    try:
        os.link(path, remote)
    except OSError:
        import shutil
        shutil.copyfile(path, remote)
    os.chmod(remote, 0o644)
    s = logged_in(srv)
    try:
        rc, got, n = s.retr_sha("big.bin")
        ok(s, rc, "RETR big")
        assert n == BIG and got == digest
        assert s.tls_version() in TLS_VERSIONS

        rname = upath(srv, "big-up.bin")
        ok(s, s.stor_file(rname, path), "STOR big")
        assert s.transfer_bytes() == BIG
        rc, size = s.size(rname)
        ok(s, rc, "SIZE")
        assert size == BIG
        assert sha256_file(srv.local(rname)) == digest
        assert "PROT C" not in s.cmds_sent()
        ok(s, s.quit())
    finally:
        for p in (remote, srv.local(upath(srv, "big-up.bin"))):
            try:
                os.unlink(p)
            except FileNotFoundError:
                pass


def test_prot_c_vsftpd_refuses_clear_data(pool, logged_in):
    """vsftpd here has force_anon_data_ssl=YES: after PROT C it refuses the
    transfer (so PROT C really was in effect, and the default was PROT P);
    PROT P makes it work again."""
    srv = pool.get("vsftpd")
    data = payload(200000, seed=5)
    srv.put("protc.bin", data)
    s = logged_in(srv)
    ok(s, s.prot_c(), "PROT C")
    assert s.reply_code() == 200, s.describe()
    assert "PROT C" in s.cmds_sent()
    rc, _, n = s.retr_sha("protc.bin")
    expect(s, rc, "FTP_EPERM", "clear RETR on a server that forbids it")
    assert s.reply_code() == 522, s.describe()
    assert n == 0
    ok(s, s.noop(), "session usable after the refusal")
    ok(s, s.prot_p(), "PROT P")
    rc, got, n = s.retr_sha("protc.bin")
    ok(s, rc, "RETR after PROT P")
    assert got == sha(data)
    assert s.tls_data_resumed() == 1
    ok(s, s.quit())


def test_prot_c_clear_transfers_pyftpdlib(pool, logged_in):
    """pyftpdlib allows clear data: PROT C transfers work and match, and
    PROT P afterwards protects them again."""
    srv = pool.get("pyftpdlib")
    data = payload(500000, seed=6)
    srv.put("clear.bin", data)
    s = logged_in(srv)
    ok(s, s.prot_c(), "PROT C")
    rc, got, _ = s.retr_sha("clear.bin")
    ok(s, rc, "clear RETR")
    assert got == sha(data)
    up = payload(300000, seed=7)
    ok(s, s.stor("clear-up.bin", up), "clear STOR")
    assert srv.local("clear-up.bin").read_bytes() == up
    ok(s, s.prot_p(), "PROT P")
    rc, got, _ = s.retr_sha("clear-up.bin")
    ok(s, rc, "RETR after PROT P")
    assert got == sha(up)
    cmds = s.cmds_sent()
    assert cmds.count("PROT P") == 2 and "PROT C" in cmds, cmds
    ok(s, s.quit())


@pytest.mark.parametrize("name", SERVERS)
def test_ccc_refused_by_real_servers(pool, logged_in, name):
    """Neither vsftpd nor pyftpdlib implements CCC: the 5xx reply is
    FTP_EPERM, and the control connection stays secured and usable."""
    srv = pool.get(name)
    data = payload(100000, seed=8)
    srv.put("ccc.bin", data)
    s = logged_in(srv)
    before = s.tls_version()
    rc = s.ccc()
    expect(s, rc, "FTP_EPERM", "CCC")
    assert 500 <= s.reply_code() <= 504, s.describe()
    assert s.is_connected()
    assert s.tls_version() == before
    rc, got, _ = s.retr_sha("ccc.bin")
    ok(s, rc, "RETR after refused CCC")
    assert got == sha(data)
    ok(s, s.quit())


@pytest.mark.parametrize("name", ["vsftpd", "pyftpdlib"])
def test_auth_from_plain_session(pool, new_ftps, name):
    """FTP_TLS_NONE + ftp_auth() (ftplib's FTP_TLS.auth()): data stays clear
    until ftp_prot_p()."""
    srv = pool.get(name)
    data = payload(250000, seed=9)
    srv.put("auth.bin", data)
    s = new_ftps(mode=FTP_TLS_NONE)
    ok(s, s.connect(srv.host, srv.port), "plain connect")
    assert s.tls_version() == ""
    expect(s, s.prot_p(), "FTP_ESTATE", "PROT P without TLS")
    expect(s, s.ccc(), "FTP_ESTATE", "CCC without TLS")
    assert s.cmds_sent() == [], "nothing may be sent for a refused call"
    ok(s, s.auth(), "AUTH")
    assert s.tls_version() in TLS_VERSIONS
    expect(s, s.auth(), "FTP_ESTATE", "second AUTH")
    assert s.is_connected()
    ok(s, s.login(srv.user, srv.password), "login")
    cmds = s.cmds_sent()
    assert cmds[0] == "AUTH TLS" and "PROT P" not in cmds, cmds
    rc, got, _ = s.retr_sha("auth.bin")
    if srv.name == "vsftpd":
        # force_anon_data_ssl=YES: the clear data connection is refused.
        expect(s, rc, "FTP_EPERM", "RETR before PROT P")
        assert s.reply_code() == 522
    else:
        ok(s, rc, "clear RETR before PROT P")
        assert got == sha(data)
    ok(s, s.prot_p(), "PROT P")
    assert s.cmds_sent()[-2:] == ["PBSZ 0", "PROT P"], s.cmds_sent()
    rc, got, _ = s.retr_sha("auth.bin")
    ok(s, rc, "RETR after PROT P")
    assert got == sha(data)
    ok(s, s.quit())


def test_tls_mode_values(L, new_ftps):
    s = new_ftps(mode=FTP_TLS_NONE)
    for bad in (3, -1, 99):
        expect(s, s.set_tls_mode(bad), "FTP_EINVAL", f"mode {bad}")
    for good in (FTP_TLS_NONE, FTP_TLS_EXPLICIT, FTP_TLS_IMPLICIT):
        ok(s, s.set_tls_mode(good), f"mode {good}")
    assert s.tls_version() == ""
    assert s.tls_data_resumed() == 0


@pytest.mark.parametrize("name", ["vsftpd", "vsftpd-implicit", "pyftpdlib"])
def test_pull_api_over_prot_p(pool, logged_in, name):
    """ftp_transfer_open/read/write/close over TLS, with close_notify at the
    end of the upload (vsftpd: strict_ssl_read_eof)."""
    srv = pool.get(name)
    data = payload(700000, seed=11)
    srv.put("pull.bin", data)
    s = logged_in(srv)
    rc, _ = s.transfer_open("RETR pull.bin")
    ok(s, rc, "transfer_open RETR")
    got = bytearray()
    while True:
        rc, chunk = s.transfer_read(50000)
        ok(s, rc, "transfer_read")
        if not chunk:
            break
        got += chunk
    ok(s, s.transfer_close(), "transfer_close")
    assert bytes(got) == data
    rname = upath(srv, "pull-up.bin")
    rc, _ = s.transfer_open(f"STOR {rname}")
    ok(s, rc, "transfer_open STOR")
    for i in range(0, len(data), 65000):
        ok(s, s.transfer_write(data[i:i + 65000]), "transfer_write")
    ok(s, s.transfer_close(), "transfer_close STOR")
    assert srv.local(rname).read_bytes() == data
    ok(s, s.quit())


@pytest.mark.parametrize("size", [0, 1, 4096])
@pytest.mark.parametrize("name", ["vsftpd", "vsftpd-implicit", "pyftpdlib"])
def test_tiny_uploads_complete(pool, logged_in, name, size):
    """Empty and tiny uploads still end with close_notify (vsftpd has
    strict_ssl_read_eof=YES and answers 426 without it)."""
    srv = pool.get(name)
    data = payload(size, seed=12 + size)
    s = logged_in(srv)
    rname = upath(srv, f"tiny-{size}.bin")
    ok(s, s.stor(rname, data), f"STOR {size} bytes")
    assert srv.local(rname).read_bytes() == data
    ok(s, s.quit())
