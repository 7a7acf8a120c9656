"""Every FTP method, against pyftpdlib and vsftpd (plain)."""

from __future__ import annotations

import ftplib
import io
import os
import socket

import pytest

import ftpkit
from conftest import TIMEOUT, connect


def data_of(n: int, seed: int = 1) -> bytes:
    return bytes((i * 7 + seed) % 251 for i in range(n))


# -- connection and login ----------------------------------------------------

def test_connect_login_welcome(server):
    ftp = ftpkit.FTP()
    assert ftp.sock is None
    welcome = ftp.connect("127.0.0.1", server.port, timeout=TIMEOUT)
    assert welcome == server.greeting
    assert ftp.welcome == welcome == ftp.getwelcome()
    assert ftp.sock is not None
    assert ftp.host == "127.0.0.1" and ftp.port == server.port
    resp = ftp.login(server.user, server.passwd)
    assert resp.startswith("230")
    assert ftp.lastresp == "230"
    assert ftp.quit().startswith("221")
    assert ftp.sock is None
    ftp.close()  # closing a closed session is fine
    ftp.close()


def test_constructor_and_context_manager(server):
    with ftpkit.FTP() as ftp:
        ftp.connect("127.0.0.1", server.port, timeout=TIMEOUT)
        ftp.login(server.user, server.passwd)
        assert ftp.voidcmd("NOOP").startswith("200")
    assert ftp.sock is None
    # ftplib's constructor form: FTP(host) connects (port from the class
    # attribute, as ftplib subclasses do), user= logs in.
    class F(ftpkit.FTP):
        port = server.port
    with F("127.0.0.1", server.user, server.passwd, timeout=TIMEOUT) as ftp:
        assert ftp.sock is not None
        assert ftp.pwd().startswith("/")
    assert ftp.sock is None


def test_timeout_zero_is_refused(server):
    with pytest.raises(ValueError):
        ftpkit.FTP().connect("127.0.0.1", server.port, timeout=0)


def test_source_address(server):
    ftp = ftpkit.FTP(source_address=("127.0.0.1", 0))
    ftp.connect("127.0.0.1", server.port, timeout=TIMEOUT)
    ftp.login(server.user, server.passwd)
    assert ftp.nlst(server.writable) is not None
    ftp.quit()


def test_sock_settimeout(server):
    ftp = connect(server)
    ftp.sock.settimeout(45)
    assert ftp.timeout == 45 and ftp.sock.gettimeout() == 45
    assert ftp.voidcmd("NOOP").startswith("200")
    ftp.sock = None  # what ftplib's close() does: closes the session
    assert ftp.sock is None


# -- commands ---------------------------------------------------------------

def test_sendcmd_voidcmd(server, ftp):
    assert ftp.sendcmd("NOOP").startswith("200")
    assert ftp.voidcmd("noop").startswith("200")
    assert ftp.lastresp == "200"


def test_directories(server, ftp, workdir):
    name = 'sub "quoted" dir'
    made = ftp.mkd(name)
    assert made == f"{workdir}/{name}"
    assert ftp.cwd(name).startswith("250")
    assert ftp.pwd() == made
    assert ftp.cwd("..").startswith(("250", "200"))
    assert ftp.pwd() == workdir
    assert ftp.cwd("").startswith("250")  # "CWD ." as ftplib
    assert ftp.rmd(name).startswith("250")
    with pytest.raises(ftplib.error_perm):
        ftp.cwd(name)


def test_rename_delete_size(server, ftp, workdir):
    server.put(f"{workdir}/a.bin", data_of(12345))
    ftp.voidcmd("TYPE I")
    assert ftp.size("a.bin") == 12345
    assert ftp.rename("a.bin", "b.bin").startswith("250")
    assert not server.local(f"{workdir}/a.bin").exists()
    assert server.local(f"{workdir}/b.bin").read_bytes() == data_of(12345)
    assert ftp.delete("b.bin").startswith("250")
    assert not server.local(f"{workdir}/b.bin").exists()
    with pytest.raises(ftplib.error_perm):
        ftp.size("b.bin")


