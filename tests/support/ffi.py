"""libftpkit through CFFI (ABI mode), for every pytest suite.

The cdef is the real public header (FTPKIT_HEADER, default
capi/include/ftpkit/ftp.h) with its comments, its `#ifdef __cplusplus`
blocks, every other preprocessor line and the FTP_EXTERN macro removed, so
the declarations the tests call cannot drift from the contract.  Nothing
else is rewritten.  FTPKIT_LIBRARY names the shared library to dlopen.

`Library` is the loaded library; `BaseSession` a thin wrapper around one
ftp_session*: every method returns the C status (plus the outputs of
out-parameters), and an exception raised inside a Python callback makes the
callback return non-zero (abort) and is re-raised after the C call returns.
CFFI releases the GIL around every C call, so sessions on different Python
threads really run in parallel inside the library.  The suites subclass it
for their own conveniences.
"""
from __future__ import annotations

import glob
import os
import re
from pathlib import Path

import cffi

REPO = Path(__file__).resolve().parents[2]
DEFAULT_HEADER = REPO / "capi" / "include" / "ftpkit" / "ftp.h"


# --------------------------------------------------------------------------
# Finding and loading the library
# --------------------------------------------------------------------------

def find_header() -> Path:
    """FTPKIT_HEADER, else the header in this repository."""
    env = os.environ.get("FTPKIT_HEADER")
    return Path(env) if env else DEFAULT_HEADER


def find_library() -> Path | None:
    """FTPKIT_LIBRARY (None if it names no file); unset: a build*/ folder
    of the repository, else None."""
    env = os.environ.get("FTPKIT_LIBRARY")
    if env:
        return Path(env) if Path(env).exists() else None
    cands = sorted(glob.glob(str(REPO / "build*" / "capi" / "libftpkit.so*")))
    # Prefer the plain .so, then the shortest versioned name.
    cands.sort(key=lambda p: (len(p), p))
    return Path(cands[0]) if cands else None


def status_names(cdef: str) -> list[str]:
    """The members of `enum ftp_status`, in declaration order."""
    m = re.search(r"enum\s+ftp_status\s*\{(.*?)\}", cdef, re.S)
    assert m, "enum ftp_status not found in the header"
    return [x.split("=")[0].strip() for x in m.group(1).split(",") if x.strip()]


def header_to_cdef(text: str) -> tuple[str, dict[str, int]]:
    """Turn the public header into (cdef source, integer #define constants)."""
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)   # block comments
    text = re.sub(r"//[^\n]*", "", text)                  # line comments
    text = re.sub(r"\\\n", " ", text)                     # continued lines
    out: list[str] = []
    defines: dict[str, str] = {}
    skip_stack: list[bool] = []   # per open #if: inside an `#ifdef __cplusplus`
    for line in text.splitlines():
        s = line.strip()
        if s.startswith("#"):
            directive = s[1:].strip()
            if directive.startswith("if"):
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
    src = re.sub(r"\bFTP_EXTERN\b", "", "\n".join(out))
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


def library_path() -> Path:
    """FTPKIT_LIBRARY, or RuntimeError when it names no file."""
    libpath = os.environ.get("FTPKIT_LIBRARY", "")
    if not libpath or not Path(libpath).exists():
        raise RuntimeError(f"FTPKIT_LIBRARY must name the built libftpkit.so (got {libpath!r})")
    return Path(libpath)


def load() -> tuple[cffi.FFI, object]:
    """(ffi, lib) of FTPKIT_LIBRARY, or RuntimeError saying what is missing."""
    libpath = library_path()
    ffi = cffi.FFI()
    ffi.cdef(header_to_cdef(find_header().read_text())[0])
    return ffi, ffi.dlopen(str(libpath))


