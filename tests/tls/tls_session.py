"""The library through CFFI, as the FTPS tests use it.

Only the loader is reused (read-only) from tests/python/ftpkit_ffi.py: it
builds the cdef from the real public header (FTPKIT_HEADER) and dlopens
FTPKIT_LIBRARY.  The session wrapper below is this suite's own, so changes
to the capi suite's wrapper cannot break it.

Every method returns the C status (plus outputs where the C function has
out-parameters).  An exception raised in a Python callback makes the
callback return non-zero and is re-raised after the C call returns.
"""
from __future__ import annotations

import hashlib
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "python"))

import ftpkit_ffi  # noqa: E402  (tests/python: find_library, find_header, Lib)


class FTPS:
    def __init__(self, L):
        self.L = L
        self.ffi = L.ffi
        self.lib = L.lib
        self.s = self.lib.ftp_new()
        assert self.s != self.ffi.NULL, "ftp_new returned NULL"
        self.debug_lines: list[str] = []
        self._dbg = None
        self._exc = None

    # -- lifecycle / helpers -----------------------------------------------
    def free(self):
        if self.s is not None:
            self.lib.ftp_free(self.s)
            self.s = None

    def _c(self, x):
        if x is None:
            return self.ffi.NULL
        return x.encode() if isinstance(x, str) else x

    def _onerror(self, exc, val, tb):
        if self._exc is None:
            self._exc = val
        return 1

    def _reraise(self):
        exc, self._exc = self._exc, None
        if exc is not None:
            raise exc

    # -- state -------------------------------------------------------------
    def reply_code(self) -> int:
        return self.lib.ftp_reply_code(self.s)

    def reply_text(self) -> str:
        n = self.ffi.new("size_t *")
        p = self.lib.ftp_reply_text(self.s, n)
        return bytes(self.ffi.buffer(p, n[0])).decode("utf-8", "replace")

    def errmsg(self) -> str:
        return self.ffi.string(self.lib.ftp_errmsg(self.s)).decode("utf-8", "replace")

    def welcome(self) -> str:
        return self.ffi.string(self.lib.ftp_getwelcome(self.s)).decode("utf-8", "replace")

    def transfer_bytes(self) -> int:
        return self.lib.ftp_transfer_bytes(self.s)

    def is_connected(self) -> bool:
        return bool(self.lib.ftp_is_connected(self.s))

    def tls_version(self) -> str:
        p = self.lib.ftp_tls_version(self.s)
        assert p != self.ffi.NULL, "ftp_tls_version returned NULL"
        return self.ffi.string(p).decode()

    def tls_data_resumed(self) -> int:
        return self.lib.ftp_tls_data_resumed(self.s)

    def describe(self) -> str:
        return (f"code={self.reply_code()} text={self.reply_text()!r} "
                f"errmsg={self.errmsg()!r} tls={self.tls_version()!r}")

    # -- options -----------------------------------------------------------
    def set_timeout(self, ms):
        return self.lib.ftp_set_timeout_ms(self.s, ms)

    def set_debug(self, level):
        def cb(line, n, ud):
            self.debug_lines.append(bytes(self.ffi.buffer(line, n)).decode("utf-8", "replace"))
        self._dbg = self.ffi.callback("ftp_debug_cb", cb)
        return self.lib.ftp_set_debug(self.s, level, self._dbg, self.ffi.NULL)

    def set_passive(self, on):
        return self.lib.ftp_set_passive(self.s, on)

    def set_address_family(self, fam):
        return self.lib.ftp_set_address_family(self.s, fam)

    def set_tls_mode(self, mode):
        return self.lib.ftp_set_tls_mode(self.s, mode)

    def set_tls_insecure(self, insecure):
        return self.lib.ftp_set_tls_insecure(self.s, insecure)

    def set_tls_ca(self, ca_file=None, ca_dir=None):
        return self.lib.ftp_set_tls_ca(self.s, self._c(ca_file), self._c(ca_dir))

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

    # -- connection and commands -------------------------------------------
    def connect(self, host, port):
        return self.lib.ftp_connect(self.s, self._c(host), port)

    def login(self, user=None, passwd=None, acct=None):
        return self.lib.ftp_login(self.s, self._c(user), self._c(passwd), self._c(acct))

    def quit(self):
        return self.lib.ftp_quit(self.s)

    def noop(self):
        return self.lib.ftp_noop(self.s)

    def delete(self, path):
        return self.lib.ftp_delete(self.s, self._c(path))

    def size(self, path):
        out = self.ffi.new("uint64_t *")
        rc = self.lib.ftp_size(self.s, self._c(path), out)
        return rc, (out[0] if rc == 0 else None)

    def auth(self):
        return self.lib.ftp_auth(self.s)

    def prot_p(self):
        return self.lib.ftp_prot_p(self.s)

    def prot_c(self):
        return self.lib.ftp_prot_c(self.s)

    def ccc(self):
        return self.lib.ftp_ccc(self.s)

    # -- transfers ---------------------------------------------------------
    def retr_fn(self, path, fn):
        """RETR, each block to fn(bytes)."""
        def cb(data, n, ud):
            fn(bytes(self.ffi.buffer(data, n)))
            return 0
        c = self.ffi.callback("ftp_data_cb", cb, onerror=self._onerror)
        rc = self.lib.ftp_retr(self.s, self._c(path), 0, c, self.ffi.NULL)
        self._reraise()
        return rc

    def retr_sha(self, path) -> tuple[int, str, int]:
        """RETR into a SHA-256: (status, hexdigest, bytes received)."""
        h = hashlib.sha256()
        n = [0]

        def sink(b):
            h.update(b)
            n[0] += len(b)
        rc = self.retr_fn(path, sink)
        return rc, h.hexdigest(), n[0]

    def stor_fn(self, path, fn):
        """STOR, pulling data from fn(cap) -> bytes (b"" at the end)."""
        def cb(buf, cap, out_len, ud):
            piece = fn(cap)
            assert len(piece) <= cap
            self.ffi.memmove(buf, piece, len(piece))
            out_len[0] = len(piece)
            return 0
        c = self.ffi.callback("ftp_read_cb", cb, onerror=self._onerror)
        rc = self.lib.ftp_stor(self.s, self._c(path), 0, c, self.ffi.NULL)
        self._reraise()
        return rc

    def stor(self, path, data: bytes):
        pos = [0]

        def fn(cap):
            piece = data[pos[0]:pos[0] + cap]
            pos[0] += len(piece)
            return piece
        return self.stor_fn(path, fn)

    def stor_file(self, path, local: Path) -> int:
        with open(local, "rb") as f:
            return self.stor_fn(path, f.read)

    def list(self, path=None):
        lines = []

        def cb(line, n, ud):
            lines.append(bytes(self.ffi.buffer(line, n)))
            return 0
        c = self.ffi.callback("ftp_line_cb", cb, onerror=self._onerror)
        rc = self.lib.ftp_list(self.s, self._c(path), c, self.ffi.NULL)
        self._reraise()
        return rc, lines

    def transfer_open(self, cmd, type_=ord("I")):
        size = self.ffi.new("int64_t *", -12345)
        rc = self.lib.ftp_transfer_open(self.s, self._c(cmd), type_, 0, size)
        return rc, size[0]

    def transfer_read(self, cap=65536):
        buf = self.ffi.new("char[]", cap)
        n = self.ffi.new("size_t *", 0)
        rc = self.lib.ftp_transfer_read(self.s, buf, cap, n)
        return rc, (bytes(self.ffi.buffer(buf, n[0])) if rc == 0 else b"")

    def transfer_write(self, data: bytes):
        return self.lib.ftp_transfer_write(self.s, data, len(data))

    def transfer_close(self):
        return self.lib.ftp_transfer_close(self.s)

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
