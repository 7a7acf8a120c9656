"""A tiny scripted FTP server (Python stdlib) on 127.0.0.1 for fault tests.

`ScriptedServer(script)` listens on an ephemeral port and runs
`script(conn, server)` on a thread for every control connection (the
plumbing is tests/support/scripted.py); `conn` is a `Control` with
`send(line)` / `recv_line()` helpers.  Every command line
received is appended to `server.commands`.
"""
from __future__ import annotations

import socket
import threading

from support.scripted import ThreadedServer


class Control:
    def __init__(self, sock: socket.socket, server: "ScriptedServer"):
        self.sock = sock
        self.server = server
        self.buf = b""

    def close(self):
        """Shut down (waking a script blocked in recv) and close."""
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        try:
            self.sock.close()
        except OSError:
            pass

    def send(self, line: str):
        self.sock.sendall(line.encode("latin-1") + b"\r\n")

    def recv_line(self) -> str | None:
        while b"\n" not in self.buf:
            try:
                chunk = self.sock.recv(4096)
            except OSError:
                return None
            if not chunk:
                return None
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        text = line.rstrip(b"\r").decode("latin-1")
        with self.server.lock:
            self.server.commands.append(text)
        return text


class ScriptedServer(ThreadedServer):
    join_timeout = 0     # close() does not wait for the scripts

    def __init__(self, script, host="127.0.0.1"):
        self.script = script
        self.commands: list[str] = []
        self.lock = threading.Lock()
        super().__init__(host, backlog=16)

    def wrap(self, sock, addr) -> Control:
        return Control(sock, self)

    def handle(self, c: Control):
        try:
            self.script(c, self)
        except OSError:
            pass


def basic_login(ctl: Control) -> str | None:
    """Greeting, then USER/PASS/FEAT/OPTS/TYPE/NOOP answered plainly until a
    command outside that set arrives, which is returned."""
    ctl.send("220 scripted fault server ready")
    while True:
        line = ctl.recv_line()
        if line is None:
            return None
        verb = line.split(" ", 1)[0].upper()
        if verb == "USER":
            ctl.send("331 password please")
        elif verb == "PASS":
            ctl.send("230 logged in")
        elif verb == "FEAT":
            ctl.send("211-Features:")
            ctl.send(" SIZE")
            ctl.send("211 End")
        elif verb == "OPTS":
            ctl.send("501 no options")
        elif verb == "TYPE":
            ctl.send("200 type set")
        elif verb == "NOOP":
            ctl.send("200 noop ok")
        elif verb == "QUIT":
            ctl.send("221 bye")
            return None
        else:
            return line
