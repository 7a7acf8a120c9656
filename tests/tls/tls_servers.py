"""Real FTPS servers on 127.0.0.1 for the TLS suite: vsftpd (explicit and
implicit) and pyftpdlib's TLS_FTPHandler, each in a subprocess."""
from __future__ import annotations

import os
import pwd
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
VSFTPD = shutil.which("vsftpd") or "/usr/sbin/vsftpd"


def free_port(host="127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def _read_reply(f) -> bytes:
    """Read one complete FTP reply from a binary file object."""
    line = f.readline(4096)
    if not line or not line[:3].isdigit():
        return line
    if line[3:4] == b"-":
        code = line[:3]
        while True:
            nxt = f.readline(4096)
            if not nxt or (nxt[:3] == code and nxt[3:4] == b" "):
                break
    return line


def wait_ready(host, port, implicit=False, timeout=30.0, proc=None) -> str:
    """Poll until the server greets with 220 (inside TLS when implicit)."""
    deadline = time.monotonic() + timeout
    last = None
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode} before answering")
        try:
            with socket.create_connection((host, port), timeout=5) as raw:
                s = ctx.wrap_socket(raw) if implicit else raw
                f = s.makefile("rb")
                line = _read_reply(f)
                if line.startswith(b"220"):
                    try:
                        s.sendall(b"QUIT\r\n")
                        _read_reply(f)
                    except OSError:
                        pass
                    return line.decode("latin-1").rstrip()
                last = line
        except (OSError, ssl.SSLError) as e:
            last = e
        time.sleep(0.1)
    raise RuntimeError(f"no 220 from {host}:{port} within {timeout}s ({last!r})")


class VsftpdTLS:
    """vsftpd with FTPS, anonymous login with a password (USER anonymous,
    PASS ...), so PASS travels on the secured control connection.

    `root` is the anonymous root (not writable by user ftp); `pub` is the
    writable upload directory inside it.
    """

    name = "vsftpd"
    user = "anonymous"
    password = "ftpkit@example.org"

    def __init__(self, cert: str, key: str, implicit=False, extra: dict | None = None):
        if os.geteuid() != 0:
            raise RuntimeError("vsftpd needs root")
        self.implicit = implicit
        self.ftp_pw = pwd.getpwnam("ftp")
        self.base = Path(tempfile.mkdtemp(prefix="ftpkit-tls-vsftpd-", dir="/tmp"))
        os.chmod(self.base, 0o755)
        (self.base / "empty").mkdir(mode=0o755)
        self.root = self.base / "anon"
        self.root.mkdir(mode=0o755)
        self.pub = self.root / "pub"
        self.pub.mkdir(mode=0o755)
        os.chown(self.pub, self.ftp_pw.pw_uid, self.ftp_pw.pw_gid)
        self.upload_dir = "pub"
        self.log = self.base / "vsftpd.log"
        self.cert, self.key = cert, key
        self.extra = dict(extra or {})
        self.host = "127.0.0.1"
        err = None
        for _ in range(8):
            self.port = free_port()
            (self.base / "vsftpd.conf").write_text(self._conf())
            self.errf = open(self.base / "stderr.txt", "ab")
            self.proc = subprocess.Popen([VSFTPD, str(self.base / "vsftpd.conf")],
                                         stdin=subprocess.DEVNULL, stdout=self.errf,
                                         stderr=self.errf)
            try:
                self.greeting = wait_ready(self.host, self.port, implicit, 20, self.proc)
                self.log_mark()
                return
            except RuntimeError as e:
                err = e
                self.stop()
        raise RuntimeError(f"vsftpd did not start: {err}; "
                           f"{(self.base / 'stderr.txt').read_text(errors='replace')}")

    def _conf(self) -> str:
        conf = {
            "listen": "YES",
            "listen_ipv6": "NO",
            "listen_address": "127.0.0.1",
            "listen_port": str(self.port),
            "background": "NO",
            "anonymous_enable": "YES",
            "anon_root": str(self.root),
            "no_anon_password": "NO",     # anonymous sends PASS too
            "write_enable": "YES",
            "anon_upload_enable": "YES",
            "anon_mkdir_write_enable": "YES",
            "anon_other_write_enable": "YES",
            "anon_umask": "022",
            "local_enable": "NO",
            "seccomp_sandbox": "NO",
            "isolate": "NO",
            "isolate_network": "NO",
            "secure_chroot_dir": str(self.base / "empty"),
            "xferlog_enable": "NO",
            "vsftpd_log_file": str(self.log),
            "dual_log_enable": "YES",
            "log_ftp_protocol": "YES",
            "pasv_enable": "YES",
            "port_enable": "YES",
            "connect_from_port_20": "NO",
            "max_clients": "0",
            "max_per_ip": "0",
            "ftpd_banner": "ftpkit TLS test server (vsftpd) ready.",
            # FTPS
            "ssl_enable": "YES",
            "allow_anon_ssl": "YES",
            "force_anon_logins_ssl": "YES",
            "force_anon_data_ssl": "YES",
            "rsa_cert_file": self.cert,
            "rsa_private_key_file": self.key,
            "require_ssl_reuse": "YES",
            "strict_ssl_read_eof": "YES",       # uploads must end with close_notify
            "strict_ssl_write_shutdown": "YES",  # downloads end with close_notify
            "implicit_ssl": "YES" if self.implicit else "NO",
            # ssl_ciphers: vsftpd's default on purpose.
        }
        conf.update(self.extra)
        return "".join(f"{k}={v}\n" for k, v in conf.items())

    def put(self, name: str, data: bytes) -> Path:
        p = self.root / name
        p.write_bytes(data)
        p.chmod(0o644)
        return p

    def local(self, remote: str) -> Path:
        return self.root / remote

    def log_mark(self):
        """Remember the log's current end; log_since() reads what follows."""
        self._mark = self.log.stat().st_size if self.log.exists() else 0

    def log_since(self) -> str:
        if not self.log.exists():
            return ""
        with open(self.log, "rb") as f:
            f.seek(self._mark)
            return f.read().decode("latin-1")

    def commands_since(self) -> list[str]:
        """The FTP commands vsftpd logged since log_mark()."""
        out = []
        for line in self.log_since().splitlines():
            if "FTP command:" in line:
                # ... FTP command: Client "127.0.0.1", "USER anonymous"
                out.append(line.rsplit('", "', 1)[-1].rstrip('"'))
        return out

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        self.errf.close()

    def cleanup(self):
        shutil.rmtree(self.base, ignore_errors=True)

    def __repr__(self):
        return f"<vsftpd{' implicit' if self.implicit else ''} {self.host}:{self.port}>"


