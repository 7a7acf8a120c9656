"""Real FTP servers for the binding's tests, started on 127.0.0.1 only.

* :class:`Pyftpd`: pyftpdlib in a subprocess (pyftpd_main.py), a user with
  every permission plus read-only anonymous, and a few test-only commands
  that make the server answer 4xx, 1xx, a malformed reply or hang up.
* :class:`Vsftpd`: /usr/sbin/vsftpd in the foreground, anonymous only,
  uploads in ``/pub``; optionally FTPS (explicit or implicit, with
  require_ssl_reuse).
* :func:`make_certs`: a test CA and a server certificate for localhost and
  127.0.0.1, and a client certificate, made with the ``openssl`` command.

Every server is started and awaited until it answers 220 (over TLS for
implicit FTPS).
"""

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
import uuid
from pathlib import Path
from typing import Optional

HERE = Path(__file__).resolve().parent
VSFTPD = shutil.which("vsftpd") or "/usr/sbin/vsftpd"
OPENSSL = shutil.which("openssl") or "/usr/bin/openssl"
HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def wait_220(port: int, timeout: float = 30.0, proc=None,
             tls_ctx: Optional[ssl.SSLContext] = None) -> str:
    """Poll 127.0.0.1:port until a 220 greeting arrives; return it."""
    deadline = time.monotonic() + timeout
    last: object = None
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"server exited ({proc.returncode}) before answering")
        try:
            with socket.create_connection((HOST, port), timeout=5) as raw:
                s = tls_ctx.wrap_socket(raw, server_hostname="localhost") if tls_ctx else raw
                f = s.makefile("rb")
                while True:
                    line = f.readline(4096)
                    if not line:
                        break
                    if line.startswith(b"220 "):
                        return line.decode("latin-1").rstrip()
                    if line[:1] in (b"4", b"5"):
                        break
        except (OSError, ssl.SSLError) as e:
            last = e
        time.sleep(0.1)
    raise RuntimeError(f"no 220 from port {port} within {timeout}s ({last})")


def run_openssl(*args: str) -> None:
    r = subprocess.run([OPENSSL, *args], capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError(f"openssl {' '.join(args)}: {r.stderr.strip()}")


class Certs:
    """Paths of the test PKI (see :func:`make_certs`)."""

    def __init__(self, d: Path) -> None:
        self.dir = d
        self.ca = str(d / "ca.pem")
        self.server_cert = str(d / "server.pem")
        self.server_key = str(d / "server.key")
        self.client_cert = str(d / "client.pem")
        self.client_key = str(d / "client.key")


def make_certs(d: Path) -> Certs:
    """A CA, a server certificate (CN=localhost, SAN DNS:localhost and
    IP:127.0.0.1) and a client certificate, all RSA 2048 (vsftpd's default
    cipher list wants RSA)."""
    d.mkdir(parents=True, exist_ok=True)
    run_openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-sha256", "-days", "30",
                "-keyout", str(d / "ca.key"), "-out", str(d / "ca.pem"),
                "-subj", "/CN=ftpkit python test CA",
                "-addext", "basicConstraints=critical,CA:TRUE",
                "-addext", "keyUsage=critical,keyCertSign,cRLSign")
    for name, ext in (
        ("server", "basicConstraints=critical,CA:FALSE\n"
                   "keyUsage=critical,digitalSignature,keyEncipherment\n"
                   "extendedKeyUsage=serverAuth\n"
                   "subjectAltName=DNS:localhost,IP:127.0.0.1\n"),
        ("client", "basicConstraints=critical,CA:FALSE\n"
                   "keyUsage=critical,digitalSignature,keyEncipherment\n"
                   "extendedKeyUsage=clientAuth\n"),
    ):
        (d / f"{name}.ext").write_text(ext)
        run_openssl("req", "-new", "-newkey", "rsa:2048", "-nodes", "-sha256",
                    "-keyout", str(d / f"{name}.key"), "-out", str(d / f"{name}.csr"),
                    "-subj", "/CN=localhost" if name == "server" else "/CN=ftpkit-client")
        run_openssl("x509", "-req", "-in", str(d / f"{name}.csr"), "-CA", str(d / "ca.pem"),
                    "-CAkey", str(d / "ca.key"), "-CAcreateserial", "-sha256", "-days", "30",
                    "-out", str(d / f"{name}.pem"), "-extfile", str(d / f"{name}.ext"))
    for k in d.glob("*.key"):
        k.chmod(0o600)
    return Certs(d)


class Server:
    """What the tests need to know about a running server."""

    name = "?"
    port = 0
    user = "anonymous"
    passwd = ""
    tls = ""              # "", "explicit" or "implicit"
    has_mlsd = False
    root: Path            # disk directory of the login's "/"
    writable = "/"        # a remote directory where the login may write

    def local(self, remote: str) -> Path:
        """The disk path of a remote absolute path."""
        return self.root / remote.lstrip("/")

    def make_workdir(self) -> str:
        """A fresh, empty, writable remote directory; returns its path."""
        remote = self.writable.rstrip("/") + "/t-" + uuid.uuid4().hex[:10]
        path = self.local(remote)
        path.mkdir()
        self.own(path)
        return remote

    def own(self, path: Path) -> None:
        """Make a path created by the tests usable by the server's login."""

    def put(self, remote: str, data: bytes) -> Path:
        p = self.local(remote)
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(data)
        p.chmod(0o644)
        self.own(p)
        return p

    def mkdir(self, remote: str) -> Path:
        p = self.local(remote)
        p.mkdir(parents=True, exist_ok=True)
        self.own(p)
        return p

    def __repr__(self) -> str:
        return f"<{self.name} 127.0.0.1:{self.port}>"


