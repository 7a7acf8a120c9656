"""libftpkit through CFFI (ABI mode), for the interop and faults suites: the
shared loader and session wrapper (tests/support/ffi.py; the cdef is made
from the real public header FTPKIT_HEADER, FTPKIT_LIBRARY is dlopened) with
this suite's names and conveniences.

`Session` is a thin wrapper: every method returns the C status (plus the
outputs of out-parameters).  An exception raised inside a Python callback
makes the callback return non-zero and is re-raised after the C call.
CFFI releases the GIL around every C call, so sessions on different Python
threads really run in parallel inside the library.
"""
from __future__ import annotations

import threading

from support.ffi import BaseSession, Library, find_header, library_path
from support.servers import HOST


class Lib(Library):
    """The library, loaded once per process (Lib.get())."""
    _lock = threading.Lock()
    _instance: "Lib | None" = None

    def __init__(self):
        super().__init__(library_path(), find_header())
        self.status = self.status_values

    @classmethod
    def get(cls) -> "Lib":
        with cls._lock:
            if cls._instance is None:
                cls._instance = Lib()
            return cls._instance

    def name(self, rc: int) -> str:
        return self.status.get(rc, f"status {rc}")


class Session(BaseSession):
    def __init__(self, L: Lib | None = None):
        super().__init__(L or Lib.get())

    @property
    def trace(self) -> list[str]:
        """The debug trace (set_debug())."""
        return self.debug_lines

    def feature(self, name: str):
        params = self.ffi.new("const char **")
        if self.lib.ftp_feature(self.s, self._c(name), params) != 1:
            return None
        return self.ffi.string(params[0]).decode("utf-8", "replace") if params[0] else ""

    def describe(self, rc: int | None = None) -> str:
        head = f"rc={self.L.name(rc)} " if rc is not None else ""
        return (f"{head}code={self.reply_code()} reply={self.reply_text()!r} "
                f"errmsg={self.errmsg()!r} connected={self.is_connected()}"
                + (f" trace={self.trace[-12:]!r}" if self.trace else ""))

    # -- options -------------------------------------------------------------
    def set_data_timeout(self, ms):
        return self.lib.ftp_set_data_timeout_ms(self.s, ms)

    def set_reply_timeout(self, ms):
        return self.lib.ftp_set_reply_timeout_ms(self.s, ms)

    def set_epsv(self, on: bool):
        return self.lib.ftp_set_epsv(self.s, 1 if on else 0)

    # -- listings and transfers ----------------------------------------------
    def mlsd(self, path=None):
        entries = []

        def cb(name, name_len, facts, nfacts, ud):
            d = {k.decode("utf-8", "replace"): v.decode("utf-8", "replace")
                 for k, v in self._facts(facts, nfacts)}
            entries.append((bytes(self.ffi.buffer(name, name_len)), d))
            return 0
        c = self.ffi.callback("ftp_mlsd_cb", cb, onerror=self._onerror)
        rc = self.lib.ftp_mlsd(self.s, self._c(path), c, self.ffi.NULL)
        self._reraise()
        return rc, entries

    def retr_cb(self, path, fn, rest=0):
        """RETR with fn(bytes) per block; fn returns None/0 to continue."""
        return self.retr_fn(path, fn, rest)

    def stor_cb(self, path, fn, rest=0):
        """STOR pulling fn(cap) -> bytes (b'' at end) or an int to abort."""
        return self.stor_fn(path, fn, rest)

    def transfer_open(self, cmd, type_="I", rest=0):
        size = self.ffi.new("int64_t *")
        t = 0 if type_ is None else ord(type_)
        rc = self.lib.ftp_transfer_open(self.s, self._c(cmd), t, rest, size)
        return rc, size[0]


def configured_session(*, passive=True, tls=False, certs=None, timeout_ms=30000) -> Session:
    """A new, unconnected session: all timeouts `timeout_ms`, a debug trace,
    passive or active data connections, and with `tls` explicit FTPS
    trusting the CA of `certs`."""
    s = Session()
    assert s.set_timeout(timeout_ms) == 0
    assert s.set_debug(1) == 0
    assert s.set_passive(passive) == 0
    if tls:
        assert s.set_tls_mode(s.lib.FTP_TLS_EXPLICIT) == 0
        assert s.set_tls_ca(str(certs.ca)) == 0
    return s


def enter(s: Session, srv) -> Session:
    """Connect `s` to the server `srv` on HOST, log in as its user and change
    to its work folder (srv.remote_dir)."""
    rc = s.connect(HOST, srv.port)
    assert rc == 0, f"connect: {s.describe(rc)}"
    rc = s.login(srv.user, srv.password)
    assert rc == 0, f"login: {s.describe(rc)}"
    if srv.remote_dir != ".":
        rc = s.cwd(srv.remote_dir)
        assert rc == 0, f"cwd: {s.describe(rc)}"
    return s