class PyftpdTLS:
    """pyftpdlib's TLS_FTPHandler (explicit FTPS only; it has no implicit
    mode), user "user" / "12345" with full rights on `root`."""

    name = "pyftpdlib"
    user = "user"
    password = "12345"
    implicit = False

    def __init__(self, cert: str, key: str, client_ca: str | None = None,
                 min_tls: str | None = None, max_tls: str | None = None,
                 tls_data_required=False):
        self.base = Path(tempfile.mkdtemp(prefix="ftpkit-tls-pyftpd-", dir="/tmp"))
        self.root = self.base / "root"
        self.root.mkdir()
        self.upload_dir = ""
        self.log = self.base / "pyftpd.log"
        self.host = "127.0.0.1"
        args = [sys.executable, str(HERE / "pyftpd_tls_main.py"), "--root", str(self.root),
                "--cert", cert, "--key", key, "--log", str(self.log)]
        if client_ca:
            args += ["--client-ca", client_ca]
        if min_tls:
            args += ["--min-tls", min_tls]
        if max_tls:
            args += ["--max-tls", max_tls]
        if tls_data_required:
            args.append("--tls-data-required")
        self.errf = open(self.base / "stderr.txt", "wb")
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stdin=subprocess.DEVNULL,
                                     stderr=self.errf)
        line = self._readline(30)
        if not line.startswith("PORT "):
            self.stop()
            raise RuntimeError(f"pyftpdlib did not report its port: {line!r}; "
                               f"{(self.base / 'stderr.txt').read_text(errors='replace')}")
        self.port = int(line.split()[1])
        self.greeting = wait_ready(self.host, self.port, False, 30, self.proc)
        self.log_mark()

    def _readline(self, timeout):
        out = []
        t = threading.Thread(target=lambda: out.append(
            self.proc.stdout.readline().decode(errors="replace")), daemon=True)
        t.start()
        t.join(timeout)
        return out[0] if out else ""

    def put(self, name: str, data: bytes) -> Path:
        p = self.root / name
        p.write_bytes(data)
        return p

    def local(self, remote: str) -> Path:
        return self.root / remote

    def log_mark(self):
        self._mark = self.log.stat().st_size if self.log.exists() else 0

    def log_since(self) -> str:
        if not self.log.exists():
            return ""
        with open(self.log, "rb") as f:
            f.seek(self._mark)
            return f.read().decode("latin-1")

    def commands_since(self) -> list[str]:
        """The commands pyftpdlib logged ("... <- USER user") since log_mark()."""
        out = []
        for line in self.log_since().splitlines():
            if " <- " in line:
                out.append(line.split(" <- ", 1)[1])
        return out

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        self.errf.close()

    def cleanup(self):
        shutil.rmtree(self.base, ignore_errors=True)

    def __repr__(self):
        return f"<pyftpdlib-tls {self.host}:{self.port}>"