class Library:
    """The loaded library: `ffi`, `lib`, `cdef`, `consts` (the header's
    integer #defines), and every ftp_status member as an attribute
    (L.FTP_OK ...); `status_list` in declaration order, `status_values`
    mapping a value to its name."""

    def __init__(self, libpath: Path, header: Path):
        self.path = Path(libpath)
        self.header = Path(header)
        self.cdef, self.consts = header_to_cdef(self.header.read_text())
        self.ffi = cffi.FFI()
        self.ffi.cdef(self.cdef)
        self.lib = self.ffi.dlopen(str(libpath))
        self.status_list = status_names(self.cdef)
        self.status_values = {}
        for name in self.status_list:
            value = getattr(self.lib, name)
            setattr(self, name, value)
            self.status_values[value] = name

    def name(self, rc: int) -> str:
        return self.status_values.get(rc, str(rc))


# --------------------------------------------------------------------------
# Sessions
# --------------------------------------------------------------------------

class BaseSession:
    """One ftp_session* of `L` (a Library) and the C calls, statuses as ints.

    `debug_lines` collects the debug trace once set_debug() was called."""

    def __init__(self, L: Library):
        self.L = L
        self.ffi = L.ffi
        self.lib = L.lib
        self.s = self.lib.ftp_new()
        assert self.s != self.ffi.NULL, "ftp_new returned NULL"
        self._exc = None           # the first exception raised in a callback
        self.debug_lines: list[str] = []
        self._dbg_cb = None

    # -- lifecycle -----------------------------------------------------------
    def free(self):
        if self.s is not None and self.s != self.ffi.NULL:
            self.lib.ftp_free(self.s)
        self.s = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.free()

    # -- helpers -------------------------------------------------------------
    def _c(self, x):
        """str/bytes -> bytes for a `const char *`; None -> NULL."""
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

    def _data_cb(self, fn):
        """An ftp_data_cb calling fn(bytes); fn's int result (None: 0) is returned."""
        def cb(data, n, ud):
            r = fn(bytes(self.ffi.buffer(data, n)))
            return 0 if r is None else int(r)
        return self.ffi.callback("ftp_data_cb", cb, onerror=self._onerror)

    def _line_cb(self, fn):
        """An ftp_line_cb calling fn(bytes); fn's int result (None: 0) is returned."""
        def cb(line, n, ud):
            r = fn(bytes(self.ffi.buffer(line, n)))
            return 0 if r is None else int(r)
        return self.ffi.callback("ftp_line_cb", cb, onerror=self._onerror)

    def _read_cb(self, fn):
        """An ftp_read_cb pulling fn(cap) -> bytes (b"" at EOF) or an int
        (returned: abort with that value)."""
        def cb(buf, cap, out_len, ud):
            r = fn(cap)
            if isinstance(r, int):
                return r
            assert len(r) <= cap, f"read callback produced {len(r)} > cap {cap}"
            self.ffi.memmove(buf, r, len(r))
            out_len[0] = len(r)
            return 0
        return self.ffi.callback("ftp_read_cb", cb, onerror=self._onerror)

    def _facts(self, facts, nfacts) -> list[tuple[bytes, bytes]]:
        """The (name, value) pairs of an ftp_mlsd_cb's `facts` array."""
        return [(bytes(self.ffi.buffer(facts[i].name, facts[i].name_len)),
                 bytes(self.ffi.buffer(facts[i].value, facts[i].value_len)))
                for i in range(nfacts)]

    # -- state ---------------------------------------------------------------
    def reply_code(self) -> int:
        return self.lib.ftp_reply_code(self.s)

    def reply_text_bytes(self) -> bytes:
        n = self.ffi.new("size_t *")
        p = self.lib.ftp_reply_text(self.s, n)
        assert p != self.ffi.NULL, "ftp_reply_text returned NULL"
        return bytes(self.ffi.buffer(p, n[0]))

    def reply_text(self) -> str:
        return self.reply_text_bytes().decode("utf-8", "replace")

    def errmsg(self) -> str:
        p = self.lib.ftp_errmsg(self.s)
        assert p != self.ffi.NULL, "ftp_errmsg returned NULL"
        return self.ffi.string(p).decode("utf-8", "replace")

    def welcome(self) -> str:
        p = self.lib.ftp_getwelcome(self.s)
        assert p != self.ffi.NULL, "ftp_getwelcome returned NULL"
        return self.ffi.string(p).decode("utf-8", "replace")

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

    # -- options -------------------------------------------------------------
    def set_timeout(self, ms):
        return self.lib.ftp_set_timeout_ms(self.s, ms)

    def set_debug(self, level=1):
        """Debug trace at `level`, each line appended to debug_lines."""
        def cb(line, n, ud):
            self.debug_lines.append(bytes(self.ffi.buffer(line, n)).decode("utf-8", "replace"))
        self._dbg_cb = self.ffi.callback("ftp_debug_cb", cb)
        return self.lib.ftp_set_debug(self.s, level, self._dbg_cb, self.ffi.NULL)

    def set_passive(self, on):
        return self.lib.ftp_set_passive(self.s, int(on))

    def set_tls_mode(self, mode):
        return self.lib.ftp_set_tls_mode(self.s, mode)

    def set_tls_ca(self, ca_file=None, ca_dir=None):
        return self.lib.ftp_set_tls_ca(self.s, self._c(ca_file), self._c(ca_dir))

    # -- connection ----------------------------------------------------------
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

    def mkd(self, path, want=True):
        """MKD; (status, the created path from the 257 reply); want=False
        passes NULL out-parameters (and gives None)."""
        if not want:
            return self.lib.ftp_mkd(self.s, self._c(path), self.ffi.NULL, self.ffi.NULL), None
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
    def _listing(self, func, path):
        lines: list[bytes] = []
        cb = self._line_cb(lines.append)
        rc = func(self.s, self._c(path), cb, self.ffi.NULL)
        self._reraise()
        return rc, lines

    def list(self, path=None):
        return self._listing(self.lib.ftp_list, path)

    def nlst(self, path=None):
        return self._listing(self.lib.ftp_nlst, path)

    # -- push transfers ------------------------------------------------------
    def retr_fn(self, path, fn, rest=0):
        """RETR, each block to fn(bytes); fn returns None/0 to go on."""
        cb = self._data_cb(fn)
        rc = self.lib.ftp_retr(self.s, self._c(path), rest, cb, self.ffi.NULL)
        self._reraise()
        return rc

    def retr(self, path, rest=0):
        chunks: list[bytes] = []
        rc = self.retr_fn(path, chunks.append, rest)
        return rc, b"".join(chunks)

    def stor_fn(self, path, fn, rest=0):
        """STOR, pulling fn(cap) -> bytes (b"" at the end) or an int to abort."""
        cb = self._read_cb(fn)
        rc = self.lib.ftp_stor(self.s, self._c(path), rest, cb, self.ffi.NULL)
        self._reraise()
        return rc

    @staticmethod
    def reader(data: bytes, chunk: int | None = None):
        """fn(cap) for stor_fn handing out `data` (at most `chunk` at a time)."""
        view, pos = memoryview(data), 0

        def fn(cap):
            nonlocal pos
            n = cap if chunk is None else min(cap, chunk)
            piece = bytes(view[pos:pos + n])
            pos += len(piece)
            return piece
        return fn

    def stor(self, path, data: bytes, rest=0):
        return self.stor_fn(path, self.reader(data), rest)

    # -- pull transfers ------------------------------------------------------
    def transfer_read(self, cap=65536):
        buf = self.ffi.new("char[]", max(cap, 1))
        n = self.ffi.new("size_t *", 0)
        rc = self.lib.ftp_transfer_read(self.s, buf, cap, n)
        return rc, (bytes(self.ffi.buffer(buf, n[0])) if rc == 0 else b"")

    def transfer_write(self, data: bytes):
        return self.lib.ftp_transfer_write(self.s, data, len(data))

    def transfer_close(self):
        return self.lib.ftp_transfer_close(self.s)
