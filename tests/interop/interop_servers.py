"""The real FTP servers of the interop matrix, run on 127.0.0.1.

vsftpd is installed by apt (/usr/sbin/vsftpd).  ProFTPD and Pure-FTPd
conflict with it as Debian packages, so fetch_servers.sh unpacks their .deb
files under $FTPKIT_INTEROP_DIR (default /tmp/ftpkit-interop-servers) and
they run from there.  pyftpdlib runs as a Python subprocess.  Every server:

  - is started in its own process group (killpg stops its per-session
    children too), in the foreground, as root, on an ephemeral port picked by
    binding port 0 first (retried when the port was taken meanwhile), and
    awaited until it answers 220;
  - gets its configuration from configs/ with @NAME@ placeholders filled in;
  - offers explicit FTPS with a certificate from a local test CA when it can
    (lines prefixed @TLS@ in the configs), without requiring it, so one
    instance serves both the plain and the FTPS columns of the matrix;
  - exposes `remote_dir` (where the tests work, relative to the login
    directory) and `local_dir` (the same folder on disk).
"""
from __future__ import annotations

import contextlib
import grp
import os
import pwd
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

from support import pki
from support.servers import HOST, VSFTPD, free_port, read_port_line, wait_for_220

HERE = Path(__file__).resolve().parent
CONFIGS = HERE / "configs"
FETCH_SCRIPT = HERE / "fetch_servers.sh"
SERVERS_DIR = Path(os.environ.get("FTPKIT_INTEROP_DIR") or "/tmp/ftpkit-interop-servers")
ROOTFS = SERVERS_DIR / "root"
PROFTPD = ROOTFS / "usr/sbin/proftpd"
PROFTPD_MODULES = ROOTFS / "usr/lib/proftpd"
PURE_FTPD = ROOTFS / "usr/sbin/pure-ftpd"
PURE_PW = ROOTFS / "usr/bin/pure-pw"
OPENSSL = shutil.which("openssl") or "/usr/bin/openssl"


# --------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------
def fill(template: str, tls: bool, **values) -> str:
    """Fill @NAME@ placeholders; keep @TLS@ lines (prefix removed) only with TLS."""
    out = []
    for line in template.splitlines():
        if line.startswith("@TLS@"):
            if not tls:
                continue
            line = line[len("@TLS@"):]
        for k, v in values.items():
            line = line.replace(f"@{k}@", str(v))
        out.append(line)
    return "\n".join(out) + "\n"


_fetch_note: str | None = None


def ensure_fetched() -> str:
    """Run fetch_servers.sh once per test run (idempotent: it returns at once
    when ProFTPD and Pure-FTPd are unpacked and ldd finds their libraries);
    return a note on its failure, for skip reasons, or ""."""
    global _fetch_note
    if _fetch_note is None:
        try:
            r = subprocess.run(["bash", str(FETCH_SCRIPT), str(SERVERS_DIR)], capture_output=True,
                               text=True, timeout=600, stdin=subprocess.DEVNULL)
            _fetch_note = "" if r.returncode == 0 else (
                f"fetch_servers.sh exited {r.returncode}: {(r.stdout + r.stderr).strip()[-800:]}")
        except (OSError, subprocess.TimeoutExpired) as e:
            _fetch_note = f"fetch_servers.sh failed: {e}"
    return _fetch_note


def ftp_ids() -> tuple[int, int]:
    """uid/gid the virtual users of ProFTPD and Pure-FTPd map to (user ftp)."""
    try:
        pw = pwd.getpwnam("ftp")
        return pw.pw_uid, pw.pw_gid
    except KeyError:
        return 65534, 65534


def crypt_sha512(password: str) -> str:
    r = subprocess.run([OPENSSL, "passwd", "-6", password], capture_output=True, text=True,
                       check=True)
    return r.stdout.strip()


@contextlib.contextmanager
def temp_certs(prefix: str):
    """Certs in a new folder under /tmp named with `prefix`, removed afterwards."""
    d = Path(tempfile.mkdtemp(prefix=prefix, dir="/tmp"))
    try:
        yield Certs(d)
    finally:
        shutil.rmtree(d, ignore_errors=True)


