#!/usr/bin/env python3
"""ftpkit's side-by-side benchmark (issue 7).

Starts vsftpd (plain and FTPS) and pyftpdlib on 127.0.0.1, makes the test
files on tmpfs, and times every client as a whole process, interleaved
round-robin in the same run (A B C A B C ...) after one verify run that
checks the bytes, so the drift of a shared machine hits every client alike.
Reports median and best MB/s (or ops/s), spread, client CPU seconds
(user+sys) per GiB and peak RSS, as a Markdown table.

Tests (--tests): retr-null, retr-file (RETR to /dev/null / a tmpfs file),
stor, ftps-retr, noop, small (1 KiB files on one session), concurrent (N
sessions in one process, each fetching the same file: aggregate MB/s and
the process's open descriptors before/after; vsftpd runs behind a small
inetd here, since its own listen backlog of 32 loses connections in a
burst of 100), scaling (RETR of 1 MiB ...
1 GiB: wall, CPU and peak RSS per size, which must grow linearly / stay
flat), mlsd (an MLSD of a 100,000-entry directory on pyftpdlib, since
vsftpd has no MLSD: entries/s and peak RSS).

Clients: curl, lftp, Python's ftplib, the ftpkit CLI, bench/ftpkit_bench.c
(the C API), and the Python, Go (bench/go) and Rust (bench/rust) bindings.
The Go and Rust programs are built here, into <build>/bench/, when `go` /
`cargo` exist (else those clients are reported as skipped, not failed);
--no-bindings skips building them.

    python3 bench/run.py --build build                 # the full run (~20 min on 2
                                                       # busy cores; <= 3 GiB of /dev/shm)
    python3 bench/run.py --build build --smoke         # under a minute: keeps it working
    python3 bench/run.py --build build --tests retr-null,noop --reps 7

Nothing here asserts a speed; the numbers are for the README and the notes.
Traffic goes only to 127.0.0.1.
"""
from __future__ import annotations

import argparse
import hashlib
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
GIB = 1 << 30
MIB = 1 << 20


# --------------------------------------------------------------------------
# Servers

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_banner(port: int, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=2) as s:
                if s.recv(64).startswith(b"220"):
                    return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"no FTP server answered on port {port}")


# An inetd for vsftpd: accepts on 127.0.0.1 with a deep backlog and starts
# one `vsftpd CONF` (listen=NO: the session on stdin/stdout) per connection.
# Standalone vsftpd listens with a backlog of 32: a burst of 100 connects
# overflows it, and with SYN cookies a connection can then be lost after the
# client saw it established; the client waits for a 220 that never comes.
INETD = """
import os, socket, sys
conf = sys.argv[1]
s = socket.socket(); s.bind(('127.0.0.1', 0)); s.listen(1024); s.settimeout(1.0)
print(s.getsockname()[1], flush=True)
devnull = os.open(os.devnull, os.O_WRONLY)
while True:
    try:
        while os.waitpid(-1, os.WNOHANG)[0]:
            pass
    except ChildProcessError:
        pass
    try:
        c, _ = s.accept()
    except socket.timeout:
        continue
    fd = c.fileno()
    os.posix_spawn('/usr/sbin/vsftpd', ['vsftpd', conf], os.environ,
                   file_actions=[(os.POSIX_SPAWN_DUP2, fd, 0), (os.POSIX_SPAWN_DUP2, fd, 1),
                                 (os.POSIX_SPAWN_DUP2, devnull, 2)])
    c.close()
"""


