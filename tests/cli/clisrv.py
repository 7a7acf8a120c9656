"""Helpers of the CLI suite: test certificates made with the openssl
command, real FTP servers (pyftpdlib, vsftpd) on 127.0.0.1, and running the
`ftpkit` executable with stderr on a pipe or on a pseudo-terminal."""
from __future__ import annotations

import os
import pty
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
VSFTPD = shutil.which("vsftpd") or "/usr/sbin/vsftpd"
OPENSSL = shutil.which("openssl") or "/usr/bin/openssl"
HOST = "127.0.0.1"


# --------------------------------------------------------------------------
# Certificates
# --------------------------------------------------------------------------

def _openssl(*args, cwd):
    r = subprocess.run([OPENSSL, *args], cwd=cwd, capture_output=True, timeout=120)
    if r.returncode != 0:
        raise RuntimeError(f"openssl {' '.join(args)} failed: {r.stderr.decode(errors='replace')}")


class Pki:
    """A local CA and certificates it issued, plus a self-signed one.

    ca.pem                       the CA (trust it with --cacert)
    capath/<hash>.0              the same CA as a hashed directory (--capath)
    server.pem/.key              CN=localhost, SAN DNS:localhost, IP:127.0.0.1
    wrongname.pem/.key           issued by the CA for DNS:wrong.example only
    selfsigned.pem/.key          CN=localhost, SANs as above, self-signed
    client.pem/.key              a client certificate issued by the CA
    """

    def __init__(self, d: Path):
        self.dir = d
        d.mkdir(parents=True, exist_ok=True)
        _openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key",
                 "-out", "ca.pem", "-days", "3", "-subj", "/CN=ftpkit CLI test CA",
                 "-addext", "basicConstraints=critical,CA:TRUE",
                 "-addext", "keyUsage=critical,keyCertSign,cRLSign", cwd=d)
        self._issue("server", "/CN=localhost", "DNS:localhost,IP:127.0.0.1", "serverAuth")
        self._issue("wrongname", "/CN=wrong.example", "DNS:wrong.example", "serverAuth")
        self._issue("client", "/CN=ftpkit test client", None, "clientAuth")
        _openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "selfsigned.key",
                 "-out", "selfsigned.pem", "-days", "3", "-subj", "/CN=localhost",
                 "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1", cwd=d)
        self.ca = d / "ca.pem"
        self.capath = d / "capath"
        self.capath.mkdir(exist_ok=True)
        h = subprocess.run([OPENSSL, "x509", "-hash", "-noout", "-in", str(self.ca)],
                           capture_output=True, text=True, check=True).stdout.strip()
        shutil.copy(self.ca, self.capath / f"{h}.0")
        for name in ("server", "wrongname", "client", "selfsigned"):
            os.chmod(d / f"{name}.key", 0o600)

    def _issue(self, name, subj, san, eku):
        d = self.dir
        _openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", f"{name}.key",
                 "-out", f"{name}.csr", "-subj", subj, cwd=d)
        ext = ["basicConstraints=CA:FALSE", f"extendedKeyUsage={eku}"]
        if san:
            ext.append(f"subjectAltName={san}")
        (d / f"{name}.ext").write_text("\n".join(ext) + "\n")
        _openssl("x509", "-req", "-in", f"{name}.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
                 "-CAcreateserial", "-out", f"{name}.pem", "-days", "3",
                 "-extfile", f"{name}.ext", cwd=d)

    def cert(self, name) -> Path:
        return self.dir / f"{name}.pem"

    def key(self, name) -> Path:
        return self.dir / f"{name}.key"


# --------------------------------------------------------------------------
# Servers
# --------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def wait_until_listening(port, proc, timeout=30.0):
    """Wait until something accepts connections on 127.0.0.1:port (an
    implicit-TLS server says nothing before the handshake, so a 220 cannot
    be awaited on all servers)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with status {proc.returncode}")
        try:
            with socket.create_connection((HOST, port), timeout=5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listens on {HOST}:{port} after {timeout} s")


def wait_for_220(port, proc, timeout=30.0):
    """Wait for a plain-text 220 greeting (plain and explicit-TLS servers)."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with status {proc.returncode}")
        try:
            with socket.create_connection((HOST, port), timeout=5) as s:
                line = s.makefile("rb").readline(1024)
                if line.startswith(b"220"):
                    s.sendall(b"QUIT\r\n")
                    return
                last = line
        except OSError as e:
            last = e
        time.sleep(0.1)
    raise RuntimeError(f"no 220 greeting on {HOST}:{port} ({last!r})")