class Certs:
    """A local CA and a server certificate for CN=localhost with
    subjectAltName DNS:localhost, IP:127.0.0.1 (RSA 2048), made with openssl
    (tests/support/pki.py); `ca`, `cert` and `key` are their paths."""

    def __init__(self, d: Path):
        self.dir = d
        d.mkdir(parents=True, exist_ok=True)
        os.chmod(d, 0o755)
        pki.make_server_set(d, "ftpkit interop test CA")
        self.ca = d / "ca.pem"
        self.cert = d / "server.pem"
        self.key = d / "server.key"


# --------------------------------------------------------------------------
# servers
# --------------------------------------------------------------------------
class FtpServer:
    name = "?"
    user: str | None = "tester"
    password: str | None = "secret"
    remote_dir = "."

    def __init__(self, certs: Certs | None):
        self.certs = certs
        self.tls = certs is not None
        self.base = Path(tempfile.mkdtemp(prefix=f"ftpkit-interop-{self.name}-", dir="/tmp"))
        os.chmod(self.base, 0o755)
        self.proc: subprocess.Popen | None = None
        self.port = 0
        self.greeting = ""
        self.prepare()

    # subclasses: prepare() the tree, command() for a port, own() a path
    def prepare(self):
        raise NotImplementedError

    def command(self, port: int) -> list[str]:
        raise NotImplementedError

    def own(self, path: Path):
        uid, gid = ftp_ids()
        os.chown(path, uid, gid)

    @property
    def local_dir(self) -> Path:
        raise NotImplementedError

    def available(self) -> str | None:
        """None if the server can run here, else the reason it cannot."""
        return None

    def start(self):
        err = None
        for _ in range(8):
            port = free_port()
            cmd = self.command(port)
            log = open(self.base / "stderr.txt", "ab")
            self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                                         start_new_session=True, cwd=self.base)
            log.close()
            try:
                self.greeting = wait_for_220(HOST, port, proc=self.proc)
                self.port = port
                return self
            except RuntimeError as e:
                err = e
                self.stop()
        raise RuntimeError(f"{self.name} did not start: {err}\n{self.log_tail()}")

    def _tree(self) -> list[int]:
        """The server process and all its descendants (vsftpd's session
        processes call setsid(), so the process group does not hold them)."""
        if self.proc is None:
            return []
        children: dict[int, list[int]] = {}
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                with open(f"/proc/{entry}/stat") as f:
                    stat = f.read()
            except OSError:
                continue
            # pid (comm) state ppid ...; comm may contain spaces and ')'.
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(ppid, []).append(int(entry))
        out, todo = [], [self.proc.pid]
        while todo:
            pid = todo.pop()
            out.append(pid)
            todo.extend(children.get(pid, []))
        return out

    def _kill_tree(self):
        """SIGKILL the server and every process it forked, all at once as
        far as they can tell: every process of the tree is stopped first
        (so none forks, or notices another's death and says so on its
        connection), then all are killed."""
        if self.proc is None:
            return
        stopped: set[int] = set()
        while True:
            tree = [p for p in self._tree() if p not in stopped]
            if not tree:
                break
            for pid in tree:
                try:
                    os.kill(pid, signal.SIGSTOP)
                except ProcessLookupError:
                    pass
                stopped.add(pid)
        for pid in stopped:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass

    def kill(self):
        """SIGKILL the server and every session process it forked (a crash,
        as far as the client can tell), and reap it."""
        self._kill_tree()
        if self.proc is not None:
            self.proc.wait(30)

    def stop(self):
        """Stop the server and its session processes (SIGKILL: these are
        throw-away test servers, and a process tree collected while its root
        is stopped leaves no window for a PID to be reused)."""
        if self.proc is None:
            return
        self._kill_tree()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            pass
        self.proc = None

    def restart(self):
        """Stop (if running) and start again; the port may change."""
        self.stop()
        return self.start()

    def cleanup(self):
        self.stop()
        shutil.rmtree(self.base, ignore_errors=True)

    def log_tail(self, n=3000) -> str:
        out = []
        for p in sorted(self.base.glob("*.log")) + [self.base / "stderr.txt"]:
            if p.exists():
                out.append(f"--- {p.name}\n{p.read_text(errors='replace')[-n:]}")
        return "\n".join(out)

    def put(self, name: str, data: bytes) -> Path:
        """Create a world-readable file in local_dir owned by the login user."""
        p = self.local_dir / name
        p.write_bytes(data)
        os.chmod(p, 0o644)
        self.own(p)
        return p

    def __repr__(self):
        return f"<{self.name} {HOST}:{self.port}>"


