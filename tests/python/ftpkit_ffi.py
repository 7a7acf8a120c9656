"""CFFI (ABI mode) loader for libftpkit and a thin test wrapper.

The cdef is derived from the real public header at run time so that the
declarations the tests use cannot drift from the contract.
"""
from __future__ import annotations

import glob
import os
import re
import threading
from pathlib import Path

import cffi

REPO = Path(__file__).resolve().parents[2]
DEFAULT_HEADER = REPO / "capi" / "include" / "ftpkit" / "ftp.h"

# The documented statuses at the time of writing; the authoritative list is
# parsed from the header's enum (see status_names()), which may have grown.
KNOWN_STATUSES = [
    "FTP_OK", "FTP_EREPLY", "FTP_ETEMP", "FTP_EPERM", "FTP_EPROTO", "FTP_EIO",
    "FTP_ETIMEOUT", "FTP_ETLS", "FTP_ECERT", "FTP_ERESOLVE", "FTP_EINVAL",
    "FTP_ENOMEM", "FTP_ESTATE", "FTP_EABORTED", "FTP_ECANCELED", "FTP_ECLOSED",
    "FTP_EINTERNAL",
]


def status_names(cdef: str) -> list[str]:
    """The members of `enum ftp_status`, in declaration order."""
    m = re.search(r"enum\s+ftp_status\s*\{(.*?)\}", cdef, re.S)
    assert m, "enum ftp_status not found in the header"
    return [x.split("=")[0].strip() for x in m.group(1).split(",") if x.strip()]


def find_header() -> Path:
    env = os.environ.get("FTPKIT_HEADER")
    return Path(env) if env else DEFAULT_HEADER


def find_library() -> Path | None:
    env = os.environ.get("FTPKIT_LIBRARY")
    if env:
        return Path(env) if Path(env).exists() else None
    cands = sorted(glob.glob(str(REPO / "build*" / "capi" / "libftpkit.so*")))
    # Prefer the plain .so, then the shortest versioned name.
    cands.sort(key=lambda p: (len(p), p))
    return Path(cands[0]) if cands else None


def _strip_comments(text: str) -> str:
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    text = re.sub(r"//[^\n]*", "", text)
    return text


def header_to_cdef(text: str) -> tuple[str, dict[str, int]]:
    """Turn the public header into (cdef source, #define constants)."""
    text = _strip_comments(text)
    # Join backslash-continued lines.
    text = re.sub(r"\\\n", " ", text)
    out: list[str] = []
    defines: dict[str, str] = {}
    skip_stack: list[bool] = []
    for line in text.splitlines():
        s = line.strip()
        if s.startswith("#"):
            directive = s[1:].strip()
            if directive.startswith(("ifdef", "ifndef", "if")):
                skip = directive.split()[:2] == ["ifdef", "__cplusplus"]
                skip_stack.append(skip or (bool(skip_stack) and skip_stack[-1]))
            elif directive.startswith("endif"):
                skip_stack.pop()
            elif directive.startswith("define") and not (skip_stack and skip_stack[-1]):
                parts = directive.split(None, 2)
                if len(parts) == 3 and "(" not in parts[1]:
                    defines[parts[1]] = parts[2].strip()
            continue
        if skip_stack and skip_stack[-1]:
            continue
        out.append(line)
    src = "\n".join(out)
    src = re.sub(r"\bFTP_EXTERN\b", "", src)
    consts: dict[str, int] = {}
    for name, expr in defines.items():
        if name in ("FTP_EXTERN", "FTPKIT_FTP_H"):
            continue
        e = expr
        for _ in range(5):
            e = re.sub(r"\b([A-Z_][A-Z0-9_]*)\b",
                       lambda m: str(consts[m.group(1)]) if m.group(1) in consts else m.group(0), e)
        try:
            val = eval(e, {"__builtins__": {}}, {})  # noqa: S307 - header constants only
        except Exception:
            continue
        if isinstance(val, str) and len(val) == 1:
            val = ord(val)
        if isinstance(val, int):
            consts[name] = val
    return src, consts


