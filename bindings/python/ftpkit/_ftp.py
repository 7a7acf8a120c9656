"""The FTP class: ftplib.FTP's API on top of one libftpkit session.

Each method maps onto one call of the C API (RFC 959 and friends are
implemented there); this module converts arguments and results between
Python strings and the raw bytes the C API moves, and turns the C statuses
into exceptions through :func:`ftpkit._errors.check`.
"""

from __future__ import annotations

import io
import ipaddress
import os
import socket
import sys
import threading
from typing import Any, Callable, Dict, Iterator, List, Optional, Tuple

from ._data import DataConnection
from ._errors import (Error, InvalidArgument, StateError, check, error_proto, error_reply,
                      make_error, reply_text)
from ._ffi import ffi, lib
from ._helpers import parse227, parse229, parse257, print_line

__all__ = ["FTP", "FTP_PORT", "MAXLINE", "CRLF", "B_CRLF", "MSG_OOB", "DEFAULT_TIMEOUT"]

#: The standard FTP control port (RFC 959 §3.2 uses port 21 for the control connection).
FTP_PORT = 21
#: Default longest reply or listing line, in bytes (ftplib's MAXLINE).
MAXLINE = 8192
#: Line end on the wire.
CRLF = "\r\n"
B_CRLF = b"\r\n"
#: Kept for ftplib compatibility (ftpkit sends ABOR's urgent byte itself).
MSG_OOB = 0x1
#: Timeout in seconds used where ftplib would wait forever (``timeout=None``
#: or no default socket timeout): libftpkit never blocks without a deadline.
DEFAULT_TIMEOUT = 30.0

_GLOBAL_DEFAULT_TIMEOUT: Any = socket._GLOBAL_DEFAULT_TIMEOUT  # type: ignore[attr-defined]
_MAX_TIMEOUT_MS = 2**31 - 1  # about 24.8 days


# ---------------------------------------------------------------------------
# Callbacks from C.  Created once (ABI-mode callbacks are executable memory);
# the per-call state travels in `userdata` as a CFFI handle.  A Python
# exception is stored in the state and the callback returns 1, which makes
# the C call stop (sending ABOR) and return FTP_EABORTED; the caller then
# re-raises the stored exception with its original traceback.

class _CallState:
    """What one transfer call's callbacks need."""

    __slots__ = ("callback", "encoding", "errors", "exc", "stop", "items",
                 "reader", "chunk", "offset", "blocksize")

    def __init__(self, callback: Optional[Callable[..., Any]] = None,
                 encoding: str = "utf-8", errors: str = "strict") -> None:
        self.callback = callback
        self.encoding = encoding
        self.errors = errors
        self.exc: Optional[BaseException] = None
        self.stop = False  # abort() was called from inside a callback
        self.items: List[Any] = []
        self.reader: Optional[Callable[[], Any]] = None
        self.chunk: Any = None
        self.offset = 0
        self.blocksize = 0  # retrbinary: the caller's block size


#: Bytes retrbinary() asks the library to read from the data connection per
#: call (at least the caller's block size).  One read returns what the
#: socket holds (up to about 256 KiB on Linux loopback), so this cuts the
#: system calls and C->Python transitions several times below one per
#: block; each read is then handed to the callback in slices of at most
#: ``blocksize`` bytes, as ftplib's contract says.
_RETR_CHUNK = 1 << 20


@ffi.callback("int(const void *, size_t, void *)", error=1)
def _on_data(data: Any, length: int, userdata: Any) -> int:
    # One read of the data connection: `length` bytes, at most _RETR_CHUNK,
    # handed on as bytes objects of at most st.blocksize bytes each (one
    # copy: the C buffer is reused by the next read).
    st: _CallState = ffi.from_handle(userdata)
    try:
        callback = st.callback
        size = st.blocksize
        buf = ffi.buffer(data, length)
        if length <= size:
            callback(buf[:])  # type: ignore[misc]
        else:
            for off in range(0, length, size):
                callback(buf[off:off + size])  # type: ignore[misc]
                if st.stop:
                    return 1
    except BaseException as e:  # noqa: BLE001 - re-raised by the caller
        st.exc = e
        return 1
    return 1 if st.stop else 0


@ffi.callback("int(const char *, size_t, void *)", error=1)
def _on_line(line: Any, length: int, userdata: Any) -> int:
    st: _CallState = ffi.from_handle(userdata)
    try:
        st.callback(ffi.unpack(line, length).decode(st.encoding, st.errors))  # type: ignore[misc]
    except BaseException as e:  # noqa: BLE001
        st.exc = e
        return 1
    return 1 if st.stop else 0


@ffi.callback("int(void *, size_t, size_t *, void *)", error=1)
def _on_read(buf: Any, cap: int, out_len: Any, userdata: Any) -> int:
    # The library asks for the next block only after it has written the
    # previous one, so that is when the user's callback sees it (ftplib
    # calls it right after sendall()).
    st: _CallState = ffi.from_handle(userdata)
    try:
        if st.chunk is not None and st.offset >= len(st.chunk):
            done, st.chunk = st.chunk, None
            if st.callback is not None:
                st.callback(done)
            if st.stop:
                return 1
        if st.chunk is None:
            data = st.reader()  # type: ignore[misc]
            if not data:
                out_len[0] = 0
                return 0
            st.chunk = data
            st.offset = 0
        view = memoryview(st.chunk).cast("B")
        n = min(cap, len(view) - st.offset)
        ffi.memmove(buf, view[st.offset:st.offset + n], n)
        st.offset += n
        out_len[0] = n
    except BaseException as e:  # noqa: BLE001
        st.exc = e
        return 1
    return 0


