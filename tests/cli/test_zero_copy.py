"""Transfers through the two paths of `get` and `put`:

- zero-copy (ftp_retr_fd/ftp_stor_fd): standard error is not a terminal,
  or -q, and the local side is a regular file or standard output/input;
- callback (ftp_retr/ftp_stor with the progress bar): standard error is a
  pseudo-terminal (Python's pty module).

Both must give byte-exact files and the same exit codes and messages."""
from __future__ import annotations

import re
import resource
import shutil
import signal
import time

import pytest

import clisrv
from conftest import BIG, MiB

MODES = ["zero-copy", "progress"]
ALL_TARGETS = ["pyftpdlib", "pyftpdlib-explicit", "vsftpd-explicit", "vsftpd-implicit"]
INCOMPLETE = re.compile(r"transfer incomplete: (\d+) bytes received(; use -c to resume)?")


def is_tty(mode):
    return mode == "progress"


def messages(r):
    """The "ftpkit: ..." lines of standard error (without the progress bar,
    which only the terminal runs draw)."""
    lines = r.err.replace("\r", "\n").split("\n")
    return [ln.strip() for ln in lines if ln.strip().startswith("ftpkit:")]


def check_stderr(r, mode):
    """No output at all on the zero-copy path; a progress bar at 100% on
    the callback path."""
    if is_tty(mode):
        assert "100%" in r.err, r
    else:
        assert r.err == "", r


@pytest.fixture(scope="module")
def remote_big(request, big_data):
    """Put the 20 MiB file on a server once per module and server."""
    done = {}

    def put(target):
        key = target.name
        if key not in done:
            done[key] = f"big_{key}.bin"
            target.srv.put_file(done[key], big_data)
        return done[key]
    return put


# -- 20 MiB byte-exact ---------------------------------------------------------

@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("target", ALL_TARGETS, indirect=True)
def test_big_get(cli, target, workdir, big_data, remote_big, mode):
    name = remote_big(target)
    out = workdir / "big.out"
    r = cli.run(*target.opts, "get", target.url(name), "-o", out, tty=is_tty(mode))
    assert r.rc == 0, r
    check_stderr(r, mode)
    assert out.stat().st_size == BIG
    assert out.read_bytes() == big_data


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("target", ALL_TARGETS, indirect=True)
def test_big_put(cli, target, workdir, big_data, unique, mode):
    src = workdir / "big.src"
    src.write_bytes(big_data)
    name = unique("bigput")
    r = cli.run(*target.opts, "put", src, target.upload_url(name), tty=is_tty(mode))
    assert r.rc == 0, r
    check_stderr(r, mode)
    assert target.uploaded(name).read_bytes() == big_data


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("target", ["pyftpdlib", "vsftpd-implicit"], indirect=True)
def test_big_get_to_stdout(cli, target, big_data, remote_big, mode):
    name = remote_big(target)
    r = cli.run(*target.opts, "get", target.url(name), "-o", "-", tty=is_tty(mode))
    assert r.rc == 0, r
    assert len(r.out) == BIG and r.out == big_data


@pytest.mark.parametrize("mode", MODES)
def test_get_to_stdout_file_at_offset(cli, pyftpd_plain, workdir, big_data, mode):
    """Standard output redirected to a regular file: the data goes at its
    current offset (here after a header), as write(2) would put it."""
    name = "stdout_src.bin"
    pyftpd_plain.put_file(name, big_data[: 3 * MiB])
    out = workdir / "stdout.bin"
    with open(out, "wb") as f:
        f.write(b"HEADER")
        f.flush()
        r = cli.run("get", pyftpd_plain.url(name), "-o", "-", stdout=f, tty=is_tty(mode))
    assert r.rc == 0, r
    assert out.read_bytes() == b"HEADER" + big_data[: 3 * MiB]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("target", ["pyftpdlib", "vsftpd-explicit"], indirect=True)
def test_big_put_from_stdin_pipe(cli, target, big_data, unique, mode):
    name = unique("stdin")
    r = cli.run(*target.opts, "put", "-", target.upload_url(name), input=big_data,
                tty=is_tty(mode))
    assert r.rc == 0, r
    assert target.uploaded(name).read_bytes() == big_data