def test_acct_is_refused_by_these_servers(server, ftp):
    with pytest.raises(ftplib.error_perm) as ei:
        ftp.acct("account")
    assert str(ei.value)[:1] == "5"
    assert ftp.voidcmd("NOOP").startswith("200")


def test_abort_without_transfer(server, ftp):
    resp = ftp.abort()
    assert resp[:3] in {"225", "226"}
    assert ftp.voidcmd("NOOP").startswith("200")


# -- push transfers -----------------------------------------------------------

def test_retrbinary_blocksize_and_rest(server, ftp, workdir):
    payload = data_of(100_000)
    server.put(f"{workdir}/f.bin", payload)
    blocks = []
    resp = ftp.retrbinary("RETR f.bin", blocks.append, blocksize=1000)
    assert resp.startswith("226")
    assert b"".join(blocks) == payload
    assert all(0 < len(b) <= 1000 for b in blocks)
    assert all(isinstance(b, bytes) for b in blocks)
    tail = []
    ftp.retrbinary("RETR f.bin", tail.append, rest=60_000)
    assert b"".join(tail) == payload[60_000:]
    tail = []
    ftp.retrbinary("RETR f.bin", tail.append, rest="99990")  # ftplib accepts strings
    assert b"".join(tail) == payload[99_990:]
    assert ftp.transfer_bytes == 10


def test_retrlines(server, ftp, workdir, capsys):
    server.put(f"{workdir}/t.txt", b"one\r\ntwo\nthree\r\nlast without end")
    lines = []
    assert ftp.retrlines("RETR t.txt", lines.append).startswith("226")
    assert lines == ["one", "two", "three", "last without end"]
    ftp.retrlines("RETR t.txt")  # default callback: print_line
    assert capsys.readouterr().out == "one\ntwo\nthree\nlast without end\n"


def test_storbinary_callback_and_rest(server, ftp, workdir):
    payload = data_of(300_000, 3)
    seen = []
    resp = ftp.storbinary("STOR up.bin", io.BytesIO(payload), 8192, seen.append)
    assert resp.startswith("226")
    assert server.local(f"{workdir}/up.bin").read_bytes() == payload
    assert b"".join(seen) == payload
    assert all(len(b) <= 8192 for b in seen)
    # Resume an interrupted upload: the first half is there, send the rest.
    half = len(payload) // 2
    server.put(f"{workdir}/resume.bin", payload[:half])
    fp = io.BytesIO(payload)
    fp.seek(half)
    ftp.storbinary("STOR resume.bin", fp, rest=half)
    assert server.local(f"{workdir}/resume.bin").read_bytes() == payload
    # APPE through storbinary's cmd argument.
    ftp.storbinary("APPE up.bin", io.BytesIO(b"tail"))
    assert server.local(f"{workdir}/up.bin").read_bytes() == payload + b"tail"


def test_storbinary_empty_file(server, ftp, workdir):
    calls = []
    ftp.storbinary("STOR empty.bin", io.BytesIO(b""), callback=calls.append)
    assert calls == []
    assert server.local(f"{workdir}/empty.bin").read_bytes() == b""


def test_storlines(server, ftp, workdir):
    sent = []
    resp = ftp.storlines("STOR l.txt", io.BytesIO(b"a\nb\r\nc"), sent.append)
    assert resp.startswith("226")
    assert sent == [b"a\r\n", b"b\r\n", b"c\r\n"]  # as ftplib passes them
    stored = server.local(f"{workdir}/l.txt").read_bytes()
    assert stored.replace(b"\r\n", b"\n") == b"a\nb\nc\n"


def test_storlines_line_too_long(server, ftp):
    ftp.maxline = 100
    with pytest.raises(ftplib.Error, match="got more than 100 bytes"):
        ftp.storlines("STOR long.txt", io.BytesIO(b"x" * 500 + b"\n"))
    assert ftp.voidcmd("NOOP").startswith("200")


