"""The plumbing of the suites' in-process scripted servers: a listening
socket on loopback, an accept loop on a thread, and one thread per accepted
connection running the subclass's dialogue.

Subclasses define `wrap(sock, addr)` (the per-connection object, which
needs a close()) and `handle(conn)` (the dialogue), and may define
`accepted_conn(conn)` and `finished(conn)`.  A dialogue ending in a broken
or reset connection or a socket timeout is quietly over; any other
exception is kept in `errors` for the test to check.  `close()` stops
accepting, closes every connection and joins the threads (join_timeout
seconds each; 0: no join).
"""
from __future__ import annotations

import socket
import threading


class ThreadedServer:
    join_timeout = 5.0

    def __init__(self, host: str = "127.0.0.1", port: int = 0, backlog: int = 8):
        self.conns: list = []
        self.errors: list[BaseException] = []
        fam = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.sock = socket.socket(fam, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((host, port))
        self.sock.listen(backlog)
        self.host = host
        self.port = self.sock.getsockname()[1]
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        t = threading.Thread(target=self._accept_loop, daemon=True)
        t.start()
        self._threads.append(t)

    # -- for subclasses --------------------------------------------------------
    def wrap(self, sock: socket.socket, addr):
        raise NotImplementedError

    def handle(self, conn):
        raise NotImplementedError

    def accepted_conn(self, conn):
        """Called on the accept thread, before the dialogue starts."""

    def finished(self, conn):
        """Called when a dialogue is over and its connection closed."""

    # -- plumbing --------------------------------------------------------------
    def _accept_loop(self):
        self.sock.settimeout(0.2)
        while not self._stop.is_set():
            try:
                s, addr = self.sock.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            c = self.wrap(s, addr)
            self.conns.append(c)
            self.accepted_conn(c)
            t = threading.Thread(target=self._run, args=(c,), daemon=True)
            t.start()
            self._threads.append(t)

    def _run(self, c):
        try:
            self.handle(c)
        except (BrokenPipeError, ConnectionResetError, socket.timeout):
            pass
        except BaseException as e:  # noqa: BLE001 - reported to the test
            self.errors.append(e)
        finally:
            c.close()
            self.finished(c)

    def close(self):
        self._stop.set()
        try:
            self.sock.close()
        except OSError:
            pass
        for c in self.conns:
            c.close()
        if self.join_timeout:
            for t in self._threads:
                t.join(self.join_timeout)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