class Lib:
    """The loaded library: `ffi`, `lib`, status constants and #defines."""

    def __init__(self, libpath: Path, header: Path):
        self.path = libpath
        self.header = header
        src, consts = header_to_cdef(header.read_text())
        self.cdef = src
        self.ffi = cffi.FFI()
        self.ffi.cdef(src)
        self.lib = self.ffi.dlopen(str(libpath))
        self.consts = consts
        self.status_list = status_names(src)
        for name in self.status_list:
            setattr(self, name, getattr(self.lib, name))
        self.status_values = {getattr(self.lib, n): n for n in self.status_list}

    def name(self, rc: int) -> str:
        return self.status_values.get(rc, str(rc))

    def session(self) -> "Session":
        return Session(self)


class CallbackError(Exception):
    pass


class Session:
    """A thin wrapper around one ftp_session*.

    Every method returns the C status code (plus outputs as a tuple where the
    C function has out-parameters).  Exceptions raised inside Python
    callbacks make the callback return non-zero (abort) and are re-raised
    after the C call returns.
    """

    def __init__(self, L: Lib):
        self.L = L
        self.ffi = L.ffi
        self.lib = L.lib
        self.s = self.lib.ftp_new()
        assert self.s != self.ffi.NULL
        self._keep = []          # callbacks that must outlive the calls
        self._cb_exc = None
        self.debug_lines: list[str] = []
        self._dbg_cb = None
        self._lock = threading.Lock()

    # -- lifecycle ---------------------------------------------------------
    def free(self):
        if self.s is not None and self.s != self.ffi.NULL:
            self.lib.ftp_free(self.s)
        self.s = None

    def __del__(self):
        try:
            self.free()
        except Exception:
            pass

    def __enter__(self):
        return self

    def __exit__(self, *a):
        self.free()

    # -- helpers -----------------------------------------------------------
    @staticmethod
    def b(x):
        if x is None:
            return None
        return x.encode() if isinstance(x, str) else x

    def _c(self, x):
        x = self.b(x)
        return self.ffi.NULL if x is None else x

    def _raise_cb(self):
        exc, self._cb_exc = self._cb_exc, None
        if exc is not None:
            raise exc

    def _onerror(self, exc, val, tb):
        if self._cb_exc is None:
            self._cb_exc = val
        return 1

    def describe(self) -> str:
        return (f"code={self.reply_code()} text={self.reply_text()!r} "
                f"errmsg={self.errmsg()!r}")

    # -- state getters -----------------------------------------------------
    def reply_code(self) -> int:
        return self.lib.ftp_reply_code(self.s)

    def reply_text_bytes(self) -> bytes:
        n = self.ffi.new("size_t *")
        p = self.lib.ftp_reply_text(self.s, n)
        assert p != self.ffi.NULL
        return bytes(self.ffi.buffer(p, n[0]))

    def reply_text(self) -> str:
        return self.reply_text_bytes().decode("utf-8", "replace")

    def errmsg(self) -> str:
        p = self.lib.ftp_errmsg(self.s)
        assert p != self.ffi.NULL
        return self.ffi.string(p).decode("utf-8", "replace")

    def welcome(self) -> str:
        p = self.lib.ftp_getwelcome(self.s)
        assert p != self.ffi.NULL
        return self.ffi.string(p).decode("utf-8", "replace")

    def transfer_bytes(self) -> int:
        return self.lib.ftp_transfer_bytes(self.s)

    def is_connected(self) -> bool:
        return bool(self.lib.ftp_is_connected(self.s))

    # -- options -----------------------------------------------------------
    def set_timeout(self, ms):
        return self.lib.ftp_set_timeout_ms(self.s, ms)

    def set_debug(self, level, collect=True):
        if not collect:
            self._dbg_cb = None
            return self.lib.ftp_set_debug(self.s, level, self.ffi.NULL, self.ffi.NULL)

        def cb(line, n, ud):
            self.debug_lines.append(bytes(self.ffi.buffer(line, n)).decode("utf-8", "replace"))

        self._dbg_cb = self.ffi.callback("ftp_debug_cb", cb)
        return self.lib.ftp_set_debug(self.s, level, self._dbg_cb, self.ffi.NULL)

    # -- connection --------------------------------------------------------
    def connect(self, host, port):
        return self.lib.ftp_connect(self.s, self._c(host), port)

    def login(self, user=None, passwd=None, acct=None):
        return self.lib.ftp_login(self.s, self._c(user), self._c(passwd), self._c(acct))

    def quit(self):
        return self.lib.ftp_quit(self.s)

    def close(self):
        self.lib.ftp_close(self.s)

    def cancel(self):
        self.lib.ftp_cancel(self.s)

    # -- commands ----------------------------------------------------------
    def sendcmd(self, cmd):
        return self.lib.ftp_sendcmd(self.s, self._c(cmd))

    def voidcmd(self, cmd):
        return self.lib.ftp_voidcmd(self.s, self._c(cmd))

    def acct(self, a):
        return self.lib.ftp_acct(self.s, self._c(a))

    def cwd(self, p):
        return self.lib.ftp_cwd(self.s, self._c(p))

    def pwd(self):
        out = self.ffi.new("const char **")
        n = self.ffi.new("size_t *")
        rc = self.lib.ftp_pwd(self.s, out, n)
        if rc != 0:
            return rc, None
        return rc, bytes(self.ffi.buffer(out[0], n[0]))

    def mkd(self, p, want=True):
        if not want:
            return self.lib.ftp_mkd(self.s, self._c(p), self.ffi.NULL, self.ffi.NULL), None
        out = self.ffi.new("const char **")
        n = self.ffi.new("size_t *")
        rc = self.lib.ftp_mkd(self.s, self._c(p), out, n)
        if rc != 0:
            return rc, None
        return rc, bytes(self.ffi.buffer(out[0], n[0]))

    def rmd(self, p):
        return self.lib.ftp_rmd(self.s, self._c(p))

    def delete(self, p):
        return self.lib.ftp_delete(self.s, self._c(p))

    def rename(self, a, b):
        return self.lib.ftp_rename(self.s, self._c(a), self._c(b))

    def size(self, p):
        out = self.ffi.new("uint64_t *")
        rc = self.lib.ftp_size(self.s, self._c(p), out)
        return rc, (out[0] if rc == 0 else None)

    def noop(self):
        return self.lib.ftp_noop(self.s)

    def abort(self):
        return self.lib.ftp_abort(self.s)

    def feature(self, name):
        params = self.ffi.new("const char **")
        r = self.lib.ftp_feature(self.s, self._c(name), params)
        if r == 1:
            return r, self.ffi.string(params[0]).decode("utf-8", "replace") if params[0] != self.ffi.NULL else None
        return r, None

    # -- push transfers ----------------------------------------------------
    def _data_cb(self, fn):
        def cb(data, n, ud):
            r = fn(bytes(self.ffi.buffer(data, n)))
            return 0 if r is None else int(r)
        return self.ffi.callback("ftp_data_cb", cb, onerror=self._onerror)

    def _line_cb(self, fn):
        def cb(line, n, ud):
            r = fn(bytes(self.ffi.buffer(line, n)))
            return 0 if r is None else int(r)
        return self.ffi.callback("ftp_line_cb", cb, onerror=self._onerror)

    def _read_cb(self, fn):
        """fn(cap) -> bytes (b"" at EOF) or an int (abort with that value)."""
        def cb(buf, cap, out_len, ud):
            r = fn(cap)
            if isinstance(r, int):
                return r
            if len(r) > cap:
                raise CallbackError(f"read callback produced {len(r)} > cap {cap}")
            self.ffi.memmove(buf, r, len(r))
            out_len[0] = len(r)
            return 0
        return self.ffi.callback("ftp_read_cb", cb, onerror=self._onerror)

    def retrbinary(self, cmd, fn, blocksize=0, rest=0):
        cb = self._data_cb(fn)
        rc = self.lib.ftp_retrbinary(self.s, self._c(cmd), blocksize, rest, cb, self.ffi.NULL)
        self._raise_cb()
        return rc

    def retr_fn(self, path, fn, rest=0):
        cb = self._data_cb(fn)
        rc = self.lib.ftp_retr(self.s, self._c(path), rest, cb, self.ffi.NULL)
        self._raise_cb()
        return rc

    def retr(self, path, rest=0):
        chunks = []
        rc = self.retr_fn(path, chunks.append, rest)
        return rc, b"".join(chunks)

    def retrlines(self, cmd):
        lines = []
        cb = self._line_cb(lines.append)
        rc = self.lib.ftp_retrlines(self.s, self._c(cmd), cb, self.ffi.NULL)
        self._raise_cb()
        return rc, lines

    @staticmethod
    def reader(data: bytes, chunk: int | None = None):
        pos = 0

        def fn(cap):
            nonlocal pos
            n = cap if chunk is None else min(cap, chunk)
            piece = data[pos:pos + n]
            pos += len(piece)
            return piece
        return fn

    def storbinary(self, cmd, fn, blocksize=0, rest=0):
        cb = self._read_cb(fn)
        rc = self.lib.ftp_storbinary(self.s, self._c(cmd), blocksize, rest, cb, self.ffi.NULL)
        self._raise_cb()
        return rc

    def stor_fn(self, path, fn, rest=0):
        cb = self._read_cb(fn)
        rc = self.lib.ftp_stor(self.s, self._c(path), rest, cb, self.ffi.NULL)
        self._raise_cb()
        return rc

    def stor(self, path, data: bytes, rest=0):
        return self.stor_fn(path, self.reader(data), rest)

    def storlines(self, cmd, data: bytes, chunk=None):
        cb = self._read_cb(self.reader(data, chunk))
        rc = self.lib.ftp_storlines(self.s, self._c(cmd), cb, self.ffi.NULL)
        self._raise_cb()
        return rc

    def _listing(self, func, path):
        lines = []
        cb = self._line_cb(lines.append)
        rc = func(self.s, self._c(path), cb, self.ffi.NULL)
        self._raise_cb()
        return rc, lines

    def nlst(self, path=None):
        return self._listing(self.lib.ftp_nlst, path)

    def list(self, path=None):
        return self._listing(self.lib.ftp_list, path)

    def mlsd(self, path=None, fn=None):
        entries = []

        def cb(name, nlen, facts, nfacts, ud):
            nm = bytes(self.ffi.buffer(name, nlen))
            fd = []
            for i in range(nfacts):
                f = facts[i]
                fd.append((bytes(self.ffi.buffer(f.name, f.name_len)),
                           bytes(self.ffi.buffer(f.value, f.value_len))))
            entries.append((nm, fd))
            if fn is not None:
                r = fn(nm, fd)
                return 0 if r is None else int(r)
            return 0

        c = self.ffi.callback("ftp_mlsd_cb", cb, onerror=self._onerror)
        rc = self.lib.ftp_mlsd(self.s, self._c(path), c, self.ffi.NULL)
        self._raise_cb()
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

    def transfer_read(self, cap=65536):
        buf = self.ffi.new("char[]", max(cap, 1))
        n = self.ffi.new("size_t *", 0)
        rc = self.lib.ftp_transfer_read(self.s, buf, cap, n)
        return rc, bytes(self.ffi.buffer(buf, n[0])) if rc == 0 else b""

    def transfer_write(self, data: bytes):
        return self.lib.ftp_transfer_write(self.s, data, len(data))

    def transfer_close(self):
        return self.lib.ftp_transfer_close(self.s)
