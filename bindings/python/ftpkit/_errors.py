"""Exceptions, and the one function that turns C statuses into them.

Every class derives from the matching class of the standard library, so code
written for :mod:`ftplib` keeps catching what it caught before:

====================  ==============================================  ===================
C status              exception                                       also an instance of
====================  ==============================================  ===================
FTP_EREPLY            :class:`error_reply` (reply text as message)     ftplib.error_reply
FTP_ETEMP             :class:`error_temp` (4xx reply text)             ftplib.error_temp
FTP_EPERM             :class:`error_perm` (5xx reply text)             ftplib.error_perm
FTP_EPROTO            :class:`error_proto`                             ftplib.error_proto
FTP_EIO               :class:`NetworkError`                            OSError
FTP_ETIMEOUT          :class:`TimeoutExpired`                          TimeoutError
FTP_ETLS              :class:`TLSError`                                ssl.SSLError
FTP_ECERT             :class:`CertificateError`                        ssl.SSLCertVerificationError
FTP_ERESOLVE          :class:`ResolveError`                            socket.gaierror
FTP_EINVAL            :class:`InvalidArgument`                         ValueError
FTP_ENOMEM            MemoryError
FTP_ESTATE            :class:`StateError`                              ftplib.Error
FTP_EABORTED          the callback's own exception, re-raised; else :class:`Aborted`
FTP_ECANCELED         :class:`Canceled`                                OSError
FTP_ECLOSED           :class:`ConnectionClosed`                        EOFError
FTP_EINTERNAL         :class:`InternalError`                           ftplib.Error
FTP_ELOCAL            :class:`LocalError`                              OSError
====================  ==============================================  ===================

Each raised instance also carries ``status`` (the C status, an int),
``code`` (the last reply code, 0 if none) and ``errmsg`` (the library's one
line description).
"""

from __future__ import annotations

import ftplib
import socket
import ssl
from typing import Dict, Optional, Type

from ._ffi import ffi, lib

__all__ = [
    "Error", "error_reply", "error_temp", "error_perm", "error_proto", "all_errors",
    "StateError", "Aborted", "InternalError", "NetworkError", "TimeoutExpired",
    "ResolveError", "TLSError", "CertificateError", "Canceled", "ConnectionClosed",
    "LocalError",
    "InvalidArgument", "UnsupportedContext", "check",
]


class Error(ftplib.Error):
    """Base class of ftpkit's FTP errors (an :class:`ftplib.Error`)."""


class error_reply(Error, ftplib.error_reply):
    """An unexpected reply of class 1xx, 2xx or 3xx; the message is the reply."""


class error_temp(Error, ftplib.error_temp):
    """A 4xx reply (transient negative completion, RFC 959 §4.2)."""


class error_perm(Error, ftplib.error_perm):
    """A 5xx reply (permanent negative completion, RFC 959 §4.2)."""


class error_proto(Error, ftplib.error_proto):
    """A reply or listing line that does not follow the protocol."""


class StateError(Error):
    """The call is not valid now: not connected, a transfer is still open,
    or the session is already busy (in another thread, or inside one of its
    own callbacks)."""


class Aborted(Error):
    """A transfer was stopped on request (not by a callback exception)."""


class InternalError(Error):
    """A bug in libftpkit; the message says more."""


class NetworkError(OSError):
    """An I/O error on the control or data connection (FTP_EIO)."""


class TimeoutExpired(NetworkError, TimeoutError):
    """A deadline passed (connect, reply, data); the session is closed."""


class ResolveError(NetworkError, socket.gaierror):
    """The host name could not be resolved."""


class TLSError(NetworkError, ssl.SSLError):
    """A TLS failure (handshake, record layer, missing close_notify)."""


class CertificateError(TLSError, ssl.SSLCertVerificationError):
    """The server's certificate failed verification."""


class Canceled(NetworkError):
    """:meth:`FTP.cancel` (or :meth:`FTP.close` from another thread) stopped
    the call; the session is closed."""


class LocalError(OSError):
    """Reading or writing the caller's file failed (``retrfile``/``storfile``);
    the transfer was aborted and the session stays usable."""


class ConnectionClosed(EOFError):
    """The server closed the control connection (ftplib raises EOFError)."""