class Vsftpd(FtpServer):
    """vsftpd 3.0 from apt; anonymous login (no user), works in pub/."""
    name = "vsftpd"
    user = None
    password = None
    remote_dir = "pub"

    def available(self):
        if not os.path.exists(VSFTPD):
            return f"vsftpd is not installed ({VSFTPD} missing; apt-get install vsftpd)"
        if os.geteuid() != 0:
            return "vsftpd needs root here (chroot of the anonymous user)"
        try:
            pwd.getpwnam("ftp")
        except KeyError:
            return "user 'ftp' does not exist (it comes with the vsftpd package)"
        return None

    def prepare(self):
        if self.available():
            return
        (self.base / "empty").mkdir(mode=0o755)
        self.anon = self.base / "anon"
        self.anon.mkdir(mode=0o755)           # root-owned, not writable by ftp
        (self.anon / "pub").mkdir(mode=0o755)
        self.own(self.anon / "pub")

    @property
    def local_dir(self):
        return self.anon / "pub"

    def command(self, port):
        conf = fill((CONFIGS / "vsftpd.conf").read_text(), self.tls, PORT=port,
                    ANON_ROOT=self.anon, EMPTY=self.base / "empty", BASE=self.base,
                    CERT=self.certs.cert if self.certs else "", KEY=self.certs.key if self.certs else "")
        path = self.base / "vsftpd.conf"
        path.write_text(conf)
        return [VSFTPD, str(path)]


class Proftpd(FtpServer):
    """ProFTPD 1.3.8 unpacked from proftpd-core (+ mod_tls from
    proftpd-mod-crypto); one virtual user from an AuthUserFile."""
    name = "proftpd"

    def __init__(self, certs):
        super().__init__(certs if (PROFTPD_MODULES / "mod_tls.so").exists() else None)

    def available(self):
        if not PROFTPD.exists():
            return f"ProFTPD binary missing after fetch_servers.sh ({PROFTPD})"
        r = subprocess.run(["ldd", str(PROFTPD)], capture_output=True, text=True)
        if "not found" in r.stdout:
            return "ProFTPD's runtime libraries are missing: " + " ".join(
                ln.split()[0] for ln in r.stdout.splitlines() if "not found" in ln)
        return None

    def prepare(self):
        (self.base / "run").mkdir(mode=0o755)
        self.home = self.base / "home"
        self.home.mkdir(mode=0o755)
        self.own(self.home)
        uid, gid = ftp_ids()
        group = grp.getgrgid(gid).gr_name if gid != 65534 else "nogroup"
        passwd = self.base / "passwd"
        passwd.write_text(f"{self.user}:{crypt_sha512(self.password)}:{uid}:{gid}:ftpkit:"
                          f"{self.home}:/bin/false\n")
        (self.base / "group").write_text(f"{group}:x:{gid}:\n")
        # mod_auth_file refuses world-readable files.
        os.chmod(passwd, 0o600)
        os.chmod(self.base / "group", 0o600)

    @property
    def local_dir(self):
        return self.home

    def command(self, port):
        values = dict(PORT=port, BASE=self.base, MODULES=PROFTPD_MODULES,
                      CERT=self.certs.cert if self.certs else "",
                      KEY=self.certs.key if self.certs else "")
        conf = fill((CONFIGS / "proftpd.conf").read_text(), self.tls, **values)
        if self.tls:
            conf += fill((CONFIGS / "proftpd-tls.conf").read_text(), True, **values)
        path = self.base / "proftpd.conf"
        path.write_text(conf)
        return [str(PROFTPD), "-n", "-q", "-c", str(path)]


