"""The CFFI declarations (ftpkit._ffi.CDEF) must match capi's header.

The real header is reduced to plain C declarations (comments, the
FTP_EXTERN macro, include guards and the C++ block removed; integer and
character #defines kept) and given to a second CFFI instance.  Then every
function, typedef, struct field, enum constant and #define is compared,
by name and by the C type CFFI derives, in both directions: a declaration
added to, removed from or changed in either file fails here.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import cffi
import pytest

from ftpkit import _ffi

HEADER = Path(os.environ.get("FTPKIT_HEADER") or
              Path(__file__).resolve().parents[3] / "capi" / "include" / "ftpkit" / "ftp.h")


def clean_header(text: str):
    """(declarations for cdef, {define name: int value}) from the header."""
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    text = re.sub(r"//[^\n]*", " ", text)
    text = re.sub(r"\\\n", " ", text)  # line continuations
    text = re.sub(r"#ifdef __cplusplus.*?#endif", " ", text, flags=re.S)
    defines = {}
    lines = []
    for line in text.splitlines():
        s = line.strip()
        if s.startswith("#"):
            m = re.match(r"#\s*define\s+(\w+)\s+(.+)$", s)
            if m:
                value = m.group(2).strip()
                if re.fullmatch(r"0[xX][0-9a-fA-F]+|\d+", value):
                    defines[m.group(1)] = int(value, 0)
                elif re.fullmatch(r"'.'", value):
                    defines[m.group(1)] = ord(value[1])
            continue
        lines.append(line)
    decls = "\n".join(lines).replace("FTP_EXTERN", "")
    return decls, defines


def functions(text: str):
    return set(re.findall(r"\b(ftp_\w+)\s*\(", text))


def typedef_names(text: str):
    names = set(re.findall(r"typedef[^;]*?\(\s*\*\s*(\w+)\s*\)", text))
    names |= set(re.findall(r"\}\s*(\w+)\s*;", text))
    names |= set(re.findall(r"typedef\s+struct\s+\w+\s+(\w+)\s*;", text))
    return names


def enum_constants(text: str):
    return set(re.findall(r"\b(FTP_[A-Z0-9_]+)\s*=", text))


@pytest.fixture(scope="module")
def header():
    assert HEADER.is_file(), f"header not found: {HEADER}"
    decls, defines = clean_header(HEADER.read_text())
    ffi = cffi.FFI()
    ffi.cdef(decls + "\n" + "".join(f"#define {k} {v}\n" for k, v in defines.items()))
    return decls, defines, ffi, ffi.dlopen(_ffi.library_path)


def test_same_functions(header):
    decls, _, _, _ = header
    mine = functions(_ffi.CDEF)
    theirs = functions(decls)
    assert theirs, "no function found in the header: parser broken?"
    assert sorted(theirs - mine) == [], "declared in ftp.h but missing from ftpkit/_ffi.py"
    assert sorted(mine - theirs) == [], "declared in ftpkit/_ffi.py but not in ftp.h"


def test_same_function_signatures(header):
    decls, _, hffi, hlib = header
    for name in sorted(functions(decls)):
        theirs = hffi.typeof(getattr(hlib, name)).cname  # also: exported by the library
        mine = _ffi.ffi.typeof(getattr(_ffi.lib, name)).cname
        assert mine == theirs, f"{name}: _ffi.py has {mine}, ftp.h has {theirs}"


def test_same_typedefs(header):
    decls, _, hffi, _ = header
    theirs = typedef_names(decls)
    mine = typedef_names(_ffi.CDEF)
    assert {"ftp_session", "ftp_status", "ftp_fact", "ftp_data_cb"} <= theirs
    assert theirs == mine
    for name in sorted(theirs):
        assert _ffi.ffi.typeof(name).cname == hffi.typeof(name).cname, name


def test_same_struct_layout(header):
    _, _, hffi, _ = header
    for name in ("ftp_fact",):
        assert _ffi.ffi.sizeof(name) == hffi.sizeof(name)
        mine = [(f, t.type.cname, t.offset) for f, t in _ffi.ffi.typeof(name).fields]
        theirs = [(f, t.type.cname, t.offset) for f, t in hffi.typeof(name).fields]
        assert mine == theirs


def test_same_constants(header):
    decls, defines, _, hlib = header
    names = enum_constants(decls)
    assert "FTP_EINTERNAL" in names
    assert names == enum_constants(_ffi.CDEF)
    for name in sorted(names):
        assert getattr(_ffi.lib, name) == getattr(hlib, name), name
    _, my_defines = clean_header(_ffi.CDEF)
    for name, value in defines.items():
        if name.startswith("FTP_") or name.startswith("FTPKIT_VERSION_"):
            assert my_defines.get(name) == value, name
    assert set(my_defines) <= set(defines)


def test_loaded_version_is_supported():
    v = _ffi.lib.ftp_version()
    assert _ffi.SUPPORTED_MIN <= v < _ffi.SUPPORTED_END
    assert _ffi.version_string(v) == _ffi.ffi.string(_ffi.lib.ftp_version_string()).decode()
