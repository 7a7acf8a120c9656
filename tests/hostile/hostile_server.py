#!/usr/bin/env python3
"""A scripted, misbehaving FTP server for ftpkit's hostile-server tests.

Python standard library only.  It listens on 127.0.0.1 (an ephemeral port)
and never connects anywhere: data connections are passive only, accepted on
listeners bound to 127.0.0.1.

Usage: hostile_server.py < SCRIPT_JSON

A scenario is a script read from stdin: a JSON list of steps `[op, arg...]` run in order on
the first control connection.  Byte strings are JSON strings holding one
character per byte (latin-1), so any byte (NUL, 0xFF, bare LF) can be sent.
When the script ends (and unless it closed the connection) the server falls
back to a tiny well-behaved FTP server (`serve`) so that the tests can check
whether the client's session is still usable.

Steps:
  ["send", bytes]                  send raw bytes on the control connection
  ["expect", verb]                 read commands until one that is not TYPE
                                   (TYPE is answered "200"); log a mismatch
  ["sleep", seconds]
  ["mark", name]                   print an event the test can wait for
  ["epsv", fmt]                    expect EPSV, open a data listener, send
                                   fmt (line end included) with {port},
                                   {p1}, {p2}, {p1_wrapped} (p1 + 256),
                                   {p2_wrapped}, {port_wrapped} (+ 65536)
  ["pasv", fmt]                    expect PASV (an EPSV first is refused with
                                   500), open a data listener, send fmt
  ["accept"]                       accept the data connection
  ["data", bytes]                  send bytes on the data connection
  ["data_mlsd", n]                 send an n-entry MLSD listing, streamed
  ["data_close"]                   close the data connection (FIN)
  ["data_reset"]                   close it with an RST (SO_LINGER 0)
  ["stream", bytes, max, pause]    send bytes again and again (pause seconds
                                   between sends) until max bytes went out or
                                   the client is gone
  ["drip", bytes, pause]           send bytes one at a time, pause between
  ["recv", n]                      read up to n raw bytes (a TLS ClientHello)
  ["close"]                        close the control connection; end
  ["hold"]                         read (and log) until the client closes

Events are printed on stdout, one JSON object per line: the first is
{"ev": "listening", "port": N}; then "cmd" (each command line received),
"mark", "data-accept" (peer address), "unexpected", "client-closed",
"late-data-connection" (a listener got a connection that was never
accepted: the client connected where the script did not expect it),
"done" and, on a bug in this script, "error".
"""
from __future__ import annotations

import json
import select
import socket
import struct
import sys
import time
import traceback

HOST = "127.0.0.1"
LIFETIME = 300  # seconds: the server exits after this whatever happens


def emit(ev: str, **kw) -> None:
    sys.stdout.write(json.dumps({"ev": ev, **kw}) + "\n")
    sys.stdout.flush()


def b(s: str) -> bytes:
    return s.encode("latin-1")


class ClientGone(Exception):
    """The client closed (or reset) the control connection."""


