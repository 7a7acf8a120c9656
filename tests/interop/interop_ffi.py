"""libftpkit through CFFI (ABI mode), for the interop and faults suites.

The cdef is made from the real public header (FTPKIT_HEADER, default
capi/include/ftpkit/ftp.h) by dropping comments, preprocessor lines, the
`extern "C"` wrapper and the FTP_EXTERN macro, so the declarations the tests
call cannot drift from the contract.  FTPKIT_LIBRARY names the .so to load.

`Session` is a thin wrapper: every method returns the C status (plus the
outputs of out-parameters).  An exception raised inside a Python callback
makes the callback return non-zero and is re-raised after the C call.
CFFI releases the GIL around every C call, so sessions on different Python
threads really run in parallel inside the library.
"""
from __future__ import annotations

import os
import re
import threading
from pathlib import Path

import cffi

REPO = Path(__file__).resolve().parents[2]


def header_path() -> Path:
    return Path(os.environ.get("FTPKIT_HEADER") or REPO / "capi" / "include" / "ftpkit" / "ftp.h")


def library_path() -> Path:
    env = os.environ.get("FTPKIT_LIBRARY")
    if not env:
        raise RuntimeError("FTPKIT_LIBRARY is not set (meson test sets it to libftpkit.so)")
    return Path(env)


def header_to_cdef(text: str) -> tuple[str, dict[str, int]]:
    """(declarations for ffi.cdef, integer #define constants) of the header."""
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    text = re.sub(r"//[^\n]*", "", text)
    text = re.sub(r"\\\n", " ", text)
    lines, consts, depth_cxx, depth = [], {}, [], 0
    for line in text.splitlines():
        s = line.strip()
        if s.startswith("#"):
            d = s[1:].split()
            if not d:
                continue
            if d[0] in ("if", "ifdef", "ifndef"):
                depth_cxx.append(d[:2] == ["ifdef", "__cplusplus"])
            elif d[0] == "endif":
                depth_cxx.pop()
            elif d[0] == "define" and len(d) >= 3 and "(" not in d[1]:
                value = " ".join(d[2:])
                m = re.fullmatch(r"'(.)'", value)
                if m:
                    consts[d[1]] = ord(m.group(1))
                elif re.fullmatch(r"-?(0x[0-9a-fA-F]+|\d+)", value):
                    consts[d[1]] = int(value, 0)
            continue
        if any(depth_cxx):
            continue
        lines.append(line)
    src = re.sub(r"\bFTP_EXTERN\b", "", "\n".join(lines))
    return src, consts


class Lib:
    _lock = threading.Lock()
    _instance: "Lib | None" = None

    def __init__(self):
        self.cdef, self.consts = header_to_cdef(header_path().read_text())
        self.ffi = cffi.FFI()
        self.ffi.cdef(self.cdef)
        self.lib = self.ffi.dlopen(str(library_path()))
        m = re.search(r"enum\s+ftp_status\s*\{(.*?)\}", self.cdef, re.S)
        self.status = {}
        for item in m.group(1).split(","):
            name = item.split("=")[0].strip()
            if name:
                value = getattr(self.lib, name)
                setattr(self, name, value)
                self.status[value] = name

    @classmethod
    def get(cls) -> "Lib":
        with cls._lock:
            if cls._instance is None:
                cls._instance = Lib()
            return cls._instance

    def name(self, rc: int) -> str:
        return self.status.get(rc, f"status {rc}")


