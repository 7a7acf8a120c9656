#!/usr/bin/env python3
"""ftpkit's side-by-side benchmark (issue 7).

Starts vsftpd (plain and FTPS) and pyftpdlib on 127.0.0.1, makes the test
files on tmpfs, and times every client as a whole process, interleaved
round-robin in the same run (A B C A B C ...) after one verify run that
checks the bytes, so the drift of a shared machine hits every client alike.
Reports median and best MB/s (or ops/s), spread, client CPU seconds
(user+sys) per GiB and peak RSS, as a Markdown table.

    python3 bench/run.py --build build                 # the full run
    python3 bench/run.py --build build --smoke         # seconds: CI keeps it working
    python3 bench/run.py --build build --tests retr-null,noop --reps 7

Nothing here asserts a speed; the numbers are for the README and the notes.
Traffic goes only to 127.0.0.1.
"""
from __future__ import annotations

import argparse
import hashlib
import os
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


class Servers:
    """vsftpd plain + explicit FTPS and pyftpdlib, all on 127.0.0.1."""

    def __init__(self, root: Path, work: Path, certs: tuple[Path, Path] | None):
        self.root, self.work, self.procs = root, work, []
        empty = work / "empty"
        empty.mkdir()
        self.vsftpd = self._vsftpd("plain", None)
        self.vsftpd_tls = self._vsftpd("tls", certs) if certs else None
        self.pyftpd = self._pyftpdlib()

    def _vsftpd(self, name: str, certs):
        for _ in range(5):
            port = free_port()
            conf = self.work / f"vsftpd-{name}.conf"
            lines = [
                "listen=YES", "listen_ipv6=NO", "listen_address=127.0.0.1",
                f"listen_port={port}", "background=NO", "anonymous_enable=YES",
                f"anon_root={self.root}", "no_anon_password=YES", "write_enable=YES",
                "anon_upload_enable=YES", "anon_mkdir_write_enable=YES",
                "anon_other_write_enable=YES", "local_enable=NO", "seccomp_sandbox=NO",
                "isolate=NO", "isolate_network=NO", f"secure_chroot_dir={self.work / 'empty'}",
                "xferlog_enable=NO", "pasv_enable=YES", "port_enable=YES",
                "max_per_ip=0", "max_clients=0",
            ]
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


@dataclass
class Result:
    client: str
    samples: list[Sample] = field(default_factory=list)
    failed: str = ""


TIME = shutil.which("time", path="/usr/bin:/bin")


