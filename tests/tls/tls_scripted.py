"""A small scripted FTPS server (Python's ssl module) for what no real
server does on purpose: truncating a TLS download, answering AUTH TLS in
plain text, CCC, AUTH SSL only, and recording every byte it receives.

TLS runs over memory BIOs (ssl.SSLObject), so every byte that arrives on a
socket passes through this code: `raw_in` holds the bytes as they came off
the wire and `plain_in` what the server could read as plaintext (the clear
part of the control connection plus decrypted application data).

It runs in threads of the test process (the C library releases the GIL in
CFFI calls) and listens on 127.0.0.1 only.
"""
from __future__ import annotations

import socket
import ssl
import threading
import time

from support.scripted import ThreadedServer


class TLSHandshakeFailed(Exception):
    pass


class Chan:
    """One TCP connection as the server sees it, plain or TLS."""

    def __init__(self, sock: socket.socket, timeout=60):
        self.sock = sock
        self.sock.settimeout(timeout)
        self.raw_in = bytearray()
        self.plain_in = bytearray()
        self.raw_out = bytearray()
        self._buf = bytearray()      # plaintext received, not consumed yet
        self.obj: ssl.SSLObject | None = None
        self.inc = self.out = None
        self.eof = False             # the peer closed the TCP connection
        self.reset = False           # ... with an RST
        self.clean_eof = False       # TLS ended with the peer's close_notify
        self.ragged_eof = False      # TLS ended by TCP EOF without close_notify
        self.handshake_error: str | None = None
        self.tls_version: str | None = None
        self.session_reused: bool | None = None

    # -- raw socket --------------------------------------------------------
    def _recv_raw(self) -> bytes:
        try:
            data = self.sock.recv(65536)
        except ConnectionResetError:
            self.reset = True
            data = b""
        except socket.timeout:
            data = b""
        if data:
            self.raw_in += data
        else:
            self.eof = True
        return data

    def _send_raw(self, data: bytes):
        if data:
            self.raw_out += data
            self.sock.sendall(data)

    def _flush(self):
        if self.out is not None:
            self._send_raw(self.out.read())

    def _feed(self) -> bool:
        data = self._recv_raw()
        if data:
            self.inc.write(data)
            return True
        self.inc.write_eof()
        return False

    # -- TLS ---------------------------------------------------------------
    def start_tls(self, ctx: ssl.SSLContext):
        """Server-side handshake.  Raises TLSHandshakeFailed (with the reason
        in handshake_error) when the client aborts it."""
        self.inc, self.out = ssl.MemoryBIO(), ssl.MemoryBIO()
        # Bytes already buffered belong to the TLS stream.
        if self._buf:
            self.inc.write(bytes(self._buf))
            self._buf.clear()
        self.obj = ctx.wrap_bio(self.inc, self.out, server_side=True)
        while True:
            try:
                self.obj.do_handshake()
                break
            except ssl.SSLWantReadError:
                self._flush()
                if not self._feed() and self.inc.pending == 0:
                    # EOF: let OpenSSL see it once more, then give up.
                    try:
                        self.obj.do_handshake()
                        break
                    except ssl.SSLError as e:
                        self._fail(e)
            except ssl.SSLError as e:
                self._fail(e)
        self._flush()
        self.tls_version = self.obj.version()
        self.session_reused = self.obj.session_reused

    def _fail(self, e):
        self.handshake_error = f"{type(e).__name__}: {e}"
        try:
            self._flush()     # the alert, if any
        except OSError:
            pass
        self.obj = None
        raise TLSHandshakeFailed(self.handshake_error)

    def _read_some(self) -> bytes:
        """Next plaintext bytes; b"" at the end of the stream."""
        if self.obj is None:
            data = self._recv_raw()
            self.plain_in += data
            return data
        while True:
            try:
                data = self.obj.read(65536)
                self._flush()
                if not data:
                    # CPython returns b"" (instead of raising
                    # SSLZeroReturnError) once close_notify arrived.
                    self.clean_eof = True
                    return b""
                self.plain_in += data
                return data
            except ssl.SSLWantReadError:
                self._flush()
                self._feed()
            except ssl.SSLZeroReturnError:
                self.clean_eof = True
                return b""
            except ssl.SSLEOFError:
                self.ragged_eof = True
                return b""
            except ssl.SSLError:
                self.ragged_eof = True
                return b""

    def readline(self) -> bytes | None:
        while b"\n" not in self._buf:
            data = self._read_some()
            if not data:
                return None
            self._buf += data
        i = self._buf.index(b"\n") + 1
        line = bytes(self._buf[:i])
        del self._buf[:i]
        return line

    def read_all(self) -> bytes:
        out = bytearray(self._buf)
        self._buf.clear()
        while True:
            data = self._read_some()
            if not data:
                return bytes(out)
            out += data

    def sendall(self, data):
        if isinstance(data, str):
            data = data.encode("latin-1")
        if self.obj is None:
            self._send_raw(data)
            return
        view = memoryview(data)
        while view:
            n = self.obj.write(view[:16384])
            view = view[n:]
            self._flush()

    def reply(self, text):
        self.sendall(text + "\r\n")

    def send_close_notify(self):
        """Send our close_notify (without waiting for the peer's)."""
        try:
            self.obj.unwrap()
        except ssl.SSLWantReadError:
            pass
        self._flush()

    def unwrap(self):
        """Full TLS shutdown (close_notify both ways), back to plain text.
        Returns True when the peer's close_notify arrived."""
        while True:
            try:
                self.obj.unwrap()
                break
            except ssl.SSLWantReadError:
                self._flush()
                if not self._feed():
                    self._flush()
                    self.obj = None
                    return False
        self._flush()
        # Bytes after the peer's close_notify are plain text.
        rest = self.inc.read()
        self.obj = None
        if rest:
            self._buf += rest
            self.plain_in += rest
        return True

    def drain(self):
        """Read raw bytes until the peer closes (avoids an RST on close)."""
        try:
            while self._recv_raw():
                pass
        except OSError:
            pass

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    def abort(self):
        """Close the TCP connection without any TLS close_notify."""
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.close()