def test_retrfile_storfile(server, ftp, workdir, tmp_path):
    payload = data_of(2_000_000, 5)
    src = tmp_path / "src.bin"
    src.write_bytes(payload)
    with open(src, "rb") as f:
        assert ftp.storfile("x.bin", f).startswith("226")
    assert server.local(f"{workdir}/x.bin").read_bytes() == payload
    with open(tmp_path / "dst.bin", "wb") as f:
        assert ftp.retrfile("x.bin", f).startswith("226")
    assert (tmp_path / "dst.bin").read_bytes() == payload


def test_retrfiles_storfiles_parallel(server, ftp, workdir, tmp_path):
    payloads = {f"m{i}.bin": data_of(10_000 + 997 * i, i) for i in range(12)}
    srcs = []
    for name, payload in payloads.items():
        (tmp_path / name).write_bytes(payload)
        srcs.append((name, open(tmp_path / name, "rb")))
    try:
        counts = ftp.storfiles(srcs, parallel=4)
    finally:
        for _, f in srcs:
            f.close()
    assert counts == [len(p) for p in payloads.values()]
    for name, payload in payloads.items():
        assert server.local(f"{workdir}/{name}").read_bytes() == payload
    outs = [(name, open(tmp_path / ("out-" + name), "wb")) for name in payloads]
    try:
        counts = ftp.retrfiles(outs + [], parallel=3)
    finally:
        for _, f in outs:
            f.close()
    assert counts == [len(p) for p in payloads.values()]
    for name, payload in payloads.items():
        assert (tmp_path / ("out-" + name)).read_bytes() == payload
    # A missing file: the others still arrive, then the first failure raises.
    missing = [("m0.bin", open(tmp_path / "again0", "wb")), ("nope.bin", open(tmp_path / "nope", "wb"))]
    try:
        with pytest.raises(ftplib.error_perm):
            ftp.retrfiles(missing, parallel=2)
    finally:
        for _, f in missing:
            f.close()
    assert (tmp_path / "again0").read_bytes() == payloads["m0.bin"]
    assert ftp.voidcmd("NOOP").startswith("200")


def test_active_mode(server, ftp, workdir):
    server.put(f"{workdir}/p.bin", data_of(50_000))
    ftp.set_pasv(False)
    assert ftp.passiveserver is False
    out = []
    ftp.retrbinary("RETR p.bin", out.append)
    assert b"".join(out) == data_of(50_000)
    ftp.storbinary("STOR q.bin", io.BytesIO(b"active"))
    assert server.local(f"{workdir}/q.bin").read_bytes() == b"active"
    ftp.passiveserver = True  # attribute set directly, as ftplib code does
    out = []
    ftp.retrbinary("RETR p.bin", out.append)
    assert b"".join(out) == data_of(50_000)


def test_type_sent_by_hand_is_respected(server, ftp, workdir):
    """A TYPE command sent by the user must not make a later binary transfer
    run in ASCII mode (libftpkit caches the TYPE it sent last)."""
    payload = b"line1\nline2\n" * 1000
    server.put(f"{workdir}/lf.txt", payload)
    out = []
    ftp.retrbinary("RETR lf.txt", out.append)          # TYPE I, cached
    ftp.voidcmd("TYPE A")                              # by hand
    out = []
    ftp.retrbinary("RETR lf.txt", out.append)          # must be TYPE I again
    assert b"".join(out) == payload
    lines = []
    ftp.voidcmd("TYPE I")
    ftp.retrlines("RETR lf.txt", lines.append)         # must be TYPE A again
    assert lines == ["line1", "line2"] * 1000


# -- listings -----------------------------------------------------------------

