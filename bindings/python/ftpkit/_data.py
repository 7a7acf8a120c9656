"""The data connection of ``ntransfercmd()``/``transfercmd()``.

ftplib returns a real socket there.  libftpkit owns its sockets (and their
TLS), so ftpkit returns a :class:`DataConnection` instead: an object with the
socket methods ftplib code uses on a data connection (``recv``,
``recv_into``, ``send``, ``sendall``, ``makefile``, ``close``, ``unwrap``,
``settimeout``/``gettimeout``, the context-manager protocol), built on the
C API's pull functions (``ftp_transfer_read``/``write``/``close``).

Differences from a socket, on purpose:

* ``close()`` finishes the transfer: it closes the data connection (for an
  upload this is the end of file; with PROT P, TLS close_notify is sent)
  and reads the server's final reply.  ``FTP.voidresp()``/``getresp()``
  then return that reply (or raise its error), as they would have read it
  with ftplib.  Calling ``voidresp()`` while the connection is still open
  closes it first.
* There is no file descriptor (``fileno()`` raises ``OSError``), so it
  cannot be passed to ``select``.
* While it is open, other commands on the session raise
  :class:`~ftpkit.StateError` (ftplib would interleave them on the control
  connection).  ``FTP.abort()`` is allowed and ends the transfer.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any, Optional

from ._errors import StateError
from ._ffi import ffi

if TYPE_CHECKING:  # pragma: no cover
    from ._ftp import FTP

__all__ = ["DataConnection"]


class DataConnection:
    """One open transfer of an :class:`~ftpkit.FTP` session (see module doc)."""

    def __init__(self, ftp: "FTP", size: Optional[int]) -> None:
        self._ftp: Optional["FTP"] = ftp
        self._buf = ffi.new("char[]", 65536)
        self._n = ffi.new("size_t *")
        #: The size the 150 reply announced, or None.
        self.size = size

    # -- state ------------------------------------------------------------

    @property
    def closed(self) -> bool:
        """True once the transfer is finished (closed, aborted or failed)."""
        return self._ftp is None

    def _detach(self) -> None:
        """Forget the session: the transfer ended elsewhere (abort, error)."""
        self._ftp = None

    def _session(self) -> "FTP":
        if self._ftp is None:
            raise OSError(9, "data connection is closed")  # EBADF, as a socket
        return self._ftp

    # -- reading ----------------------------------------------------------

    def recv_into(self, buffer: Any, nbytes: int = 0, flags: int = 0) -> int:
        """Read up to ``nbytes`` bytes (default: the buffer's size) into
        ``buffer``; return the count, 0 at the end of the data."""
        ftp = self._session()
        view = memoryview(buffer).cast("B")
        if nbytes <= 0 or nbytes > len(view):
            nbytes = len(view)
        if nbytes == 0:
            return 0
        dest = ffi.from_buffer(view, require_writable=True)
        return ftp._transfer_read(self, dest, nbytes, self._n)

    def recv(self, bufsize: int, flags: int = 0) -> bytes:
        """Read up to ``bufsize`` bytes; b'' at the end of the data.

        Errors: the exceptions of :func:`ftpkit.check` (the transfer is then
        over; its final reply was read by the library).
        """
        ftp = self._session()
        if bufsize <= 0:
            return b""
        if bufsize > len(self._buf):
            self._buf = ffi.new("char[]", bufsize)
        n = ftp._transfer_read(self, self._buf, bufsize, self._n)
        return ffi.unpack(self._buf, n)

    # -- writing ----------------------------------------------------------

    def sendall(self, data: Any, flags: int = 0) -> None:
        """Write all of ``data`` (a bytes-like object) to the transfer."""
        ftp = self._session()
        src = ffi.from_buffer(data)
        if len(src):
            ftp._transfer_write(self, src, len(src))

    def send(self, data: Any, flags: int = 0) -> int:
        """Write all of ``data``; return its length in bytes."""
        self.sendall(data)
        return len(memoryview(data).cast("B"))

    # -- files --------------------------------------------------------------

    def makefile(self, mode: str = "r", buffering: Optional[int] = None, *,
                 encoding: Optional[str] = None, errors: Optional[str] = None,
                 newline: Optional[str] = None) -> Any:
        """A file object over the transfer, as :meth:`socket.socket.makefile`.

        ``mode`` is 'r', 'w', 'rb' or 'wb'.  Closing the file does not close
        the transfer; close this object (or call ``voidresp()``) for that.
        """
        if not set(mode) <= {"r", "w", "b"} or ("r" in mode) == ("w" in mode):
            raise ValueError(f"invalid mode {mode!r} (only 'r', 'w', 'rb', 'wb')")
        raw = _RawTransfer(self, "r" in mode)
        if buffering is None:
            buffering = -1
        if buffering < 0:
            buffering = io.DEFAULT_BUFFER_SIZE
        if buffering == 0:
            if "b" not in mode:
                raise ValueError("unbuffered streams must be binary")
            return raw
        stream: Any = (io.BufferedReader(raw, buffering) if "r" in mode
                       else io.BufferedWriter(raw, buffering))
        if "b" in mode:
            return stream
        text = io.TextIOWrapper(stream, encoding, errors, newline)
        text.mode = mode  # type: ignore[misc]
        return text

    # -- socket look-alikes -------------------------------------------------

    def settimeout(self, value: Optional[float]) -> None:
        """Set the idle timeout of this data connection, in seconds
        (``None``: the library default of 30 s)."""
        self._session()._set_data_timeout(value)

    def gettimeout(self) -> Optional[float]:
        """The session's timeout in seconds (as configured on the FTP object)."""
        ftp = self._session()
        return ftp.timeout if isinstance(ftp.timeout, (int, float)) else None

    def fileno(self) -> int:
        """Not available: libftpkit owns the socket."""
        raise OSError("ftpkit data connections have no file descriptor")

    def unwrap(self) -> "DataConnection":
        """No-op: ``close()`` ends TLS on the data connection itself."""
        return self

    def close(self) -> None:
        """Finish the transfer: close the data connection and read the final
        reply, kept for ``FTP.voidresp()``.  Never raises; idempotent."""
        ftp = self._ftp
        if ftp is None:
            return
        ftp._transfer_finish(self)

    def __enter__(self) -> "DataConnection":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __repr__(self) -> str:
        state = "closed" if self._ftp is None else "open"
        return f"<ftpkit.DataConnection {state} size={self.size}>"


class _RawTransfer(io.RawIOBase):
    """The raw stream under ``DataConnection.makefile()``."""

    def __init__(self, conn: DataConnection, reading: bool) -> None:
        super().__init__()
        self._conn = conn
        self._reading = reading

    def readable(self) -> bool:
        return self._reading

    def writable(self) -> bool:
        return not self._reading

    def readinto(self, b: Any) -> int:
        if self._conn.closed:
            return 0
        return self._conn.recv_into(b)

    def write(self, b: Any) -> int:
        if self._conn.closed:
            raise StateError("the transfer is closed")
        self._conn.sendall(b)
        return len(memoryview(b).cast("B"))