class Servers:
    """vsftpd plain + explicit FTPS and pyftpdlib, all on 127.0.0.1; vsftpd
    behind a deep-backlog acceptor on demand (inetd_vsftpd)."""

    def __init__(self, root: Path, work: Path, certs: tuple[Path, Path] | None):
        self.root, self.work, self.procs = root, work, []
        empty = work / "empty"
        empty.mkdir()
        self.vsftpd = self._vsftpd("plain", None)
        self.vsftpd_tls = self._vsftpd("tls", certs) if certs else None
        self.pyftpd = self._pyftpdlib()
        self._inetd = None

    def inetd_vsftpd(self) -> int:
        """The port of plain vsftpd started per connection by INETD."""
        if self._inetd is None:
            conf = self.work / "vsftpd-inetd.conf"
            conf.write_text("\n".join(["listen=NO", "listen_ipv6=NO"] + self._common()) + "\n")
            p = subprocess.Popen([sys.executable, "-c", INETD, str(conf)],
                                 stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
            self.procs.append(p)
            self._inetd = int(p.stdout.readline())
            wait_banner(self._inetd)
        return self._inetd

    def _common(self) -> list[str]:
        return ["anonymous_enable=YES",
                f"anon_root={self.root}", "no_anon_password=YES", "write_enable=YES",
                "anon_upload_enable=YES", "anon_mkdir_write_enable=YES",
                "anon_other_write_enable=YES", "local_enable=NO", "seccomp_sandbox=NO",
                "isolate=NO", "isolate_network=NO", f"secure_chroot_dir={self.work / 'empty'}",
                "xferlog_enable=NO", "pasv_enable=YES", "port_enable=YES",
                "max_per_ip=0", "max_clients=0"]

    def _vsftpd(self, name: str, certs):
        for _ in range(5):
            port = free_port()
            conf = self.work / f"vsftpd-{name}.conf"
            lines = ["listen=YES", "listen_ipv6=NO", "listen_address=127.0.0.1",
                     f"listen_port={port}", "background=NO"] + self._common()
            if certs:
                # require_ssl_reuse stays NO here: Python's ftplib cannot
                # reuse TLS sessions and must be measured too.
                lines += ["ssl_enable=YES", "allow_anon_ssl=YES", "force_anon_logins_ssl=YES",
                          "force_anon_data_ssl=YES", f"rsa_cert_file={certs[0]}",
                          f"rsa_private_key_file={certs[1]}", "require_ssl_reuse=NO"]
            conf.write_text("\n".join(lines) + "\n")
            p = subprocess.Popen(["/usr/sbin/vsftpd", str(conf)], stdout=subprocess.DEVNULL,
                                 stderr=subprocess.DEVNULL)
            self.procs.append(p)
            try:
                wait_banner(port)
                return port
            except RuntimeError:
                p.kill()
        raise RuntimeError("vsftpd did not start")

    def _pyftpdlib(self):
        script = (
            "import sys\n"
            "from pyftpdlib.authorizers import DummyAuthorizer\n"
            "from pyftpdlib.handlers import FTPHandler\n"
            "from pyftpdlib.servers import FTPServer\n"
            "a = DummyAuthorizer(); a.add_user('bench', 'bench', sys.argv[1], perm='elradfmwMT')\n"
            "h = FTPHandler; h.authorizer = a\n"
            "s = FTPServer(('127.0.0.1', 0), h); s.max_cons = 0\n"
            "print(s.socket.getsockname()[1], flush=True)\n"
            "s.serve_forever()\n")
        p = subprocess.Popen([sys.executable, "-c", script, str(self.root)],
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        self.procs.append(p)
        port = int(p.stdout.readline())
        wait_banner(port)
        return port

    def stop(self):
        for p in self.procs:
            p.kill()
            p.wait()


def make_certs(work: Path) -> tuple[Path, Path, Path] | None:
    """A local CA and a server certificate for localhost/127.0.0.1."""
    if not shutil.which("openssl"):
        return None
    d = work / "pki"
    d.mkdir()
    run = lambda *a: subprocess.run(a, cwd=d, check=True, capture_output=True)
    run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key",
        "-out", "ca.pem", "-days", "2", "-subj", "/CN=ftpkit bench CA")
    run("openssl", "req", "-newkey", "rsa:2048", "-nodes", "-keyout", "srv.key", "-out",
        "srv.csr", "-subj", "/CN=localhost")
    (d / "ext").write_text("subjectAltName=DNS:localhost,IP:127.0.0.1\n")
    run("openssl", "x509", "-req", "-in", "srv.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
        "-CAcreateserial", "-out", "srv.pem", "-days", "2", "-extfile", "ext")
    return d / "srv.pem", d / "srv.key", d / "ca.pem"


# --------------------------------------------------------------------------
# Measurement

@dataclass
class Sample:
    wall: float
    cpu: float
    rss_kib: int
    out: str = ""  # the client's stdout and stderr, for the verify checks
    err: str = ""


@dataclass
class Result:
    client: str
    samples: list[Sample] = field(default_factory=list)
    failed: str = ""
    skipped: str = ""
    note: str = ""  # the note column (e.g. descriptors before/after)


@dataclass
class Table:
    title: str
    results: list[Result]
    unit: str  # "MB/s" (amount in bytes) or a count per second, e.g. "ops/s"
    amount: int
    note_header: str = ""


TIME = shutil.which("time", path="/usr/bin:/bin")


def run_client(argv: list[str], env: dict | None = None, timeout: float = 600) -> Sample:
    """Run one client; wall time, CPU (user+sys, the client and its
    children) and peak RSS.  The RSS comes from GNU time, which forks the
    client from a small process: a child forked straight from this Python
    would inherit Python's high-water mark in ru_maxrss."""
    rss_file = tempfile.NamedTemporaryFile(prefix="ftpkit-bench-rss-", delete=False)
    rss_file.close()
    full = ([TIME, "-f", "%M", "-o", rss_file.name] if TIME else []) + argv
    # Output goes to files, not pipes: a client printing a 100,000-line
    # listing would otherwise block on a full pipe that nobody reads.
    with tempfile.TemporaryFile() as out_f, tempfile.TemporaryFile() as err_f:
        t0 = time.perf_counter()
        p = subprocess.Popen(full, stdout=out_f, stderr=err_f,
                             env={**os.environ, **(env or {})})
        deadline = time.monotonic() + timeout
        while True:
            pid, status, ru = os.wait4(p.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() > deadline:
                p.kill()
                p.wait()
                raise RuntimeError(f"timed out: {argv[0]}")
            time.sleep(0.002)
        wall = time.perf_counter() - t0
        p.returncode = os.waitstatus_to_exitcode(status)  # reaped by wait4
        out_f.seek(0)
        err_f.seek(0)
        out = out_f.read().decode(errors="replace")
        err = err_f.read().decode(errors="replace")
    try:
        rss = int(Path(rss_file.name).read_text().split()[-1]) if TIME else ru.ru_maxrss
    except (ValueError, IndexError):
        rss = 0
    os.unlink(rss_file.name)
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        raise RuntimeError(f"{' '.join(argv[:3])}... exit {code}: {err.strip()[-300:]}")
    return Sample(wall, ru.ru_utime + ru.ru_stime, rss, out, err)


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(4 * MIB):
            h.update(chunk)
    return h.hexdigest()


# --------------------------------------------------------------------------
# Clients and tests

PY_RETR = """
import ftplib, sys
host, port, user, pw, path, out, tls, ca = sys.argv[1:9]
if tls == '1':
    import ssl
    ctx = ssl.create_default_context(cafile=ca)
    f = ftplib.FTP_TLS(context=ctx, timeout=120)
else:
    f = ftplib.FTP(timeout=120)
f.connect(host, int(port)); f.login(user, pw)
if tls == '1': f.prot_p()
with open(out, 'wb') as o:
    f.retrbinary('RETR ' + path, o.write, blocksize=65536)
f.quit()
"""

PY_BINDING_RETR = """
import sys
sys.path.insert(0, sys.argv[7])
import ftpkit
host, port, user, pw, path, out = sys.argv[1:7]
f = ftpkit.FTP(timeout=120)
f.connect(host, int(port)); f.login(user, pw)
with open(out, 'wb') as o:
    f.retrbinary('RETR ' + path, o.write, blocksize=65536)
f.quit()
"""

PY_STOR = """
import ftplib, sys
host, port, user, pw, path, src = sys.argv[1:7]
f = ftplib.FTP(timeout=120); f.connect(host, int(port)); f.login(user, pw)
with open(src, 'rb') as i:
    f.storbinary('STOR ' + path, i, blocksize=65536)
f.quit()
"""

PY_NOOP = """
import ftplib, sys
host, port, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
f = ftplib.FTP(timeout=120); f.connect(host, port); f.login()
for _ in range(n): f.voidcmd('NOOP')
f.quit()
"""

PY_SMALL = """
import ftplib, sys
host, port, d, n, out = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4]), sys.argv[5]
f = ftplib.FTP(timeout=120); f.connect(host, port); f.login()
for i in range(n):
    with open(f'{out}/f{i}', 'wb') as o:
        f.retrbinary(f'RETR {d}/f{i}', o.write, blocksize=65536)
f.quit()
"""

# N threads, each its own ftplib session, RETR into OUT: the Python side of
# the "concurrent" test; the result line matches ftpkit_bench's.
PY_CONCURRENT = """
import ftplib, os, sys, threading
host, port, user, pw, path, n, out = sys.argv[1:8]
n = int(n)
fds = lambda: len(os.listdir('/proc/self/fd')) - 1
before = fds()
got, errors = [0] * n, []
def one(i):
    try:
        f = ftplib.FTP(timeout=120); f.connect(host, int(port)); f.login(user, pw)
        with open(out, 'wb') as o:
            def write(b):
                got[i] += len(b)
                o.write(b)
            f.retrbinary('RETR ' + path, write, blocksize=65536)
        f.quit()
    except Exception as e:
        errors.append(repr(e))
ts = [threading.Thread(target=one, args=(i,)) for i in range(n)]
for t in ts: t.start()
for t in ts: t.join()
after = fds()
print(f'concurrent: {n} sessions, {len(errors)} failed, {sum(got)} bytes, '
      f'fds before {before} after {after}', file=sys.stderr)
sys.exit(1 if errors or after > before else 0)
"""

PY_MLSD = """
import ftplib, sys
host, port, user, pw, path = sys.argv[1:6]
f = ftplib.FTP(timeout=600); f.connect(host, int(port)); f.login(user, pw)
n = sum(1 for _ in f.mlsd(path))
f.quit()
print(f'mlsd: {n} entries', file=sys.stderr)
"""

PY_BINDING_MLSD = """
import sys
sys.path.insert(0, sys.argv[6])
import ftpkit
host, port, user, pw, path = sys.argv[1:6]
f = ftpkit.FTP(timeout=600); f.connect(host, int(port)); f.login(user, pw)
n = sum(1 for _ in f.mlsd(path))
f.quit()
print(f'mlsd: {n} entries', file=sys.stderr)
"""

CONCURRENT_RE = re.compile(r"concurrent: (\d+) sessions, (\d+) failed, (\d+) bytes, "
                           r"fds before (-?\d+) after (-?\d+)")
MLSD_RE = re.compile(r"mlsd: (\d+) entries")


def build_bindings(build: Path, skip: bool) -> dict[str, Path | str | Exception]:
    """Build bench/go and bench/rust into <build>/bench/.  Returns, per
    language ("go", "rust"), the program's path, the reason it is skipped
    (no toolchain, --no-bindings), or the build's error."""
    env = {**os.environ, "PKG_CONFIG_PATH": str(build / "meson-uninstalled"),
           "CGO_ENABLED": "1"}
    out: dict[str, Path | str | Exception] = {}
    go = shutil.which("go") or ("/usr/local/go/bin/go" if Path("/usr/local/go/bin/go").exists() else None)
    cargo = shutil.which("cargo") or next(
        (str(p) for p in [Path.home() / ".cargo/bin/cargo"] if p.exists()), None)
    cargo_build = [cargo, "build", "--release", "--quiet", "--locked",
                   "--manifest-path", str(HERE / "rust" / "Cargo.toml"),
                   "--target-dir", str(build / "bench" / "rust-target")]
    jobs = {
        "go": (go, [[go, "build", "-o", str(build / "bench" / "ftpkit-bench-go"), "."]],
               HERE / "go", build / "bench" / "ftpkit-bench-go"),
        # --offline first: the one crate it needs (pkg-config, for
        # ftpkit-sys's build script) is usually in the cargo cache already.
        "rust": (cargo, [cargo_build + ["--offline"], cargo_build], HERE / "rust",
                 build / "bench" / "rust-target" / "release" / "ftpkit-bench-rust"),
    }
    for lang, (tool, cmds, cwd, exe) in jobs.items():
        if skip:
            out[lang] = "skipped: --no-bindings"
            continue
        if not tool:
            out[lang] = f"skipped: no {'go' if lang == 'go' else 'cargo'} command"
            continue
        err = ""
        for cmd in cmds:
            t0 = time.monotonic()
            p = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=900)
            if p.returncode == 0 and exe.exists():
                print(f"bench: built {exe} in {time.monotonic() - t0:.0f} s", flush=True)
                out[lang] = exe
                break
            err = (p.stderr or p.stdout).strip()[-300:]
        else:
            # The toolchain is there, so a broken build is a failure.
            out[lang] = RuntimeError(f"{lang} build failed: {err}")
    return out


class Bench:
    def __init__(self, args):
        self.args = args
        self.build = Path(args.build).resolve()
        self.cli = self.build / "cli" / "ftpkit"
        self.cbench = self.build / "bench" / "ftpkit_bench"
        self.raw = self.build / "bench" / "rawtcp"
        for exe in (self.cli, self.cbench, self.raw):
            if not exe.exists():
                sys.exit(f"bench: {exe} not built (meson compile -C {self.build})")
        base = Path("/dev/shm") if Path("/dev/shm").is_dir() else None
        self.tmp = Path(tempfile.mkdtemp(prefix="ftpkit-bench-", dir=base))
        self.root = self.tmp / "root"
        (self.root / "pub").mkdir(parents=True)
        shutil.chown(self.root / "pub", "ftp") if _has_user("ftp") else None
        os.chmod(self.root / "pub", 0o777)
        self.work = self.tmp / "work"
        self.work.mkdir()
        self.out = self.tmp / "out"
        self.out.mkdir()
        certs = make_certs(self.work)
        self.ca = certs[2] if certs else None
        self.servers = Servers(self.root, self.work, certs[:2] if certs else None)
        self.results: list[Table | str] = []  # a str: a table in another shape (scaling)
        self.failures: list[Result] = []      # failed clients of those
        self.bindings = build_bindings(self.build, args.no_bindings)
        self.capi_env = {"LD_LIBRARY_PATH": str(self.build / "capi")}

    def close(self):
        self.servers.stop()
        shutil.rmtree(self.tmp, ignore_errors=True)

    # -- helpers
    def make_file(self, name: str, size: int) -> Path:
        p = self.root / name
        if not p.exists() or p.stat().st_size != size:
            block = os.urandom(MIB)
            with open(p, "wb") as f:
                left = size
                while left > 0:
                    f.write(block[: min(left, MIB)])
                    left -= MIB
        return p

    def url(self, port: int, path: str, scheme: str = "ftp") -> str:
        return f"{scheme}://127.0.0.1:{port}/{path}"

    def binding(self, lang: str, host: str, port: int, user: str, pw: str, *args: str,
                env: dict | None = None):
        """(argv, env) of the Go or Rust program, or the reason it cannot
        run: a str (skipped) or an exception (its build failed)."""
        exe = self.bindings[lang]
        if not isinstance(exe, Path):
            return exe
        return [str(exe), host, str(port), user, pw, *args], {**self.capi_env, **(env or {})}

    def measure(self, title: str, clients: dict, unit_bytes: int | None, ops: int | None,
                verify, unit: str = "ops/s", note_header: str = "", note=None,
                verify_clients: dict | None = None) -> Table:
        """clients: name -> (argv, env), or a str (the client is skipped, for
        that reason) or an exception (it failed before it could run).  One
        verify run each first (with verify_clients' argv where given), then
        `--reps` timed runs round-robin.  verify(name, sample) raises if the
        run did not do its job; note(sample) makes the note column."""
        results = {name: Result(name) for name in clients}
        for name, c in clients.items():
            if isinstance(c, str):
                results[name].skipped = c
                continue
            if isinstance(c, BaseException):
                results[name].failed = str(c)[:200]
                continue
            argv, env = (verify_clients or {}).get(name, c)
            try:
                sample = run_client(argv, env)
                verify(name, sample)
            except Exception as e:  # a client that fails is reported, not timed
                results[name].failed = str(e)[:200]
        live = [n for n in clients if not results[n].failed and not results[n].skipped]
        for _ in range(self.args.reps):
            for name in live:
                argv, env = clients[name]
                try:
                    sample = run_client(argv, env)
                    results[name].samples.append(sample)
                    if note:
                        results[name].note = note(sample)
                except Exception as e:
                    results[name].failed = str(e)[:200]
        table = Table(title, list(results.values()), "MB/s" if unit_bytes else unit,
                      unit_bytes or ops, note_header)
        self.results.append(table)
        print(self.table(table), flush=True)
        return table

    @staticmethod
    def table(t: Table) -> str:
        unit = t.unit
        extra = f" {t.note_header} |" if t.note_header else ""
        rows = [f"### {t.title}", "",
                f"| client | median {unit} | best {unit} | spread | CPU s/GiB | CPU s | peak RSS MiB |{extra}",
                "|---|---:|---:|---:|---:|---:|---:|" + ("---|" if extra else "")]
        pad = " |" if extra else ""
        for r in t.results:
            if r.skipped:
                rows.append(f"| {r.client} | {r.skipped} | | | | | |{pad}")
                continue
            if r.failed or not r.samples:
                rows.append(f"| {r.client} | failed: {r.failed or 'no samples'} | | | | | |{pad}")
                continue
            rates = [t.amount / s.wall for s in r.samples]
            med = statistics.median(rates)
            spread = (max(rates) - min(rates)) / med * 100 if med else 0
            cpu = statistics.median(s.cpu for s in r.samples)
            scale = 1e6 if unit == "MB/s" else 1
            per_gib = f"{cpu / (t.amount / GIB):.3f}" if unit == "MB/s" else "-"
            note = f" {r.note} |" if extra else ""
            rows.append(f"| {r.client} | {med / scale:,.0f} | {max(rates) / scale:,.0f} | "
                        f"{spread:.0f} % | {per_gib} | {cpu:.3f} | "
                        f"{max(s.rss_kib for s in r.samples) / 1024:.1f} |{note}")
        return "\n".join(rows) + "\n"

    # -- the tests
    def retr(self, target: str):
        size = self.args.size
        src = self.make_file("data.bin", size)
        digest = sha256(src) if target == "file" else None
        port = self.servers.vsftpd
        out = Path("/dev/null") if target == "null" else self.out / "data.out"
        o = str(out)
        clients = {
            "raw TCP (ceiling)": ([str(self.raw), str(size)], None),
            "curl": (["curl", "-sS", "-o", o, self.url(port, "data.bin")], None),
            "lftp": (["lftp", "-c", f"set cmd:fail-exit yes; set xfer:clobber on; "
                      f"open -p {port} 127.0.0.1; get data.bin -o {o}"], None),
            "ftplib (64 KiB)": ([sys.executable, "-c", PY_RETR, "127.0.0.1", str(port),
                                 "anonymous", "", "data.bin", o, "0", ""], None),
            "Python binding (64 KiB)": ([sys.executable, "-c", PY_BINDING_RETR, "127.0.0.1",
                                         str(port), "anonymous", "", "data.bin", o,
                                         str(HERE.parent / "bindings" / "python")],
                                        {"FTPKIT_LIBRARY": str(self.build / "capi" / "libftpkit.so")}),
            "ftpkit CLI": ([str(self.cli), "get", "-q", self.url(port, "data.bin"), "-o", o], None),
            "C API, callback": ([str(self.cbench), "127.0.0.1", str(port), "anonymous", "",
                                 "retr-cb", "data.bin", o], None),
            "C API, ftp_retr_fd": ([str(self.cbench), "127.0.0.1", str(port), "anonymous", "",
                                    "retr-fd", "data.bin", o], None),
            "Go binding (RetrTo io.Writer)": self.binding("go", "127.0.0.1", port, "anonymous", "",
                                                          "retr-cb", "data.bin", o),
            "Go binding (RetrTo *os.File)": self.binding("go", "127.0.0.1", port, "anonymous", "",
                                                         "retr-fd", "data.bin", o),
            "Rust binding (retr into File)": self.binding("rust", "127.0.0.1", port, "anonymous", "",
                                                          "retr-cb", "data.bin", o),
            "Rust binding (retr_fd)": self.binding("rust", "127.0.0.1", port, "anonymous", "",
                                                   "retr-fd", "data.bin", o),
        }

        def verify(name, _sample):
            if digest and "raw" not in name and sha256(out) != digest:
                raise RuntimeError("downloaded bytes differ")
        where = "/dev/null" if target == "null" else "a tmpfs file"
        self.measure(f"RETR {size / MIB:,.0f} MiB → {where} (vsftpd)", clients, size, None, verify)
        if target == "file":
            out.unlink(missing_ok=True)  # tmpfs is memory

    def stor(self):
        size = self.args.size
        src = self.make_file("upload-src.bin", size)
        digest = sha256(src)
        port = self.servers.vsftpd
        up = "pub/up.bin"
        clients = {
            "raw TCP (ceiling)": ([str(self.raw), str(size)], None),
            "curl": (["curl", "-sS", "-T", str(src), self.url(port, up)], None),
            "lftp": (["lftp", "-c", f"set cmd:fail-exit yes; open -p {port} 127.0.0.1; "
                      f"put {src} -o {up}"], None),
            "ftplib (64 KiB)": ([sys.executable, "-c", PY_STOR, "127.0.0.1", str(port),
                                 "anonymous", "", up, str(src)], None),
            "ftpkit CLI": ([str(self.cli), "put", "-q", str(src), self.url(port, up)], None),
            "C API, callback": ([str(self.cbench), "127.0.0.1", str(port), "anonymous", "",
                                 "stor-cb", up, str(src)], None),
            "C API, ftp_stor_fd": ([str(self.cbench), "127.0.0.1", str(port), "anonymous", "",
                                    "stor-fd", up, str(src)], None),
            "Go binding (Stor io.Reader)": self.binding("go", "127.0.0.1", port, "anonymous", "",
                                                        "stor-cb", up, str(src)),
            "Go binding (Stor *os.File)": self.binding("go", "127.0.0.1", port, "anonymous", "",
                                                       "stor-fd", up, str(src)),
            "Rust binding (stor from File)": self.binding("rust", "127.0.0.1", port, "anonymous", "",
                                                          "stor-cb", up, str(src)),
            "Rust binding (stor_fd)": self.binding("rust", "127.0.0.1", port, "anonymous", "",
                                                   "stor-fd", up, str(src)),
        }

        def verify(name, _sample):
            if "raw" not in name and sha256(self.root / up) != digest:
                raise RuntimeError("uploaded bytes differ")
        self.measure(f"STOR {size / MIB:,.0f} MiB from tmpfs (vsftpd)", clients, size, None, verify)
        (self.root / up).unlink(missing_ok=True)
        src.unlink()

    def ftps_retr(self):
        if not self.servers.vsftpd_tls:
            print("FTPS: skipped (no openssl)\n")
            return
        size = self.args.size
        src = self.make_file("data.bin", size)
        port, ca = self.servers.vsftpd_tls, str(self.ca)
        o = str(self.out / "data-tls.out")
        digest = sha256(src)
        env = {"FTPKIT_BENCH_TLS": "explicit", "FTPKIT_BENCH_CA": ca}
        clients = {
            "curl": (["curl", "-sS", "--ssl-reqd", "--cacert", ca, "-o", o,
                      f"ftp://localhost:{port}/data.bin"], None),
            "lftp": (["lftp", "-c", f"set cmd:fail-exit yes; set xfer:clobber on; "
                      f"set ftp:ssl-force true; set ftp:ssl-protect-data true; "
                      f"set ftp:ssl-allow-anonymous true; "
                      f"set ssl:ca-file {ca}; open -p {port} localhost; get data.bin -o {o}"], None),
            "ftplib (64 KiB)": ([sys.executable, "-c", PY_RETR, "localhost", str(port),
                                 "anonymous", "", "data.bin", o, "1", ca], None),
            "ftpkit CLI": ([str(self.cli), "get", "-q", "--ssl-reqd", "--cacert", ca,
                            f"ftp://localhost:{port}/data.bin", "-o", o], None),
            "C API, callback": ([str(self.cbench), "localhost", str(port), "anonymous", "",
                                 "retr-cb", "data.bin", o], env),
            "Go binding (RetrTo io.Writer)": self.binding("go", "localhost", port, "anonymous", "",
                                                          "retr-cb", "data.bin", o, env=env),
            "Rust binding (retr into File)": self.binding("rust", "localhost", port, "anonymous",
                                                          "", "retr-cb", "data.bin", o, env=env),
        }

        def verify(name, _sample):
            if sha256(Path(o)) != digest:
                raise RuntimeError("downloaded bytes differ")
        self.measure(f"FTPS RETR {size / MIB:,.0f} MiB, PROT P (vsftpd)", clients, size, None, verify)
        Path(o).unlink(missing_ok=True)

    def noop(self):
        n = self.args.noops
        port = self.servers.vsftpd
        clients = {
            "ftplib": ([sys.executable, "-c", PY_NOOP, "127.0.0.1", str(port), str(n)], None),
            "C API": ([str(self.cbench), "127.0.0.1", str(port), "anonymous", "", "noop",
                       str(n)], None),
        }
        self.measure(f"{n:,} NOOP round trips on one session (vsftpd)", clients, None, n,
                     lambda name, sample: None)

    def small(self):
        n = self.args.small
        port = self.servers.vsftpd
        d = self.root / "small"
        d.mkdir(exist_ok=True)
        for i in range(n):
            (d / f"f{i}").write_bytes(os.urandom(1024))
        outdir = self.out / "small"

        def fresh():
            shutil.rmtree(outdir, ignore_errors=True)
            outdir.mkdir()
        fresh()
        urls = [self.url(port, f"small/f{i}") for i in range(n)]
        clients = {
            "curl": (["curl", "-sS", f"ftp://127.0.0.1:{port}/small/f[0-{n - 1}]",
                      "-o", f"{outdir}/f#1"], None),
            "ftplib": ([sys.executable, "-c", PY_SMALL, "127.0.0.1", str(port), "small", str(n),
                        str(outdir)], None),
            "ftpkit CLI": ([str(self.cli), "get", "-q", "-O", str(outdir)] + urls, None),
            "C API": ([str(self.cbench), "127.0.0.1", str(port), "anonymous", "", "small",
                       "small", str(n), str(outdir)], None),
            "C API, ftp_retr_files x8": ([str(self.cbench), "127.0.0.1", str(port), "anonymous",
                                          "", "pool", "small", str(n), str(outdir), "8"], None),
        }

        def verify(name, _sample):
            for i in (0, n - 1):
                if (outdir / f"f{i}").read_bytes() != (d / f"f{i}").read_bytes():
                    raise RuntimeError(f"file f{i} differs")
            fresh()
        self.measure(f"{n:,} files of 1 KiB over one session (vsftpd)", clients, None, n, verify)

    def concurrent(self):
        """N sessions in one process, each RETR of the same file to
        /dev/null: aggregate MB/s = N x size / wall, and the process's open
        descriptors before and after (a leak fails the client)."""
        n, size = self.args.sessions, self.args.session_size
        self.make_file("conc.bin", size)
        port = self.servers.inetd_vsftpd()
        host, o = "127.0.0.1", "/dev/null"
        prog = lambda lang: self.binding(lang, host, port, "anonymous", "", "concurrent",
                                         "conc.bin", str(n), o)
        curl = ["curl", "-sS", "--parallel", "--parallel-max", str(n), "--parallel-immediate",
                "-w", "%{size_download}\n"]
        for _ in range(n):
            curl += ["-o", o, self.url(port, "conc.bin")]
        clients = {
            "C API (threads)": ([str(self.cbench), host, str(port), "anonymous", "", "concurrent",
                                 "conc.bin", str(n), o], None),
            "Go binding (goroutines)": prog("go"),
            "Rust binding (threads)": prog("rust"),
            "ftplib (threads, 64 KiB)": ([sys.executable, "-c", PY_CONCURRENT, host, str(port),
                                          "anonymous", "", "conc.bin", str(n), o], None),
            "curl --parallel": (curl, None),
        }

        def verify(name, sample):
            if name.startswith("curl"):
                sizes = [int(x) for x in sample.out.split()]
                if len(sizes) != n or sum(sizes) != n * size:
                    raise RuntimeError(f"curl moved {sum(sizes)} bytes in {len(sizes)} transfers")
                return
            m = CONCURRENT_RE.search(sample.err)
            if not m or int(m[2]) or int(m[3]) != n * size or int(m[5]) > int(m[4]):
                raise RuntimeError(f"bad result line: {sample.err.strip()[-200:]}")

        def note(sample):
            m = CONCURRENT_RE.search(sample.err)
            return f"{m[4]} → {m[5]}" if m else "n/a"
        self.measure(f"{n} concurrent sessions × {size / MIB:,.0f} MiB → /dev/null, one process "
                     f"(vsftpd, inetd-style; MB/s = {n} × size / wall)", clients, n * size, None, verify,
                     note_header="fds before → after", note=note)

    def scaling(self):
        """RETR of growing files to /dev/null: cost must grow linearly and
        the peak RSS must stay flat.  One table, a row per client and size;
        the verify run of each goes to a tmpfs file whose hash is checked."""
        port, host = self.servers.vsftpd, "127.0.0.1"
        check = self.out / "scale.out"
        rows: list[tuple[str, int, Result]] = []
        for size in self.args.scale_sizes:
            name = f"scale-{size}.bin"
            src = self.make_file(name, size)
            digest = sha256(src)

            def clients_for(o):
                return {
                    "C API, ftp_retr_fd": ([str(self.cbench), host, str(port), "anonymous", "",
                                            "retr-fd", name, o], None),
                    "C API, callback": ([str(self.cbench), host, str(port), "anonymous", "",
                                         "retr-cb", name, o], None),
                    "ftpkit CLI": ([str(self.cli), "get", "-q", self.url(port, name), "-o", o], None),
                    "curl": (["curl", "-sS", "-o", o, self.url(port, name)], None),
                }

            def verify(_name, _sample):
                if sha256(check) != digest:
                    raise RuntimeError("downloaded bytes differ")
            t = self.measure(f"scaling: RETR {fmt_size(size)} → /dev/null (vsftpd)",
                             clients_for("/dev/null"), size, None, verify,
                             verify_clients=clients_for(str(check)))
            self.results.pop()  # reported below, in one table
            rows += [(r.client, size, r) for r in t.results]
            src.unlink()
        check.unlink(missing_ok=True)
        lines = ["### scaling: RETR of growing files → /dev/null (vsftpd)", "",
                 "| client | size | median wall s | median MB/s | CPU s | CPU s/GiB | peak RSS MiB |",
                 "|---|---:|---:|---:|---:|---:|---:|"]
        order = {c: i for i, c in enumerate(dict.fromkeys(c for c, _, _ in rows))}
        for client, size, r in sorted(rows, key=lambda x: (order[x[0]], x[1])):
            if r.failed or not r.samples:
                lines.append(f"| {client} | {fmt_size(size)} | failed: {r.failed or 'no samples'} "
                             f"| | | | |")
                continue
            wall = statistics.median(s.wall for s in r.samples)
            cpu = statistics.median(s.cpu for s in r.samples)
            rss = max(s.rss_kib for s in r.samples) / 1024
            lines.append(f"| {client} | {fmt_size(size)} | {wall:.3f} | {size / wall / 1e6:,.0f} | "
                         f"{cpu:.3f} | {cpu / (size / GIB):.3f} | {rss:.1f} |")
        text = "\n".join(lines) + "\n"
        self.results.append(text)
        self.failures += [r for _, _, r in rows if r.failed]
        print(text, flush=True)

    def mlsd(self):
        """MLSD of a directory of --entries empty files.  vsftpd has no
        MLSD, so this one runs against pyftpdlib (whose own speed, one
        Python thread, is likely the ceiling).  curl has no MLSD: its NLST
        (`curl -l`) is shown for reference."""
        n = self.args.entries
        port, host = self.servers.pyftpd, "127.0.0.1"
        d = self.root / "many"
        if not d.is_dir() or len(os.listdir(d)) != n:
            shutil.rmtree(d, ignore_errors=True)
            d.mkdir()
            for i in range(n):
                os.close(os.open(d / f"entry-{i:06d}", os.O_WRONLY | os.O_CREAT, 0o644))
        user = pw = "bench"
        pybind = str(HERE.parent / "bindings" / "python")
        lib_env = {"FTPKIT_LIBRARY": str(self.build / "capi" / "libftpkit.so")}
        url = f"ftp://bench:bench@127.0.0.1:{port}/many/"
        clients = {
            "C API (ftp_mlsd)": ([str(self.cbench), host, str(port), user, pw, "mlsd", "many"], None),
            "Go binding (Conn.MLSD)": self.binding("go", host, port, user, pw, "mlsd", "many"),
            "Rust binding (mlsd_each)": self.binding("rust", host, port, user, pw, "mlsd", "many"),
            "Python binding (mlsd)": ([sys.executable, "-c", PY_BINDING_MLSD, host, str(port), user,
                                       pw, "many", pybind], lib_env),
            "ftplib (mlsd)": ([sys.executable, "-c", PY_MLSD, host, str(port), user, pw, "many"], None),
            "lftp (cls, uses MLSD)": (["lftp", "-c", f"set cmd:fail-exit yes; set ftp:use-mlsd yes; "
                                       f"open -u {user},{pw} -p {port} {host}; cls -1 many"], None),
            "curl -l (NLST, not MLSD)": (["curl", "-sS", "-l", url], None),
        }

        def count(name, sample):
            if name.startswith(("curl", "lftp")):
                return sum(1 for line in sample.out.splitlines() if "entry-" in line)
            m = MLSD_RE.search(sample.err)
            return int(m[1]) if m else -1

        def verify(name, sample):
            got = count(name, sample)
            # MLSD may add "." (type=cdir) and ".." (type=pdir): at most 2 more.
            if not n <= got <= n + 2:
                raise RuntimeError(f"listed {got} entries, expected {n}")
        self.measure(f"MLSD of {n:,} entries (pyftpdlib; vsftpd has no MLSD)", clients, None, n,
                     verify, unit="entries/s")


def fmt_size(size: int) -> str:
    return f"{size / GIB:g} GiB" if size >= GIB else f"{size / MIB:g} MiB"


def _has_user(name: str) -> bool:
    try:
        import pwd
        pwd.getpwnam(name)
        return True
    except KeyError:
        return False


def parse_size(text: str) -> int:
    units = {"K": 1 << 10, "M": MIB, "G": GIB}
    t = text.strip().upper().rstrip("IB")
    return int(float(t[:-1]) * units[t[-1]]) if t[-1] in units else int(t)


TESTS = ["retr-null", "retr-file", "stor", "ftps-retr", "noop", "small", "concurrent", "scaling",
         "mlsd"]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--build", default="build", help="Meson build directory")
    ap.add_argument("--size", type=parse_size, default=GIB, help="transfer size (default 1G)")
    ap.add_argument("--reps", type=int, default=5, help="timed runs per client (default 5)")
    ap.add_argument("--noops", type=int, default=10000)
    ap.add_argument("--small", type=int, default=1000, help="number of 1 KiB files")
    ap.add_argument("--sessions", type=int, default=100,
                    help="concurrent: sessions in one process (default 100)")
    ap.add_argument("--session-size", type=parse_size, default=64 * MIB,
                    help="concurrent: bytes each session fetches (default 64M)")
    ap.add_argument("--scale-sizes", type=lambda t: [parse_size(x) for x in t.split(",")],
                    default=[MIB, 16 * MIB, 256 * MIB, GIB],
                    help="scaling: comma-separated sizes (default 1M,16M,256M,1G)")
    ap.add_argument("--entries", type=int, default=100_000,
                    help="mlsd: entries in the listed directory (default 100000)")
    ap.add_argument("--no-bindings", action="store_true",
                    help="do not build the Go and Rust clients (they are reported as skipped)")
    ap.add_argument("--tests", default=",".join(TESTS), help="comma-separated: " + ",".join(TESTS))
    ap.add_argument("--smoke", action="store_true", help="tiny sizes, 1 rep: keeps the harness working")
    ap.add_argument("--out", help="also write the Markdown report here")
    args = ap.parse_args()
    if args.smoke:
        args.size, args.reps, args.noops, args.small = 8 * MIB, 1, 200, 20
        args.sessions, args.session_size = 10, MIB
        args.scale_sizes, args.entries = [MIB, 4 * MIB], 2000
    for t in args.tests.split(","):
        if t not in TESTS:
            ap.error(f"unknown test {t!r}; known: {','.join(TESTS)}")
    b = Bench(args)
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    try:
        for t in args.tests.split(","):
            {"retr-null": lambda: b.retr("null"), "retr-file": lambda: b.retr("file"),
             "stor": b.stor, "ftps-retr": b.ftps_retr, "noop": b.noop, "small": b.small,
             "concurrent": b.concurrent, "scaling": b.scaling, "mlsd": b.mlsd}[t]()
    finally:
        b.close()
    failed = [r for t in b.results if isinstance(t, Table) for r in t.results if r.failed]
    failed += b.failures
    report = [f"# ftpkit benchmark, {started}", "",
              f"Machine: {os.cpu_count()} cores, {platform_line()}; {args.reps} timed runs per "
              f"client after a verify run, interleaved round-robin.", ""]
    report += [Bench.table(t) if isinstance(t, Table) else t for t in b.results]
    text = "\n".join(report)
    if args.out:
        Path(args.out).write_text(text)
    if args.smoke:
        ftpkit_failed = [r for r in failed
                         if any(k in r.client for k in ("ftpkit", "C API", "binding"))]
        for r in ftpkit_failed:
            print(f"bench smoke: {r.client}: {r.failed}")
        print(f"bench smoke: {len(ftpkit_failed)} ftpkit client(s) failed")
        return 1 if ftpkit_failed else 0
    return 0


def platform_line() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown CPU"


if __name__ == "__main__":
    sys.exit(main())
