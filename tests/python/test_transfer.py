"""Transfers against real servers: push (callbacks) and pull (streams),
passive/active, EPSV on/off, listings."""
import os
import time

import pytest

from helpers import assert_usable, expect, login

MODES = ["epsv", "pasv", "active"]


def set_mode(sess, mode):
    lib, s = sess.lib, sess.s
    assert lib.ftp_set_passive(s, 0 if mode == "active" else 1) == 0
    assert lib.ftp_set_epsv(s, 1 if mode == "epsv" else 0) == 0


def data_cmds(sess):
    """The data-connection setup commands seen in the level-1 trace."""
    out = []
    for x in sess.debug_lines:
        if "*cmd*" in x:
            for c in ("EPSV", "PASV", "EPRT", "PORT"):
                if f"'{c}" in x:
                    out.append(c)
    return out


def pattern(n, seed=0):
    """Deterministic, non-trivial bytes (every byte value occurs)."""
    block = bytes((i * 7 + seed) & 0xFF for i in range(251))
    return (block * (n // len(block) + 1))[:n]


# --------------------------------------------------------------------------
# downloads
# --------------------------------------------------------------------------

@pytest.mark.parametrize("mode", MODES)
def test_retr_modes(ftp, workdir, mode):
    data = pattern(300_000)
    workdir.put("f.bin", data)
    set_mode(ftp, mode)
    ftp.set_debug(1)
    rc, got = ftp.retr("f.bin")
    expect(ftp, rc, "FTP_OK", 226)
    assert got == data
    assert ftp.transfer_bytes() == len(data)
    cmds = data_cmds(ftp)
    if mode == "epsv":
        assert cmds == ["EPSV"], cmds
    elif mode == "pasv":
        assert cmds == ["PASV"], cmds
    else:
        assert len(cmds) == 1 and cmds[0] in ("PORT", "EPRT"), cmds
    assert any("TYPE I" in x for x in ftp.debug_lines if "*cmd*" in x)


@pytest.mark.parametrize("rest", [1, 1000, 299_999])
def test_retr_rest(ftp, workdir, rest):
    data = pattern(300_000, 3)
    workdir.put("f.bin", data)
    ftp.set_debug(1)
    rc, got = ftp.retr("f.bin", rest=rest)
    expect(ftp, rc, "FTP_OK")
    assert got == data[rest:]
    assert ftp.transfer_bytes() == len(data) - rest
    assert any(f"REST {rest}" in x for x in ftp.debug_lines if "*cmd*" in x)


def test_retr_rest_zero_sends_no_rest(ftp, workdir):
    workdir.put("f.bin", b"abc")
    ftp.set_debug(1)
    rc, got = ftp.retr("f.bin", rest=0)
    expect(ftp, rc, "FTP_OK")
    assert got == b"abc"
    assert not any("REST" in x for x in ftp.debug_lines if "*cmd*" in x)


@pytest.mark.parametrize("blocksize", [1, 100, 4096])
def test_retrbinary_blocksize(ftp, workdir, blocksize):
    data = pattern(20_000 if blocksize == 1 else 200_000)
    workdir.put("f.bin", data)
    blocks = []
    rc = ftp.retrbinary("RETR f.bin", blocks.append, blocksize=blocksize)
    expect(ftp, rc, "FTP_OK")
    assert b"".join(blocks) == data
    assert all(0 < len(b) <= blocksize for b in blocks)


def test_retrbinary_session_blocksize(ftp, workdir):
    data = pattern(100_000)
    workdir.put("f.bin", data)
    assert ftp.lib.ftp_set_blocksize(ftp.s, 1000) == 0
    blocks = []
    rc = ftp.retrbinary("RETR f.bin", blocks.append, blocksize=0)
    expect(ftp, rc, "FTP_OK")
    assert b"".join(blocks) == data
    assert max(len(b) for b in blocks) <= 1000
    blocks = []
    rc = ftp.retr_fn("f.bin", blocks.append)
    expect(ftp, rc, "FTP_OK")
    assert b"".join(blocks) == data
    assert max(len(b) for b in blocks) <= 1000


def test_retrbinary_with_rest(ftp, workdir):
    data = pattern(50_000)
    workdir.put("f.bin", data)
    blocks = []
    rc = ftp.retrbinary("RETR f.bin", blocks.append, blocksize=777, rest=12345)
    expect(ftp, rc, "FTP_OK")
    assert b"".join(blocks) == data[12345:]


def test_retr_missing_is_eperm(ftp):
    rc, got = ftp.retr("missing.bin")
    expect(ftp, rc, "FTP_EPERM", 550)
    assert got == b""
    assert ftp.transfer_bytes() == 0
    assert_usable(ftp)


def test_retr_empty_file(ftp, workdir):
    workdir.put("empty.bin", b"")
    calls = []
    rc = ftp.retr_fn("empty.bin", calls.append)
    expect(ftp, rc, "FTP_OK")
    assert calls == []   # the callback only ever sees len > 0
    assert ftp.transfer_bytes() == 0


def test_retr_callback_abort(ftp, workdir):
    data = pattern(8 << 20)
    workdir.put("big.bin", data)
    seen = []

    def cb(b):
        seen.append(len(b))
        return 1 if len(seen) == 2 else 0

    rc = ftp.retr_fn("big.bin", cb)
    expect(ftp, rc, "FTP_EABORTED")
    assert len(seen) == 2, "no callback after the one that stopped the transfer"
    assert ftp.errmsg() != ""
    assert ftp.is_connected()
    assert ftp.transfer_bytes() >= sum(seen)
    assert ftp.transfer_bytes() < len(data)
    assert_usable(ftp)
    # And a full transfer still works afterwards.
    rc, got = ftp.retr("big.bin")
    expect(ftp, rc, "FTP_OK")
    assert got == data


def test_retr_callback_exception_aborts(ftp, workdir):
    """A callback returning any non-zero value (here -1 via CFFI's onerror) aborts."""
    workdir.put("f.bin", pattern(1 << 20))

    class Boom(Exception):
        pass

    def cb(b):
        raise Boom()

    with pytest.raises(Boom):
        ftp.retr_fn("f.bin", cb)
    assert_usable(ftp)


def test_retrlines(ftp, workdir):
    text = b"first line\r\nsecond\nthird line\r\n\r\nlast without newline"
    workdir.put("t.txt", text)
    ftp.set_debug(1)
    rc, lines = ftp.retrlines("RETR t.txt")
    expect(ftp, rc, "FTP_OK")
    assert lines == [b"first line", b"second", b"third line", b"", b"last without newline"]
    assert any("TYPE A" in x for x in ftp.debug_lines if "*cmd*" in x)


def test_retrlines_callback_abort(ftp, workdir):
    workdir.put("t.txt", b"".join(b"line %d\n" % i for i in range(200_000)))
    n = [0]

    def cb(line):
        n[0] += 1
        return 7 if n[0] == 10 else 0

    lcb = ftp._line_cb(cb)
    rc = ftp.lib.ftp_retrlines(ftp.s, b"RETR t.txt", lcb, ftp.ffi.NULL)
    expect(ftp, rc, "FTP_EABORTED")
    assert n[0] == 10
    assert_usable(ftp)


# --------------------------------------------------------------------------
# uploads
# --------------------------------------------------------------------------

@pytest.mark.parametrize("mode", MODES)
def test_stor_modes(ftp, workdir, mode):
    data = pattern(300_000, 5)
    set_mode(ftp, mode)
    rc = ftp.stor("up.bin", data)
    expect(ftp, rc, "FTP_OK")
    assert 200 <= ftp.reply_code() < 300
    assert (workdir.local / "up.bin").read_bytes() == data
    assert ftp.transfer_bytes() == len(data)


def test_stor_small_chunks_from_callback(ftp, workdir):
    data = pattern(50_000, 9)
    rc = ftp.stor_fn("up.bin", ftp.reader(data, chunk=333))
    expect(ftp, rc, "FTP_OK")
    assert (workdir.local / "up.bin").read_bytes() == data


def test_storbinary_blocksize_caps_reads(ftp, workdir):
    data = pattern(100_000, 1)
    caps = []
    rd = ftp.reader(data)

    def fn(cap):
        caps.append(cap)
        return rd(cap)

    rc = ftp.storbinary("STOR up.bin", fn, blocksize=1000)
    expect(ftp, rc, "FTP_OK")
    assert (workdir.local / "up.bin").read_bytes() == data
    assert caps and max(caps) <= 1000


def test_storbinary_rest(ftp, workdir):
    old = b"A" * 1000
    workdir.put("r.bin", old)
    rc = ftp.storbinary("STOR r.bin", ftp.reader(b"B" * 500), rest=400)
    expect(ftp, rc, "FTP_OK")
    got = (workdir.local / "r.bin").read_bytes()
    assert got[:400] == b"A" * 400
    assert got[400:900] == b"B" * 500


def test_storbinary_appe(ftp, workdir):
    workdir.put("a.bin", b"hello ")
    rc = ftp.storbinary("APPE a.bin", ftp.reader(b"world"))
    expect(ftp, rc, "FTP_OK")
    assert (workdir.local / "a.bin").read_bytes() == b"hello world"


def test_stor_empty_file(ftp, workdir):
    rc = ftp.stor("empty.bin", b"")
    expect(ftp, rc, "FTP_OK")
    p = workdir.local / "empty.bin"
    assert p.exists() and p.stat().st_size == 0
    assert ftp.transfer_bytes() == 0


def test_stor_overwrites(ftp, workdir):
    workdir.put("o.bin", b"x" * 10000)
    expect(ftp, ftp.stor("o.bin", b"short"), "FTP_OK")
    assert (workdir.local / "o.bin").read_bytes() == b"short"


def test_storlines_crlf(ftp, workdir, server):
    src = b"alpha\nbeta\r\ngamma\n\ndelta\r\n"
    for chunk in (None, 1, 3):
        name = f"l{chunk}.txt"
        rc = ftp.storlines(f"STOR {name}", src, chunk=chunk)
        expect(ftp, rc, "FTP_OK")
        got = (workdir.local / name).read_bytes()
        if server.name == "vsftpd":
            # vsftpd stores ASCII uploads verbatim: the wire bytes.
            assert got == b"alpha\r\nbeta\r\ngamma\r\n\r\ndelta\r\n", (chunk, got)
        else:
            # pyftpdlib turns the wire's CRLF into LF on POSIX.
            assert got == b"alpha\nbeta\ngamma\n\ndelta\n", (chunk, got)


def test_stor_read_callback_abort(ftp, workdir):
    blocks = [0]

    def fn(cap):
        blocks[0] += 1
        if blocks[0] > 3:
            return 1
        return b"x" * min(cap, 10000)

    rc = ftp.stor_fn("partial.bin", fn)
    expect(ftp, rc, "FTP_EABORTED")
    assert ftp.errmsg() != ""
    assert ftp.transfer_bytes() <= 30000
    p = workdir.local / "partial.bin"
    if p.exists():
        assert p.stat().st_size <= 30000
    assert ftp.is_connected()
    assert_usable(ftp)
    # The session can upload again.
    expect(ftp, ftp.stor("after.bin", b"ok"), "FTP_OK")
    assert (workdir.local / "after.bin").read_bytes() == b"ok"


def test_stor_read_callback_exceeding_cap_is_caught(ftp, workdir):
    """Our wrapper never writes past cap; sanity-check the cap is sane (> 0)."""
    caps = []

    def fn(cap):
        caps.append(cap)
        return b""

    expect(ftp, ftp.stor_fn("z.bin", fn), "FTP_OK")
    assert caps and all(c > 0 for c in caps)


def test_stor_forbidden_path(ftp, workdir):
    rc = ftp.stor("no-such-dir/f.bin", b"data")
    assert rc in (ftp.L.FTP_EPERM, ftp.L.FTP_ETEMP), ftp.describe()
    assert ftp.reply_code() >= 400
    assert not (workdir.local / "no-such-dir").exists()
    assert_usable(ftp)


def test_stor_anonymous_forbidden(session, pyftpd):
    expect(session, session.connect(pyftpd.host, pyftpd.port), "FTP_OK")
    expect(session, session.login(None, None), "FTP_OK")
    rc = session.stor("anon-upload.bin", b"data")
    expect(session, rc, "FTP_EPERM", 550)
    assert not (pyftpd.anon_root / "anon-upload.bin").exists()
    assert_usable(session)


def test_anonymous_upload_vsftpd(session, vsftpd):
    expect(session, session.connect(vsftpd.host, vsftpd.port), "FTP_OK")
    expect(session, session.login(None, None), "FTP_OK")
    expect(session, session.stor("pub/anon-up.bin", b"anon upload"), "FTP_OK")
    assert (vsftpd.anon_pub / "anon-up.bin").read_bytes() == b"anon upload"
    # outside pub/ the server refuses
    rc = session.stor("top.bin", b"x")
    assert rc in (session.L.FTP_EPERM, session.L.FTP_ETEMP), session.describe()
    assert not (vsftpd.anon_root / "top.bin").exists()
    (vsftpd.anon_pub / "anon-up.bin").unlink()


# --------------------------------------------------------------------------
# listings
# --------------------------------------------------------------------------

def make_tree(workdir):
    workdir.put("a.txt", b"aaa")
    workdir.put("b c.bin", pattern(1234))
    workdir.mkdir("sub")
    workdir.put("sub/inner.txt", b"inner")


@pytest.mark.parametrize("mode", MODES)
def test_nlst(ftp, workdir, mode):
    make_tree(workdir)
    set_mode(ftp, mode)
    rc, names = ftp.nlst()
    expect(ftp, rc, "FTP_OK")
    assert sorted(os.path.basename(n) for n in names) == [b"a.txt", b"b c.bin", b"sub"]
    rc, names = ftp.nlst("sub")
    expect(ftp, rc, "FTP_OK")
    assert [os.path.basename(n) for n in names] == [b"inner.txt"]


@pytest.mark.parametrize("mode", MODES)
def test_list(ftp, workdir, mode):
    make_tree(workdir)
    set_mode(ftp, mode)
    rc, lines = ftp.list()
    expect(ftp, rc, "FTP_OK")
    assert len(lines) == 3, lines
    assert all(b"\r" not in x and b"\n" not in x for x in lines)
    assert sorted(x.split(None, 8)[8] for x in lines) == [b"a.txt", b"b c.bin", b"sub"]
    dirs = [x for x in lines if x.startswith(b"d")]
    assert len(dirs) == 1 and dirs[0].endswith(b"sub")
    sized = {x.split(None, 8)[8]: int(x.split()[4]) for x in lines}
    assert sized[b"b c.bin"] == 1234
    rc, lines = ftp.list("sub")
    expect(ftp, rc, "FTP_OK")
    assert len(lines) == 1 and lines[0].endswith(b"inner.txt")


def test_list_lines_parse(ftp, workdir, L):
    """ftp_parse_list_line reads every line that real servers send: the
    names (spaces kept), types and sizes match the files."""
    make_tree(workdir)
    rc, lines = ftp.list()
    expect(ftp, rc, "FTP_OK")
    got = {}
    for line in lines:
        e = L.ffi.new("ftp_list_entry *")
        buf = L.ffi.new("char[]", line)
        assert L.lib.ftp_parse_list_line(buf, len(line), e) == 1, line
        name = L.ffi.unpack(e.name, e.name_len)
        got[name] = (chr(e.type), e.size, e.month, e.day)
    assert sorted(got) == [b"a.txt", b"b c.bin", b"sub"]
    assert got[b"b c.bin"][:2] == ("f", 1234)
    assert got[b"sub"][0] == "d"
    assert all(1 <= m <= 12 and 1 <= d <= 31 for _, _, m, d in got.values())
    e = L.ffi.new("ftp_list_entry *")
    assert L.lib.ftp_parse_list_line(b"total 3", 7, e) == 0
    assert L.lib.ftp_parse_list_line(b"what is this", 12, e) == L.lib.FTP_EPROTO
    assert L.lib.ftp_parse_list_line(L.ffi.NULL, 0, e) == L.lib.FTP_EINVAL


def test_list_missing_dir(ftp, server):
    rc, lines = ftp.list("no-such-dir")
    if server.name == "vsftpd":
        # vsftpd answers 226 with an empty listing
        expect(ftp, rc, "FTP_OK")
        assert lines == []
    else:
        expect(ftp, rc, "FTP_EPERM", 550)
    assert_usable(ftp)


def test_list_empty_dir(ftp, workdir):
    rc, lines = ftp.list()
    expect(ftp, rc, "FTP_OK")
    assert lines == []


def _utc_modify(path):
    return time.strftime("%Y%m%d%H%M%S", time.gmtime(int(os.stat(path).st_mtime)))


@pytest.mark.servers("pyftpdlib")
@pytest.mark.parametrize("mode", MODES)
def test_mlsd(ftp, workdir, mode):
    make_tree(workdir)
    os.utime(workdir.local / "a.txt", (1_000_000_000, 1_000_000_000))
    set_mode(ftp, mode)
    rc, entries = ftp.mlsd()
    expect(ftp, rc, "FTP_OK")
    byname = {n: dict(f) for n, f in entries}
    assert set(byname) == {b"a.txt", b"b c.bin", b"sub"}
    for name, facts in byname.items():
        assert all(k == k.lower() for k in facts), facts
        local = workdir.local / name.decode()
        assert facts[b"type"] == (b"dir" if local.is_dir() else b"file")
        assert facts[b"modify"].decode()[:14] == _utc_modify(local)
        if local.is_file():
            assert int(facts[b"size"]) == local.stat().st_size
    assert byname[b"a.txt"][b"modify"][:14] == b"20010909014640"
    rc, entries = ftp.mlsd("sub")
    expect(ftp, rc, "FTP_OK")
    assert [n for n, _ in entries] == [b"inner.txt"]


@pytest.mark.servers("pyftpdlib")
def test_mlsd_callback_abort(ftp, workdir):
    for i in range(50):
        workdir.put(f"f{i}", b"x")
    seen = []

    def fn(name, facts):
        seen.append(name)
        return 1 if len(seen) == 3 else 0

    rc, _ = ftp.mlsd(None, fn)
    expect(ftp, rc, "FTP_EABORTED")
    assert len(seen) == 3
    assert_usable(ftp)


@pytest.mark.servers("vsftpd")
def test_mlsd_unsupported_is_eperm(ftp):
    rc, entries = ftp.mlsd()
    expect(ftp, rc, "FTP_EPERM", 500)
    assert entries == []
    assert_usable(ftp)


# --------------------------------------------------------------------------
# pull API
# --------------------------------------------------------------------------

def test_pull_download(ftp, workdir, server):
    data = pattern(500_000, 11)
    workdir.put("p.bin", data)
    rc, size = ftp.transfer_open("RETR p.bin", ord("I"))
    expect(ftp, rc, "FTP_OK")
    assert 100 <= ftp.reply_code() < 200
    if server.size_in_150:
        assert size == len(data)
    else:
        assert size == -1
    chunks = []
    while True:
        rc, b = ftp.transfer_read(7000)
        expect(ftp, rc, "FTP_OK")
        assert len(b) <= 7000
        if not b:
            break
        chunks.append(b)
    assert b"".join(chunks) == data
    assert ftp.transfer_bytes() == len(data)
    rc, b = ftp.transfer_read(100)   # still open, still at EOF
    assert rc == 0 and b == b""
    expect(ftp, ftp.transfer_close(), "FTP_OK", 226)
    expect(ftp, ftp.transfer_close(), "FTP_ESTATE")
    expect(ftp, ftp.transfer_read()[0], "FTP_ESTATE")
    assert_usable(ftp)


def test_pull_download_rest(ftp, workdir):
    data = pattern(100_000, 2)
    workdir.put("p.bin", data)
    rc, size = ftp.transfer_open("RETR p.bin", ord("I"), rest=99_000)
    expect(ftp, rc, "FTP_OK")
    got = b""
    while True:
        rc, b = ftp.transfer_read()
        expect(ftp, rc, "FTP_OK")
        if not b:
            break
        got += b
    assert got == data[99_000:]
    expect(ftp, ftp.transfer_close(), "FTP_OK")


def test_pull_upload(ftp, workdir):
    data = pattern(400_000, 4)
    rc, size = ftp.transfer_open("STOR pu.bin", ord("I"))
    expect(ftp, rc, "FTP_OK")
    for i in range(0, len(data), 30000):
        expect(ftp, ftp.transfer_write(data[i:i + 30000]), "FTP_OK")
    expect(ftp, ftp.transfer_write(b""), "FTP_OK")
    assert ftp.transfer_bytes() == len(data)
    expect(ftp, ftp.transfer_close(), "FTP_OK")
    assert 200 <= ftp.reply_code() < 300
    assert (workdir.local / "pu.bin").read_bytes() == data
    assert_usable(ftp)


def test_pull_list_ascii(ftp, workdir):
    make_tree(workdir)
    ftp.set_debug(1)
    rc, size = ftp.transfer_open("NLST", ord("A"))
    expect(ftp, rc, "FTP_OK")
    got = b""
    while True:
        rc, b = ftp.transfer_read()
        expect(ftp, rc, "FTP_OK")
        if not b:
            break
        got += b
    expect(ftp, ftp.transfer_close(), "FTP_OK")
    # ASCII: data passes unconverted (CRLF from the server)
    assert sorted(got.split(b"\r\n")[:-1]) == [b"a.txt", b"b c.bin", b"sub"]
    assert any("TYPE A" in x for x in ftp.debug_lines if "*cmd*" in x)


def test_pull_type_keep_sends_no_type(ftp, workdir):
    workdir.put("k.bin", b"keep type")
    ftp.set_debug(1)
    ftp.debug_lines.clear()
    rc, size = ftp.transfer_open("RETR k.bin", 0)
    expect(ftp, rc, "FTP_OK")
    got = b""
    while True:
        rc, b = ftp.transfer_read()
        expect(ftp, rc, "FTP_OK")
        if not b:
            break
        got += b
    expect(ftp, ftp.transfer_close(), "FTP_OK")
    assert got == b"keep type"
    assert not any("TYPE" in x for x in ftp.debug_lines if "*cmd*" in x), ftp.debug_lines


def test_pull_open_missing_file(ftp):
    rc, size = ftp.transfer_open("RETR missing.bin", ord("I"))
    expect(ftp, rc, "FTP_EPERM", 550)
    # no transfer is open
    expect(ftp, ftp.transfer_read()[0], "FTP_ESTATE")
    assert_usable(ftp)


def test_pull_open_non_1xx_is_ereply(ftp):
    # NOOP answers 200, not 1xx: the transfer must not be considered open.
    # (A short reply timeout keeps a library that waits for more quick to fail.)
    assert ftp.lib.ftp_set_reply_timeout_ms(ftp.s, 3000) == 0
    rc, size = ftp.transfer_open("NOOP", ord("I"))
    expect(ftp, rc, "FTP_EREPLY", 200)
    expect(ftp, ftp.transfer_read()[0], "FTP_ESTATE")
    assert_usable(ftp)


def test_pull_other_calls_estate_while_open(ftp, workdir):
    workdir.put("p.bin", pattern(4 << 20))
    rc, size = ftp.transfer_open("RETR p.bin", ord("I"))
    expect(ftp, rc, "FTP_OK")
    for call in (lambda: ftp.noop(), lambda: ftp.sendcmd("NOOP"), lambda: ftp.pwd()[0],
                 lambda: ftp.retr("p.bin")[0], lambda: ftp.transfer_open("RETR p.bin")[0],
                 lambda: ftp.list()[0], lambda: ftp.size("p.bin")[0], lambda: ftp.cwd("..")):
        expect(ftp, call(), "FTP_ESTATE")
    # getters still work
    assert ftp.is_connected()
    assert ftp.reply_code() in range(100, 600)
    # reading still works after the refused calls
    rc, b = ftp.transfer_read(1000)
    expect(ftp, rc, "FTP_OK")
    assert b
    expect(ftp, ftp.abort(), "FTP_OK")
    assert_usable(ftp)


def test_pull_abort_mid_download(ftp, workdir):
    data = pattern(16 << 20, 6)
    workdir.put("big.bin", data)
    rc, size = ftp.transfer_open("RETR big.bin", ord("I"))
    expect(ftp, rc, "FTP_OK")
    got = b""
    while len(got) < 100_000:
        rc, b = ftp.transfer_read()
        expect(ftp, rc, "FTP_OK")
        assert b
        got += b
    assert got == data[:len(got)]
    rc = ftp.abort()
    expect(ftp, rc, "FTP_OK")
    assert ftp.reply_code() in (225, 226, 426), ftp.describe()
    expect(ftp, ftp.transfer_read()[0], "FTP_ESTATE")
    assert ftp.is_connected()
    assert_usable(ftp)
    rc, again = ftp.retr("big.bin")
    expect(ftp, rc, "FTP_OK")
    assert again == data


def test_pull_close_early(ftp, workdir):
    data = pattern(16 << 20, 8)
    workdir.put("big.bin", data)
    rc, size = ftp.transfer_open("RETR big.bin", ord("I"))
    expect(ftp, rc, "FTP_OK")
    rc, b = ftp.transfer_read()
    expect(ftp, rc, "FTP_OK")
    rc = ftp.transfer_close()
    # usually 426 (ETEMP); a server that had already queued everything may say 226
    assert rc in (ftp.L.FTP_ETEMP, ftp.L.FTP_OK), ftp.describe()
    expect(ftp, ftp.transfer_close(), "FTP_ESTATE")
    assert_usable(ftp)


def test_abort_without_transfer(ftp):
    rc = ftp.abort()
    # Just sends ABOR; 225/226 count as success (other replies are reply errors).
    L = ftp.L
    assert rc in (L.FTP_OK, L.FTP_EPERM, L.FTP_ETEMP, L.FTP_EREPLY), ftp.describe()
    if ftp.reply_code() in (225, 226, 426):
        assert rc == L.FTP_OK
    assert_usable(ftp)


# --------------------------------------------------------------------------
# IPv6
# --------------------------------------------------------------------------

def _ipv6_ok():
    import socket
    try:
        with socket.socket(socket.AF_INET6) as s:
            s.bind(("::1", 0))
        return True
    except OSError:
        return False


@pytest.fixture(params=["pyftpdlib", "vsftpd"])
def v6server(request, tmp_path):
    if not _ipv6_ok():
        pytest.skip("IPv6 loopback (::1) is not available on this machine")
    import servers
    if request.param == "pyftpdlib":
        srv = servers.PyftpdServer(tmp_path, host="::1", log=tmp_path.parent / "pyftpd6.log")
        yield srv
        srv.stop()
    else:
        if not os.path.exists(servers.VSFTPD) or os.geteuid() != 0:
            pytest.skip("vsftpd not installed or not root")
        srv = servers.VsftpdServer(host="::1")
        yield srv
        srv.stop()
        srv.cleanup()


@pytest.mark.parametrize("mode", MODES)
def test_ipv6(session, v6server, mode):
    data = pattern(100_000, 12)
    v6server.put_file(v6server.root / "v6.bin", data)
    set_mode(session, mode)
    session.set_debug(1)
    login(session, v6server)
    rc, got = session.retr("v6.bin")
    expect(session, rc, "FTP_OK")
    assert got == data
    expect(session, session.stor("v6up.bin", data[::-1]), "FTP_OK")
    assert (v6server.root / "v6up.bin").read_bytes() == data[::-1]
    cmds = data_cmds(session)
    if mode == "active":
        assert set(cmds) == {"EPRT"}, cmds
    else:
        # On an IPv6 control connection EPSV is always used, even with epsv off.
        assert set(cmds) == {"EPSV"}, cmds


def test_address_family_4_connects_ipv4(session, pyftpd):
    assert session.lib.ftp_set_address_family(session.s, 4) == 0
    expect(session, session.connect("localhost", pyftpd.port), "FTP_OK")


def test_address_family_6_refuses_ipv4_literal(session, pyftpd):
    assert session.lib.ftp_set_address_family(session.s, 6) == 0
    rc = session.connect("127.0.0.1", pyftpd.port)
    assert rc != 0 and rc in (session.L.FTP_ERESOLVE, session.L.FTP_EIO, session.L.FTP_EINVAL), \
        session.L.name(rc)
    assert not session.is_connected()


def test_source_address(session, server, workdir):
    assert session.lib.ftp_set_source_address(session.s, b"127.0.0.1", 0) == 0
    login(session, server)
    assert session.cwd(workdir.remote) == 0
    workdir.put("s.bin", b"src")
    for passive in (1, 0):
        assert session.lib.ftp_set_passive(session.s, passive) == 0
        rc, got = session.retr("s.bin")
        expect(session, rc, "FTP_OK")
        assert got == b"src"


# --------------------------------------------------------------------------
# file-descriptor transfers (ftp_retr_fd / ftp_stor_fd)
# --------------------------------------------------------------------------

@pytest.mark.parametrize("mode", ["epsv", "active"])
def test_retr_fd_file(ftp, workdir, tmp_path, mode):
    data = pattern(3_000_000, 21)
    workdir.put("fd.bin", data)
    set_mode(ftp, mode)
    out = tmp_path / "out.bin"
    with open(out, "wb") as f:
        f.write(b"HEAD")   # written at the fd's current offset
        f.flush()
        rc = ftp.retr_fd("fd.bin", f.fileno())
        expect(ftp, rc, "FTP_OK")
        assert ftp.transfer_bytes() == len(data)
        assert os.lseek(f.fileno(), 0, os.SEEK_CUR) == 4 + len(data)
    assert out.read_bytes() == b"HEAD" + data


def test_retr_fd_rest(ftp, workdir, tmp_path):
    data = pattern(500_000, 22)
    workdir.put("fd.bin", data)
    out = tmp_path / "out.bin"
    with open(out, "wb") as f:
        f.write(data[:123_456])
        f.flush()
        expect(ftp, ftp.retr_fd("fd.bin", f.fileno(), rest=123_456), "FTP_OK")
    assert out.read_bytes() == data


def test_retr_fd_pipe(ftp, workdir):
    import threading
    data = pattern(2_000_000, 23)
    workdir.put("fd.bin", data)
    r, w = os.pipe()
    got = []

    def drain():
        with os.fdopen(r, "rb") as f:
            got.append(f.read())

    t = threading.Thread(target=drain)
    t.start()
    try:
        rc = ftp.retr_fd("fd.bin", w)
    finally:
        os.close(w)
    t.join(60)
    expect(ftp, rc, "FTP_OK")
    assert got[0] == data


def test_retr_fd_write_error_is_elocal(ftp, workdir, tmp_path):
    workdir.put("fd.bin", pattern(4 << 20, 24))
    p = tmp_path / "ro.bin"
    p.write_bytes(b"")
    fd = os.open(p, os.O_RDONLY)   # writing to it fails (EBADF)
    try:
        rc = ftp.retr_fd("fd.bin", fd)
    finally:
        os.close(fd)
    expect(ftp, rc, "FTP_ELOCAL")
    assert ftp.errmsg() != ""
    assert ftp.is_connected()
    assert_usable(ftp)


def test_retr_fd_closed_pipe_is_elocal_not_sigpipe(ftp, workdir):
    workdir.put("fd.bin", pattern(4 << 20, 25))
    r, w = os.pipe()
    os.close(r)
    try:
        rc = ftp.retr_fd("fd.bin", w)
    finally:
        os.close(w)
    expect(ftp, rc, "FTP_ELOCAL")
    assert_usable(ftp)


def test_retr_fd_missing_file(ftp, tmp_path):
    with open(tmp_path / "o", "wb") as f:
        expect(ftp, ftp.retr_fd("missing.bin", f.fileno()), "FTP_EPERM", 550)
    assert_usable(ftp)


@pytest.mark.parametrize("mode", ["epsv", "active"])
def test_stor_fd_file(ftp, workdir, tmp_path, mode):
    data = pattern(3_000_000, 26)
    src = tmp_path / "src.bin"
    src.write_bytes(b"SKIP" + data)
    set_mode(ftp, mode)
    with open(src, "rb") as f:
        f.seek(4)   # from the current offset to the end
        rc = ftp.stor_fd("fdup.bin", f.fileno())
    expect(ftp, rc, "FTP_OK")
    assert ftp.transfer_bytes() == len(data)
    assert (workdir.local / "fdup.bin").read_bytes() == data


def test_stor_fd_rest(ftp, workdir, tmp_path):
    data = pattern(400_000, 27)
    workdir.put("fdup.bin", data[:100_000])
    src = tmp_path / "src.bin"
    src.write_bytes(data)
    with open(src, "rb") as f:
        f.seek(100_000)
        expect(ftp, ftp.stor_fd("fdup.bin", f.fileno(), rest=100_000), "FTP_OK")
    assert (workdir.local / "fdup.bin").read_bytes() == data


def test_stor_fd_pipe(ftp, workdir):
    import threading
    data = pattern(1_500_000, 28)
    r, w = os.pipe()

    def feed():
        with os.fdopen(w, "wb") as f:
            f.write(data)

    t = threading.Thread(target=feed)
    t.start()
    try:
        rc = ftp.stor_fd("fdpipe.bin", r)
    finally:
        t.join(60)
        os.close(r)
    expect(ftp, rc, "FTP_OK")
    assert (workdir.local / "fdpipe.bin").read_bytes() == data


def test_stor_fd_read_error_is_elocal(ftp, workdir, tmp_path):
    p = tmp_path / "wo.bin"
    p.write_bytes(b"x" * 1000)
    fd = os.open(p, os.O_WRONLY)   # reading from it fails (EBADF)
    try:
        rc = ftp.stor_fd("never.bin", fd)
    finally:
        os.close(fd)
    expect(ftp, rc, "FTP_ELOCAL")
    assert ftp.errmsg() != ""
    q = workdir.local / "never.bin"
    assert not q.exists() or q.stat().st_size == 0
    assert ftp.is_connected()
    assert_usable(ftp)


def test_stor_fd_directory_is_elocal(ftp, workdir, tmp_path):
    fd = os.open(tmp_path, os.O_RDONLY)   # read() on a directory: EISDIR
    try:
        rc = ftp.stor_fd("dir.bin", fd)
    finally:
        os.close(fd)
    expect(ftp, rc, "FTP_ELOCAL")
    assert_usable(ftp)


def test_fd_transfers_invalid_fd(ftp):
    rc = ftp.retr_fd("x", -1)
    assert rc in (ftp.L.FTP_EINVAL, ftp.L.FTP_ELOCAL), ftp.describe()
    rc = ftp.stor_fd("x", -1)
    assert rc in (ftp.L.FTP_EINVAL, ftp.L.FTP_ELOCAL), ftp.describe()
    assert_usable(ftp)
