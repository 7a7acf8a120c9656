"""The `ftpkit` command-line client against real servers (see cli/USAGE.md)."""
import glob
import os
import subprocess
import urllib.parse
from pathlib import Path

import pytest

import servers

REPO = Path(__file__).resolve().parents[2]


def _find_cli():
    env = os.environ.get("FTPKIT_CLI")
    if env is not None:
        return env if env and os.access(env, os.X_OK) else None
    c = sorted(glob.glob(str(REPO / "build*" / "cli" / "ftpkit")))
    return c[0] if c and os.access(c[0], os.X_OK) else None


CLI = _find_cli()
pytestmark = pytest.mark.skipif(CLI is None, reason="the ftpkit CLI is not built "
                                "(set FTPKIT_CLI or build into /work/main/build*/cli/ftpkit)")


def run(args, cwd, stdin=None, timeout=120):
    env = {k: v for k, v in os.environ.items() if k not in ("FTPKIT_PASSWORD", "NETRC")}
    env["HOME"] = str(cwd)   # no ~/.netrc
    p = subprocess.run([CLI, *args], cwd=cwd, input=stdin, capture_output=True,
                       timeout=timeout, env=env)
    return p


def url(server, path="", user=True, password=None):
    q = urllib.parse.quote
    cred = ""
    if user:
        cred = f"{q(server.user, safe='')}:{q(password or server.password, safe='')}@"
    return f"ftp://{cred}{server.host}:{server.port}/{q(path)}"


@pytest.fixture
def local(tmp_path):
    d = tmp_path / "local"
    d.mkdir()
    return d


def ok(p):
    assert p.returncode == 0, f"exit {p.returncode}\nstdout: {p.stdout!r}\nstderr: {p.stderr!r}"
    return p


def test_version_and_help(local):
    p = ok(run(["--version"], local))
    assert p.stdout.decode().strip() == "ftpkit 0.1.0"
    p = ok(run(["--help"], local))
    assert b"ls URL" in p.stdout and b"get URL" in p.stdout


def test_usage_errors(local, pyftpd):
    assert run([], local).returncode == 1
    assert run(["frobnicate", url(pyftpd, "x")], local).returncode == 1
    assert run(["get", f"http://{pyftpd.host}:{pyftpd.port}/x"], local).returncode == 1
    assert run(["get", url(pyftpd, "x") + "?q=1"], local).returncode == 1
    assert run(["get", url(pyftpd, "") + "x%0D%0ADELE%20y"], local).returncode == 1
    assert run(["get", url(pyftpd, "") + "x%0Ay"], local).returncode == 1
    assert run(["get", url(pyftpd, "") + "x%00y"], local).returncode == 1


# --------------------------------------------------------------------------
# ls
# --------------------------------------------------------------------------

def test_ls(local, server, workdir):
    workdir.put("a.txt", b"aaa")
    workdir.put("b c.bin", b"x" * 1234)
    workdir.mkdir("sub")
    os.utime(workdir.local / "a.txt", (1_000_000_000, 1_000_000_000))
    p = ok(run(["-q", "ls", url(server, workdir.remote + "/")], local))
    lines = p.stdout.decode().splitlines()
    assert len(lines) == 3, lines
    # columns "type size date time name", from MLSD or from parsed LIST lines
    rows = {x.split(None, 4)[-1]: x.split(None, 4) for x in lines}
    assert sorted(rows) == ["a.txt", "b c.bin", "sub"], lines
    assert rows["a.txt"][0] == "file" and rows["a.txt"][1] == "3"
    # LIST gives an old file's year but not its time
    assert rows["a.txt"][2:4] == ["2001-09-09", "01:46:40" if server.has_mlsd else "-"]
    assert rows["b c.bin"][1] == "1234"
    assert rows["sub"][0] == "dir"


def test_ls_nlst(local, server, workdir):
    workdir.put("a.txt", b"aaa")
    workdir.put("b.txt", b"bbb")
    p = ok(run(["-q", "ls", "--nlst", url(server, workdir.remote + "/")], local))
    assert sorted(os.path.basename(x) for x in p.stdout.decode().splitlines()) == ["a.txt", "b.txt"]