class PureFtpd(FtpServer):
    """Pure-FTPd 1.0.50 unpacked from pure-ftpd; one virtual user in a puredb
    made with pure-pw; the certificate is passed with -2, so nothing is
    written to /etc/ssl/private."""
    name = "pure-ftpd"

    def available(self):
        for b in (PURE_FTPD, PURE_PW):
            if not b.exists():
                return f"Pure-FTPd binary missing after fetch_servers.sh ({b})"
        r = subprocess.run(["ldd", str(PURE_FTPD)], capture_output=True, text=True)
        if "not found" in r.stdout:
            return "Pure-FTPd's runtime libraries are missing"
        return None

    def prepare(self):
        self.home = self.base / "home"
        self.home.mkdir(mode=0o755)
        self.own(self.home)
        if self.available():
            return
        uid, gid = ftp_ids()
        # A SHA-512 crypt hash (pure-pw would make a deliberately slow argon2id
        # one); "/./" at the end of the home makes it the chroot.
        passwd = self.base / "pureftpd.passwd"
        passwd.write_text(f"{self.user}:{crypt_sha512(self.password)}:{uid}:{gid}::"
                          f"{self.home}/./::::::::::::\n")
        os.chmod(passwd, 0o600)
        self.pdb = self.base / "pureftpd.pdb"
        r = subprocess.run([str(PURE_PW), "mkdb", str(self.pdb), "-f", str(passwd)],
                           capture_output=True, text=True)
        if r.returncode != 0:
            raise RuntimeError(f"pure-pw mkdb failed: {r.stderr.strip()}")

    @property
    def local_dir(self):
        return self.home

    def command(self, port):
        flags = fill((CONFIGS / "pure-ftpd.flags").read_text(), self.tls, HOST=HOST, PORT=port,
                     PDB=self.pdb, CERT=self.certs.cert if self.certs else "",
                     KEY=self.certs.key if self.certs else "")
        args = []
        for line in flags.splitlines():
            line = line.strip()
            if line and not line.startswith("#"):
                args += line.split()
        return [str(PURE_FTPD), *args]


class Pyftpdlib(FtpServer):
    """pyftpdlib (pip) in a subprocess; its TLS handler when pyOpenSSL is there."""
    name = "pyftpdlib"

    def __init__(self, certs):
        try:
            import OpenSSL  # noqa: F401  (pyftpdlib's TLS handler needs it)
        except ImportError:
            certs = None
        super().__init__(certs)

    def available(self):
        try:
            import pyftpdlib  # noqa: F401
        except ImportError:
            return "pyftpdlib is not installed (pip install pyftpdlib)"
        return None

    def prepare(self):
        self.root = self.base / "root"
        self.root.mkdir(mode=0o755)

    @property
    def local_dir(self):
        return self.root

    def own(self, path):
        pass

    def start(self):
        args = [sys.executable, str(CONFIGS / "pyftpd_server.py"), "--root", str(self.root),
                "--user", self.user, "--password", self.password]
        if self.certs:
            args += ["--cert", str(self.certs.cert), "--key", str(self.certs.key)]
        log = open(self.base / "stderr.txt", "ab")
        self.proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     stderr=log, start_new_session=True, cwd=self.base)
        log.close()
        line = read_port_line(self.proc, 60)
        if not line.startswith("PORT "):
            self.stop()
            raise RuntimeError(f"pyftpdlib did not report its port: {line!r}\n{self.log_tail()}")
        self.port = int(line.split()[1])
        self.greeting = wait_for_220(HOST, self.port, proc=self.proc)
        return self


SERVER_CLASSES = {c.name: c for c in (Vsftpd, Proftpd, PureFtpd, Pyftpdlib)}
