"""ftplib user code (ftplib_user_code.py) runs unchanged on ftplib and on
ftpkit, against pyftpdlib and vsftpd, with identical results.

Each run is checked against the truth on the server's disk (parametrized by
module), and one test per server runs both modules and compares their
results with each other, reply texts included.
"""

from __future__ import annotations

import filecmp
import ftplib
import os
from pathlib import Path

import pytest

import ftpkit
import ftplib_user_code as user

MODULES = {"ftplib": ftplib, "ftpkit": ftpkit}


@pytest.fixture(params=sorted(MODULES))
def module(request):
    return MODULES[request.param]


def make_tree(srv, remote):
    """A small tree with binary files of several sizes and nested dirs."""
    files = {
        "a.bin": os.urandom(0),
        "b.bin": os.urandom(1),
        "c.bin": os.urandom(8192),
        "d.bin": os.urandom(100_003),
        "sub/e.txt": b"line\r\n" * 1000,
        "sub/deeper/f.bin": os.urandom(65_536 * 3 + 7),
        "sub/deeper/g name.bin": os.urandom(10),
        "other/h.bin": os.urandom(5000),
    }
    for rel, data in files.items():
        srv.put(f"{remote}/{rel}", data)
    for d in ("sub", "sub/deeper", "other", "empty"):
        srv.mkdir(f"{remote}/{d}")
    return files


def same_tree(a: Path, b: Path) -> bool:
    cmp = filecmp.dircmp(a, b)
    if cmp.left_only or cmp.right_only or cmp.funny_files:
        return False
    _, mismatch, errors = filecmp.cmpfiles(a, b, cmp.common_files, shallow=False)
    if mismatch or errors:
        return False
    return all(same_tree(a / d, b / d) for d in cmp.common_dirs)


def args(srv):
    return ("127.0.0.1", srv.port, srv.user, srv.passwd)


def test_download_tree(server, workdir, module, tmp_path):
    make_tree(server, workdir)
    log = user.download_tree(module, *args(server), workdir, str(tmp_path / "dl"))
    assert same_tree(server.local(workdir), tmp_path / "dl")
    files = [e for e in log if e[0] == "file"]
    assert len(files) == 8
    assert all(e[3] == "226" for e in files)


def test_upload_with_progress(server, workdir, module, tmp_path):
    src = tmp_path / "up"
    src.mkdir()
    sizes = {"empty": 0, "one": 1, "exact": 8192, "odd": 8192 * 5 + 3, "big": 1_000_000}
    for name, n in sizes.items():
        (src / name).write_bytes(os.urandom(n))
    report, remote_sizes, nlisted = user.upload_with_progress(
        module, *args(server), str(src), f"{workdir}/uploaded")
    assert remote_sizes == sizes
    assert nlisted == len(sizes)
    for name, n in sizes.items():
        code, sent, marks = report[name]
        assert code == "226"
        assert sent == n
        assert len(marks) == -(-n // 8192)  # one call per 8192-byte block
        if n:
            assert marks[-1] == 100
        assert (server.local(f"{workdir}/uploaded/{name}")).read_bytes() == \
            (src / name).read_bytes()


def test_mlsd_walk(pyftpd, workdir, module):
    files = make_tree(pyftpd, workdir)
    found, dirs = user.mlsd_walk(module, *args(pyftpd), workdir)
    assert sorted(found) == sorted((f"{workdir}/{k}", len(v)) for k, v in files.items())
    assert sorted(dirs) == sorted([workdir] + [f"{workdir}/{d}"
                                               for d in ("sub", "sub/deeper", "other", "empty")])


def test_error_handling(server, workdir, module):
    out = user.error_handling(module, *args(server), workdir)
    assert out[0] == ("perm", "550")
    assert out[1][0] == "all_errors" and out[1][1] == "error_perm" and out[1][2] == "550"
    assert out[2] == ("ValueError",)
    assert out[3] == ("pwd", workdir)
    assert out[4] == ("sock after quit", None)


def test_identical_results(server, tmp_path):
    """The same user code, both modules, same server: same results."""
    results = {}
    for name, mod in MODULES.items():
        remote = server.make_workdir()
        make_tree(server, remote)
        local = tmp_path / name
        log = user.download_tree(mod, *args(server), remote, str(local / "dl"))
        up = local / "up"
        up.mkdir(parents=True)
        for i in range(3):
            (up / f"f{i}").write_bytes(bytes(range(256)) * (i * 300 + 1))
        report, sizes, n = user.upload_with_progress(mod, *args(server), str(up),
                                                     f"{remote}/up")
        errors = user.error_handling(mod, *args(server), remote)
        walk = user.mlsd_walk(mod, *args(server), remote) if server.has_mlsd else None
        # Compare relative paths (each module had its own directory).
        log = [tuple(x.replace(remote, "R") if isinstance(x, str) else x for x in e)
               for e in log]
        errors = [tuple(x.replace(remote, "R") if isinstance(x, str) else x for x in e)
                  for e in errors]
        if walk:
            walk = (sorted((p.replace(remote, "R"), s) for p, s in walk[0]),
                    sorted(d.replace(remote, "R") for d in walk[1]))
        results[name] = (log, report, sizes, n, errors, walk)
    assert results["ftpkit"] == results["ftplib"]