@ffi.callback("int(void *, size_t, size_t *, void *)", error=1)
def _on_readinto(buf: Any, cap: int, out_len: Any, userdata: Any) -> int:
    # storbinary's fast path: the file reads straight into the library's
    # block (st.reader is the file's bound readinto); no bytes object, no copy.
    st: _CallState = ffi.from_handle(userdata)
    try:
        out_len[0] = st.reader(ffi.buffer(buf, cap)) or 0  # type: ignore[misc]
    except BaseException as e:  # noqa: BLE001
        st.exc = e
        return 1
    return 1 if st.stop else 0


#: File types whose ``readinto()`` reads exactly what ``read()`` would
#: return (exact types only: a subclass may override ``read``).
_READINTO_TYPES = (io.BufferedReader, io.BufferedRandom, io.FileIO, io.BytesIO)

#: Bytes storbinary's fast path reads from the file per call (at least the
#: caller's block size): fewer calls and system calls per GiB.
_STOR_CHUNK = 256 * 1024


@ffi.callback("int(const char *, size_t, const ftp_fact *, size_t, void *)", error=1)
def _on_mlsd(name: Any, name_len: int, facts: Any, nfacts: int, userdata: Any) -> int:
    st: _CallState = ffi.from_handle(userdata)
    try:
        enc, err = st.encoding, st.errors
        entry: Dict[str, str] = {}
        for i in range(nfacts):
            f = facts[i]
            entry[ffi.unpack(f.name, f.name_len).decode(enc, err)] = \
                ffi.unpack(f.value, f.value_len).decode(enc, err)
        st.items.append((ffi.unpack(name, name_len).decode(enc, err), entry))
    except BaseException as e:  # noqa: BLE001
        st.exc = e
        return 1
    return 0


def _print_debug(line: Any, length: int, userdata: Any) -> None:
    print(ffi.unpack(line, length).decode("utf-8", "backslashreplace"))


def _ignore_debug_error(exc_type: Any, exc: Any, tb: Any) -> None:
    return None  # a broken stdout must not disturb the session


_on_debug = ffi.callback("void(const char *, size_t, void *)", _print_debug,
                         onerror=_ignore_debug_error)


# ---------------------------------------------------------------------------

class _ControlConnection:
    """What ``FTP.sock`` returns while connected.

    ftplib code tests ``ftp.sock is None`` to know whether a session is
    connected; ftpkit's ``sock`` is None exactly when the control connection
    is closed, and this object otherwise.  libftpkit owns the real socket, so
    only ``close()``, ``settimeout()`` and ``gettimeout()`` are offered.
    """

    __slots__ = ("_ftp",)

    def __init__(self, ftp: "FTP") -> None:
        self._ftp = ftp

    def close(self) -> None:
        """Close the session's connection (``FTP.close()``)."""
        self._ftp.close()

    def settimeout(self, value: Optional[float]) -> None:
        """Set the session's timeouts, in seconds (``FTP.timeout``)."""
        self._ftp.timeout = value

    def gettimeout(self) -> Optional[float]:
        """The session's timeout in seconds."""
        t = self._ftp.timeout
        return t if isinstance(t, (int, float)) else None

    def __repr__(self) -> str:
        return f"<ftpkit control connection to {self._ftp.host}:{self._ftp.port}>"


