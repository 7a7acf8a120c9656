"""`ftpkit ls` columns from parsed LIST lines, and `ftpkit get -r`
(mirror a directory tree) against real servers (pyftpdlib with MLSD,
vsftpd with LIST only) and a scripted hostile server whose listings name
"..", "/etc/passwd", "a/../../b" and other entries that must never become
local paths outside the target directory."""
from __future__ import annotations

import datetime
import hashlib
import os
import random
import shutil
from pathlib import Path

import pytest

import clisrv
from conftest import _need_vsftpd
from listsrv import ListingServer

OLD = 1_000_000_000                       # 2001-09-09 01:46:40 UTC


@pytest.fixture(scope="module")
def vsftpd_plain():
    """vsftpd without TLS (anonymous, LIST only: vsftpd has no MLSD)."""
    _need_vsftpd()
    srv = clisrv.Vsftpd()
    yield srv
    srv.stop()
    srv.cleanup()


def sha(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


def tree_of(root: Path):
    """{relative path: sha256 or "dir"} of everything under root (symlinks
    as "link")."""
    out = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for n in dirnames + filenames:
            p = Path(dirpath) / n
            rel = str(p.relative_to(root))
            if p.is_symlink():
                out[rel] = "link"
            elif p.is_dir():
                out[rel] = "dir"
            else:
                out[rel] = sha(p)
    return out


def make_tree(base: Path, seed: int):
    """A tree with nested and empty directories, a name with a space, an
    empty file and a 1 MiB file.  Returns tree_of(base)."""
    rnd = random.Random(seed)
    (base / "sub" / "deeper").mkdir(parents=True)
    (base / "empty").mkdir()
    (base / "sub" / "empty too").mkdir()
    files = {
        "a.txt": b"hello\n",
        "b c.bin": rnd.randbytes(1234),
        "zero": b"",
        "big.bin": rnd.randbytes(1 << 20),
        "sub/x.bin": rnd.randbytes(70_000),
        "sub/deeper/y.bin": rnd.randbytes(3),
    }
    for rel, data in files.items():
        (base / rel).write_bytes(data)
    for dirpath, dirnames, filenames in os.walk(base):
        os.chmod(dirpath, 0o755)
        for n in filenames:
            os.chmod(Path(dirpath) / n, 0o644)
    return tree_of(base)


def messages(r):
    return [ln for ln in r.err.splitlines() if ln.startswith("ftpkit:")]


# --------------------------------------------------------------------------
# ls: LIST lines as columns
# --------------------------------------------------------------------------

def parse_rows(out: bytes):
    """{name: [type, size, date, time]} from `ls` columns."""
    rows = {}
    for line in out.decode().splitlines():
        f = line.split(None, 4)
        assert len(f) == 5, line
        rows[f[4]] = f[:4]
    return rows


def test_ls_vsftpd_parsed_columns(cli, vsftpd_plain, workdir):
    d = vsftpd_plain.root / "lsdir"
    d.mkdir(mode=0o755)
    (d / "a.txt").write_bytes(b"aaa")
    (d / "b c.bin").write_bytes(b"x" * 1234)
    (d / "sub").mkdir(mode=0o755)
    for p in d.iterdir():
        os.chmod(p, 0o755 if p.is_dir() else 0o644)
    recent = int(datetime.datetime.now(datetime.timezone.utc).timestamp()) - 3600
    os.utime(d / "a.txt", (OLD, OLD))
    os.utime(d / "b c.bin", (recent, recent))
    r = cli.run("-q", "ls", vsftpd_plain.url("lsdir/"))
    assert r.rc == 0, r
    rows = parse_rows(r.out)
    assert sorted(rows) == ["a.txt", "b c.bin", "sub"], r
    assert rows["a.txt"] == ["file", "3", "2001-09-09", "-"], r     # old: a year, no time
    when = datetime.datetime.fromtimestamp(recent, datetime.timezone.utc)
    assert rows["b c.bin"] == ["file", "1234", when.strftime("%Y-%m-%d"),
                               when.strftime("%H:%M")], r
    assert rows["sub"][0] == "dir", r
    # --raw: the LIST lines as vsftpd sends them
    r = cli.run("-q", "ls", "--raw", vsftpd_plain.url("lsdir/"))
    assert r.rc == 0, r
    lines = r.out.decode().splitlines()
    assert len(lines) == 3 and all(ln[0] in "-d" for ln in lines), r
    assert any(ln.endswith(" b c.bin") and " 1234 " in ln for ln in lines), r


def test_ls_pyftpdlib_mlsd_columns_unchanged(cli, pyftpd_plain):
    d = pyftpd_plain.root / "lsmlsd"
    d.mkdir()
    (d / "f.bin").write_bytes(b"12345")
    os.utime(d / "f.bin", (OLD, OLD))
    r = cli.run("-q", "ls", pyftpd_plain.url("lsmlsd/"))
    assert r.rc == 0, r
    assert parse_rows(r.out) == {"f.bin": ["file", "5", "2001-09-09", "01:46:40"]}, r


HOSTILE_LS = [
    b"-rw-r--r--    1 ftp      ftp             3 Jan 01  2020 plain.txt",
    b"-rw-r--r--    1 ftp      ftp             3 Jan 01  2020 esc\x1b[31mred",
    b"-rw-r--r--    1 ftp      ftp             3 Jan 01  2020 c1\xc2\x9b31m",
    b"this is not a listing line \x07",
    b"total 12",
    b"drwxr-xr-x    2 ftp      ftp          4096 Jan 01  2020 .",
]


@pytest.mark.parametrize("mlst", [False, True], ids=["LIST", "MLSD"])
def test_ls_escapes_control_characters(cli, mlst):
    mlsd = [b"type=cdir; .", b"type=file;size=3;modify=20200101000000; plain.txt",
            b"type=file;size=3;modify=20200101000000; esc\x1b[31mred",
            b"type=file;size=3;modify=20200101000000; c1\xc2\x9b31m"]
    with ListingServer(mlsd={"": mlsd}, lists={"": HOSTILE_LS}, mlst=mlst) as srv:
        r = cli.run("-q", "ls", srv.url())
    assert r.rc == 0, r
    assert b"\x1b" not in r.out and b"\x07" not in r.out and b"\xc2\x9b" not in r.out, r
    lines = r.out.decode().splitlines()
    assert lines[0].split() == ["file", "3", "2020-01-01",
                                "-" if not mlst else "00:00:00", "plain.txt"], r
    assert lines[1].endswith(" esc\\x1B[31mred"), r
    assert lines[2].endswith(" c1\\xC2\\x9B31m"), r         # C1 control CSI in UTF-8
    if not mlst:
        # a line the parser cannot read comes as it came (escaped); "total"
        # and the directory's own "." entry are left out
        assert lines[3:] == ["this is not a listing line \\x07"], r
    else:
        assert len(lines) == 3, r


def test_ls_raw_and_nlst_exclude_each_other(cli):
    r = cli.run("ls", "--raw", "--nlst", "ftp://127.0.0.1:1/")
    assert r.rc == 1 and "exclude each other" in r.err, r
    r = cli.run("get", "--raw", "ftp://127.0.0.1:1/x")
    assert r.rc == 1, r


# --------------------------------------------------------------------------
# get -r: real servers
# --------------------------------------------------------------------------

MIRROR_TARGETS = {
    "pyftpdlib": ("pyftpd_plain", []),
    "vsftpd": ("vsftpd_plain", []),
    "vsftpd-explicit": ("vsftpd_explicit", ["--ssl-reqd", "--cacert", "{ca}"]),
}


@pytest.mark.parametrize("name", list(MIRROR_TARGETS))
def test_get_r_mirrors_tree_byte_exact(cli, request, pki, workdir, name):
    fixture, opts = MIRROR_TARGETS[name]
    srv = request.getfixturevalue(fixture)
    opts = [o.format(ca=pki.ca) for o in opts]
    remote = srv.root / f"tree_{name}"
    remote.mkdir(mode=0o755)
    want = make_tree(remote, seed=len(name))
    out = workdir / "mirror"
    r = cli.run(*opts, "get", "-r", srv.url(f"tree_{name}/"), "-O", out)
    assert r.rc == 0, r
    assert r.err == "", r
    assert tree_of(out) == want
    # again into the same directory: files are overwritten, not appended
    (out / "a.txt").write_bytes(b"stale and longer than the remote file\n")
    r = cli.run(*opts, "get", "-r", srv.url(f"tree_{name}"), "-O", out)
    assert r.rc == 0, r
    assert tree_of(out) == want


def test_get_r_default_directory_is_last_component(cli, pyftpd_plain, workdir):
    remote = pyftpd_plain.root / "named" / "leaf"
    remote.mkdir(parents=True)
    (remote / "f").write_bytes(b"data")
    r = cli.run("-q", "get", "-r", pyftpd_plain.url("named/leaf/"), cwd=workdir)
    assert r.rc == 0, r
    assert tree_of(workdir) == {"leaf": "dir", "leaf/f": sha(remote / "f")}


def test_get_r_usage_errors(cli, pyftpd_plain, workdir):
    url = pyftpd_plain.url("x/")
    r = cli.run("get", "-r", url, "-o", "f", cwd=workdir)
    assert r.rc == 1 and "-r excludes" in r.err, r
    r = cli.run("get", "-r", "-c", url, cwd=workdir)
    assert r.rc == 1, r
    r = cli.run("get", "-r", url, pyftpd_plain.url("y/"), cwd=workdir)
    assert r.rc == 1 and "exactly one URL" in r.err, r
    r = cli.run("ls", "-r", url, cwd=workdir)
    assert r.rc == 1, r
    # the login directory has no name to give the local directory
    r = cli.run("get", "-r", pyftpd_plain.url(""), cwd=workdir)
    assert r.rc == 1 and "-O DIR" in r.err, r
    assert list(workdir.iterdir()) == []


def test_get_r_missing_remote_directory(cli, pyftpd_plain, workdir):
    r = cli.run("-q", "get", "-r", pyftpd_plain.url("no-such-dir/"), "-O", workdir / "m")
    assert r.rc == 8, r
    assert "no-such-dir" in r.err, r


# --------------------------------------------------------------------------
# get -r: a hostile server
# --------------------------------------------------------------------------

GOOD = b"good data\n"
GOOD2 = b"nested good data\n"

# (name, what stderr shows for it)
HOSTILE_NAMES = [
    (b"..", '".."'),
    (b".", '"."'),
    (b"/etc/passwd", '"/etc/passwd"'),
    (b"a/../../b", '"a/../../b"'),
    (b"../escape", '"../escape"'),
    (b"", '""'),
    (b"esc\x1b[31mred", '"esc\\x1B[31mred"'),
    (b"cr\rname", '"cr\\x0Dname"'),
]


def hostile_mlsd():
    lines = [b"type=cdir;unique=R; .", b"type=pdir;unique=P; .."]
    lines += [b"type=file;size=3; " + n for n, _ in HOSTILE_NAMES if n]
    lines += [b"type=dir; ..",                         # a "dir" named ".." (not pdir)
              b"type=file;size=10; good.txt",
              b"type=dir;unique=S; sub",
              b"type=dir;unique=B; broken",
              b"type=OS.unix=symlink; link"]
    # An empty name makes the library reject the whole listing (FTP_EPROTO,
    # "malformed MLSD entry"), so it gets a directory of its own.
    return {"": lines,
            "sub": [b"type=file;size=17; good2.txt", b"type=file;size=3; ../../up"],
            "broken": [b"type=file;size=3; fine-but-lost", b"type=file;size=3; "]}


def ls_line(kind, name):
    return (kind + b"rw-r--r--    1 ftp      ftp            10 Jan 01  2020 " + name)


def hostile_list():
    lines = [ls_line(b"-", n) for n, _ in HOSTILE_NAMES if n]
    lines += [ls_line(b"-", b""),                       # a line with no name
              b"-rw-r--r--    1 ftp      ftp             3 Jan 01  2020 new",
              b"line",                                  # "new\nline" split by the line end
              ls_line(b"-", b"good.txt"),
              ls_line(b"d", b"sub"),
              ls_line(b"l", b"link -> /etc")]
    return {"": lines, "sub": [ls_line(b"-", b"good2.txt"), ls_line(b"-", b"../../up")]}


HOSTILE_FILES = {"good.txt": GOOD, "sub/good2.txt": GOOD2, "new": b"new\n",
                 # were the names used, these would land outside the target
                 "..": b"BAD", "/etc/passwd": b"BAD", "a/../../b": b"BAD",
                 "../escape": b"BAD", "sub/../../up": b"BAD", "esc\x1b[31mred": b"BAD"}


@pytest.mark.parametrize("mlst", [True, False], ids=["MLSD", "LIST"])
def test_get_r_hostile_names_are_refused(cli, tmp_path, mlst):
    files = {k: v for k, v in HOSTILE_FILES.items()}
    parent = tmp_path / "p" / "q"                  # "a/../../b" from target lands in p/
    target = parent / "target"
    target.mkdir(parents=True)
    before = {"p": tree_of(tmp_path / "p")}
    passwd = sha(Path("/etc/passwd"))
    with ListingServer(mlsd=hostile_mlsd(), lists=hostile_list(), files=files,
                       mlst=mlst) as srv:
        r = cli.run("get", "-r", srv.url(), "-O", target, cwd=parent)
        retrieved = srv.retrieved()
    assert r.rc == 10, r
    # the good files, nothing else
    want = {"good.txt": sha_bytes(GOOD), "sub": "dir", "sub/good2.txt": sha_bytes(GOOD2)}
    if mlst:
        want["broken"] = "dir"
    else:
        want["new"] = sha_bytes(b"new\n")
    assert tree_of(target) == want, r
    # nothing written next to or above the target
    after = tree_of(tmp_path / "p")
    assert {k: v for k, v in after.items() if not k.startswith("q/target")} == \
        {k: v for k, v in before["p"].items() if not k.startswith("q/target")}, r
    assert sha(Path("/etc/passwd")) == passwd
    assert not (tmp_path / "b").exists() and not (tmp_path / "p" / "b").exists()
    # a warning for each refused entry, naming it (escaped)
    msgs = messages(r)
    assert "\x1b" not in r.err and "\r" not in r.err, r
    for name, shown in HOSTILE_NAMES:
        if not name:
            continue
        assert any(f"refusing listing entry {shown}" in m for m in msgs), (name, r)
    assert any('refusing listing entry "../../up"' in m for m in msgs), r
    if mlst:
        assert any("get -r broken: malformed MLSD entry" in m for m in msgs), r
        assert any("link: symbolic link on the server; skipped" in m for m in msgs), r
    else:
        assert any("LIST line" in m and '"line"' in m for m in msgs), r
        assert any("link" in m and "symbolic link" in m for m in msgs), r
    assert any("mirror incomplete" in m for m in msgs), r
    # the refused names were never even requested
    assert sorted(retrieved) == sorted(["good.txt", "sub/good2.txt"] + ([] if mlst else ["new"]))


def sha_bytes(b: bytes) -> str:
    return hashlib.sha256(b).hexdigest()


def test_get_r_does_not_follow_planted_symlinks(cli, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    victim = outside / "victim.txt"
    victim.write_bytes(b"precious\n")
    target = tmp_path / "target"
    target.mkdir()
    (target / "good.txt").symlink_to(victim)              # a file symlink
    (target / "sub").symlink_to(outside)                  # a directory symlink
    (target / "dangling").symlink_to(outside / "created-through-link")
    mlsd = {"": [b"type=file;size=10; good.txt", b"type=file;size=4; dangling",
                 b"type=dir; sub", b"type=file;size=4; ok"],
            "sub": [b"type=file;size=17; good2.txt"]}
    files = {"good.txt": GOOD, "dangling": b"BAD!", "ok": b"fine", "sub/good2.txt": GOOD2}
    with ListingServer(mlsd=mlsd, files=files) as srv:
        r = cli.run("-q", "get", "-r", srv.url(), "-O", target)
    assert r.rc == 2, r
    assert victim.read_bytes() == b"precious\n"
    assert sorted(p.name for p in outside.iterdir()) == ["victim.txt"], r
    assert (target / "good.txt").is_symlink() and (target / "sub").is_symlink()
    assert (target / "ok").read_bytes() == b"fine"
    msgs = messages(r)
    assert any("good.txt: is a symbolic link; not followed" in m for m in msgs), r
    assert any("dangling: is a symbolic link; not followed" in m for m in msgs), r
    assert any("sub: is a symbolic link or not a directory; not followed" in m for m in msgs), r


class Endless(dict):
    """Every directory holds one directory "d": an endless tree."""

    def __contains__(self, key):
        return True

    def __getitem__(self, key):
        return [b"type=dir; d"]


def test_get_r_depth_limit(cli, tmp_path):
    target = tmp_path / "t"
    with ListingServer(mlsd=Endless()) as srv:
        r = cli.run("-q", "get", "-r", srv.url(), "-O", target)
    assert r.rc == 10, r
    assert "more than 64 directory levels deep" in r.err, r
    deepest = target / Path(*["d"] * 64)
    assert deepest.is_dir() and not (deepest / "d").exists()


def test_get_r_directory_loop_by_unique_fact(cli, tmp_path):
    mlsd = {"": [b"type=cdir;unique=ROOT; .", b"type=dir;unique=ROOT; again",
                 b"type=file;size=4; f"]}
    target = tmp_path / "t"
    with ListingServer(mlsd=mlsd, files={"f": b"file"}) as srv:
        r = cli.run("-q", "get", "-r", srv.url(), "-O", target)
        listed = [c for c in srv.commands if c.startswith("MLSD")]
    assert r.rc == 10, r
    assert "lists a directory inside itself" in r.err, r
    assert listed == ["MLSD"], listed
    assert (target / "f").read_bytes() == b"file"


def test_get_r_failed_file_is_reported_and_others_continue(cli, tmp_path):
    mlsd = {"": [b"type=file;size=4; missing", b"type=file;size=4; there"]}
    target = tmp_path / "t"
    with ListingServer(mlsd=mlsd, files={"there": b"here"}) as srv:
        r = cli.run("-q", "get", "-r", srv.url(), "-O", target)
    assert r.rc == 8, r
    assert "get missing: " in r.err and "550" in r.err, r
    assert tree_of(target) == {"there": sha_bytes(b"here")}
