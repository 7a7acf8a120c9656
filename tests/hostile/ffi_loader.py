"""Load libftpkit through CFFI (ABI mode) with declarations taken from the
real public header, so the tests cannot drift from the contract.

The cdef is the header with its comments, its `#ifdef __cplusplus` blocks,
every other preprocessor line and the FTP_EXTERN macro removed.  Nothing
else is rewritten.  FTPKIT_LIBRARY names the shared library and
FTPKIT_HEADER the header (default: the one in this repository).
"""
from __future__ import annotations

import os
import re
from pathlib import Path

import cffi

REPO = Path(__file__).resolve().parents[2]
DEFAULT_HEADER = REPO / "capi" / "include" / "ftpkit" / "ftp.h"


def header_to_cdef(text: str) -> str:
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)   # block comments
    text = re.sub(r"//[^\n]*", "", text)                  # line comments
    text = re.sub(r"\\\n", " ", text)                     # continued lines
    out = []
    depth = 0        # nesting of #if blocks
    skip_at = None   # depth at which an `#ifdef __cplusplus` block started
    for line in text.splitlines():
        s = line.strip()
        if s.startswith("#"):
            d = s[1:].strip()
            if d.startswith("if"):
                depth += 1
                if skip_at is None and d.split()[:2] == ["ifdef", "__cplusplus"]:
                    skip_at = depth
            elif d.startswith("endif"):
                if skip_at == depth:
                    skip_at = None
                depth -= 1
            continue
        if skip_at is None:
            out.append(line)
    return re.sub(r"\bFTP_EXTERN\b", "", "\n".join(out))


def load():
    """Returns (ffi, lib) or raises RuntimeError saying what is missing."""
    libpath = os.environ.get("FTPKIT_LIBRARY", "")
    if not libpath or not Path(libpath).exists():
        raise RuntimeError(f"FTPKIT_LIBRARY must name the built libftpkit.so (got {libpath!r})")
    header = Path(os.environ.get("FTPKIT_HEADER") or DEFAULT_HEADER)
    ffi = cffi.FFI()
    ffi.cdef(header_to_cdef(header.read_text()))
    return ffi, ffi.dlopen(libpath)