class ScriptedFTPS(ThreadedServer):
    """Serves FTP(S) on 127.0.0.1 with behaviour chosen by the options:

    cert, key        the server certificate
    implicit         TLS from the first byte
    auth             "ok" (234 + TLS), "ssl-only" (AUTH TLS refused with 504,
                     AUTH SSL accepted), "refuse" (504), "plain-after-hello"
                     (234, read the ClientHello, answer in plain text),
                     "plain-immediate" (234 and a plain reply in one write),
                     "silent" (234, then nothing), "close" (234, then close),
                     "close-after-hello" (234, read the ClientHello, close)
    retr             "clean" (data ends with close_notify) or "truncate"
                     (the data connection is closed without close_notify;
                     the control connection still says 226)
    files            {name: bytes} for RETR
    """

    def __init__(self, cert, key, implicit=False, auth="ok", retr="clean", files=None,
                 min_tls=None, max_tls=None):
        self.ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.ctx.load_cert_chain(cert, key)
        if min_tls:
            self.ctx.minimum_version = min_tls
        if max_tls:
            self.ctx.maximum_version = max_tls
        self.implicit = implicit
        self.auth = auth
        self.retr = retr
        self.files = dict(files or {})
        self.uploads: dict[str, bytes] = {}
        self.datas: list[dict] = []      # one record per data connection
        self.done = threading.Event()    # a control connection finished
        super().__init__("127.0.0.1")

    # -- plumbing (ThreadedServer) -----------------------------------------
    @property
    def controls(self) -> list[Chan]:
        """The control connections accepted, in order."""
        return self.conns

    def wrap(self, sock, addr) -> Chan:
        return Chan(sock)

    def handle(self, c: Chan):
        try:
            self.serve(c)
        except TLSHandshakeFailed:
            c.drain()

    def finished(self, c: Chan):
        self.done.set()

    def wait_done(self, timeout=60) -> bool:
        return self.done.wait(timeout)

    # -- the dialogue ------------------------------------------------------
    def serve(self, c: Chan):
        st = {"prot": "C", "listener": None}
        if self.implicit:
            c.start_tls(self.ctx)
        c.reply("220 scripted FTPS server ready")
        while True:
            line = c.readline()
            if line is None:
                return
            text = line.decode("latin-1").rstrip("\r\n")
            cmd, _, arg = text.partition(" ")
            cmd = cmd.upper()
            if cmd == "AUTH":
                if self.on_auth(c, arg.upper()) == "stop":
                    return
            elif cmd == "USER":
                c.reply("331 Password required.")
            elif cmd == "PASS":
                c.reply("230 Logged in.")
            elif cmd == "FEAT":
                c.reply("211-Features:\r\n AUTH TLS\r\n PBSZ\r\n PROT\r\n CCC\r\n211 End")
            elif cmd == "PBSZ":
                c.reply("200 PBSZ=0")
            elif cmd == "PROT":
                st["prot"] = arg.upper()
                c.reply(f"200 Protection level {arg.upper()}.")
            elif cmd == "CCC":
                c.reply("200 Clearing the control channel.")
                st["ccc_at"] = len(c.plain_in)   # what follows is clear text
                st["ccc_clean"] = c.unwrap()
                self.ccc_state = st
            elif cmd in ("TYPE", "OPTS", "NOOP", "MODE", "STRU"):
                c.reply("200 OK.")
            elif cmd == "PWD":
                c.reply('257 "/" is the current directory.')
            elif cmd == "EPSV":
                st["listener"] = self._listen()
                c.reply(f"229 Entering Extended Passive Mode (|||{st['listener'].getsockname()[1]}|)")
            elif cmd == "PASV":
                st["listener"] = self._listen()
                p = st["listener"].getsockname()[1]
                c.reply(f"227 Entering Passive Mode (127,0,0,1,{p >> 8},{p & 255}).")
            elif cmd == "RETR":
                self.on_retr(c, st, arg)
            elif cmd in ("STOR", "APPE"):
                self.on_stor(c, st, arg)
            elif cmd == "QUIT":
                c.reply("221 Goodbye.")
                return
            else:
                c.reply(f"500 Unknown command {cmd}.")

    def on_auth(self, c: Chan, arg: str):
        mode = self.auth
        if mode == "refuse" or (mode == "ssl-only" and arg != "SSL"):
            c.reply(f"504 AUTH {arg} not supported.")
            return None
        if c.obj is not None:
            c.reply("503 Already using TLS.")
            return None
        if mode in ("ok", "ssl-only"):
            c.reply(f"234 AUTH {arg} accepted.")
            c.start_tls(self.ctx)
        elif mode == "plain-after-hello":
            c.reply("234 AUTH TLS accepted.")
            c._recv_raw()            # the ClientHello (or its first part)
            c.sendall("500 This server speaks plain text only.\r\n")
            c.drain()
            return "stop"
        elif mode == "plain-immediate":
            c.sendall("234 AUTH TLS accepted.\r\n220 Plain text again.\r\n")
            c.drain()
            return "stop"
        elif mode == "silent":
            c.reply("234 AUTH TLS accepted.")
            c.drain()                # until the client gives up
            return "stop"
        elif mode == "close":
            c.reply("234 AUTH TLS accepted.")
            return "stop"
        elif mode == "close-after-hello":
            c.reply("234 AUTH TLS accepted.")
            c.sock.settimeout(2)     # read the whole ClientHello, then FIN
            try:
                while c._recv_raw():
                    pass
            except OSError:
                pass
            return "stop"
        return None

    def _listen(self):
        ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        ls.bind(("127.0.0.1", 0))
        ls.listen(1)
        ls.settimeout(60)
        return ls

    def _data(self, st) -> tuple[Chan | None, dict]:
        """Accept the data connection (TLS with PROT P).  A failure is
        recorded in rec["error"] and leaves the control connection alive."""
        ls = st.pop("listener", None)
        assert ls is not None, "no EPSV/PASV before the transfer"
        rec = {"prot": st["prot"], "chan": None, "error": None}
        self.datas.append(rec)
        try:
            s, _ = ls.accept()
        finally:
            ls.close()
        d = Chan(s)
        rec["chan"] = d
        if st["prot"] == "P":
            try:
                d.start_tls(self.ctx)
            except (TLSHandshakeFailed, OSError) as e:
                rec["error"] = f"handshake: {e!r}"
                d.close()
                return None, rec
            rec["tls_version"] = d.tls_version
            rec["resumed"] = d.session_reused
        return d, rec

    def on_retr(self, c: Chan, st, name):
        if name not in self.files:
            c.reply("550 No such file.")
            return
        data = self.files[name]
        c.reply(f"150 Opening BINARY mode data connection for {name} ({len(data)} bytes).")
        d, rec = self._data(st)
        if d is None:
            c.reply("425 Data connection failed.")
            return
        try:
            d.sendall(data)
            if d.obj is not None and self.retr == "truncate":
                d.abort()            # no close_notify: a truncated TLS stream
                rec["end"] = "truncated"
            else:
                if d.obj is not None:
                    d.send_close_notify()
                rec["end"] = "clean"
                try:
                    d.sock.shutdown(socket.SHUT_WR)
                except OSError:
                    pass
                d.drain()
                d.close()
        except OSError as e:
            rec["error"] = f"sending: {e!r}"
            d.close()
            c.reply("426 Data connection failed.")
            return
        c.reply("226 Transfer complete.")

    def on_stor(self, c: Chan, st, name):
        c.reply("150 Ok to send data.")
        d, rec = self._data(st)
        if d is None:
            c.reply("425 Data connection failed.")
            return
        try:
            body = d.read_all()
        except OSError as e:
            rec["error"] = f"receiving the upload: {e!r}"
            d.close()
            c.reply("426 Data connection failed.")
            return
        rec["clean_eof"] = d.clean_eof
        rec["ragged_eof"] = d.ragged_eof
        rec["reset"] = d.reset
        if d.obj is not None and d.clean_eof:
            # Answer the client's close_notify with ours, as vsftpd does
            # with strict_ssl_write_shutdown=YES.
            try:
                d.send_close_notify()
            except OSError as e:
                rec["error"] = f"sending close_notify back: {e!r}"
                d.close()
                c.reply("426 Data connection failed.")
                return
        d.close()
        self.uploads[name] = body
        if d.obj is not None and not d.clean_eof:
            c.reply("426 TLS upload ended without close_notify.")
        else:
            c.reply("226 Transfer complete.")


def wait_until(pred, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pred():
            return True
        time.sleep(0.05)
    return pred()
