"""How the package finds libftpkit (ftpkit._ffi): FTPKIT_LIBRARY, then
pkg-config, then the system loader; each in a fresh interpreter."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import ftpkit

SRC = Path(__file__).resolve().parent.parent
LIB = Path(ftpkit.library_path).resolve()
BUILD = LIB.parent.parent  # <build>/capi/libftpkit.so.0 -> <build>
UNINSTALLED_PC = BUILD / "meson-uninstalled" / "ftpkit-uninstalled.pc"

PROBE = ("import ftpkit, sys; sys.stdout.write(ftpkit.library_path + '\\n' + "
         "ftpkit.library_version)")


def run(env_changes):
    env = {k: v for k, v in os.environ.items()
           if k not in ("FTPKIT_LIBRARY", "PKG_CONFIG_PATH", "LD_LIBRARY_PATH")}
    env.update(env_changes)
    env["PYTHONPATH"] = str(SRC)
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return subprocess.run([sys.executable, "-c", PROBE], env=env, capture_output=True,
                          text=True, timeout=120, cwd="/")


def test_environment_variable_first():
    r = run({"FTPKIT_LIBRARY": str(LIB), "PKG_CONFIG_PATH": "/nonexistent"})
    assert r.returncode == 0, r.stderr
    path, version = r.stdout.splitlines()
    assert path == str(LIB)
    assert version == ftpkit.library_version


def test_environment_variable_is_final():
    r = run({"FTPKIT_LIBRARY": "/nonexistent/libftpkit.so.0",
             "LD_LIBRARY_PATH": str(LIB.parent)})
    assert r.returncode != 0
    assert "ImportError" in r.stderr and "FTPKIT_LIBRARY" in r.stderr
    assert "/nonexistent/libftpkit.so.0" in r.stderr


@pytest.mark.skipif(not UNINSTALLED_PC.exists(), reason="not run from a Meson build tree")
def test_pkg_config_uninstalled():
    r = run({"PKG_CONFIG_PATH": str(UNINSTALLED_PC.parent)})
    assert r.returncode == 0, r.stderr
    path = Path(r.stdout.splitlines()[0])
    assert path.parent.resolve() == LIB.parent  # <build>/capi, from the .pc's -L


def test_system_loader_last():
    r = run({"PKG_CONFIG_PATH": "/nonexistent", "LD_LIBRARY_PATH": str(LIB.parent)})
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines()[1] == ftpkit.library_version