def test_nlst_and_dir(server, ftp, workdir, capsys):
    for name in ("b.txt", "a.txt", "c d.txt"):
        server.put(f"{workdir}/{name}", b"x")
    server.mkdir(f"{workdir}/sub")
    assert sorted(ftp.nlst()) == ["a.txt", "b.txt", "c d.txt", "sub"]
    names = sorted(os.path.basename(n) for n in ftp.nlst(workdir))
    assert names == ["a.txt", "b.txt", "c d.txt", "sub"]
    lines = []
    ftp.dir(lines.append)
    assert len(lines) >= 4
    assert any(line.endswith(" c d.txt") for line in lines)
    assert any(line.startswith("d") and line.endswith(" sub") for line in lines)
    ftp.dir("sub", lines.append)  # path, then callback
    ftp.dir()
    out = capsys.readouterr().out
    assert "a.txt" in out and "sub" in out


def test_mlsd(pyftpd, ftp, workdir):
    pyftpd.put(f"{workdir}/f.bin", b"12345")
    pyftpd.mkdir(f"{workdir}/d")
    gen = ftp.mlsd()
    assert ftp.voidcmd("NOOP")  # a generator: nothing sent until iterated
    entries = dict(gen)
    assert entries["f.bin"]["type"] == "file"
    assert entries["f.bin"]["size"] == "5"
    assert entries["d"]["type"] == "dir"
    entries = dict(ftp.mlsd(workdir, ["type"]))
    assert set(entries) == {"f.bin", "d"}
    assert set(entries["f.bin"]) == {"type"}  # OPTS MLST type;


def test_maxline_in_listing(server, ftp, workdir):
    server.put(f"{workdir}/" + "n" * 150, b"x")
    ftp.maxline = 100
    with pytest.raises(ftplib.Error):
        ftp.nlst()
    assert ftp.sock is not None
    ftp.maxline = ftpkit.MAXLINE
    assert ftp.nlst() == ["n" * 150]


def test_non_ascii_names(server, ftp, workdir):
    name = "häßlich-日本.txt"
    ftp.storbinary(f"STOR {name}", io.BytesIO(b"utf8"))
    assert ftp.nlst() == [name]
    assert server.local(f"{workdir}/{name}").read_bytes() == b"utf8"


def test_encoding_errors_surrogateescape(vsftpd, ftp, workdir):
    raw = b"bad-\xff\xfe.bin"
    (vsftpd.local(workdir).joinpath(os.fsdecode(raw))).write_bytes(b"raw")
    with pytest.raises(UnicodeDecodeError):  # strict, as ftplib
        ftp.nlst()
    ftp.encoding_errors = "surrogateescape"
    [name] = ftp.nlst()
    assert name.encode("utf-8", "surrogateescape") == raw
    out = []
    ftp.retrbinary(f"RETR {name}", out.append)
    assert out == [b"raw"]


# -- pull transfers (ntransfercmd) ---------------------------------------------

def test_ntransfercmd_download(server, ftp, workdir):
    payload = data_of(200_000, 9)
    server.put(f"{workdir}/n.bin", payload)
    ftp.voidcmd("TYPE I")
    conn, size = ftp.ntransfercmd("RETR n.bin")
    assert isinstance(conn, ftpkit.DataConnection)
    if server.name == "vsftpd":
        assert size == len(payload)  # "150 ... (200000 bytes)"
    got = bytearray()
    with conn:
        while True:
            block = conn.recv(8192)
            if not block:
                break
            got += block
    assert bytes(got) == payload
    assert ftp.voidresp().startswith("226")
    with pytest.raises(ftpkit.StateError):
        ftp.voidresp()  # nothing pending any more


def test_transfercmd_upload_and_makefile(server, ftp, workdir):
    ftp.voidcmd("TYPE I")
    conn = ftp.transfercmd("STOR m.bin")
    with conn.makefile("wb") as f:
        f.write(b"hello ")
        f.write(b"world")
    conn.sendall(memoryview(b"!"))
    conn.close()
    assert ftp.voidresp().startswith("226")
    assert server.local(f"{workdir}/m.bin").read_bytes() == b"hello world!"
    # text mode, as ftplib's retrlines reads it
    server.put(f"{workdir}/t.txt", "α\r\nβ\r\n".encode())
    ftp.voidcmd("TYPE A")
    with ftp.transfercmd("RETR t.txt") as conn, \
            conn.makefile("r", encoding="utf-8") as fp:
        assert fp.read() == "α\nβ\n"
    assert ftp.voidresp().startswith("226")
    # recv_into
    ftp.voidcmd("TYPE I")
    with ftp.transfercmd("RETR m.bin", rest=6) as conn:
        buf = bytearray(100)
        n = conn.recv_into(buf)
        rest = conn.recv(100)
        assert bytes(buf[:n]) + rest + conn.recv(100) == b"world!"
    ftp.voidresp()


