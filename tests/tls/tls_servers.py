"""Real FTPS servers on 127.0.0.1 for the TLS suite: vsftpd (explicit and
implicit) and pyftpdlib's TLS_FTPHandler, each in a subprocess."""
from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from support.servers import (VSFTPD, launch_vsftpd, read_port_line, stop_process,  # noqa: F401
                             vsftpd_conf, wait_for_220)

HERE = Path(__file__).resolve().parent


class _TLSServer:
    """What both servers share: the log since a mark, teardown."""

    log: Path
    root: Path

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

    def stop(self):
        stop_process(self.proc)
        self.errf.close()

    def cleanup(self):
        shutil.rmtree(self.base, ignore_errors=True)


class VsftpdTLS(_TLSServer):
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
        self.proc, self.port, self.errf, self.greeting = launch_vsftpd(
            self.base, self.host, self._conf, implicit=implicit)
        self.log_mark()

    def _conf(self, port: int) -> dict:
        conf = vsftpd_conf(self.base, self.host, port)
        conf.update({
            "anon_root": str(self.root),
            "no_anon_password": "NO",     # anonymous sends PASS too
            "anon_umask": "022",
            "local_enable": "NO",
            "xferlog_enable": "NO",
            "pasv_enable": "YES",
            "port_enable": "YES",
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
        })
        conf.update(self.extra)
        return conf

    def put(self, name: str, data: bytes) -> Path:
        p = self.root / name
        p.write_bytes(data)
        p.chmod(0o644)
        return p

    def commands_since(self) -> list[str]:
        """The FTP commands vsftpd logged since log_mark()."""
        out = []
        for line in self.log_since().splitlines():
            if "FTP command:" in line:
                # ... FTP command: Client "127.0.0.1", "USER anonymous"
                out.append(line.rsplit('", "', 1)[-1].rstrip('"'))
        return out

    def __repr__(self):
        return f"<vsftpd{' implicit' if self.implicit else ''} {self.host}:{self.port}>"


class PyftpdTLS(_TLSServer):
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
        line = read_port_line(self.proc, 30)
        if not line.startswith("PORT "):
            self.stop()
            raise RuntimeError(f"pyftpdlib did not report its port: {line!r}; "
                               f"{(self.base / 'stderr.txt').read_text(errors='replace')}")
        self.port = int(line.split()[1])
        self.greeting = wait_for_220(self.host, self.port, 30, self.proc)
        self.log_mark()

    def put(self, name: str, data: bytes) -> Path:
        p = self.root / name
        p.write_bytes(data)
        return p

    def commands_since(self) -> list[str]:
        """The commands pyftpdlib logged ("... <- USER user") since log_mark()."""
        out = []
        for line in self.log_since().splitlines():
            if " <- " in line:
                out.append(line.split(" <- ", 1)[1])
        return out

    def __repr__(self):
        return f"<pyftpdlib-tls {self.host}:{self.port}>"
