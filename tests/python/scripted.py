"""A small scripted FTP server for what no real server does on purpose.

It runs in threads of the test process (pure Python; CFFI releases the GIL
during C calls).  It only ever listens on and connects to loopback.
"""
from __future__ import annotations

import ipaddress
import select
import socket
import threading
import time

from support.scripted import ThreadedServer

LOOPBACK = ("127.0.0.1", "::1")


def _assert_loopback(host: str):
    if not ipaddress.ip_address(host).is_loopback:
        raise AssertionError(f"scripted server refuses to connect to non-loopback {host}")


class Conn:
    """One control connection as the scripted server sees it."""

    def __init__(self, server: "ScriptedServer", sock: socket.socket, addr):
        self.server = server
        self.sock = sock
        self.addr = addr
        self.sock.settimeout(60)
        self.buf = b""
        self.oob: list[bytes] = []   # urgent (out-of-band) bytes, in order
        self.listener: socket.socket | None = None
        self.active_addr = None
        self.state = {}

    # -- control -----------------------------------------------------------
    def send(self, data):
        if isinstance(data, str):
            data = data.encode("latin-1")
        self.sock.sendall(data)

    def reply(self, text):
        self.send(text + "\r\n")

    def _poll_oob(self, timeout_ms):
        """Wait for data; read an urgent byte first if one is pending.

        Linux only lets MSG_OOB read the urgent byte until a normal read
        passes the urgent mark, so check for it before every recv()."""
        p = select.poll()
        p.register(self.sock, select.POLLIN | select.POLLPRI)
        ev = p.poll(timeout_ms)
        if ev and ev[0][1] & select.POLLPRI:
            old = self.sock.gettimeout()
            self.sock.settimeout(0)
            try:
                self.oob.append(self.sock.recv(1, socket.MSG_OOB))
            except OSError:
                pass
            finally:
                self.sock.settimeout(old)
        return bool(ev)

    def _readline_raw(self, limit=1 << 20) -> bytes:
        deadline = time.monotonic() + 60
        while b"\n" not in self.buf and len(self.buf) < limit:
            left = deadline - time.monotonic()
            if left <= 0:
                raise socket.timeout("scripted server: no line from the client")
            if not self._poll_oob(int(left * 1000)):
                continue
            self._poll_oob(0)
            chunk = self.sock.recv(65536)
            if not chunk:
                break
            self.buf += chunk
        i = self.buf.find(b"\n")
        if i < 0:
            line, self.buf = self.buf, b""
        else:
            line, self.buf = self.buf[:i + 1], self.buf[i + 1:]
        return line

    def readline(self) -> str | None:
        try:
            line = self._readline_raw()
        except OSError:
            return None
        if not line:
            return None
        raw = line
        # Drop Telnet IP / Synch (IAC IP IAC DM) that precede ABOR.
        s = line.decode("latin-1")
        s = s.lstrip("\xff\xf4\xf2")
        s = s.rstrip("\r\n")
        self.server.commands.append(s)
        self.server.raw_lines.append(raw)
        self.server.command_event.set()
        return s

    def close(self):
        # shutdown() wakes up a thread blocked in recv() on this socket.
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        for obj in (self.sock, self.listener):
            try:
                if obj is not None:
                    obj.close()
            except OSError:
                pass

    def wait_closed(self, timeout=60):
        """Block until the client closes the control connection."""
        self.sock.settimeout(timeout)
        try:
            while self.sock.recv(65536):
                pass
        except OSError:
            pass

    # -- data --------------------------------------------------------------
    def open_listener(self, bind_host="127.0.0.1"):
        fam = socket.AF_INET6 if ":" in bind_host else socket.AF_INET
        ls = socket.socket(fam, socket.SOCK_STREAM)
        ls.bind((bind_host, 0))
        ls.listen(1)
        ls.settimeout(60)
        if self.listener is not None:
            self.listener.close()
        self.listener = ls
        self.active_addr = None
        return ls.getsockname()[1]

    def pasv(self, reply_host="127.0.0.1", bind_host="127.0.0.1"):
        port = self.open_listener(bind_host)
        h = reply_host.replace(".", ",")
        self.reply(f"227 Entering Passive Mode ({h},{port >> 8},{port & 255}).")

    def epsv(self, bind_host=None):
        if bind_host is None:
            bind_host = self.sock.getsockname()[0]
        port = self.open_listener(bind_host)
        self.reply(f"229 Entering Extended Passive Mode (|||{port}|)")

    def port_cmd(self, arg):
        nums = [int(x) for x in arg.split(",")]
        host = ".".join(str(n) for n in nums[:4])
        _assert_loopback(host)
        self.active_addr = (host, nums[4] * 256 + nums[5])
        if self.listener is not None:
            self.listener.close()
            self.listener = None
        self.reply("200 PORT command successful.")

    def eprt_cmd(self, arg):
        d = arg[0]
        _, proto, host, port, _ = arg.split(d)
        _assert_loopback(host)
        self.active_addr = (host, int(port))
        if self.listener is not None:
            self.listener.close()
            self.listener = None
        self.reply("200 EPRT command successful.")

    def data_conn(self, timeout=60) -> socket.socket:
        if self.active_addr is not None:
            host, port = self.active_addr
            _assert_loopback(host)
            fam = socket.AF_INET6 if ":" in host else socket.AF_INET
            d = socket.socket(fam, socket.SOCK_STREAM)
            d.settimeout(timeout)
            d.connect((host, port))
            return d
        assert self.listener is not None, "no PASV/EPSV/PORT before the transfer"
        self.listener.settimeout(timeout)
        d, _ = self.listener.accept()
        d.settimeout(timeout)
        self.listener.close()
        self.listener = None
        return d


