"""FTP_TLS: FTP over TLS (RFC 4217), as ftplib.FTP_TLS, on libftpkit's TLS.

libftpkit does the TLS itself (OpenSSL), so an :class:`ssl.SSLContext` given
to FTP_TLS is read, not used: the settings it holds are mapped onto the C
options when :meth:`FTP_TLS.connect` runs:

===============================  ==========================================
SSLContext                       libftpkit
===============================  ==========================================
``verify_mode == CERT_NONE``     ``ftp_set_tls_insecure(1)``: no
                                 certificate or host name check (tests only)
``verify_mode`` REQUIRED and     verification on (the default)
``check_hostname`` True
``get_ca_certs(binary_form=      each certificate handed over with
True)``                          ``ftp_add_tls_ca_cert()`` (they replace the
                                 system store); none: the system store
``minimum_version``,             ``ftp_set_tls_versions()`` (TLS 1.2 and 1.3
``maximum_version``,             only; a lower minimum is raised to 1.2)
``OP_NO_TLSv1_2/OP_NO_TLSv1_3``
===============================  ==========================================

Refused with :class:`~ftpkit.UnsupportedContext` (a ValueError), rather
than silently ignored: a client certificate loaded into the context (pass
``certfile``/``keyfile`` instead), ``check_hostname=False`` with
verification on (libftpkit checks chain and name together), a maximum
version below TLS 1.2, CRL checking in ``verify_flags``.  Not read: cipher
lists, ALPN, SNI callbacks, key logging; CA directories given as ``capath``
(OpenSSL loads them lazily, so ``get_ca_certs()`` cannot list them: use
``cafile``/``cadata``).
"""

from __future__ import annotations

import ctypes
import platform
import ssl
from typing import Any, Optional, Tuple

from ._errors import UnsupportedContext, check
from ._ffi import ffi, lib
from ._ftp import _GLOBAL_DEFAULT_TIMEOUT, FTP, FTP_PORT

__all__ = ["FTP_TLS", "FTPS_PORT"]

#: The implicit FTPS port (RFC 4217 §2 mentions the historical port 990).
FTPS_PORT = 990


# -- reading what ssl.SSLContext does not expose ------------------------------

_ssl_ffi: Any = None
_ssl_lib: Any = None


def _context_has_client_cert(ctx: ssl.SSLContext) -> Optional[bool]:
    """Whether a certificate was loaded into ``ctx`` (``load_cert_chain``).

    The ssl module has no getter for it, so this asks OpenSSL
    (``SSL_CTX_get0_certificate``) about the context's ``SSL_CTX``, found
    where CPython keeps it (first field after the object header).  The
    pointer is validated by comparing ``SSL_CTX_get_verify_mode`` with
    ``ctx.verify_mode``.  Returns None when this cannot be done (another
    Python implementation, a libssl without the symbol).
    """
    global _ssl_ffi, _ssl_lib
    if platform.python_implementation() != "CPython":
        return None
    try:
        if _ssl_ffi is None:
            import cffi
            f = cffi.FFI()
            f.cdef("void *SSL_CTX_get0_certificate(const void *ctx);"
                   "int SSL_CTX_get_verify_mode(const void *ctx);")
            _ssl_ffi, _ssl_lib = f, f.dlopen(ssl._ssl.__file__)  # type: ignore[attr-defined]
        addr = ctypes.c_void_p.from_address(id(ctx) + object.__basicsize__).value
        if not addr:
            return None
        p = _ssl_ffi.cast("void *", addr)
        expected = {ssl.CERT_NONE: 0, ssl.CERT_OPTIONAL: 1, ssl.CERT_REQUIRED: 3}
        if _ssl_lib.SSL_CTX_get_verify_mode(p) != expected.get(ctx.verify_mode):
            return None
        return _ssl_lib.SSL_CTX_get0_certificate(p) != _ssl_ffi.NULL
    except Exception:  # noqa: BLE001 - best effort
        return None