class FTP:
    """An FTP client, as :class:`ftplib.FTP`, running on libftpkit.

    To create a connection, call the class using these arguments:
    host, user, passwd, acct, timeout, source_address, encoding.

    ``host`` given: ``connect(host)`` is called, then ``login(user, passwd,
    acct)`` if ``user`` is given.  ``timeout`` (seconds) applies to every
    step: connecting, each reply, each data connection and its idle time;
    ``None`` means :data:`DEFAULT_TIMEOUT` (30 s) where ftplib would wait
    forever.  ``source_address`` is a ``(host, port)`` pair to bind the
    control connection to.  ``encoding`` (default UTF-8) converts commands,
    paths, replies and listing lines between ``str`` and the raw bytes of
    the protocol, with the error handler of the ``encoding_errors``
    attribute ('strict', as ftplib; set 'surrogateescape' to round-trip
    names that are not valid in the encoding).

    Differences from ftplib, all deliberate:

    * the session is a libftpkit session: there is no Python socket, see
      :attr:`sock`, :meth:`ntransfercmd` and :meth:`makeport`;
    * EPSV is tried before PASV on IPv4 too (RFC 2428), falling back to PASV;
    * replies are read by the call that caused them; :meth:`getresp` and
      :meth:`voidresp` return the final reply of a transfer opened with
      :meth:`ntransfercmd`, nothing else;
    * an exception in a callback aborts the transfer (ABOR) and leaves the
      session usable, instead of leaving it out of step;
    * methods are not re-entrant: using the session from a second thread, or
      from one of its own callbacks (other than :meth:`abort` and
      :meth:`close`), raises :class:`StateError`.  :meth:`cancel` (and
      :meth:`close`) may be called from any thread to stop a running call.
    """

    debugging = 0
    host = ""
    port = FTP_PORT
    maxline = MAXLINE
    file = None
    welcome: Optional[str] = None
    passiveserver = True
    # As ftplib: the address in a 227 reply is ignored (bpo-43285) unless set.
    trust_server_pasv_ipv4_address = False
    #: Error handler for encoding and decoding with :attr:`encoding`.
    encoding_errors = "strict"
    af = socket.AF_INET

    def __init__(self, host: str = "", user: str = "", passwd: str = "", acct: str = "",
                 timeout: Any = _GLOBAL_DEFAULT_TIMEOUT,
                 source_address: Optional[Tuple[str, int]] = None, *,
                 encoding: str = "utf-8") -> None:
        s = lib.ftp_new()
        if s == ffi.NULL:
            raise MemoryError("ftp_new() failed")
        self._s = ffi.gc(s, lib.ftp_free)
        self._lock = threading.Lock()
        self._applied: Dict[str, Any] = {}
        self._transfer: Optional[DataConnection] = None
        self._final: Any = None  # final reply (str) or error of a pull transfer
        self._cb_state: Optional[_CallState] = None
        self._type_dirty = False  # the user sent TYPE by hand
        self.encoding = encoding
        self.source_address = source_address
        self.timeout = timeout
        if host:
            self.connect(host)
            if user:
                self.login(user, passwd, acct)

    # -- plumbing -----------------------------------------------------------

    def _acquire(self) -> None:
        if not self._lock.acquire(False):
            raise StateError("the session is busy: it is used by another thread, or this "
                             "is a call from inside one of its own callbacks")

    def _enc(self, value: Any, what: str = "argument") -> bytes:
        """str (or bytes) -> bytes for the C API; CR, LF and NUL rejected."""
        if isinstance(value, str):
            if "\r" in value or "\n" in value:
                raise InvalidArgument("an illegal newline character should not be contained")
            data = value.encode(self.encoding, self.encoding_errors)
        elif isinstance(value, (bytes, bytearray)):
            data = bytes(value)
            if b"\r" in data or b"\n" in data:
                raise InvalidArgument("an illegal newline character should not be contained")
        else:
            raise TypeError(f"{what} must be str, not {type(value).__name__}")
        if b"\0" in data:
            raise InvalidArgument(f"{what} contains a NUL character")
        return data

    def _dec(self, data: bytes) -> str:
        return data.decode(self.encoding, self.encoding_errors)

    def _reply(self) -> str:
        return reply_text(self._s, self.encoding, self.encoding_errors)

    def _timeout_ms(self, value: Any) -> int:
        if value is _GLOBAL_DEFAULT_TIMEOUT:
            value = socket.getdefaulttimeout()
        if value is None:
            value = DEFAULT_TIMEOUT
        return max(1, min(_MAX_TIMEOUT_MS, int(value * 1000)))

    def _set(self, key: str, value: Any, apply: Callable[[Any], int]) -> None:
        if self._applied.get(key, _UNSET) != value:
            check(self._s, apply(value), self.encoding)
            self._applied[key] = value

    def _sync(self) -> None:
        """Start a command: forget an unclaimed final transfer reply (ftplib
        would now be out of step; ftpkit is not) and hand attribute changes
        (ftplib users set them directly) to C."""
        self._final = None
        s = self._s
        self._set("passive", bool(self.passiveserver), lambda v: lib.ftp_set_passive(s, v))
        self._set("trust", bool(self.trust_server_pasv_ipv4_address),
                  lambda v: lib.ftp_set_trust_pasv_host(s, v))
        self._set("maxline", int(self.maxline), lambda v: lib.ftp_set_maxline(s, v))
        self._set("timeout", self._timeout_ms(self.timeout),
                  lambda v: lib.ftp_set_timeout_ms(s, v))
        level = max(0, min(2, int(self.debugging or 0)))
        self._set("debug", level,
                  lambda v: lib.ftp_set_debug(s, v, _on_debug if v else ffi.NULL, ffi.NULL))

    def _call(self, fn: Any, *args: Any, state: Optional[_CallState] = None) -> str:
        """Run one C call under the session lock, raise on failure, and
        return the last reply (read under the lock too: it lives in the
        session)."""
        self._acquire()
        try:
            self._sync()
            if state is not None:
                self._cb_state = state
            try:
                rc = fn(self._s, *args)
            finally:
                self._cb_state = None
            if rc < 0 or (state is not None and state.exc is not None):
                if rc == lib.FTP_EABORTED and state is not None and state.stop \
                        and state.exc is None:
                    return self._reply()  # abort() during the transfer: a requested stop
                check(self._s, rc, self.encoding, state.exc if state is not None else None)
            return self._reply()
        finally:
            self._lock.release()

    def _call_reply(self, fn: Any, *args: Any) -> str:
        """Run one C call and return the reply it read, decoded."""
        self._acquire()
        try:
            self._sync()
            rc = fn(self._s, *args)
            check(self._s, rc, self.encoding)
            return self._reply()
        finally:
            self._lock.release()

    def _prepare_type(self, kind: str) -> None:
        # libftpkit remembers the TYPE it last sent and skips repeating it; a
        # TYPE sent by hand (sendcmd/voidcmd) is invisible to it, so from
        # then on send the right TYPE before every transfer, as ftplib does.
        if self._type_dirty:
            self._call_reply(lib.ftp_voidcmd, b"TYPE " + kind.encode("ascii"))

    def _note_command(self, cmd: str) -> None:
        if cmd.lstrip()[:4].upper() == "TYPE":
            self._type_dirty = True

    # -- attributes ---------------------------------------------------------

    @property
    def sock(self) -> Optional[_ControlConnection]:
        """None when not connected (as ftplib's ``sock``), else an object
        standing for the control connection (see :class:`_ControlConnection`)."""
        return _ControlConnection(self) if lib.ftp_is_connected(self._s) else None

    @sock.setter
    def sock(self, value: Any) -> None:
        if value is not None:
            raise AttributeError("ftpkit.FTP.sock can only be set to None (closing)")
        self.close()

    @property
    def lastresp(self) -> str:
        """The three-digit code of the last reply ('' if none yet)."""
        code = lib.ftp_reply_code(self._s)
        return str(code) if code else ""

    # -- connection ---------------------------------------------------------

    def __enter__(self) -> "FTP":
        return self

    def __exit__(self, *args: Any) -> None:
        if self.sock is not None:
            try:
                self.quit()
            except (OSError, EOFError):
                pass
            finally:
                if self.sock is not None:
                    self.close()

    def _configure_tls(self) -> None:
        check(self._s, lib.ftp_set_tls_mode(self._s, lib.FTP_TLS_NONE), self.encoding)

    def _configure_source(self) -> None:
        sa = self.source_address
        if sa is None:
            rc = lib.ftp_set_source_address(self._s, ffi.NULL, 0)
        else:
            host, port = sa
            host = host or ("::" if self.af == socket.AF_INET6 else "0.0.0.0")
            try:
                ipaddress.ip_address(host)
            except ValueError:
                host = str(socket.getaddrinfo(host, None, 0, socket.SOCK_STREAM)[0][4][0])
            rc = lib.ftp_set_source_address(self._s, host.encode("ascii"), int(port))
        check(self._s, rc, self.encoding)

    def connect(self, host: str = "", port: int = 0, timeout: Any = -999,
                source_address: Optional[Tuple[str, int]] = None) -> str:
        """Connect to ``host`` on ``port`` and return the server's greeting.

        ``host`` and ``port`` default to the previous ones (port 21; 990 for
        implicit FTPS).  ``timeout`` (seconds) and ``source_address``
        (``(host, port)``) replace the instance's.  With FTP_TLS the control
        connection is secured here (see :class:`FTP_TLS`).  RFC 959 §5.4.
        Raises ValueError for ``timeout=0``, :class:`ResolveError`,
        :class:`NetworkError` (refused), :class:`TimeoutExpired`,
        :class:`error_temp`/:class:`error_perm` (421 and other refusals),
        :class:`TLSError`/:class:`CertificateError`.
        """
        if host != "":
            self.host = host
        if port > 0:
            self.port = port
        if timeout != -999:
            self.timeout = timeout
        if self.timeout is not None and self.timeout is not _GLOBAL_DEFAULT_TIMEOUT \
                and not self.timeout:
            raise ValueError("Non-blocking socket (timeout=0) is not supported")
        if source_address is not None:
            self.source_address = source_address
        sys.audit("ftplib.connect", self, self.host, self.port)
        try:
            self.af = socket.AF_INET6 if ipaddress.ip_address(self.host).version == 6 \
                else socket.AF_INET
        except ValueError:
            self.af = socket.AF_INET
        try:
            hostb = self.host.encode("ascii")
        except UnicodeEncodeError:
            hostb = self.host.encode("idna")
        self._acquire()
        try:
            self._forget_transfer()
            self._type_dirty = False
            self._sync()
            self._configure_source()
            self._configure_tls()
            rc = lib.ftp_connect(self._s, hostb, int(self.port))
            welcome = ffi.string(lib.ftp_getwelcome(self._s))
            if welcome or rc >= 0:  # kept when a later step (AUTH TLS) failed
                self.welcome = self._dec(welcome)
            check(self._s, rc, self.encoding)
            self._connected()
        finally:
            self._lock.release()
        return self.welcome or ""

    def _connected(self) -> None:
        """Hook for FTP_TLS: called right after a successful ftp_connect()."""

    def getwelcome(self) -> Optional[str]:
        """Return the greeting the server sent on connect."""
        if self.debugging:
            print("*welcome*", repr(self.welcome))
        return self.welcome

    def set_debuglevel(self, level: int) -> None:
        """Set the debugging level: 0 off (default), 1 print commands and
        replies, 2 also every line sent and received.  Passwords are shown
        as '****'.  Output goes to ``sys.stdout``, as ftplib's."""
        self.debugging = level

    debug = set_debuglevel

    def set_pasv(self, val: bool) -> None:
        """Use passive (true, the default) or active (false: PORT/EPRT)
        data connections.  RFC 959 §3.2, RFC 2428."""
        self.passiveserver = val

    def login(self, user: str = "", passwd: str = "", acct: str = "") -> str:
        """Log in (USER, then PASS and ACCT as the server asks; RFC 959 §5.4)
        and return the final reply.  Defaults: user 'anonymous', and for
        anonymous the password 'anonymous@'.  Then FEAT is read and, if
        listed, "OPTS UTF8 ON" sent.  Raises :class:`error_perm` (530),
        :class:`error_temp`, :class:`error_reply` (a reply neither 2xx nor 3xx).
        """
        u = self._enc(user or "", "user")
        p = self._enc(passwd or "", "passwd")
        a = self._enc(acct or "", "acct")
        return self._call_reply(lib.ftp_login, u, p, a if a else ffi.NULL)

    def abort(self) -> Optional[str]:
        """Abort a transfer (ABOR sent as Telnet IP + Synch; RFC 959 §4.1.3)
        and return the last reply.

        With a :class:`DataConnection` open, that transfer ends here.  While
        retrbinary/retrlines/storbinary/storlines runs (called from one of
        its callbacks, or from another thread), it asks that transfer to
        stop at its next block: the transfer call then sends ABOR and
        returns the last reply instead of raising, and ``abort()`` returns
        None.
        """
        st = self._cb_state
        if st is not None:
            st.stop = True
            return None
        self._acquire()
        try:
            conn = self._transfer
            rc = lib.ftp_abort(self._s)
            if conn is not None:
                conn._detach()
                self._transfer = None
                self._final = None
            check(self._s, rc, self.encoding)
            return self._reply()
        finally:
            self._lock.release()

    def sendcmd(self, cmd: str) -> str:
        """Send one command and return the reply (1xx, 2xx or 3xx).

        Raises ValueError if ``cmd`` contains CR or LF (nothing is sent),
        :class:`error_temp` for 4xx, :class:`error_perm` for 5xx.
        """
        data = self._enc(cmd, "cmd")
        sys.audit("ftplib.sendcmd", self, cmd)
        self._note_command(cmd)
        return self._call_reply(lib.ftp_sendcmd, data)

    def voidcmd(self, cmd: str) -> str:
        """Send one command and return its reply, which must be 2xx
        (:class:`error_reply` otherwise)."""
        data = self._enc(cmd, "cmd")
        sys.audit("ftplib.sendcmd", self, cmd)
        self._note_command(cmd)
        return self._call_reply(lib.ftp_voidcmd, data)

    def getresp(self) -> str:
        """Return the final reply of the transfer opened by
        :meth:`ntransfercmd`, closing its data connection first if it is
        still open; raise the reply's error if it was negative.

        Raises :class:`StateError` when no such reply is pending: ftpkit
        reads every other reply in the call that caused it.
        """
        conn = self._transfer
        if conn is not None:
            conn.close()
        final, self._final = self._final, None
        if final is None:
            raise StateError("no reply is pending (ftpkit reads each reply in the call "
                             "that caused it; getresp() serves transfercmd())")
        if isinstance(final, BaseException):
            raise final
        return final

    def voidresp(self) -> str:
        """As :meth:`getresp`, but the reply must be 2xx."""
        resp = self.getresp()
        if resp[:1] != "2":
            raise error_reply(resp)
        return resp

    def sendport(self, host: str, port: int) -> str:
        """Send "PORT h1,h2,h3,h4,p1,p2" (RFC 959 §4.1.2) and return the
        reply.  Only tells the server; the library's own transfers choose
        their data connections themselves (see :meth:`set_pasv`)."""
        fields = host.split(".") + [repr(port // 256), repr(port % 256)]
        return self.voidcmd("PORT " + ",".join(fields))

    def sendeprt(self, host: str, port: int) -> str:
        """Send "EPRT |af|host|port|" (RFC 2428 §2) and return the reply."""
        af = {socket.AF_INET: 1, socket.AF_INET6: 2}.get(self.af, 0)
        if af == 0:
            raise error_proto("unsupported address family")
        return self.voidcmd("EPRT " + "|".join(["", repr(af), host, repr(port), ""]))

    def makeport(self) -> Any:
        """Not supported: the library listens and accepts active-mode data
        connections itself.  Use ``set_pasv(False)`` and the transfer methods
        (or :meth:`ntransfercmd`)."""
        raise NotImplementedError(
            "ftpkit does not hand out listening sockets; use set_pasv(False): the "
            "library then sends PORT/EPRT and accepts the data connection itself")

    def makepasv(self) -> Tuple[str, int]:
        """Send PASV (IPv4) or EPSV (IPv6) and return the (host, port) a data
        connection should go to.  As ftplib, the host of a 227 reply is used
        only if ``trust_server_pasv_ipv4_address`` is set; otherwise, and for
        EPSV, it is the host the session connected to (as given to
        :meth:`connect`, which may be a name rather than an address)."""
        if self.af == socket.AF_INET:
            untrusted_host, port = parse227(self.sendcmd("PASV"))
            host = untrusted_host if self.trust_server_pasv_ipv4_address else self.host
        else:
            host, port = parse229(self.sendcmd("EPSV"), (self.host, self.port))
        return host, port

    # -- pull transfers -----------------------------------------------------

    def _rest(self, rest: Any) -> int:
        if rest is None:
            return 0
        value = int(rest)
        if value < 0:
            raise ValueError("rest must be >= 0")
        return value

    def ntransfercmd(self, cmd: str, rest: Any = None) -> Tuple[DataConnection, Optional[int]]:
        """Open a data connection and start the transfer ``cmd`` (RETR,
        STOR, LIST, ...), sending "REST rest" first if ``rest`` is given
        (RFC 3659 §5).  Returns ``(conn, size)``: ``size`` is what the 150
        reply announced, or None; ``conn`` is a :class:`DataConnection`, not
        a socket (see that class).  No TYPE is sent: send it first, as with
        ftplib.  Close ``conn`` and call :meth:`voidresp` to finish.
        Raises :class:`error_reply` if the reply is not 1xx, and the errors
        of the data connection (TLS included, with PROT P).
        """
        data = self._enc(cmd, "cmd")
        sys.audit("ftplib.sendcmd", self, cmd)
        size = ffi.new("int64_t *")
        self._call(lib.ftp_transfer_open, data, lib.FTP_TYPE_KEEP, self._rest(rest), size)
        conn = DataConnection(self, size[0] if size[0] >= 0 else None)
        self._transfer = conn
        self._final = None
        return conn, conn.size

    def transfercmd(self, cmd: str, rest: Any = None) -> DataConnection:
        """Like :meth:`ntransfercmd` but return only the connection."""
        return self.ntransfercmd(cmd, rest)[0]

    def _forget_transfer(self) -> None:
        if self._transfer is not None:
            self._transfer._detach()
            self._transfer = None
        self._final = None

    def _transfer_read(self, conn: DataConnection, buf: Any, cap: int, n: Any) -> int:
        self._acquire()
        try:
            rc = lib.ftp_transfer_read(self._s, buf, cap, n)
            if rc < 0:
                # The library ended the transfer (and read its final reply).
                if self._transfer is conn:
                    self._transfer = None
                conn._detach()
                check(self._s, rc, self.encoding)
            return int(n[0])
        finally:
            self._lock.release()

    def _transfer_write(self, conn: DataConnection, buf: Any, length: int) -> None:
        self._acquire()
        try:
            rc = lib.ftp_transfer_write(self._s, buf, length)
            if rc < 0:
                if self._transfer is conn:
                    self._transfer = None
                conn._detach()
                check(self._s, rc, self.encoding)
        finally:
            self._lock.release()

    def _transfer_finish(self, conn: DataConnection) -> None:
        if not self._lock.acquire(False):
            # Another thread is inside a call: stop it instead (never block).
            lib.ftp_cancel(self._s)
            conn._detach()
            return
        try:
            conn._detach()
            if self._transfer is not conn:
                return
            self._transfer = None
            rc = lib.ftp_transfer_close(self._s)
            self._final = self._reply() if rc >= 0 else make_error(self._s, rc, self.encoding)
        finally:
            self._lock.release()

    def _set_data_timeout(self, value: Optional[float]) -> None:
        ms = self._timeout_ms(value)
        check(self._s, lib.ftp_set_data_timeout_ms(self._s, ms), self.encoding)
        self._applied.pop("timeout", None)  # re-apply the session value next call

    # -- push transfers -----------------------------------------------------

    def _state(self, callback: Optional[Callable[..., Any]] = None) -> _CallState:
        return _CallState(callback, self.encoding, self.encoding_errors)

    def retrbinary(self, cmd: str, callback: Callable[[bytes], Any], blocksize: int = 8192,
                   rest: Any = None) -> str:
        """Retrieve data in binary mode (TYPE I, then ``cmd``, e.g.
        "RETR name") and return the final reply.

        ``callback`` is called with each block (bytes, at most ``blocksize``
        bytes); ``rest`` restarts at that byte offset (REST, RFC 3659 §5).
        An exception raised by ``callback`` aborts the transfer (ABOR) and
        propagates with its own traceback.  Raises the reply errors,
        :class:`NetworkError` (data connection lost), :class:`TimeoutExpired`.
        """
        data = self._enc(cmd, "cmd")
        self._prepare_type("I")
        st = self._state(callback)
        size = int(blocksize)
        # The library reads up to _RETR_CHUNK bytes at a time; _on_data
        # slices each read into blocks of `size`.  0 (the session's block
        # size) and negative values (OverflowError) go to C unchanged.
        st.blocksize = size if size > 0 else sys.maxsize  # 0: blocks as the library reads
        chunk = max(size, _RETR_CHUNK) if size > 0 else size
        handle = ffi.new_handle(st)
        resp = self._call(lib.ftp_retrbinary, data, chunk, self._rest(rest),
                          _on_data, handle, state=st)
        del handle
        return resp

    def retrlines(self, cmd: str, callback: Optional[Callable[[str], Any]] = None) -> str:
        """Retrieve data in line mode (TYPE A, then ``cmd``: RETR, LIST,
        NLST, MLSD...) and return the final reply.

        ``callback`` gets each line decoded with :attr:`encoding`, CRLF (or
        LF) stripped; default :func:`print_line`.  A line longer than
        :attr:`maxline` raises :class:`error_proto` (an :class:`Error`, as
        ftplib's).  Callback exceptions abort and propagate.
        """
        if callback is None:
            callback = print_line
        data = self._enc(cmd, "cmd")
        self._prepare_type("A")
        st = self._state(callback)
        handle = ffi.new_handle(st)
        resp = self._call(lib.ftp_retrlines, data, _on_line, handle, state=st)
        del handle
        return resp

    def storbinary(self, cmd: str, fp: Any, blocksize: int = 8192,
                   callback: Optional[Callable[[bytes], Any]] = None, rest: Any = None) -> str:
        """Store a file in binary mode (TYPE I, then ``cmd``, e.g. "STOR
        name") and return the final reply.

        ``fp`` is read with ``fp.read(blocksize)`` until it returns b'';
        ``callback`` is called with each block once it has been sent.
        Without ``callback``, a plain binary file (exactly ``io.FileIO``,
        ``io.BufferedReader``, ``io.BufferedRandom`` or ``io.BytesIO``) is
        read with ``readinto()`` straight into the library's buffer instead,
        at least 256 KiB at a time: the same bytes, without a copy.
        ``rest``: REST offset.  The upload counts as complete only if the
        data connection closed cleanly and the final reply is 2xx; an
        exception from ``fp`` or ``callback`` aborts it (ABOR, reset data
        connection: the server cannot take the partial file as complete).
        """
        data = self._enc(cmd, "cmd")
        self._prepare_type("I")
        st = self._state(callback)
        size = int(blocksize)
        on_read = _on_read
        if callback is None and size > 0 and type(fp) in _READINTO_TYPES:
            # Nobody sees the blocks: a plain binary file reads straight into
            # the library's buffer, _STOR_CHUNK bytes at a time (the same
            # bytes, in the same order, as read(blocksize) would give).
            st.reader = fp.readinto
            size = max(size, _STOR_CHUNK)
            on_read = _on_readinto
        else:
            st.reader = lambda: fp.read(size)
        handle = ffi.new_handle(st)
        resp = self._call(lib.ftp_storbinary, data, size, self._rest(rest), on_read, handle,
                          state=st)
        del handle
        return resp

    def storlines(self, cmd: str, fp: Any,
                  callback: Optional[Callable[[bytes], Any]] = None) -> str:
        """Store a file in line mode (TYPE A, then ``cmd``) and return the
        final reply.

        ``fp`` (binary) is read with ``readline()``; each line is sent with a
        CRLF line end (added if missing) and then passed to ``callback``.  A
        line longer than :attr:`maxline` raises :class:`Error`.
        """
        data = self._enc(cmd, "cmd")
        self._prepare_type("A")
        st = self._state(callback)
        maxline = int(self.maxline)

        def read_line() -> bytes:
            buf = fp.readline(maxline + 1)
            if len(buf) > maxline:
                raise Error("got more than %d bytes" % maxline)
            if not buf:
                return b""
            if buf[-2:] != B_CRLF:
                if buf[-1] in B_CRLF:
                    buf = buf[:-1]
                buf = buf + B_CRLF
            return buf

        st.reader = read_line
        handle = ffi.new_handle(st)
        resp = self._call(lib.ftp_storlines, data, _on_read, handle, state=st)
        del handle
        return resp

    def retrfile(self, filename: str, file: Any, rest: Any = None) -> str:
        """Download ``filename`` straight into ``file`` (anything with a
        ``fileno()``, e.g. a file opened 'wb'), written at its current
        position, and return the final reply.  An ftpkit extension: on plain
        connections the library moves the data with splice(2), without
        passing through Python.  RFC 959 §4.1.3 (RETR)."""
        path = self._enc(filename, "filename")
        if hasattr(file, "flush"):
            file.flush()
        self._prepare_type("I")
        return self._call(lib.ftp_retr_fd, path, self._rest(rest), int(file.fileno()))

    def storfile(self, filename: str, file: Any, rest: Any = None) -> str:
        """Upload the rest of ``file`` (from its current offset; anything
        with a ``fileno()``) as ``filename`` and return the final reply.
        An ftpkit extension using sendfile(2) on plain connections.  RFC 959
        §4.1.3 (STOR)."""
        path = self._enc(filename, "filename")
        fd = int(file.fileno())
        if hasattr(file, "tell") and hasattr(file, "seekable") and file.seekable():
            os.lseek(fd, file.tell(), os.SEEK_SET)  # buffered readers read ahead
        self._prepare_type("I")
        return self._call(lib.ftp_stor_fd, path, self._rest(rest), fd)

    def retrfiles(self, files: Any, parallel: int = 4) -> List[int]:
        """Download many files at once: ``files`` is a sequence of
        ``(filename, file)`` pairs (``file`` with a ``fileno()``, written at
        its current position), fetched over up to ``parallel`` sessions (this
        one plus helpers logged in like it, in its working directory).
        Returns the byte count per file; if any failed, raises the first
        failure's exception after all have finished.  An ftpkit extension
        (ftp_retr_files); RFC 959 §4.1.3 (RETR)."""
        return self._files(lib.ftp_retr_files, files, parallel)

    def storfiles(self, files: Any, parallel: int = 4) -> List[int]:
        """Upload many files at once (``(filename, file)`` pairs, each read
        from its current offset) over up to ``parallel`` sessions; as
        :meth:`retrfiles`.  An ftpkit extension (ftp_stor_files)."""
        return self._files(lib.ftp_stor_files, files, parallel)

    def _files(self, fn: Any, files: Any, parallel: int) -> List[int]:
        pairs = list(files)
        items = ffi.new("ftp_file_item[]", max(len(pairs), 1))
        keep = []  # the encoded paths must outlive the C call
        for i, (name, file) in enumerate(pairs):
            if hasattr(file, "flush"):
                file.flush()
            path = ffi.new("char[]", self._enc(name, "filename"))
            keep.append(path)
            items[i].path = path
            items[i].fd = int(file.fileno())
        self._call(fn, items, len(pairs), max(int(parallel), 1))
        return [int(items[i].bytes) for i in range(len(pairs))]

    # -- listings -----------------------------------------------------------

    def acct(self, password: str) -> str:
        """Send "ACCT password" (RFC 959 §4.1.1) and return the reply (2xx)."""
        return self._call_reply(lib.ftp_acct, self._enc(password, "password"))

    def nlst(self, *args: str) -> List[str]:
        """Return the names NLST lists (RFC 959 §4.1.3); arguments are
        appended to the command (a path, usually)."""
        cmd = "NLST"
        for arg in args:
            cmd = cmd + (" " + arg)
        files: List[str] = []
        self.retrlines(cmd, files.append)
        return files

    def dir(self, *args: Any) -> None:
        """List a directory in long form (LIST).  Non-empty string arguments
        are appended to the command; a last non-string argument is the
        callback for each line (default: print to stdout)."""
        cmd = "LIST"
        func = None
        if args[-1:] and not isinstance(args[-1], str):
            args, func = args[:-1], args[-1]
        for arg in args:
            if arg:
                cmd = cmd + (" " + arg)
        self.retrlines(cmd, func)

    def mlsd(self, path: str = "", facts: List[str] = []) -> Iterator[Tuple[str, Dict[str, str]]]:
        """List ``path`` (default: the working directory) with MLSD
        (RFC 3659 §7) and yield ``(name, facts)`` for each entry, ``facts``
        being a dict of lowercase fact names to values.  ``facts`` (e.g.
        ``["type", "size"]``) asks the server for those facts first
        ("OPTS MLST type;size;").  A generator: nothing is sent until it is
        iterated.  A malformed entry raises :class:`error_proto`.
        """
        if facts:
            self.sendcmd("OPTS MLST " + ";".join(facts) + ";")
        arg = self._enc(path, "path") if path else ffi.NULL
        self._prepare_type("A")
        st = self._state()
        handle = ffi.new_handle(st)
        self._call(lib.ftp_mlsd, arg, _on_mlsd, handle, state=st)
        del handle
        yield from st.items

    # -- files and directories ----------------------------------------------

    def rename(self, fromname: str, toname: str) -> str:
        """Rename ``fromname`` to ``toname`` (RNFR, 3xx required, then RNTO;
        RFC 959 §4.1.3) and return the RNTO reply."""
        return self._call_reply(lib.ftp_rename, self._enc(fromname, "fromname"),
                                self._enc(toname, "toname"))

    def delete(self, filename: str) -> str:
        """Delete a file (DELE) and return the reply; 250 or 200 required
        (:class:`error_reply` for another positive reply)."""
        return self._call_reply(lib.ftp_delete, self._enc(filename, "filename"))

    def cwd(self, dirname: str) -> str:
        """Change the working directory (CWD; ".." sends CDUP, retried as
        "CWD .." on 500; "" means ".") and return the reply."""
        return self._call_reply(lib.ftp_cwd, self._enc(dirname, "dirname"))

    def size(self, filename: str) -> Optional[int]:
        """Return the size of a file in bytes (SIZE, RFC 3659 §4), or None
        if the server answers with another positive reply than 213.
        Binary type is selected first so the size is exact."""
        out = ffi.new("uint64_t *")
        name = self._enc(filename, "filename")
        self._acquire()
        try:
            self._sync()
            rc = lib.ftp_size(self._s, name, out)
            if rc == lib.FTP_EREPLY:
                return None
            check(self._s, rc, self.encoding)
            return int(out[0])
        finally:
            self._lock.release()

    def mkd(self, dirname: str) -> str:
        """Make a directory (MKD) and return its path as the 257 reply names
        it, or '' if the reply does not name it in the standard form."""
        out = ffi.new("const char **")
        n = ffi.new("size_t *")
        name = self._enc(dirname, "dirname")
        self._acquire()
        try:
            self._sync()
            check(self._s, lib.ftp_mkd(self._s, name, out, n), self.encoding)
            return self._dec(ffi.unpack(out[0], n[0]))  # owned by the session
        finally:
            self._lock.release()

    def rmd(self, dirname: str) -> str:
        """Remove a directory (RMD) and return the reply."""
        return self._call_reply(lib.ftp_rmd, self._enc(dirname, "dirname"))

    def pwd(self) -> str:
        """Return the working directory (PWD, RFC 959 Appendix II): the
        quoted name of the 257 reply, or '' if the reply has another form
        (as ftplib does for servers that omit the quotes)."""
        resp = self._call_reply(lib.ftp_voidcmd, b"PWD")
        if not resp.startswith("257"):
            return ""
        return parse257(resp)

    def quit(self) -> str:
        """Send QUIT, close the connection (even if the reply is negative)
        and return the reply."""
        if self._transfer is not None:
            self._transfer.close()
        self._forget_transfer()
        return self._call_reply(lib.ftp_quit)

    def close(self) -> None:
        """Close the connection without sending anything.  Safe to call at
        any time and from any thread: if a call is running (in another
        thread, or this is called from its callback), it is canceled and
        the session closes when it returns."""
        if not self._lock.acquire(False):
            lib.ftp_cancel(self._s)
            return
        try:
            self._forget_transfer()
            lib.ftp_close(self._s)
        finally:
            self._lock.release()

    def cancel(self) -> None:
        """Stop the call running on this session, from any thread: it raises
        :class:`Canceled` promptly and the session is closed (``connect()``
        to start over).  Does nothing if no call is running.  An ftpkit
        extension (``ftp_cancel()``)."""
        lib.ftp_cancel(self._s)

    @property
    def transfer_bytes(self) -> int:
        """Bytes moved by the last (or current) transfer.  An ftpkit
        extension: after a failure, how far the transfer got."""
        return int(lib.ftp_transfer_bytes(self._s))

    def __repr__(self) -> str:
        state = "connected" if lib.ftp_is_connected(self._s) else "not connected"
        return f"<{type(self).__module__}.{type(self).__name__} {self.host}:{self.port} {state}>"


class _Unset:
    pass


_UNSET = _Unset()