def recv_all(d: socket.socket) -> bytes:
    """Everything until EOF (or until the peer resets the connection)."""
    chunks = []
    while True:
        try:
            b = d.recv(65536)
        except ConnectionResetError:
            break
        if not b:
            break
        chunks.append(b)
    return b"".join(chunks)


class ScriptedServer(ThreadedServer):
    """Accepts connections on loopback and runs `handler(conn)` for each.

    With handler=None a small well-behaved FTP dialogue runs (see
    `serve_default`), customised by `overrides` {COMMAND: fn(conn, arg)}.
    A handler returning the string "stop" ends the dialogue.
    """

    def __init__(self, handler=None, overrides=None, host="127.0.0.1",
                 greeting="220 scripted server ready", files=None, listing=b"", port=0):
        self.handler = handler
        self.overrides = dict(overrides or {})
        self.greeting = greeting
        self.files = dict(files or {})
        self.listing = listing
        self.uploads: dict[str, bytes] = {}
        self.commands: list[str] = []
        self.raw_lines: list[bytes] = []
        self.command_event = threading.Event()
        self.accepted = threading.Event()
        super().__init__(host, port)

    # -- ThreadedServer --------------------------------------------------------
    def wrap(self, sock, addr) -> Conn:
        return Conn(self, sock, addr)

    def accepted_conn(self, c: Conn):
        self.accepted.set()

    def handle(self, c: Conn):
        if self.handler is not None:
            self.handler(c)
        else:
            self.serve_default(c)

    def wait_for_command(self, prefix, timeout=30):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if any(x.upper().startswith(prefix.upper()) for x in self.commands):
                return True
            self.command_event.wait(0.05)
            self.command_event.clear()
        return False

    def saw(self, prefix) -> bool:
        return any(x.upper().startswith(prefix.upper()) for x in self.commands)

    # -- a minimal well-behaved dialogue -----------------------------------
    def serve_default(self, c: Conn):
        if self.greeting is not None:
            c.reply(self.greeting)
        self.command_loop(c)

    def command_loop(self, c: Conn):
        """Answer commands (overrides first, then the defaults) until QUIT/EOF."""
        while True:
            line = c.readline()
            if line is None:
                return
            cmd, _, arg = line.partition(" ")
            cmd = cmd.upper()
            h = self.overrides.get(cmd)
            if h is not None:
                if h(c, arg) == "stop":
                    return
                continue
            if self.default_command(c, cmd, arg) == "stop":
                return

    def default_command(self, c: Conn, cmd: str, arg: str):
        if cmd == "USER":
            c.reply("331 Password required.")
        elif cmd == "PASS":
            c.reply("230 Logged in.")
        elif cmd == "ACCT":
            c.reply("230 Account ok.")
        elif cmd == "FEAT":
            c.reply("211-Features:\r\n SIZE\r\n MLST type*;size*;\r\n211 End")
        elif cmd in ("TYPE", "MODE", "STRU", "OPTS", "NOOP"):
            c.reply("200 OK.")
        elif cmd == "PWD":
            c.reply('257 "/" is the current directory.')
        elif cmd in ("CWD", "CDUP", "DELE", "RMD"):
            c.reply("250 OK.")
        elif cmd == "REST":
            c.state["rest"] = int(arg)
            c.reply(f"350 Restarting at {arg}.")
        elif cmd == "PASV":
            c.pasv()
        elif cmd == "EPSV":
            c.epsv()
        elif cmd == "PORT":
            c.port_cmd(arg)
        elif cmd == "EPRT":
            c.eprt_cmd(arg)
        elif cmd == "RETR":
            if arg not in self.files:
                c.reply("550 No such file.")
                return None
            data = self.files[arg][c.state.pop("rest", 0):]
            c.reply(f"150 Opening BINARY mode data connection for {arg} ({len(data)} bytes).")
            d = c.data_conn()
            d.sendall(data)
            d.close()
            c.reply("226 Transfer complete.")
        elif cmd in ("STOR", "APPE"):
            c.reply("150 Ok to send data.")
            d = c.data_conn()
            self.uploads[arg] = recv_all(d)
            d.close()
            c.reply("226 Transfer complete.")
        elif cmd in ("LIST", "NLST", "MLSD"):
            c.reply("150 Here comes the listing.")
            d = c.data_conn()
            d.sendall(self.listing)
            d.close()
            c.reply("226 Directory send OK.")
        elif cmd == "ABOR":
            c.reply("226 ABOR successful.")
        elif cmd == "QUIT":
            c.reply("221 Goodbye.")
            return "stop"
        else:
            c.reply(f"500 Unknown command {cmd}.")
        return None