def run_client(argv: list[str], env: dict | None = None, timeout: float = 600) -> Sample:
    """Run one client; wall time, CPU (user+sys, the client and its
    children) and peak RSS.  The RSS comes from GNU time, which forks the
    client from a small process: a child forked straight from this Python
    would inherit Python's high-water mark in ru_maxrss."""
    rss_file = tempfile.NamedTemporaryFile(prefix="ftpkit-bench-rss-", delete=False)
    rss_file.close()
    full = ([TIME, "-f", "%M", "-o", rss_file.name] if TIME else []) + argv
    t0 = time.perf_counter()
    p = subprocess.Popen(full, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                         env={**os.environ, **(env or {})})
    deadline = time.monotonic() + timeout
    while True:
        pid, status, ru = os.wait4(p.pid, os.WNOHANG)
        if pid:
            break
        if time.monotonic() > deadline:
            p.kill()
            raise RuntimeError(f"timed out: {argv[0]}")
        time.sleep(0.002)
    wall = time.perf_counter() - t0
    err = p.stderr.read().decode(errors="replace")
    p.stderr.close()
    try:
        rss = int(Path(rss_file.name).read_text().split()[-1]) if TIME else ru.ru_maxrss
    except (ValueError, IndexError):
        rss = 0
    os.unlink(rss_file.name)
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        raise RuntimeError(f"{' '.join(argv[:3])}... exit {code}: {err.strip()[-300:]}")
    return Sample(wall, ru.ru_utime + ru.ru_stime, rss)


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
        self.results: list[tuple[str, list[Result], str]] = []

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

    def measure(self, title: str, clients: dict, unit_bytes: int | None, ops: int | None,
                verify) -> None:
        """clients: name -> (argv, env).  Verify run first, then round-robin."""
        results = {name: Result(name) for name in clients}
        for name, (argv, env) in clients.items():
            try:
                run_client(argv, env)
                verify(name)
            except Exception as e:  # a client that fails is reported, not timed
                results[name].failed = str(e)[:200]
        live = [n for n in clients if not results[n].failed]
        for _ in range(self.args.reps):
            for name in live:
                argv, env = clients[name]
                try:
                    results[name].samples.append(run_client(argv, env))
                except Exception as e:
                    results[name].failed = str(e)[:200]
        self.results.append((title, list(results.values()),
                             "MB/s" if unit_bytes else "ops/s", unit_bytes or ops))
        print(self.table(*self.results[-1]), flush=True)

    @staticmethod
    def table(title, results, unit, amount) -> str:
        rows = [f"### {title}", "",
                f"| client | median {unit} | best {unit} | spread | CPU s/GiB | CPU s | peak RSS MiB |",
                "|---|---:|---:|---:|---:|---:|---:|"]
        for r in results:
            if r.failed or not r.samples:
                rows.append(f"| {r.client} | failed: {r.failed or 'no samples'} | | | | | |")
                continue
            rates = [amount / s.wall for s in r.samples]
            med = statistics.median(rates)
            spread = (max(rates) - min(rates)) / med * 100 if med else 0
            cpu = statistics.median(s.cpu for s in r.samples)
            scale = 1e6 if unit == "MB/s" else 1
            per_gib = f"{cpu / (amount / GIB):.3f}" if unit == "MB/s" else "-"
            rows.append(f"| {r.client} | {med / scale:,.0f} | {max(rates) / scale:,.0f} | "
                        f"{spread:.0f} % | {per_gib} | {cpu:.3f} | "
                        f"{max(s.rss_kib for s in r.samples) / 1024:.1f} |")
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
        }

        def verify(name):
            if digest and "raw" not in name and sha256(out) != digest:
                raise RuntimeError("downloaded bytes differ")
        where = "/dev/null" if target == "null" else "a tmpfs file"
        self.measure(f"RETR {size / MIB:,.0f} MiB → {where} (vsftpd)", clients, size, None, verify)

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
        }

        def verify(name):
            if "raw" not in name and sha256(self.root / up) != digest:
                raise RuntimeError("uploaded bytes differ")
        self.measure(f"STOR {size / MIB:,.0f} MiB from tmpfs (vsftpd)", clients, size, None, verify)

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
        }

        def verify(name):
            if sha256(Path(o)) != digest:
                raise RuntimeError("downloaded bytes differ")
        self.measure(f"FTPS RETR {size / MIB:,.0f} MiB, PROT P (vsftpd)", clients, size, None, verify)

    def noop(self):
        n = self.args.noops
        port = self.servers.vsftpd
        clients = {
            "ftplib": ([sys.executable, "-c", PY_NOOP, "127.0.0.1", str(port), str(n)], None),
            "C API": ([str(self.cbench), "127.0.0.1", str(port), "anonymous", "", "noop",
                       str(n)], None),
        }
        self.measure(f"{n:,} NOOP round trips on one session (vsftpd)", clients, None, n,
                     lambda name: None)

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

        def verify(name):
            for i in (0, n - 1):
                if (outdir / f"f{i}").read_bytes() != (d / f"f{i}").read_bytes():
                    raise RuntimeError(f"file f{i} differs")
            fresh()
        self.measure(f"{n:,} files of 1 KiB over one session (vsftpd)", clients, None, n, verify)


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


TESTS = ["retr-null", "retr-file", "stor", "ftps-retr", "noop", "small"]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--build", default="build", help="Meson build directory")
    ap.add_argument("--size", type=parse_size, default=GIB, help="transfer size (default 1G)")
    ap.add_argument("--reps", type=int, default=5, help="timed runs per client (default 5)")
    ap.add_argument("--noops", type=int, default=10000)
    ap.add_argument("--small", type=int, default=1000, help="number of 1 KiB files")
    ap.add_argument("--tests", default=",".join(TESTS), help="comma-separated: " + ",".join(TESTS))
    ap.add_argument("--smoke", action="store_true", help="tiny sizes, 1 rep: keeps the harness working")
    ap.add_argument("--out", help="also write the Markdown report here")
    args = ap.parse_args()
    if args.smoke:
        args.size, args.reps, args.noops, args.small = 8 * MIB, 1, 200, 20
    b = Bench(args)
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    try:
        for t in args.tests.split(","):
            {"retr-null": lambda: b.retr("null"), "retr-file": lambda: b.retr("file"),
             "stor": b.stor, "ftps-retr": b.ftps_retr, "noop": b.noop, "small": b.small}[t]()
    finally:
        b.close()
    failed = [r for _, rs, _, _ in b.results for r in rs if r.failed]
    report = [f"# ftpkit benchmark, {started}", "",
              f"Machine: {os.cpu_count()} cores, {platform_line()}; {args.reps} timed runs per "
              f"client after a verify run, interleaved round-robin.", ""]
    report += [Bench.table(*r) for r in b.results]
    text = "\n".join(report)
    if args.out:
        Path(args.out).write_text(text)
    if args.smoke:
        ftpkit_failed = [r for r in failed if "ftpkit" in r.client or "C API" in r.client]
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