class Pyftpd(Server):
    """pyftpdlib in a subprocess (so it never shares the tests' GIL)."""

    name = "pyftpdlib"
    user = "user"
    passwd = "12345"
    has_mlsd = True

    def __init__(self, root: Path, max_cons: int = 0) -> None:
        self.root = root
        args = [sys.executable, str(HERE / "pyftpd_main.py"), "--root", str(root)]
        if max_cons:
            args += ["--max-cons", str(max_cons)]
        self.log = open(root.parent / f"pyftpd-{uuid.uuid4().hex[:6]}.log", "wb")
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=self.log,
                                     stdin=subprocess.DEVNULL)
        line = self._first_line(30)
        if not line.startswith("PORT "):
            self.stop()
            raise RuntimeError(f"pyftpdlib did not report its port: {line!r}")
        self.port = int(line.split()[1])
        self.greeting = wait_220(self.port, proc=self.proc)

    def _first_line(self, timeout: float) -> str:
        out: list = []
        t = threading.Thread(target=lambda: out.append(self.proc.stdout.readline()),
                             daemon=True)
        t.start()
        t.join(timeout)
        return out[0].decode(errors="replace") if out else ""

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        self.log.close()


class Vsftpd(Server):
    """vsftpd, anonymous only (uploads under /pub), plain or FTPS."""

    name = "vsftpd"
    writable = "/pub"

    def __init__(self, base: Path, tls: str = "", certs: Optional[Certs] = None) -> None:
        if os.geteuid() != 0:
            raise RuntimeError("vsftpd needs root")
        self.tls = tls
        self.name = f"vsftpd-{tls}" if tls else "vsftpd"
        self.certs = certs
        self.ftp_pw = pwd.getpwnam("ftp")
        self.base = Path(tempfile.mkdtemp(prefix="ftpkit-py-vsftpd-", dir=str(base)))
        os.chmod(self.base, 0o755)
        (self.base / "empty").mkdir(mode=0o755)
        self.root = self.base / "anon"
        self.root.mkdir(mode=0o755)   # root-owned, not writable by "ftp"
        pub = self.root / "pub"
        pub.mkdir(mode=0o755)
        self.own(pub)
        err: object = None
        for _ in range(8):
            self.port = free_port()
            conf = self.base / "vsftpd.conf"
            conf.write_text(self._conf())
            self.errf = open(self.base / "stderr.txt", "ab")
            self.proc = subprocess.Popen([VSFTPD, str(conf)], stdin=subprocess.DEVNULL,
                                         stdout=self.errf, stderr=self.errf)
            ctx = None
            if tls == "implicit":
                ctx = ssl.create_default_context(cafile=certs.ca)
            try:
                self.greeting = wait_220(self.port, 20, self.proc, ctx)
                return
            except RuntimeError as e:
                err = e
                self.stop()
        raise RuntimeError(f"vsftpd did not start: {err}: "
                           f"{(self.base / 'stderr.txt').read_text(errors='replace')}")

    def _conf(self) -> str:
        conf = {
            "listen": "YES", "listen_ipv6": "NO", "listen_address": HOST,
            "listen_port": str(self.port), "background": "NO",
            "anonymous_enable": "YES", "anon_root": str(self.root),
            "no_anon_password": "YES", "write_enable": "YES",
            "anon_upload_enable": "YES", "anon_mkdir_write_enable": "YES",
            "anon_other_write_enable": "YES", "anon_umask": "022",
            "local_enable": "NO", "seccomp_sandbox": "NO", "isolate": "NO",
            "isolate_network": "NO", "secure_chroot_dir": str(self.base / "empty"),
            "xferlog_enable": "NO", "pasv_enable": "YES", "port_enable": "YES",
            "connect_from_port_20": "NO", "max_clients": "0", "max_per_ip": "0",
            "ftpd_banner": "ftpkit python test server (vsftpd) ready.",
        }
        if self.tls:
            assert self.certs is not None
            conf.update({
                "ssl_enable": "YES", "allow_anon_ssl": "YES",
                "force_anon_logins_ssl": "YES", "force_anon_data_ssl": "YES",
                "rsa_cert_file": self.certs.server_cert,
                "rsa_private_key_file": self.certs.server_key,
                "require_ssl_reuse": "YES",
                "implicit_ssl": "YES" if self.tls == "implicit" else "NO",
            })
        return "".join(f"{k}={v}\n" for k, v in conf.items())

    def own(self, path: Path) -> None:
        os.chown(path, self.ftp_pw.pw_uid, self.ftp_pw.pw_gid)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        self.errf.close()
