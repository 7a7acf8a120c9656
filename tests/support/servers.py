"""Real FTP servers run as subprocesses on loopback, for the pytest suites:
the pieces every launcher needs.

  free_port()        an ephemeral port (bind to port 0, then close)
  wait_for_220()     poll until a server greets with a complete 220 reply
                     (inside TLS first for implicit FTPS)
  read_port_line()   the "PORT <n>" line a pyftpdlib helper script prints
  stop_process()     SIGTERM, then SIGKILL after 10 s, and reap
  vsftpd_conf()      the vsftpd settings every suite's server shares
  launch_vsftpd()    vsftpd in the foreground on a free port, retried when
                     the port was taken meanwhile, awaited until it says 220

Only 127.0.0.1 / ::1 are ever used.
"""
from __future__ import annotations

import shutil
import socket
import ssl
import subprocess
import threading
import time
from pathlib import Path
from typing import Callable

HOST = "127.0.0.1"
VSFTPD = shutil.which("vsftpd") or "/usr/sbin/vsftpd"


def free_port(host: str = HOST) -> int:
    """A port of `host` that was free a moment ago (the kernel's pick)."""
    fam = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(fam, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def wait_for_220(host: str, port: int, timeout: float = 30.0, proc=None,
                 implicit: bool = False) -> str:
    """Poll until host:port sends a complete 220 reply (inside TLS, without
    verifying the certificate, when `implicit`); say QUIT and return the
    reply's lines.  RuntimeError when `proc` exits first or time runs out."""
    deadline = time.monotonic() + timeout
    ctx = None
    if implicit:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
    last: object = None
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"server exited with status {proc.returncode} before answering")
        try:
            with socket.create_connection((host, port), timeout=5) as raw:
                s = ctx.wrap_socket(raw) if ctx else raw
                f = s.makefile("rb")
                lines: list[str] = []
                while True:
                    line = f.readline(8192)
                    if not line:
                        last = lines or "connection closed"
                        break
                    lines.append(line.decode("latin-1").rstrip("\r\n"))
                    if not (line[:3].isdigit() and line[3:4] == b" "):
                        continue          # a continuation line
                    if line[:3] == b"220":
                        try:
                            s.sendall(b"QUIT\r\n")
                            f.readline(8192)
                        except OSError:
                            pass
                        return "\n".join(lines)
                    last = lines          # 120 or an error: try again
                    break
        except (OSError, ssl.SSLError) as e:
            last = e
        time.sleep(0.1)
    raise RuntimeError(f"no 220 from {host}:{port} within {timeout:.0f}s (last: {last!r})")


def read_port_line(proc: subprocess.Popen, timeout: float) -> str:
    """The first line `proc` writes to its stdout pipe ("PORT <n>" from the
    pyftpdlib helper scripts), or "" if none comes within `timeout`."""
    out: list[str] = []
    t = threading.Thread(target=lambda: out.append(proc.stdout.readline().decode(errors="replace")),
                         daemon=True)
    t.start()
    t.join(timeout)
    return out[0] if out else ""


def stop_process(proc: subprocess.Popen | None):
    """SIGTERM `proc` if it still runs, SIGKILL after 10 s, and reap it."""
    if proc is None or proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(10)


def vsftpd_conf(base: Path, host: str, port: int) -> dict[str, str]:
    """vsftpd settings shared by the suites' servers: in the foreground on
    host:port, no sandbox (runs in containers), anonymous writers allowed,
    the protocol logged to base/vsftpd.log, no connection limits.  The
    caller adds its users and roots (base/empty must exist: the secure
    chroot directory)."""
    v6 = ":" in host
    return {
        "listen": "NO" if v6 else "YES",
        "listen_ipv6": "YES" if v6 else "NO",
        ("listen_address6" if v6 else "listen_address"): host,
        "listen_port": str(port),
        "background": "NO",
        "anonymous_enable": "YES",
        "write_enable": "YES",
        "anon_upload_enable": "YES",
        "anon_mkdir_write_enable": "YES",
        "anon_other_write_enable": "YES",
        "seccomp_sandbox": "NO",
        "isolate": "NO",
        "isolate_network": "NO",
        "secure_chroot_dir": str(base / "empty"),
        "connect_from_port_20": "NO",
        "vsftpd_log_file": str(base / "vsftpd.log"),
        "dual_log_enable": "YES",
        "log_ftp_protocol": "YES",
        "max_clients": "0",
        "max_per_ip": "0",
    }


def launch_vsftpd(base: Path, host: str, conf: Callable[[int], dict], *, implicit=False,
                  timeout: float = 20, attempts: int = 8):
    """Start vsftpd with base/vsftpd.conf written from conf(port) for a free
    port, its output appended to base/stderr.txt; retried on another port
    when it does not answer 220.  Returns (proc, port, stderr file object,
    greeting); the caller closes the file after stop_process(proc)."""
    err = None
    for _ in range(attempts):
        port = free_port(host)
        path = base / "vsftpd.conf"
        path.write_text("".join(f"{k}={v}\n" for k, v in conf(port).items()))
        errf = open(base / "stderr.txt", "ab")
        proc = subprocess.Popen([VSFTPD, str(path)], stdin=subprocess.DEVNULL,
                                stdout=errf, stderr=errf)
        try:
            greeting = wait_for_220(host, port, timeout, proc, implicit=implicit)
            return proc, port, errf, greeting
        except RuntimeError as e:
            err = e
            stop_process(proc)
            errf.close()
    raise RuntimeError(f"vsftpd did not start: {err}; "
                       f"{(base / 'stderr.txt').read_text(errors='replace')}")