class InvalidArgument(ValueError):
    """An invalid argument: CR or LF in a command or path, an option out of
    range.  Nothing was sent."""


class UnsupportedContext(ValueError):
    """An :class:`ssl.SSLContext` setting that ftpkit cannot honour."""


#: Everything a caller of ftpkit should expect, as :data:`ftplib.all_errors`.
all_errors = (Error, OSError, EOFError)

_REPLY_CLASSES: Dict[int, Type[Error]] = {
    lib.FTP_EREPLY: error_reply,
    lib.FTP_ETEMP: error_temp,
    lib.FTP_EPERM: error_perm,
}

_OTHER_CLASSES: Dict[int, Type[BaseException]] = {
    lib.FTP_EIO: NetworkError,
    lib.FTP_ETIMEOUT: TimeoutExpired,
    lib.FTP_ETLS: TLSError,
    lib.FTP_ECERT: CertificateError,
    lib.FTP_ERESOLVE: ResolveError,
    lib.FTP_EINVAL: InvalidArgument,
    lib.FTP_ENOMEM: MemoryError,
    lib.FTP_ESTATE: StateError,
    lib.FTP_EABORTED: Aborted,
    lib.FTP_ECANCELED: Canceled,
    lib.FTP_ECLOSED: ConnectionClosed,
    lib.FTP_EINTERNAL: InternalError,
    lib.FTP_ELOCAL: LocalError,
}


def reply_text(s, encoding: str, errors: str) -> str:
    """The session's last reply (all lines joined by "\\n"), decoded."""
    n = ffi.new("size_t *")
    p = lib.ftp_reply_text(s, n)
    return ffi.buffer(p, n[0])[:].decode(encoding, errors)


def errmsg(s) -> str:
    """The session's one-line description of the last call's outcome."""
    return ffi.string(lib.ftp_errmsg(s)).decode("utf-8", "replace")


def make_error(s, status: int, encoding: str = "utf-8") -> BaseException:
    """Build (not raise) the exception for a negative C ``status``.

    ``s`` is the session the call ran on (may be ``ffi.NULL`` for calls
    without one).  Reply errors carry the reply text as their message, as
    ftplib's do; other errors carry the library's message.
    """
    msg = errmsg(s) if s != ffi.NULL else ""
    code = lib.ftp_reply_code(s) if s != ffi.NULL else 0
    name = ffi.string(lib.ftp_strerror(status)).decode("ascii", "replace")
    reply_cls = _REPLY_CLASSES.get(status)
    if reply_cls is not None:
        text = (reply_text(s, encoding, "replace") if s != ffi.NULL else "") or msg or name
        exc: BaseException = reply_cls(text)
    elif status == lib.FTP_EPROTO:
        exc = error_proto(msg or (reply_text(s, encoding, "replace") if s != ffi.NULL else "")
                          or name)
    else:
        cls = _OTHER_CLASSES.get(status)
        what = msg or name
        if cls is None:
            exc = InternalError(f"unknown status {status}: {what}")
        else:
            exc = cls(what)
    try:
        exc.status = status  # type: ignore[attr-defined]
        exc.code = code  # type: ignore[attr-defined]
        exc.errmsg = msg  # type: ignore[attr-defined]
    except AttributeError:  # pragma: no cover - built-in types without a __dict__
        pass
    return exc


def check(s, status: int, encoding: str = "utf-8",
          pending: Optional[BaseException] = None) -> None:
    """Raise the exception for ``status`` if it is negative.

    ``pending`` is an exception a Python callback raised during the call; it
    is re-raised as it is, with its own traceback, since it is what stopped
    the call.  If stopping the transfer failed as well (the call returned
    another status than FTP_EABORTED), that failure is added to it as a
    note (Python 3.11+) and the session's state tells the rest (``sock``).
    """
    if status >= 0 and pending is None:
        return
    if pending is not None:
        if status < 0 and status != lib.FTP_EABORTED and hasattr(pending, "add_note"):
            other = make_error(s, status, encoding)
            pending.add_note(f"ftpkit: stopping the transfer failed too: "
                             f"{type(other).__name__}: {other}")
        raise pending
    raise make_error(s, status, encoding)