def test_transfer_open_blocks_other_commands(server, ftp, workdir):
    server.put(f"{workdir}/big.bin", data_of(3_000_000))
    ftp.voidcmd("TYPE I")
    conn = ftp.transfercmd("RETR big.bin")
    assert conn.recv(1000)
    with pytest.raises(ftpkit.StateError):
        ftp.voidcmd("NOOP")
    # abort() ends the open transfer
    assert ftp.abort()[:3] in {"225", "226", "426"}
    assert conn.closed
    with pytest.raises(OSError):
        conn.recv(10)
    conn.close()
    assert ftp.voidcmd("NOOP").startswith("200")


def test_early_close_gives_error_on_voidresp(server, ftp, workdir):
    server.put(f"{workdir}/big.bin", data_of(5_000_000))
    ftp.voidcmd("TYPE I")
    conn = ftp.transfercmd("RETR big.bin")
    conn.recv(100)
    conn.close()  # before the end: the server answers 426 (or 226 if it had sent all)
    try:
        resp = ftp.voidresp()
        assert resp.startswith("226")
    except ftplib.error_temp as e:
        assert str(e).startswith("4")
    assert ftp.voidcmd("NOOP").startswith("200")


def test_unclaimed_final_reply_is_dropped(server, ftp, workdir):
    """ftplib code that forgets voidresp() gets out of step; ftpkit drops the
    unclaimed reply when the next command starts."""
    server.put(f"{workdir}/u.bin", b"u" * 1000)
    ftp.voidcmd("TYPE I")
    with ftp.transfercmd("RETR u.bin") as conn:
        while conn.recv(4096):
            pass
    assert ftp.voidcmd("NOOP").startswith("200")  # not the transfer's 226
    with pytest.raises(ftpkit.StateError):
        ftp.voidresp()


def test_makepasv_sendport_makeport(server, ftp):
    host, port = ftp.makepasv()
    assert host == "127.0.0.1" and 0 < port < 65536
    # pyftpdlib connects as soon as it gets PORT/EPRT: give it somewhere to go.
    for send in (ftp.sendport, ftp.sendeprt):
        with socket.create_server(("127.0.0.1", 0)) as listener:
            listener.settimeout(TIMEOUT)
            assert send("127.0.0.1", listener.getsockname()[1]).startswith("200")
            if server.name == "pyftpdlib":
                listener.accept()[0].close()
    with pytest.raises(NotImplementedError):
        ftp.makeport()
    assert ftp.voidcmd("NOOP").startswith("200")


# -- debugging --------------------------------------------------------------------

def test_debug_output(server, capsys):
    ftp = ftpkit.FTP()
    ftp.set_debuglevel(1)
    ftp.connect("127.0.0.1", server.port, timeout=TIMEOUT)
    ftp.login(server.user, server.passwd or "secret-password")
    ftp.voidcmd("NOOP")
    ftp.getwelcome()
    out = capsys.readouterr().out
    assert "*cmd* 'NOOP'" in out
    assert "*resp* '200" in out
    assert "*welcome*" in out
    assert (server.passwd or "secret-password") not in out
    ftp.debug(2)
    ftp.voidcmd("NOOP")
    out = capsys.readouterr().out
    assert "*put*" in out and "*get*" in out
    ftp.debugging = 0  # attribute, as ftplib code sets it
    ftp.voidcmd("NOOP")
    assert capsys.readouterr().out == ""
    ftp.quit()


# -- ftpcp and helpers --------------------------------------------------------------