# --------------------------------------------------------------------------
# get
# --------------------------------------------------------------------------

def test_get(local, server, workdir):
    data = os.urandom(300_000)
    workdir.put("g.bin", data)
    ok(run(["-q", "get", url(server, workdir.remote + "/g.bin")], local))
    assert (local / "g.bin").read_bytes() == data


def test_get_output_file_and_stdout(local, server, workdir):
    data = os.urandom(100_000)
    workdir.put("g.bin", data)
    ok(run(["-q", "get", url(server, workdir.remote + "/g.bin"), "-o", "named.out"], local))
    assert (local / "named.out").read_bytes() == data
    p = ok(run(["-q", "get", url(server, workdir.remote + "/g.bin"), "-o", "-"], local))
    assert p.stdout == data


@pytest.mark.parametrize("path", ["kernel", "progress-off-callbacks"])
def test_get_continue(local, server, workdir, path):
    data = os.urandom(500_000)
    workdir.put("c.bin", data)
    (local / "c.bin").write_bytes(data[:123_457])
    args = ["-q"] if path == "kernel" else ["-v"]
    p = ok(run([*args, "get", "-c", url(server, workdir.remote + "/c.bin")], local))
    assert (local / "c.bin").read_bytes() == data
    if path != "kernel":
        assert b"REST 123457" in p.stderr


def test_get_continue_complete_file_transfers_nothing(local, server, workdir):
    data = b"complete" * 1000
    workdir.put("c.bin", data)
    (local / "c.bin").write_bytes(data)
    p = ok(run(["-v", "get", "-c", url(server, workdir.remote + "/c.bin")], local))
    assert (local / "c.bin").read_bytes() == data
    assert b"RETR" not in p.stderr


def test_get_continue_local_larger_is_error(local, server, workdir):
    workdir.put("c.bin", b"short")
    (local / "c.bin").write_bytes(b"much longer than the remote")
    p = run(["-q", "get", "-c", url(server, workdir.remote + "/c.bin")], local)
    assert p.returncode == 2, p
    assert (local / "c.bin").read_bytes() == b"much longer than the remote"


def test_get_output_dir_two_urls(local, server, workdir):
    workdir.put("one.txt", b"first file")
    workdir.put("two.txt", b"second file")
    out = local / "dl"
    out.mkdir()
    ok(run(["-q", "get", "-O", str(out), url(server, workdir.remote + "/one.txt"),
            url(server, workdir.remote + "/two.txt")], local))
    assert (out / "one.txt").read_bytes() == b"first file"
    assert (out / "two.txt").read_bytes() == b"second file"


def test_get_missing_file_exit_8_and_no_file(local, server, workdir):
    p = run(["-q", "get", url(server, workdir.remote + "/missing.bin")], local)
    assert p.returncode == 8, p
    assert b"550" in p.stderr
    assert not (local / "missing.bin").exists()


def test_get_missing_keeps_existing_local_file(local, server, workdir):
    (local / "missing.bin").write_bytes(b"precious")
    p = run(["-q", "get", url(server, workdir.remote + "/missing.bin")], local)
    assert p.returncode == 8, p
    assert (local / "missing.bin").read_bytes() == b"precious"


@pytest.mark.parametrize("mode", [["--active"], ["--no-epsv"]])
def test_get_modes(local, server, workdir, mode):
    workdir.put("m.bin", b"mode data" * 1000)
    ok(run(["-q", *mode, "get", url(server, workdir.remote + "/m.bin")], local))
    assert (local / "m.bin").read_bytes() == b"mode data" * 1000


def test_get_anonymous(local, server):
    server.put_file(server.anon_root / "anon-cli.txt", b"anonymous data")
    u = f"ftp://{server.host}:{server.port}/anon-cli.txt"
    ok(run(["-q", "get", u], local))
    assert (local / "anon-cli.txt").read_bytes() == b"anonymous data"


def test_get_user_option(local, server, workdir):
    workdir.put("u.txt", b"via --user")
    u = f"ftp://{server.host}:{server.port}/{workdir.remote}/u.txt"
    ok(run(["-q", "--user", f"{server.user}:{server.password}", "get", u], local))
    assert (local / "u.txt").read_bytes() == b"via --user"