class Session:
    def __init__(self, L: Lib | None = None):
        self.L = L or Lib.get()
        self.ffi, self.lib = self.L.ffi, self.L.lib
        self.s = self.lib.ftp_new()
        assert self.s != self.ffi.NULL, "ftp_new returned NULL"
        self._exc = None
        self.trace: list[str] = []
        self._dbg = None

    # -- lifecycle -----------------------------------------------------------
    def free(self):
        if self.s is not None:
            self.lib.ftp_free(self.s)
            self.s = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.free()

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

    # -- state ---------------------------------------------------------------
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
        return self.ffi.string(self.lib.ftp_tls_version(self.s)).decode()

    def tls_data_resumed(self) -> int:
        return self.lib.ftp_tls_data_resumed(self.s)

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
    def set_timeout(self, ms):
        return self.lib.ftp_set_timeout_ms(self.s, ms)

    def set_data_timeout(self, ms):
        return self.lib.ftp_set_data_timeout_ms(self.s, ms)

    def set_reply_timeout(self, ms):
        return self.lib.ftp_set_reply_timeout_ms(self.s, ms)

    def set_passive(self, on: bool):
        return self.lib.ftp_set_passive(self.s, 1 if on else 0)

    def set_epsv(self, on: bool):
        return self.lib.ftp_set_epsv(self.s, 1 if on else 0)

    def set_tls_mode(self, mode: int):
        return self.lib.ftp_set_tls_mode(self.s, mode)

    def set_tls_ca(self, ca_file):
        return self.lib.ftp_set_tls_ca(self.s, self._c(ca_file), self.ffi.NULL)

    def set_debug(self, level=1):
        def cb(line, n, ud):
            self.trace.append(bytes(self.ffi.buffer(line, n)).decode("utf-8", "replace"))
        self._dbg = self.ffi.callback("ftp_debug_cb", cb)
        return self.lib.ftp_set_debug(self.s, level, self._dbg, self.ffi.NULL)

    # -- connection ----------------------------------------------------------
    def connect(self, host, port):
        return self.lib.ftp_connect(self.s, self._c(host), port)

    def login(self, user=None, passwd=None):
        return self.lib.ftp_login(self.s, self._c(user), self._c(passwd), self.ffi.NULL)

    def quit(self):
        return self.lib.ftp_quit(self.s)

    def close(self):
        self.lib.ftp_close(self.s)

    def cancel(self):
        self.lib.ftp_cancel(self.s)

    # -- commands ------------------------------------------------------------
    def sendcmd(self, cmd):
        return self.lib.ftp_sendcmd(self.s, self._c(cmd))

    def noop(self):
        return self.lib.ftp_noop(self.s)

    def cwd(self, path):
        return self.lib.ftp_cwd(self.s, self._c(path))

    def pwd(self):
        out, n = self.ffi.new("const char **"), self.ffi.new("size_t *")
        rc = self.lib.ftp_pwd(self.s, out, n)
        return rc, (bytes(self.ffi.buffer(out[0], n[0])) if rc == 0 else None)

    def mkd(self, path):
        out, n = self.ffi.new("const char **"), self.ffi.new("size_t *")
        rc = self.lib.ftp_mkd(self.s, self._c(path), out, n)
        return rc, (bytes(self.ffi.buffer(out[0], n[0])) if rc == 0 else None)

    def rmd(self, path):
        return self.lib.ftp_rmd(self.s, self._c(path))

    def delete(self, path):
        return self.lib.ftp_delete(self.s, self._c(path))

    def rename(self, a, b):
        return self.lib.ftp_rename(self.s, self._c(a), self._c(b))

    def size(self, path):
        out = self.ffi.new("uint64_t *")
        rc = self.lib.ftp_size(self.s, self._c(path), out)
        return rc, (out[0] if rc == 0 else None)

    def abort(self):
        return self.lib.ftp_abort(self.s)

    # -- listings ------------------------------------------------------------
    def _lines(self, func, path):
        lines = []

        def cb(line, n, ud):
            lines.append(bytes(self.ffi.buffer(line, n)))
            return 0
        c = self.ffi.callback("ftp_line_cb", cb, onerror=self._onerror)
        rc = func(self.s, self._c(path), c, self.ffi.NULL)
        self._reraise()
        return rc, lines

    def list(self, path=None):
        return self._lines(self.lib.ftp_list, path)

    def nlst(self, path=None):
        return self._lines(self.lib.ftp_nlst, path)

    def mlsd(self, path=None):
        entries = []

        def cb(name, name_len, facts, nfacts, ud):
            d = {}
            for i in range(nfacts):
                f = facts[i]
                d[bytes(self.ffi.buffer(f.name, f.name_len)).decode("utf-8", "replace")] = \
                    bytes(self.ffi.buffer(f.value, f.value_len)).decode("utf-8", "replace")
            entries.append((bytes(self.ffi.buffer(name, name_len)), d))
            return 0
        c = self.ffi.callback("ftp_mlsd_cb", cb, onerror=self._onerror)
        rc = self.lib.ftp_mlsd(self.s, self._c(path), c, self.ffi.NULL)
        self._reraise()
        return rc, entries

    # -- push transfers ------------------------------------------------------
    def retr_cb(self, path, fn, rest=0):
        """RETR with fn(bytes) per block; fn returns None/0 to continue."""
        def cb(data, n, ud):
            r = fn(bytes(self.ffi.buffer(data, n)))
            return 0 if r is None else int(r)
        c = self.ffi.callback("ftp_data_cb", cb, onerror=self._onerror)
        rc = self.lib.ftp_retr(self.s, self._c(path), rest, c, self.ffi.NULL)
        self._reraise()
        return rc

    def retr(self, path, rest=0):
        chunks = []
        rc = self.retr_cb(path, chunks.append, rest)
        return rc, b"".join(chunks)

    def stor_cb(self, path, fn, rest=0):
        """STOR pulling fn(cap) -> bytes (b'' at end) or an int to abort."""
        def cb(buf, cap, out_len, ud):
            r = fn(cap)
            if isinstance(r, int):
                return r
            assert len(r) <= cap
            self.ffi.memmove(buf, r, len(r))
            out_len[0] = len(r)
            return 0
        c = self.ffi.callback("ftp_read_cb", cb, onerror=self._onerror)
        rc = self.lib.ftp_stor(self.s, self._c(path), rest, c, self.ffi.NULL)
        self._reraise()
        return rc

    def stor(self, path, data: bytes, rest=0):
        view, pos = memoryview(data), 0

        def fn(cap):
            nonlocal pos
            piece = bytes(view[pos:pos + cap])
            pos += len(piece)
            return piece
        return self.stor_cb(path, fn, rest)

    # -- pull transfers ------------------------------------------------------
    def transfer_open(self, cmd, type_="I", rest=0):
        size = self.ffi.new("int64_t *")
        t = 0 if type_ is None else ord(type_)
        rc = self.lib.ftp_transfer_open(self.s, self._c(cmd), t, rest, size)
        return rc, size[0]

    def transfer_read(self, cap=65536):
        buf = self.ffi.new("char[]", cap)
        n = self.ffi.new("size_t *")
        rc = self.lib.ftp_transfer_read(self.s, buf, cap, n)
        return rc, (bytes(self.ffi.buffer(buf, n[0])) if rc == 0 else b"")

    def transfer_write(self, data: bytes):
        return self.lib.ftp_transfer_write(self.s, data, len(data))

    def transfer_close(self):
        return self.lib.ftp_transfer_close(self.s)