def test_ftpcp_between_two_servers(pyftpd, vsftpd):
    src_dir, dst_dir = pyftpd.make_workdir(), vsftpd.make_workdir()
    payload = data_of(400_000, 11)
    pyftpd.put(f"{src_dir}/orig.bin", payload)
    a, b = connect(pyftpd, cwd=src_dir), connect(vsftpd, cwd=dst_dir)
    ftpkit.ftpcp(a, "orig.bin", b, "copy.bin")
    assert vsftpd.local(f"{dst_dir}/copy.bin").read_bytes() == payload
    ftpkit.ftpcp(a, "orig.bin", b)  # targetname defaults to sourcename
    assert vsftpd.local(f"{dst_dir}/orig.bin").read_bytes() == payload
    with pytest.raises(ftplib.error_perm):
        ftpkit.ftpcp(a, "missing.bin", b, "never.bin")
    assert a.voidcmd("NOOP") and b.voidcmd("NOOP")
    a.quit()
    b.quit()


@pytest.mark.parametrize("resp", [
    "150 Opening BINARY mode data connection for f (1234 bytes).",
    "150 Here comes the directory listing.",
    "150 File status okay (99 BYTES)",
])
def test_parse150_matches_ftplib(resp):
    assert ftpkit.parse150(resp) == ftplib.parse150(resp)


@pytest.mark.parametrize("resp", [
    "227 Entering Passive Mode (127,0,0,1,200,10).",
    "227 =127,0,0,1,4,1",
])
def test_parse227_matches_ftplib(resp):
    assert ftpkit.parse227(resp) == ftplib.parse227(resp)


@pytest.mark.parametrize("resp", [
    "229 Entering Extended Passive Mode (|||6446|)",
    "229 ok (!!!1234!)",
])
def test_parse229_matches_ftplib(resp):
    assert ftpkit.parse229(resp, ("::1", 21)) == ftplib.parse229(resp, ("::1", 21))


@pytest.mark.parametrize("resp", [
    '257 "/a ""b"" c" created',
    '257 "/unterminated',
    "257 /no/quotes",
    '257 ""',
])
def test_parse257_matches_ftplib(resp):
    assert ftpkit.parse257(resp) == ftplib.parse257(resp)


@pytest.mark.parametrize("fn,args,exc", [
    (ftpkit.parse150, ("226 done",), ftplib.error_reply),
    (ftpkit.parse227, ("200 x",), ftplib.error_reply),
    (ftpkit.parse227, ("227 nothing here",), ftplib.error_proto),
    (ftpkit.parse229, ("229 (|||)", ("h", 1)), ftplib.error_proto),
    (ftpkit.parse229, ("229 no parens", ("h", 1)), ftplib.error_proto),
    (ftpkit.parse229, ("227 x", ("h", 1)), ftplib.error_reply),
    (ftpkit.parse257, ("250 x",), ftplib.error_reply),
])
def test_parsers_raise_ftplib_compatible_errors(fn, args, exc):
    with pytest.raises(exc) as ei:
        fn(*args)
    assert isinstance(ei.value, ftpkit.Error)


def test_print_line(capsys):
    ftpkit.print_line("hello")
    assert capsys.readouterr().out == "hello\n"


def test_module_surface_matches_ftplib():
    for name in ftplib.__all__:
        assert hasattr(ftpkit, name), name
    for name in ("Error", "parse150", "parse227", "parse229", "parse257", "print_line",
                 "ftpcp", "FTP_PORT", "MAXLINE", "CRLF", "B_CRLF"):
        assert hasattr(ftpkit, name), name
    public = [m for m in dir(ftplib.FTP) if not m.startswith("_")]
    internal = {"putline", "putcmd", "getline", "getmultiline", "sanitize"}
    for m in public:
        if m not in internal:
            assert hasattr(ftpkit.FTP, m), m
    for m in ("auth", "prot_p", "prot_c", "ccc", "login"):
        assert hasattr(ftpkit.FTP_TLS, m), m
