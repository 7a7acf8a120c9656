"""The library through CFFI, as the FTPS tests use it: the shared loader and
session wrapper (tests/support/ffi.py: cdef built from the real public
header FTPKIT_HEADER, FTPKIT_LIBRARY dlopened) plus the FTPS calls.

Every method returns the C status (plus outputs where the C function has
out-parameters).  An exception raised in a Python callback makes the
callback return non-zero and is re-raised after the C call returns.
"""
from __future__ import annotations

import hashlib
from pathlib import Path

from support.ffi import BaseSession


class FTPS(BaseSession):
    def describe(self) -> str:
        return (f"code={self.reply_code()} text={self.reply_text()!r} "
                f"errmsg={self.errmsg()!r} tls={self.tls_version()!r}")

    # -- options -----------------------------------------------------------
    def set_passive(self, on):
        return self.lib.ftp_set_passive(self.s, on)

    def set_address_family(self, fam):
        return self.lib.ftp_set_address_family(self.s, fam)

    def set_tls_insecure(self, insecure):
        return self.lib.ftp_set_tls_insecure(self.s, insecure)

    def add_tls_ca_cert(self, data: bytes | None, length=None):
        if data is None:
            return self.lib.ftp_add_tls_ca_cert(self.s, self.ffi.NULL, length or 0)
        return self.lib.ftp_add_tls_ca_cert(self.s, data, len(data) if length is None else length)

    def clear_tls_ca(self):
        return self.lib.ftp_clear_tls_ca(self.s)

    def set_tls_client_cert(self, cert=None, key=None):
        return self.lib.ftp_set_tls_client_cert(self.s, self._c(cert), self._c(key))

    def set_tls_server_name(self, name):
        return self.lib.ftp_set_tls_server_name(self.s, self._c(name))

    def set_tls_versions(self, lo, hi):
        return self.lib.ftp_set_tls_versions(self.s, lo, hi)

    def set_tls_auth_ssl_fallback(self, on):
        return self.lib.ftp_set_tls_auth_ssl_fallback(self.s, on)

    # -- FTPS commands -----------------------------------------------------
    def auth(self):
        return self.lib.ftp_auth(self.s)

    def prot_p(self):
        return self.lib.ftp_prot_p(self.s)

    def prot_c(self):
        return self.lib.ftp_prot_c(self.s)

    def ccc(self):
        return self.lib.ftp_ccc(self.s)

    # -- transfers ---------------------------------------------------------
    def retr_sha(self, path) -> tuple[int, str, int]:
        """RETR into a SHA-256: (status, hexdigest, bytes received)."""
        h = hashlib.sha256()
        n = [0]

        def sink(b):
            h.update(b)
            n[0] += len(b)
        rc = self.retr_fn(path, sink)
        return rc, h.hexdigest(), n[0]

    def stor_file(self, path, local: Path) -> int:
        with open(local, "rb") as f:
            return self.stor_fn(path, f.read)

    def transfer_open(self, cmd, type_=ord("I")):
        size = self.ffi.new("int64_t *", -12345)
        rc = self.lib.ftp_transfer_open(self.s, self._c(cmd), type_, 0, size)
        return rc, size[0]

    # -- the debug trace ---------------------------------------------------
    def cmds_sent(self) -> list[str]:
        """Commands in the debug trace ("*cmd* 'USER x'" -> "USER x")."""
        out = []
        for line in self.debug_lines:
            if line.startswith("*cmd*"):
                out.append(line[len("*cmd*"):].strip().strip("'\""))
        return out


def sha256_file(path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while True:
            b = f.read(1 << 20)
            if not b:
                break
            h.update(b)
    return h.hexdigest()
