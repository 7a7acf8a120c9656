"""Real FTP servers (pyftpdlib, vsftpd) run as subprocesses on loopback."""
from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
VSFTPD = shutil.which("vsftpd") or "/usr/sbin/vsftpd"
VSFTPD_USER = "ftpkittest"
VSFTPD_PASSWORD = "12345"
VSFTPD_HOME = "/var/lib/ftpkittest"


def free_port(host="127.0.0.1") -> int:
    fam = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(fam, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def wait_for_220(host, port, timeout=30.0, proc=None) -> str:
    """Poll until host:port answers with a 220 greeting; return the line."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode} before answering")
        try:
            fam = socket.AF_INET6 if ":" in host else socket.AF_INET
            with socket.socket(fam, socket.SOCK_STREAM) as s:
                s.settimeout(5)
                s.connect((host, port))
                f = s.makefile("rb")
                while True:
                    line = f.readline(4096)
                    if not line:
                        break
                    if line.startswith(b"220 "):
                        try:
                            s.sendall(b"QUIT\r\n")
                        except OSError:
                            pass
                        return line.decode("latin-1").rstrip()
                    if not line[:3].isdigit() or line[3:4] not in (b"-", b" "):
                        continue
                    if line[:1] in (b"4", b"5"):
                        break
        except OSError as e:
            last = e
        time.sleep(0.1)
    raise RuntimeError(f"no 220 from {host}:{port} within {timeout}s ({last})")


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
        line = self._readline_with_timeout(30)
        if not line.startswith("PORT "):
            self.stop()
            raise RuntimeError(f"pyftpdlib did not report its port: {line!r}")
        self.port = int(line.split()[1])
        try:
            self.greeting = wait_for_220(host, self.port, proc=self.proc)
        except BaseException:
            self.stop()
            raise

    def _readline_with_timeout(self, timeout):
        out = []

        def rd():
            out.append(self.proc.stdout.readline().decode(errors="replace"))

        t = threading.Thread(target=rd, daemon=True)
        t.start()
        t.join(timeout)
        return out[0] if out else ""

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)


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
        err = None
        for _ in range(8):
            self.port = free_port(host)
            self.conf = self.base / "vsftpd.conf"
            self.conf.write_text(self._conf())
            self.stderr = open(self.base / "stderr.txt", "ab")
            self.proc = subprocess.Popen([VSFTPD, str(self.conf)], stdin=subprocess.DEVNULL,
                                         stdout=self.stderr, stderr=self.stderr)
            try:
                self.greeting = wait_for_220(host, self.port, timeout=20, proc=self.proc)
                return
            except RuntimeError as e:
                err = e
                self.stop()
        raise RuntimeError(f"vsftpd did not start: {err}; "
                           f"{(self.base / 'stderr.txt').read_text(errors='replace')}")

    def _conf(self) -> str:
        v6 = ":" in self.host
        conf = {
            "listen": "NO" if v6 else "YES",
            "listen_ipv6": "YES" if v6 else "NO",
            ("listen_address6" if v6 else "listen_address"): self.host,
            "listen_port": str(self.port),
            "background": "NO",
            "anonymous_enable": "YES",
            "anon_root": str(self.anon_root),
            "no_anon_password": "YES",
            "anon_upload_enable": "YES",
            "anon_mkdir_write_enable": "YES",
            "anon_other_write_enable": "YES",
            "local_enable": "YES",
            "write_enable": "YES",
            "local_root": str(self.root),
            "local_umask": "022",
            "seccomp_sandbox": "NO",
            "isolate": "NO",
            "isolate_network": "NO",
            "secure_chroot_dir": str(self.base / "empty"),
            "pam_service_name": "vsftpd",
            "connect_from_port_20": "NO",
            "xferlog_enable": "YES",
            "xferlog_file": str(self.xferlog),
            "vsftpd_log_file": str(self.logfile),
            "dual_log_enable": "YES",
            "log_ftp_protocol": "YES",
            "ftpd_banner": "ftpkit test server (vsftpd) ready.",
            "max_clients": "0",
            "max_per_ip": "0",
        }
        conf.update(self.extra_conf)
        return "".join(f"{k}={v}\n" for k, v in conf.items())

    def own(self, path: Path):
        os.chown(path, self.uid, self.gid)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        self.stderr.close()

    def cleanup(self):
        shutil.rmtree(self.base, ignore_errors=True)