@pytest.mark.parametrize("mode", MODES)
def test_put_from_stdin_file_at_offset(cli, pyftpd_plain, workdir, big_data, unique, mode):
    """Standard input is a regular file positioned at 1000: the rest of it
    is uploaded."""
    src = workdir / "stdin.bin"
    src.write_bytes(big_data[: 5 * MiB])
    name = unique("stdinfile")
    with open(src, "rb") as f:
        f.seek(1000)
        r = cli.run("put", "-", pyftpd_plain.url(name), stdin=f, tty=is_tty(mode))
    assert r.rc == 0, r
    assert (pyftpd_plain.root / name).read_bytes() == big_data[1000: 5 * MiB]


# -- which path is taken (syscall trace) ---------------------------------------

@pytest.fixture
def strace(tmp_path):
    exe = shutil.which("strace")
    if exe is None:
        pytest.skip("strace is not installed: cannot observe splice/sendfile")
    trace = tmp_path / "trace.txt"

    def run(cli, *args, **kw):
        if trace.exists():
            trace.unlink()
        r = cli.run(*args, prefix=[exe, "-f", "-qq", "-e", "trace=splice,sendfile",
                                   "-o", str(trace)], **kw)
        text = trace.read_text() if trace.exists() else ""
        return r, text
    return run


def test_paths_taken(cli, pyftpd_plain, workdir, big_data, strace):
    pyftpd_plain.put_file("paths.bin", big_data[: 4 * MiB])
    url = pyftpd_plain.url("paths.bin")
    src = workdir / "src.bin"
    src.write_bytes(big_data[: 4 * MiB])

    # get: splice(2) without the progress bar (pipe, or -q on a terminal).
    r, t = strace(cli, "get", url, "-o", workdir / "a")
    assert r.rc == 0 and "splice(" in t, (r, t)
    r, t = strace(cli, "-q", "get", url, "-o", workdir / "b", tty=True)
    assert r.rc == 0 and "splice(" in t and "100%" not in r.err, (r, t)
    r, t = strace(cli, "get", url, "-o", "-")
    assert r.rc == 0 and "splice(" in t and r.out == big_data[: 4 * MiB], (r, t)
    # ... and the callback path with it.
    r, t = strace(cli, "get", url, "-o", workdir / "c", tty=True)
    assert r.rc == 0 and "splice(" not in t and "100%" in r.err, (r, t)
    # A target that is not a regular file takes the callback path too.
    r, t = strace(cli, "get", url, "-o", "/dev/null")
    assert r.rc == 0 and "splice(" not in t, (r, t)
    for f in "abc":
        assert (workdir / f).read_bytes() == big_data[: 4 * MiB]

    # put: sendfile(2) without the progress bar, not with it.
    r, t = strace(cli, "put", src, pyftpd_plain.url("paths_up1.bin"))
    assert r.rc == 0 and "sendfile(" in t, (r, t)
    r, t = strace(cli, "put", src, pyftpd_plain.url("paths_up2.bin"), tty=True)
    assert r.rc == 0 and "sendfile(" not in t and "100%" in r.err, (r, t)
    for n in ("paths_up1.bin", "paths_up2.bin"):
        assert (pyftpd_plain.root / n).read_bytes() == big_data[: 4 * MiB]


# -- resume (-c) ---------------------------------------------------------------

@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("target", ["pyftpdlib", "vsftpd-implicit", "vsftpd-explicit"],
                         indirect=True)
def test_resume(cli, target, workdir, big_data, remote_big, mode):
    name = remote_big(target)
    have = 7 * MiB + 123
    out = workdir / name
    out.write_bytes(big_data[:have])
    # -v traces REST; it also turns the progress bar off, so the terminal
    # case uses the trace only for the zero-copy run.
    args = ["-v"] if not is_tty(mode) else []
    r = cli.run(*target.opts, *args, "get", "-c", target.url(name), cwd=workdir,
                tty=is_tty(mode))
    assert r.rc == 0, r
    if not is_tty(mode):
        assert f"*cmd* 'REST {have}'" in r.err, r
    else:
        assert "100%" in r.err, r
    assert out.stat().st_size == BIG
    assert out.read_bytes() == big_data


@pytest.mark.parametrize("mode", MODES)
def test_resume_already_complete_and_too_big(cli, pyftpd_plain, workdir, big_data, mode):
    pyftpd_plain.put_file("done.bin", big_data[:1000])
    out = workdir / "done.bin"
    out.write_bytes(big_data[:1000])
    r = cli.run("get", "-c", pyftpd_plain.url("done.bin"), cwd=workdir, tty=is_tty(mode))
    assert r.rc == 0 and "already complete" in r.err, r
    out.write_bytes(big_data[:1001])
    r = cli.run("get", "-c", pyftpd_plain.url("done.bin"), cwd=workdir, tty=is_tty(mode))
    assert r.rc == 2 and "larger than the remote" in r.err, r
    assert out.read_bytes() == big_data[:1001]


