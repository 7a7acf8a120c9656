"""ftpkit: a drop-in replacement for :mod:`ftplib` on the libftpkit engine.

    import ftpkit as ftplib          # existing ftplib code runs unchanged
    from ftpkit import FTP, FTP_TLS

The classes, functions and exceptions have ftplib's names, arguments,
defaults and results; the exceptions subclass ftplib's, so ``except
ftplib.error_perm`` still catches ftpkit's errors.  The protocol work (RFC
959, 2228, 2428, 3659, 4217) is done by libftpkit's C API through CFFI
(ABI mode; see :mod:`ftpkit._ffi` for how the library is found).  The
differences from ftplib are documented on :class:`FTP`, :class:`FTP_TLS`
and :class:`DataConnection`.

Threading: an FTP object must not be used by two threads at once (ftpkit
raises :class:`StateError` rather than corrupting the session); different
objects are independent; the GIL is released during every network wait;
:meth:`FTP.cancel` and :meth:`FTP.close` may be called from any thread.
"""

from ._data import DataConnection
from ._errors import (Aborted, Canceled, CertificateError, ConnectionClosed, Error,
                      InternalError, InvalidArgument, LocalError, NetworkError, ResolveError,
                      StateError, TimeoutExpired, TLSError, UnsupportedContext, all_errors,
                      check, error_perm, error_proto, error_reply, error_temp)
from ._ffi import library_path, lib as _lib, ffi as _ffi, version_string as _vs
from ._ftp import B_CRLF, CRLF, DEFAULT_TIMEOUT, FTP, FTP_PORT, MAXLINE, MSG_OOB
from ._helpers import ftpcp, parse150, parse227, parse229, parse257, print_line
from ._tls import FTP_TLS, FTPS_PORT

#: This binding's version.
__version__ = "0.1.0"
#: The loaded libftpkit's version, e.g. "0.1.0" (``ftp_version()``).
library_version = _vs(_lib.ftp_version())

__all__ = [
    # ftplib's own names
    "FTP", "FTP_TLS", "error_reply", "error_temp", "error_perm", "error_proto",
    "all_errors", "Error", "parse150", "parse227", "parse229", "parse257",
    "print_line", "ftpcp", "FTP_PORT", "MAXLINE", "CRLF", "B_CRLF", "MSG_OOB",
    # ftpkit's additions
    "DataConnection", "StateError", "Aborted", "InternalError", "NetworkError",
    "TimeoutExpired", "ResolveError", "TLSError", "CertificateError", "Canceled",
    "ConnectionClosed", "LocalError", "InvalidArgument", "UnsupportedContext",
    "DEFAULT_TIMEOUT",
    "FTPS_PORT", "library_path", "library_version", "check",
]

del _ffi