class Control:
    def __init__(self, sock: socket.socket):
        self.sock = sock
        self.sock.settimeout(120)
        self.buf = b""
        self.listeners: list[socket.socket] = []
        self.accepted: set[int] = set()
        self.listener: socket.socket | None = None
        self.data: socket.socket | None = None

    # -- control connection ------------------------------------------------
    def send(self, data: bytes) -> None:
        try:
            self.sock.sendall(data)
        except OSError as e:
            raise ClientGone from e

    def reply(self, text: str) -> None:
        self.send(b(text) + b"\r\n")

    def readline(self) -> bytes:
        while b"\n" not in self.buf:
            try:
                chunk = self.sock.recv(65536)
            except OSError as e:
                raise ClientGone from e
            if not chunk:
                raise ClientGone
            self.buf += chunk
        line, _, self.buf = self.buf.partition(b"\n")
        return line.rstrip(b"\r")

    def command(self) -> str:
        """The next command line; TYPE is answered here."""
        while True:
            raw = self.readline()
            # Telnet IP / Synch bytes that precede ABOR.
            line = raw.lstrip(b"\xff\xf4\xf2").decode("latin-1")
            emit("cmd", line=line)
            if line.upper().startswith("TYPE "):
                self.reply("200 Type set to " + line[5:])
                continue
            return line

    def expect(self, verb: str) -> str:
        line = self.command()
        if line.split(" ", 1)[0].upper() != verb.upper():
            emit("unexpected", want=verb, got=line)
        return line

    # -- data connections --------------------------------------------------
    def open_listener(self) -> int:
        ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        ls.bind((HOST, 0))
        ls.listen(4)
        self.listeners.append(ls)
        self.listener = ls
        return ls.getsockname()[1]

    @staticmethod
    def _fmt(fmt: str, port: int) -> str:
        return fmt.format(port=port, p1=port >> 8, p2=port & 255,
                          p1_wrapped=(port >> 8) + 256, p2_wrapped=(port & 255) + 256,
                          port_wrapped=port + 65536)

    def epsv(self, fmt: str) -> None:
        self.expect("EPSV")
        self.send(b(self._fmt(fmt, self.open_listener())))

    def pasv(self, fmt: str) -> None:
        line = self.command()
        if line.upper() == "EPSV":
            self.reply("500 EPSV not understood")
            line = self.command()
        if line.upper() != "PASV":
            emit("unexpected", want="PASV", got=line)
        self.send(b(self._fmt(fmt, self.open_listener())))

    def accept(self) -> None:
        assert self.listener is not None, "accept without a listener"
        self.listener.settimeout(60)
        conn, peer = self.listener.accept()
        self.accepted.add(id(self.listener))
        conn.settimeout(60)
        self.data = conn
        emit("data-accept", peer=peer[0], port=peer[1])

    def data_send(self, data: bytes) -> None:
        assert self.data is not None
        try:
            self.data.sendall(data)
        except OSError as e:
            emit("data-send-failed", error=str(e))

    def data_mlsd(self, n: int) -> None:
        batch = []
        for i in range(n):
            batch.append(b"type=file;size=%d;modify=20240101000000;unique=%032x; file%06d\r\n"
                         % (i, i, i))
            if len(batch) == 1000:
                self.data_send(b"".join(batch))
                batch = []
        if batch:
            self.data_send(b"".join(batch))

    def data_close(self, reset: bool = False) -> None:
        assert self.data is not None
        if reset:
            self.data.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        else:
            try:
                self.data.shutdown(socket.SHUT_WR)
            except OSError:
                pass
        self.data.close()
        self.data = None

    # -- the end -----------------------------------------------------------
    def hold(self) -> None:
        """Read and log until the client closes, answering nothing."""
        while True:
            self.command()

    def serve(self) -> None:
        """A minimal well-behaved server, until the client goes away."""
        while True:
            line = self.command()
            verb, _, arg = line.partition(" ")
            verb = verb.upper()
            if verb == "NOOP":
                self.reply("200 NOOP ok")
            elif verb == "QUIT":
                self.reply("221 Goodbye")
                return
            elif verb == "USER":
                self.reply("331 Password please")
            elif verb == "PASS":
                self.reply("230 Logged in")
            elif verb == "PWD":
                self.reply('257 "/" is the current directory')
            elif verb == "EPSV":
                self.reply("229 Entering Extended Passive Mode (|||%d|)" % self.open_listener())
            elif verb == "PASV":
                port = self.open_listener()
                self.reply("227 Entering Passive Mode (127,0,0,1,%d,%d)" % (port >> 8, port & 255))
            elif verb in ("LIST", "NLST", "MLSD", "RETR") and self.listener is not None:
                self.accept()
                self.reply("150 Opening data connection")
                self.data_send(b"served\r\n")
                self.data_close()
                self.listener = None
                self.reply("226 Transfer complete")
            else:
                self.reply("502 Command not implemented")

    def check_listeners(self) -> None:
        """Report a connection waiting on a listener nobody accepted."""
        for ls in self.listeners:
            if id(ls) in self.accepted:
                continue
            r, _, _ = select.select([ls], [], [], 0.5)
            if r:
                _, peer = ls.accept()
                emit("late-data-connection", peer=peer[0])


def run(steps: list, c: Control) -> bool:
    """Runs the script; True when the connection is still open."""
    for step in steps:
        op, args = step[0], step[1:]
        if op == "send":
            c.send(b(args[0]))
        elif op == "expect":
            c.expect(args[0])
        elif op == "sleep":
            time.sleep(args[0])
        elif op == "mark":
            emit("mark", name=args[0])
        elif op == "epsv":
            c.epsv(args[0])
        elif op == "pasv":
            c.pasv(args[0])
        elif op == "accept":
            c.accept()
        elif op == "data":
            c.data_send(b(args[0]))
        elif op == "data_mlsd":
            c.data_mlsd(args[0])
        elif op == "data_close":
            c.data_close()
        elif op == "data_reset":
            c.data_close(reset=True)
        elif op == "stream":
            chunk, limit, pause = b(args[0]), args[1], args[2]
            sent = 0
            while sent < limit:
                c.send(chunk)
                sent += len(chunk)
                if pause:
                    time.sleep(pause)
            emit("mark", name="stream-finished", bytes=sent)
        elif op == "drip":
            for i in range(len(args[0])):
                c.send(b(args[0][i]))
                time.sleep(args[1])
            emit("mark", name="drip-finished")
        elif op == "recv":
            try:
                got = c.sock.recv(args[0])
            except OSError as e:
                raise ClientGone from e
            emit("recv", length=len(got), head=got[:3].hex())
            if not got:
                raise ClientGone
        elif op == "close":
            c.sock.close()
            emit("server-closed")
            return False
        elif op == "hold":
            c.hold()
        else:
            raise ValueError(f"unknown step {op!r}")
    return True


def main() -> int:
    steps = json.loads(sys.stdin.read())
    # A last resort against a stuck test: SIGALRM's default action ends us.
    import signal
    signal.alarm(LIFETIME)
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((HOST, 0))
    ls.listen(1)
    emit("listening", port=ls.getsockname()[1])
    sock, peer = ls.accept()
    ls.close()
    emit("connected", peer=peer[0])
    c = Control(sock)
    try:
        if run(steps, c):
            c.serve()
            sock.close()
    except ClientGone:
        emit("client-closed")
    except Exception:
        emit("error", trace=traceback.format_exc())
    c.check_listeners()
    emit("done")
    return 0


if __name__ == "__main__":
    sys.exit(main())