# -- the target file is what the callback path would leave ------------------------

@pytest.mark.parametrize("mode", MODES)
def test_overwrite_longer_file(cli, pyftpd_plain, workdir, big_data, mode):
    pyftpd_plain.put_file("short.bin", big_data[:100_000])
    out = workdir / "short.bin"
    out.write_bytes(b"\xee" * 3_000_000)
    r = cli.run("get", pyftpd_plain.url("short.bin"), cwd=workdir, tty=is_tty(mode))
    assert r.rc == 0, r
    assert out.read_bytes() == big_data[:100_000]


@pytest.mark.parametrize("mode", MODES)
def test_empty_remote_file(cli, pyftpd_plain, workdir, mode):
    pyftpd_plain.put_file("empty.bin", b"")
    out = workdir / "empty.bin"
    r = cli.run("get", pyftpd_plain.url("empty.bin"), cwd=workdir, tty=is_tty(mode))
    assert r.rc == 0, r
    assert out.exists() and out.stat().st_size == 0
    out.write_bytes(b"old contents")
    r = cli.run("get", pyftpd_plain.url("empty.bin"), cwd=workdir, tty=is_tty(mode))
    assert r.rc == 0, r
    assert out.read_bytes() == b""


def _refused(cli, pyftpd_plain, workdir, mode):
    out = workdir / "missing.bin"
    r1 = cli.run("get", pyftpd_plain.url("missing.bin"), cwd=workdir, tty=is_tty(mode))
    created = out.exists()
    out.write_bytes(b"keep me")
    r2 = cli.run("get", pyftpd_plain.url("missing.bin"), cwd=workdir, tty=is_tty(mode))
    kept = out.read_bytes()
    out.unlink()
    return r1, created, r2, kept


def test_refused_retr_same_in_both_paths(cli, pyftpd_plain, workdir):
    results = {m: _refused(cli, pyftpd_plain, workdir, m) for m in MODES}
    for mode, (r1, created, r2, kept) in results.items():
        assert r1.rc == 8 and "550" in r1.err, (mode, r1)
        assert not created, mode                      # no empty file left behind
        assert r2.rc == 8, (mode, r2)
        assert kept == b"keep me", mode               # existing file untouched
        assert "transfer incomplete" not in r1.err, (mode, r1)
    z, p = results["zero-copy"], results["progress"]
    assert messages(z[0]) == messages(p[0]) and messages(z[0]), (z[0], p[0])


# -- failures in the middle -------------------------------------------------------

def _limit_file_size(limit):
    def preexec():
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)   # write(2) fails with EFBIG
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return preexec


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("target", ["pyftpdlib", "vsftpd-explicit"], indirect=True)
def test_local_write_error_then_resume(cli, target, workdir, big_data, remote_big, mode):
    """The local file cannot grow past 1 MiB: exit 2 with the system's
    reason and the byte count; -c then completes the file."""
    name = remote_big(target)
    out = workdir / name
    r = cli.run(*target.opts, "get", target.url(name), cwd=workdir, tty=is_tty(mode),
                preexec_fn=_limit_file_size(MiB))
    assert r.rc == 2, r
    assert f"ftpkit: {name}: File too large" in r.err, r
    m = INCOMPLETE.search(r.err)
    assert m and m.group(2), r                      # "...; use -c to resume"
    assert MiB <= int(m.group(1)) <= BIG, r
    assert out.read_bytes() == big_data[:MiB]
    r = cli.run(*target.opts, "get", "-c", target.url(name), cwd=workdir, tty=is_tty(mode))
    assert r.rc == 0, r
    assert out.read_bytes() == big_data


@pytest.mark.parametrize("mode", MODES)
def test_server_fails_mid_download(cli, pyftpd_plain, workdir, big_data, mode):
    """pyftpdlib stops after 3 MiB with 426: exit 9, the count is printed
    and the bytes received stay in the file."""
    pyftpd_plain.put_file("broken_get.bin", big_data[: 10 * MiB])
    out = workdir / "broken_get.bin"
    r = cli.run("get", pyftpd_plain.url("broken_get.bin"), cwd=workdir, tty=is_tty(mode))
    assert r.rc == 9, r
    assert "426" in r.err, r
    m = INCOMPLETE.search(r.err)
    assert m and m.group(2), r
    n = int(m.group(1))
    assert 0 < n <= 3 * MiB, r
    assert out.read_bytes() == big_data[:n]