def _tls_versions(ctx: ssl.SSLContext) -> Tuple[int, int]:
    """(min, max) for ftp_set_tls_versions() from the context's settings."""
    v12, v13 = lib.FTP_TLS_VERSION_1_2, lib.FTP_TLS_VERSION_1_3
    lo_v, hi_v = ctx.minimum_version, ctx.maximum_version
    TV = ssl.TLSVersion
    lo = v13 if lo_v in (TV.TLSv1_3, TV.MAXIMUM_SUPPORTED) else v12
    if hi_v == TV.MAXIMUM_SUPPORTED or hi_v == TV.TLSv1_3:
        hi = 0
    elif hi_v == TV.TLSv1_2:
        hi = v12
    else:
        raise UnsupportedContext(
            f"SSLContext.maximum_version is {hi_v!r}: libftpkit speaks TLS 1.2 and 1.3 only")
    if ctx.options & ssl.OP_NO_TLSv1_3:
        hi = v12
    if ctx.options & ssl.OP_NO_TLSv1_2:
        lo = v13
    if hi and lo > hi:
        raise UnsupportedContext("the SSLContext allows neither TLS 1.2 nor TLS 1.3")
    return lo, hi


class FTP_TLS(FTP):
    """An FTP client with TLS (RFC 4217), as :class:`ftplib.FTP_TLS`.

    Arguments as ftplib's, plus keyword-only ``implicit`` and ``auto_tls``.
    ``context`` is an :class:`ssl.SSLContext` whose settings are mapped onto
    libftpkit (see the module documentation); ``certfile``/``keyfile`` name
    PEM files for a client certificate (they may be combined with
    ``context``, unlike in ftplib, since a certificate inside a context
    cannot be used).

    Deliberate differences from ftplib, for security:

    * the server certificate and host name are verified by default (ftplib
      verifies nothing unless given a context that does), against the
      system's CA store or the CAs of ``context``;
    * ``auto_tls=True`` (the default): :meth:`connect` sends AUTH TLS right
      after the greeting, so nothing (the password least of all) travels in
      clear even if ``login(secure=False)`` is called, and :meth:`login`
      protects the data connections too (PBSZ 0, PROT P), where ftplib
      leaves them clear until :meth:`prot_p`.  ftplib's sequence (``auth()``,
      ``login()``, ``prot_p()``) still works: ``auth()`` then returns the
      reply AUTH TLS got at connect, ``prot_p()`` repeats PBSZ/PROT P.  With
      ``auto_tls=False`` the behaviour is ftplib's own: clear until
      ``login()``/``auth()``, data clear until ``prot_p()``;
    * ``implicit=True`` speaks TLS from the first byte (port 990 by default);
    * TLS 1.2 is the oldest version spoken; data connections resume the
      control connection's TLS session (servers such as vsftpd with
      ``require_ssl_reuse`` demand it, and ftplib cannot do it).
    """

    ssl_version = ssl.PROTOCOL_TLS_CLIENT

    def __init__(self, host: str = "", user: str = "", passwd: str = "", acct: str = "",
                 keyfile: Optional[str] = None, certfile: Optional[str] = None,
                 context: Optional[ssl.SSLContext] = None,
                 timeout: Any = _GLOBAL_DEFAULT_TIMEOUT,
                 source_address: Optional[Tuple[str, int]] = None, *,
                 encoding: str = "utf-8", implicit: bool = False,
                 auto_tls: bool = True) -> None:
        if keyfile is not None and certfile is None:
            raise ValueError("keyfile needs certfile")
        if context is not None and not isinstance(context, ssl.SSLContext):
            raise TypeError("context must be an ssl.SSLContext")
        self.keyfile = keyfile
        self.certfile = certfile
        #: The ssl.SSLContext given, or None (libftpkit's defaults).
        self.context = context
        self.implicit = implicit
        self.auto_tls = auto_tls or implicit
        self._prot_p = False
        self._auth_reply: Optional[str] = None
        if implicit and self.port == FTP_PORT:
            self.port = FTPS_PORT
        super().__init__(host, user, passwd, acct, timeout, source_address,
                         encoding=encoding)

    # -- configuration ------------------------------------------------------

    def _configure_tls(self) -> None:
        s = self._s
        mode = (lib.FTP_TLS_IMPLICIT if self.implicit
                else lib.FTP_TLS_EXPLICIT if self.auto_tls else lib.FTP_TLS_NONE)
        enc = self.encoding
        check(s, lib.ftp_set_tls_mode(s, mode), enc)
        check(s, lib.ftp_clear_tls_ca(s), enc)
        check(s, lib.ftp_set_tls_insecure(s, 0), enc)
        check(s, lib.ftp_set_tls_versions(s, lib.FTP_TLS_VERSION_1_2, 0), enc)
        if self.certfile:
            check(s, lib.ftp_set_tls_client_cert(
                s, self.certfile.encode(), self.keyfile.encode() if self.keyfile else ffi.NULL),
                enc)
        else:
            check(s, lib.ftp_set_tls_client_cert(s, ffi.NULL, ffi.NULL), enc)
        if self.context is not None:
            self._apply_context(self.context)
        self._prot_p = False
        self._auth_reply = None

    def _apply_context(self, ctx: ssl.SSLContext) -> None:
        s, enc = self._s, self.encoding
        if _context_has_client_cert(ctx):
            raise UnsupportedContext(
                "a client certificate loaded into the SSLContext (load_cert_chain) cannot "
                "be handed to libftpkit: pass certfile= and keyfile= (PEM files) to "
                "FTP_TLS instead")
        if ctx.verify_flags & (ssl.VERIFY_CRL_CHECK_LEAF | ssl.VERIFY_CRL_CHECK_CHAIN):
            raise UnsupportedContext("CRL checking (SSLContext.verify_flags) is not "
                                     "supported by libftpkit")
        lo, hi = _tls_versions(ctx)
        check(s, lib.ftp_set_tls_versions(s, lo, hi), enc)
        if ctx.verify_mode == ssl.CERT_NONE:
            check(s, lib.ftp_set_tls_insecure(s, 1), enc)
            return
        if not ctx.check_hostname:
            raise UnsupportedContext(
                "SSLContext.check_hostname is False while certificates are verified: "
                "libftpkit verifies the chain and the host name together.  Set "
                "verify_mode=ssl.CERT_NONE to turn verification off (tests only), or keep "
                "check_hostname=True")
        for der in ctx.get_ca_certs(binary_form=True):
            check(s, lib.ftp_add_tls_ca_cert(s, der, len(der)), enc)

    def _connected(self) -> None:
        if self.auto_tls and not self.implicit:
            resp = self._reply()
            self._auth_reply = resp if resp.startswith("234") else None

    def _secured(self) -> bool:
        return bool(ffi.string(lib.ftp_tls_version(self._s)))

    # -- RFC 4217 commands --------------------------------------------------

    def login(self, user: str = "", passwd: str = "", acct: str = "",
              secure: bool = True) -> str:
        """Log in as :meth:`FTP.login`; with ``secure`` (the default) the
        control connection is secured first if it is not yet (:meth:`auth`).
        With ``auto_tls`` the data connections are then protected as well."""
        if secure and not self._secured():
            self.auth()
        resp = super().login(user, passwd, acct)
        if self.auto_tls:
            self._prot_p = True
        return resp

    def auth(self) -> str:
        """Secure the control connection: "AUTH TLS" (234 required) and the
        TLS handshake, with certificate verification (RFC 4217 §4).

        Returns the AUTH reply.  With ``auto_tls`` this already happened in
        :meth:`connect`, whose AUTH reply is returned.  Raises ValueError if
        the connection is already secured otherwise, the reply errors if
        AUTH is refused, :class:`CertificateError`, :class:`TLSError`.
        """
        if self._secured():
            if self._auth_reply is not None:
                return self._auth_reply
            raise ValueError("Already using TLS")
        return self._call_reply(lib.ftp_auth)

    def ccc(self) -> str:
        """Switch the control connection back to clear text ("CCC",
        RFC 4217 §6) after the 200 reply; data protection is unchanged.
        Raises ValueError if the control connection is not secured."""
        if not self._secured():
            raise ValueError("not using TLS")
        return self._call_reply(lib.ftp_ccc)

    def prot_p(self) -> str:
        """Protect data connections with TLS: "PBSZ 0" then "PROT P"
        (RFC 4217 §8-9); returns the PROT reply."""
        resp = self._call_reply(lib.ftp_prot_p)
        self._prot_p = True
        return resp

    def prot_c(self) -> str:
        """Clear data connections: "PROT C" (RFC 4217 §9); returns the reply."""
        resp = self._call_reply(lib.ftp_prot_c)
        self._prot_p = False
        return resp

    # -- extensions ---------------------------------------------------------

    @property
    def tls_version(self) -> str:
        """The control connection's TLS version ("TLSv1.3"), '' without TLS."""
        return ffi.string(lib.ftp_tls_version(self._s)).decode("ascii")

    @property
    def data_resumed(self) -> bool:
        """Whether the last protected data connection resumed the control
        connection's TLS session."""
        return bool(lib.ftp_tls_data_resumed(self._s))