def _stop(proc):
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)


class Pyftpd:
    """pyftpdlib (plain or explicit FTPS) serving `root` to user:12345."""

    name = "pyftpdlib"
    user = "user"
    password = "12345"

    def __init__(self, root: Path, log: Path, tls=None, tls_min=None, tls_max=None,
                 client_ca=None, fail_after=None, throttle=None):
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        self.upload_dir = self.root
        self.remote_dir = ""     # URL path prefix of upload_dir
        self.tls = tls
        args = [sys.executable, str(HERE / "pyftpd_server.py"), "--root", str(self.root),
                "--log", str(log)]
        if tls:
            args += ["--tls", str(tls[0]), str(tls[1])]
        if tls_min:
            args += ["--tls-min", tls_min]
        if tls_max:
            args += ["--tls-max", tls_max]
        if client_ca:
            args += ["--client-ca", str(client_ca)]
        if fail_after is not None:
            args += ["--fail-after", str(fail_after)]
        if throttle:
            args += ["--throttle", str(throttle)]
        self.proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE)
        line = self._first_line(30)
        if not line.startswith("PORT "):
            _stop(self.proc)
            raise RuntimeError(f"pyftpdlib did not report its port: {line!r}")
        self.port = int(line.split()[1])
        wait_for_220(self.port, self.proc)

    def _first_line(self, timeout):
        out = []
        t = threading.Thread(target=lambda: out.append(self.proc.stdout.readline()), daemon=True)
        t.start()
        t.join(timeout)
        return out[0].decode(errors="replace") if out else ""

    def url(self, path="", scheme="ftp"):
        return f"{scheme}://{self.user}:{self.password}@{HOST}:{self.port}/{path}"

    def put_file(self, name, data: bytes) -> Path:
        p = self.root / name
        p.write_bytes(data)
        return p

    def stop(self):
        _stop(self.proc)


class Vsftpd:
    """vsftpd, anonymous access, with optional explicit or implicit FTPS.

    The anonymous root holds the downloads; uploads go to its `pub`
    directory (owned by the `ftp` user).  Needs root."""

    name = "vsftpd"

    def __init__(self, cert=None, key=None, implicit=False, port=None, extra=None):
        if os.geteuid() != 0:
            raise RuntimeError("vsftpd needs root")
        ftp_pw = pwd.getpwnam("ftp")
        self.base = Path(tempfile.mkdtemp(prefix="ftpkit-cli-vsftpd-", dir="/tmp"))
        os.chmod(self.base, 0o755)
        (self.base / "empty").mkdir(mode=0o755)
        self.root = self.base / "anon"
        self.root.mkdir(mode=0o755)           # root-owned, not writable by ftp
        self.upload_dir = self.root / "pub"
        self.upload_dir.mkdir(mode=0o755)
        os.chown(self.upload_dir, ftp_pw.pw_uid, ftp_pw.pw_gid)
        self.remote_dir = "pub/"
        self.tls = cert is not None
        self.implicit = implicit
        self.cert, self.key, self.extra = cert, key, extra or {}
        err = None
        for _ in range(8):
            self.port = port or free_port()
            (self.base / "vsftpd.conf").write_text(self._conf())
            self.errlog = open(self.base / "stderr.txt", "ab")
            self.proc = subprocess.Popen([VSFTPD, str(self.base / "vsftpd.conf")],
                                         stdin=subprocess.DEVNULL, stdout=self.errlog,
                                         stderr=self.errlog)
            try:
                if implicit:
                    wait_until_listening(self.port, self.proc, timeout=20)
                else:
                    wait_for_220(self.port, self.proc, timeout=20)
                return
            except RuntimeError as e:
                err = e
                self.stop()
                if port:
                    break
        raise RuntimeError(f"vsftpd did not start: {err}: "
                           f"{(self.base / 'stderr.txt').read_text(errors='replace')}")

    def _conf(self):
        conf = {
            "listen": "YES", "listen_ipv6": "NO", "listen_address": HOST,
            "listen_port": str(self.port), "background": "NO",
            "anonymous_enable": "YES", "anon_root": str(self.root), "no_anon_password": "YES",
            "write_enable": "YES", "anon_upload_enable": "YES",
            "anon_mkdir_write_enable": "YES", "anon_other_write_enable": "YES",
            "anon_umask": "022", "local_enable": "NO",
            "seccomp_sandbox": "NO", "isolate": "NO", "isolate_network": "NO",
            "secure_chroot_dir": str(self.base / "empty"), "xferlog_enable": "NO",
            "pasv_enable": "YES", "port_enable": "YES",
            "max_clients": "0", "max_per_ip": "0",
            "ftpd_banner": "ftpkit CLI test server (vsftpd) ready.",
        }
        if self.tls:
            conf.update({
                "ssl_enable": "YES", "allow_anon_ssl": "YES",
                "force_anon_logins_ssl": "YES", "force_anon_data_ssl": "YES",
                "rsa_cert_file": str(self.cert), "rsa_private_key_file": str(self.key),
                "require_ssl_reuse": "YES",
            })
            if self.implicit:
                conf["implicit_ssl"] = "YES"
        conf.update(self.extra)
        return "".join(f"{k}={v}\n" for k, v in conf.items())

    def url(self, path="", scheme=None):
        scheme = scheme or ("ftps" if self.implicit else "ftp")
        return f"{scheme}://{HOST}:{self.port}/{path}"

    def put_file(self, name, data: bytes) -> Path:
        p = self.root / name
        p.write_bytes(data)
        os.chmod(p, 0o644)                    # anon_world_readable_only
        return p

    def stop(self):
        _stop(self.proc)
        self.errlog.close()

    def cleanup(self):
        shutil.rmtree(self.base, ignore_errors=True)