@pytest.mark.parametrize("mode", MODES)
def test_server_fails_mid_upload(cli, pyftpd_plain, workdir, big_data, mode):
    """pyftpdlib cannot write past 3 MiB: the upload is never reported as
    done."""
    src = workdir / "src.bin"
    src.write_bytes(big_data)
    r = cli.run("put", src, pyftpd_plain.url(f"broken_put_{mode}.bin"), tty=is_tty(mode))
    assert r.rc in (4, 9), r
    assert "upload incomplete:" in r.err, r


def test_server_drops_upload_never_kills_the_program(cli, pyftpd_plain, workdir, big_data):
    """sendfile(2) raises SIGPIPE when the server has dropped the data
    connection; the program must report the error, not die of the signal
    (which the first failures above only hit now and then)."""
    src = workdir / "src.bin"
    src.write_bytes(big_data)
    for i in range(40):
        name = f"broken_again_{i}.bin"
        r = cli.run("put", src, pyftpd_plain.url(name))
        assert r.rc in (4, 9), r
        assert "upload incomplete:" in r.err, r
        (pyftpd_plain.root / name).unlink(missing_ok=True)


@pytest.mark.parametrize("mode", MODES)
def test_missing_source_file(cli, pyftpd_plain, workdir, mode):
    r = cli.run("put", workdir / "nope", pyftpd_plain.url("nope.bin"), tty=is_tty(mode))
    assert r.rc == 2 and "No such file" in r.err, r


def test_failure_messages_same_in_both_paths(cli, pyftpd_plain, workdir, big_data):
    """The same failures give the same exit codes and messages (byte counts
    aside) with and without the progress bar."""
    pyftpd_plain.put_file("msg_big.bin", big_data)
    pyftpd_plain.put_file("broken_msg.bin", big_data[: 10 * MiB])
    src = workdir / "src.bin"
    src.write_bytes(big_data)
    seen = {}
    for mode in MODES:
        d = workdir / mode
        d.mkdir()
        runs = [
            cli.run("get", pyftpd_plain.url("msg_big.bin"), cwd=d, tty=is_tty(mode),
                    preexec_fn=_limit_file_size(MiB)),
            cli.run("get", pyftpd_plain.url("broken_msg.bin"), cwd=d, tty=is_tty(mode)),
            cli.run("get", pyftpd_plain.url("msg_big.bin"), "-o", "nodir/x", cwd=d,
                    tty=is_tty(mode)),
            cli.run("put", "nope", pyftpd_plain.url("nope.bin"), cwd=d, tty=is_tty(mode)),
        ]
        seen[mode] = [(r.rc, [re.sub(r"\d+", "N", m) for m in messages(r)]) for r in runs]
    assert [rc for rc, _ in seen["zero-copy"]] == [2, 9, 2, 2], seen
    assert seen["zero-copy"] == seen["progress"]


# -- interruption -----------------------------------------------------------------

@pytest.fixture(scope="module")
def pyftpd_slow(tmp_path_factory, big_data):
    d = tmp_path_factory.mktemp("pyftpd-slow")
    srv = clisrv.Pyftpd(d / "root", d / "log.txt", throttle=2 * MiB)
    srv.put_file("slow.bin", big_data[: 8 * MiB])
    yield srv
    srv.stop()
    shutil.rmtree(srv.root, ignore_errors=True)   # keep the log


@pytest.mark.parametrize("mode", MODES)
def test_interrupt_then_resume(cli, pyftpd_slow, workdir, big_data, mode):
    out = workdir / "slow.bin"
    run = cli.start("get", pyftpd_slow.url("slow.bin"), cwd=workdir, tty=is_tty(mode))
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and run.proc.poll() is None:
        if out.exists() and out.stat().st_size >= 256 * 1024:
            break
        time.sleep(0.05)
    assert run.proc.poll() is None, "the transfer ended before it could be interrupted"
    run.proc.send_signal(signal.SIGINT)
    r = run.finish(timeout=120)
    assert r.rc == 12, r
    m = INCOMPLETE.search(r.err)
    assert m and m.group(2), r
    n = int(m.group(1))
    assert 0 < n < 8 * MiB
    have = out.stat().st_size
    assert have > 0 and out.read_bytes() == big_data[:have]
    r = cli.run("get", "-c", pyftpd_slow.url("slow.bin"), cwd=workdir)
    assert r.rc == 0, r
    assert out.read_bytes() == big_data[: 8 * MiB]
