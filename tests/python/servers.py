"""Real FTP servers (pyftpdlib, vsftpd) run as subprocesses on loopback,
for the capi suite (launch helpers: tests/support/servers.py)."""
from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from support.servers import (VSFTPD, free_port, launch_vsftpd, read_port_line,  # noqa: F401
                             stop_process, vsftpd_conf, wait_for_220)

HERE = Path(__file__).resolve().parent
VSFTPD_USER = "ftpkittest"
VSFTPD_PASSWORD = "12345"
VSFTPD_HOME = "/var/lib/ftpkittest"


class _Server:
    name = "?"
    host = "127.0.0.1"
    port = 0
    user = "user"
    password = "12345"
    root: Path            # the user's login directory on disk
    anon_root: Path       # the anonymous user's root on disk
    size_in_150 = False   # whether the 150 reply to RETR names the size
    has_mlsd = False
    quotes_in_pwd = True  # whether PWD/MKD replies double embedded quotes

    def own(self, path: Path):
        """Give a local path to the server's login user (no-op for pyftpdlib)."""

    def put_file(self, path: Path, data: bytes):
        path.write_bytes(data)
        self.own(path)
        return path

    def make_dir(self, path: Path):
        path.mkdir(parents=True, exist_ok=True)
        self.own(path)
        return path

    def __repr__(self):
        return f"<{self.name} {self.host}:{self.port}>"


class PyftpdServer(_Server):
    name = "pyftpdlib"
    has_mlsd = True

    def __init__(self, root: Path, host="127.0.0.1", max_cons=0, defaults=False, log=None):
        self.root = self.anon_root = Path(root)
        self.host = host
        self.log = log
        args = [sys.executable, str(HERE / "pyftpd_main.py"), "--root", str(root), "--host", host]
        if max_cons:
            args += ["--max-cons", str(max_cons)]
        if defaults:
            args.append("--defaults")
        if log:
            args += ["--log", str(log)]
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stdin=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL if log else None)
        line = read_port_line(self.proc, 30)
        if not line.startswith("PORT "):
            self.stop()
            raise RuntimeError(f"pyftpdlib did not report its port: {line!r}")
        self.port = int(line.split()[1])
        try:
            self.greeting = wait_for_220(host, self.port, proc=self.proc)
        except BaseException:
            self.stop()
            raise

    def stop(self):
        stop_process(self.proc)


def ensure_vsftpd_user():
    """Create the local login user vsftpd authenticates through PAM."""
    try:
        pw = pwd.getpwnam(VSFTPD_USER)
    except KeyError:
        os.makedirs(VSFTPD_HOME, exist_ok=True)
        subprocess.run(["useradd", "-M", "-d", VSFTPD_HOME, "-s", "/bin/sh", VSFTPD_USER],
                       check=True, capture_output=True)
        pw = pwd.getpwnam(VSFTPD_USER)
    os.makedirs(pw.pw_dir, exist_ok=True)
    os.chown(pw.pw_dir, pw.pw_uid, pw.pw_gid)
    subprocess.run(["chpasswd"], input=f"{VSFTPD_USER}:{VSFTPD_PASSWORD}\n".encode(),
                   check=True, capture_output=True)
    return pw.pw_uid, pw.pw_gid


class VsftpdServer(_Server):
    name = "vsftpd"
    size_in_150 = True
    user = VSFTPD_USER
    password = VSFTPD_PASSWORD

    def __init__(self, host="127.0.0.1", extra_conf: dict | None = None):
        if os.geteuid() != 0:
            raise RuntimeError("vsftpd tests need root (local user, chroot)")
        self.uid, self.gid = ensure_vsftpd_user()
        self.ftp_pw = pwd.getpwnam("ftp")
        self.host = host
        self.base = Path(tempfile.mkdtemp(prefix="ftpkit-vsftpd-", dir="/tmp"))
        os.chmod(self.base, 0o755)
        (self.base / "empty").mkdir(mode=0o755)
        self.root = self.base / "root"
        self.root.mkdir(mode=0o755)
        os.chown(self.root, self.uid, self.gid)
        self.anon_root = self.base / "anon"
        self.anon_root.mkdir(mode=0o755)   # must not be writable by "ftp"
        self.anon_pub = self.anon_root / "pub"
        self.anon_pub.mkdir(mode=0o755)
        os.chown(self.anon_pub, self.ftp_pw.pw_uid, self.ftp_pw.pw_gid)
        self.xferlog = self.base / "xferlog"
        self.logfile = self.base / "vsftpd.log"
        self.extra_conf = extra_conf or {}
        self.proc, self.port, self.stderr, self.greeting = launch_vsftpd(
            self.base, host, self._conf)
        self.conf = self.base / "vsftpd.conf"

    def _conf(self, port: int) -> dict:
        conf = vsftpd_conf(self.base, self.host, port)
        conf.update({
            "anon_root": str(self.anon_root),
            "no_anon_password": "YES",
            "local_enable": "YES",
            "local_root": str(self.root),
            "local_umask": "022",
            "pam_service_name": "vsftpd",
            "xferlog_enable": "YES",
            "xferlog_file": str(self.xferlog),
            "ftpd_banner": "ftpkit test server (vsftpd) ready.",
        })
        conf.update(self.extra_conf)
        return conf

    def own(self, path: Path):
        os.chown(path, self.uid, self.gid)

    def stop(self):
        stop_process(self.proc)
        self.stderr.close()

    def cleanup(self):
        shutil.rmtree(self.base, ignore_errors=True)