# --------------------------------------------------------------------------
# put / rm / mkdir / rmdir / cmd
# --------------------------------------------------------------------------

def test_put(local, server, workdir):
    data = os.urandom(250_000)
    (local / "up.bin").write_bytes(data)
    ok(run(["-q", "put", "up.bin", url(server, workdir.remote + "/remote.bin")], local))
    assert (workdir.local / "remote.bin").read_bytes() == data
    # a URL ending in "/" keeps the base name
    ok(run(["-q", "put", str(local / "up.bin"), url(server, workdir.remote + "/")], local))
    assert (workdir.local / "up.bin").read_bytes() == data


def test_put_stdin(local, server, workdir):
    ok(run(["-q", "put", "-", url(server, workdir.remote + "/stdin.bin")], local, stdin=b"from stdin"))
    assert (workdir.local / "stdin.bin").read_bytes() == b"from stdin"


def test_put_missing_local_file_exit_2(local, server, workdir):
    p = run(["-q", "put", "nope.bin", url(server, workdir.remote + "/x.bin")], local)
    assert p.returncode == 2, p
    assert not (workdir.local / "x.bin").exists()


def test_rm_mkdir_rmdir(local, server, workdir):
    workdir.put("r1.txt", b"1")
    workdir.put("r2.txt", b"2")
    ok(run(["-q", "rm", url(server, workdir.remote + "/r1.txt"),
            url(server, workdir.remote + "/r2.txt")], local))
    assert not (workdir.local / "r1.txt").exists() and not (workdir.local / "r2.txt").exists()
    ok(run(["-q", "mkdir", url(server, workdir.remote + "/d1"), url(server, workdir.remote + "/d 2")],
           local))
    assert (workdir.local / "d1").is_dir() and (workdir.local / "d 2").is_dir()
    ok(run(["-q", "rmdir", url(server, workdir.remote + "/d1")], local))
    assert not (workdir.local / "d1").exists()
    p = run(["-q", "rm", url(server, workdir.remote + "/r1.txt")], local)
    assert p.returncode == 8, p


def test_cmd(local, server, workdir):
    p = ok(run(["-q", "cmd", url(server, workdir.remote + "/"), "NOOP", "PWD"], local))
    out = p.stdout.decode()
    assert "200" in out
    assert "257" in out and workdir.remote in out


def test_cmd_failure_continues(local, server, workdir):
    p = run(["-q", "cmd", url(server, workdir.remote + "/"), "XYZZY", "NOOP"], local)
    assert p.returncode == 8, p
    out = p.stdout.decode()
    assert "500" in out or "502" in out
    assert "\n200" in "\n" + out or out.splitlines()[-1].startswith("200"), out


# --------------------------------------------------------------------------
# exit codes
# --------------------------------------------------------------------------

def test_wrong_password_exit_7(local, server, workdir):
    p = run(["-q", "ls", url(server, workdir.remote + "/", password="wrong")], local)
    assert p.returncode == 7, p
    assert b"wrong" not in p.stderr


def test_refused_port_exit_4(local):
    port = servers.free_port()
    p = run(["-q", "ls", f"ftp://127.0.0.1:{port}/"], local)
    assert p.returncode == 4, p


def test_resolve_failure_exit_3(local):
    p = run(["-q", "ls", "ftp://no-such-host.ftpkit-test.invalid/"], local)
    assert p.returncode == 3, p


def test_timeout_exit_5(local):
    from scripted import ScriptedServer
    with ScriptedServer(lambda c: c.wait_closed(60)) as srv:
        p = run(["-q", "--timeout", "1", "ls", f"ftp://127.0.0.1:{srv.port}/"], local, timeout=60)
    assert p.returncode == 5, p


def test_debug_masks_password(local, server, workdir):
    p = ok(run(["-v", "ls", "--nlst", url(server, workdir.remote + "/")], local))
    assert b"PASS" in p.stderr
    assert f"PASS {server.password}".encode() not in p.stderr
