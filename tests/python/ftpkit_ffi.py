"""libftpkit through CFFI for the capi suite: the loader is the shared one
(tests/support/ffi.py, cdef made from the real public header at run time so
the declarations the tests use cannot drift from the contract), plus this
suite's session wrapper.
"""
from __future__ import annotations

from pathlib import Path

from support.ffi import (DEFAULT_HEADER, REPO, BaseSession, Library, find_header,  # noqa: F401
                         find_library, header_to_cdef, status_names)

# The documented statuses at the time of writing; the authoritative list is
# parsed from the header's enum (see status_names()), which may have grown.
KNOWN_STATUSES = [
    "FTP_OK", "FTP_EREPLY", "FTP_ETEMP", "FTP_EPERM", "FTP_EPROTO", "FTP_EIO",
    "FTP_ETIMEOUT", "FTP_ETLS", "FTP_ECERT", "FTP_ERESOLVE", "FTP_EINVAL",
    "FTP_ENOMEM", "FTP_ESTATE", "FTP_EABORTED", "FTP_ECANCELED", "FTP_ECLOSED",
    "FTP_EINTERNAL",
]


class Lib(Library):
    """The loaded library: `ffi`, `lib`, status constants and #defines."""

    def __init__(self, libpath: Path, header: Path):
        super().__init__(libpath, header)

    def session(self) -> "Session":
        return Session(self)


class Session(BaseSession):
    """A thin wrapper around one ftp_session* (see support.ffi.BaseSession):
    every method returns the C status code (plus outputs as a tuple where
    the C function has out-parameters)."""

    def __del__(self):
        try:
            self.free()
        except Exception:
            pass

    def describe(self) -> str:
        return (f"code={self.reply_code()} text={self.reply_text()!r} "
                f"errmsg={self.errmsg()!r}")

    # -- options -----------------------------------------------------------
    def set_debug(self, level, collect=True):
        if not collect:
            self._dbg_cb = None
            return self.lib.ftp_set_debug(self.s, level, self.ffi.NULL, self.ffi.NULL)
        return super().set_debug(level)

    # -- commands ----------------------------------------------------------
    def voidcmd(self, cmd):
        return self.lib.ftp_voidcmd(self.s, self._c(cmd))

    def acct(self, a):
        return self.lib.ftp_acct(self.s, self._c(a))

    def feature(self, name):
        params = self.ffi.new("const char **")
        r = self.lib.ftp_feature(self.s, self._c(name), params)
        if r == 1:
            return r, self.ffi.string(params[0]).decode("utf-8", "replace") if params[0] != self.ffi.NULL else None
        return r, None

    # -- push transfers ----------------------------------------------------
    def retrbinary(self, cmd, fn, blocksize=0, rest=0):
        cb = self._data_cb(fn)
        rc = self.lib.ftp_retrbinary(self.s, self._c(cmd), blocksize, rest, cb, self.ffi.NULL)
        self._reraise()
        return rc

    def retrlines(self, cmd):
        lines = []
        cb = self._line_cb(lines.append)
        rc = self.lib.ftp_retrlines(self.s, self._c(cmd), cb, self.ffi.NULL)
        self._reraise()
        return rc, lines

    def storbinary(self, cmd, fn, blocksize=0, rest=0):
        cb = self._read_cb(fn)
        rc = self.lib.ftp_storbinary(self.s, self._c(cmd), blocksize, rest, cb, self.ffi.NULL)
        self._reraise()
        return rc

    def storlines(self, cmd, data: bytes, chunk=None):
        cb = self._read_cb(self.reader(data, chunk))
        rc = self.lib.ftp_storlines(self.s, self._c(cmd), cb, self.ffi.NULL)
        self._reraise()
        return rc

    def mlsd(self, path=None, fn=None):
        entries = []

        def cb(name, nlen, facts, nfacts, ud):
            nm = bytes(self.ffi.buffer(name, nlen))
            fd = self._facts(facts, nfacts)
            entries.append((nm, fd))
            if fn is not None:
                r = fn(nm, fd)
                return 0 if r is None else int(r)
            return 0

        c = self.ffi.callback("ftp_mlsd_cb", cb, onerror=self._onerror)
        rc = self.lib.ftp_mlsd(self.s, self._c(path), c, self.ffi.NULL)
        self._reraise()
        return rc, entries

    # -- file-descriptor transfers -----------------------------------------
    def retr_fd(self, path, fd, rest=0):
        return self.lib.ftp_retr_fd(self.s, self._c(path), rest, fd)

    def stor_fd(self, path, fd, rest=0):
        return self.lib.ftp_stor_fd(self.s, self._c(path), rest, fd)

    # -- pull transfers ----------------------------------------------------
    def transfer_open(self, cmd, type_=ord("I"), rest=0):
        size = self.ffi.new("int64_t *", -12345)
        rc = self.lib.ftp_transfer_open(self.s, self._c(cmd), type_, rest, size)
        return rc, size[0]