# --------------------------------------------------------------------------
# Running the CLI
# --------------------------------------------------------------------------

@dataclass
class Result:
    rc: int
    out: bytes       # standard output (b"" when it went to a file)
    err: str         # standard error (from the pipe or the terminal)

    def __str__(self):
        return f"exit {self.rc}\n--- stderr ---\n{self.err}--- stdout ---\n{self.out[:2000]!r}"


class Cli:
    """Runs the executable named by $FTPKIT_CLI."""

    def __init__(self, exe: str, home: Path):
        self.exe = exe
        self.env = {k: v for k, v in os.environ.items() if k not in ("FTPKIT_PASSWORD",)}
        self.env["HOME"] = str(home)            # no ~/.netrc of the machine
        self.env["NETRC"] = str(home / "no-netrc")
        self.env["LC_ALL"] = "C"

    def start(self, *args, tty=False, cwd=None, stdin=None, stdout=None, prefix=(),
              preexec_fn=None) -> "Running":
        """Start `ftpkit ARGS`.  With tty=True standard error is the slave
        side of a pseudo-terminal (so the progress bar is drawn and the
        callback path is taken); otherwise it is a pipe.  `stdin` and
        `stdout` may be open files (default: /dev/null and a pipe)."""
        cmd = [*prefix, self.exe, *[str(a) for a in args]]
        extra = {"preexec_fn": preexec_fn, "restore_signals": preexec_fn is None}
        common = dict(cwd=cwd, env=self.env,
                      stdin=subprocess.DEVNULL if stdin is None else stdin,
                      stdout=subprocess.PIPE if stdout is None else stdout, **extra)
        if not tty:
            return Running(subprocess.Popen(cmd, stderr=subprocess.PIPE, **common), None)
        master, slave = pty.openpty()
        try:
            proc = subprocess.Popen(cmd, stderr=slave, **common)
        except BaseException:
            os.close(master)
            raise
        finally:
            os.close(slave)
        return Running(proc, master)

    def run(self, *args, input=None, timeout=600, **kw) -> Result:
        """Run `ftpkit ARGS` to completion (see start()); `input` bytes are
        fed to its standard input."""
        if input is not None:
            kw["stdin"] = subprocess.PIPE
        return self.start(*args, **kw).finish(input=input, timeout=timeout)


class Running:
    """A started `ftpkit`; finish() collects its output."""

    def __init__(self, proc, master):
        self.proc = proc
        self.master = master
        self.chunks = []
        self.reader = None
        if master is not None:
            # Drain the terminal all along: a full pty buffer would block
            # the progress bar's writes.
            self.reader = threading.Thread(target=self._drain, daemon=True)
            self.reader.start()

    def _drain(self):
        while True:
            try:
                b = os.read(self.master, 65536)
            except OSError:                 # EIO once the last slave fd closes
                break
            if not b:
                break
            self.chunks.append(b)

    def finish(self, input=None, timeout=600) -> Result:
        try:
            out, err = self.proc.communicate(input=input, timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.communicate()
            raise
        finally:
            if self.reader is not None:
                self.reader.join(30)
                os.close(self.master)
        if self.master is not None:
            err = b"".join(self.chunks)
        text = (err or b"").decode("utf-8", "replace").replace("\r\n", "\n")
        return Result(self.proc.returncode, out or b"", text)
