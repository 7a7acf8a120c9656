#!/usr/bin/env python3
"""ABI guard for libftpkit.so (meson test suite 'abi').

Checks, in the spirit of HarfBuzz's check-symbols.py:
  1. every dynamic symbol the library defines starts with `ftp_`
     (no Asio, OpenSSL or libstdc++ symbol leaks through the ABI);
  2. every function the public header declares with FTP_EXTERN is exported,
     and nothing is exported that the header does not declare;
  3. the SONAME is the expected one (libftpkit.so.<soversion>);
  4. with --pins: every enumerator the header gives an explicit value
     (`FTP_EPERM = -3`) is pinned in header_test.c (`FTP_EPERM == -3`), so
     that a new status cannot be added without its ABI pin.

Exit status: 0 pass, 1 fail, 77 skip (nm/readelf missing or not ELF).
"""
import argparse
import re
import shutil
import subprocess
import sys

# Symbols that linkers and toolchains add on their own (HarfBuzz's list).
IGNORED = re.compile(
    r'^(_init|_fini|_fdata|_ftext|_fbss|__bss_start|__bss_start__|__bss_end__|'
    r'_edata|_end|_bss_end__|__end__|__gcov_.*|llvm_.*|flush_fn_list|'
    r'writeout_fn_list|mangle_path)$')

# `FTP_EXTERN <return type> name(` possibly spanning lines.
DECL = re.compile(r'\bFTP_EXTERN\b[^;{}()]*?\b([A-Za-z_]\w*)\s*\(')


def strip_comments(text):
    text = re.sub(r'/\*.*?\*/', ' ', text, flags=re.S)
    return re.sub(r'//[^\n]*', ' ', text)


def header_functions(path):
    with open(path, encoding='utf-8') as f:
        text = strip_comments(f.read())
    # Drop the macro definition of FTP_EXTERN itself.
    text = re.sub(r'^\s*#.*$', ' ', text, flags=re.M)
    return set(DECL.findall(text))


ENUMERATOR = re.compile(r'^\s*([A-Z][A-Z0-9_]*)\s*=\s*(-?\w+)\s*,?\s*$', re.M)


def unpinned_enumerators(header, pins):
    with open(header, encoding='utf-8') as f:
        text = strip_comments(f.read())
    with open(pins, encoding='utf-8') as f:
        pinned = re.sub(r'\s+', '', strip_comments(f.read()))
    missing = []
    for name, value in ENUMERATOR.findall(text):
        if '%s==%s' % (name, value) not in pinned:
            missing.append('%s = %s' % (name, value))
    return missing


def exported_symbols(nm, lib):
    out = subprocess.run([nm, '-D', '--defined-only', lib], check=True,
                         stdout=subprocess.PIPE, universal_newlines=True).stdout
    syms = {}
    for line in out.splitlines():
        parts = line.split()
        if len(parts) < 2:
            continue
        kind, name = parts[-2], parts[-1]
        name = name.split('@', 1)[0]  # drop a symbol version, if any
        if IGNORED.match(name) or kind == 'A':
            continue  # linker-made symbols and version-definition entries
        syms[name] = kind
    return syms


def soname(readelf, lib):
    out = subprocess.run([readelf, '-d', lib], check=True,
                         stdout=subprocess.PIPE, universal_newlines=True).stdout
    m = re.search(r'\(SONAME\)\s+Library soname: \[([^\]]+)\]', out)
    return m.group(1) if m else None


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument('--lib', required=True, help='path to libftpkit.so')
    ap.add_argument('--header', required=True, help='path to ftpkit/ftp.h')
    ap.add_argument('--soname', required=True, help='expected SONAME')
    ap.add_argument('--prefix', default='ftp_', help='required symbol prefix')
    ap.add_argument('--pins', help='header_test.c, whose FTPKIT_PIN lines pin enumerators')
    args = ap.parse_args()

    nm = shutil.which('nm')
    readelf = shutil.which('readelf')
    if not nm or not readelf:
        print('SKIP: nm or readelf (binutils) not found')
        return 77
    with open(args.lib, 'rb') as f:
        if f.read(4) != b'\x7fELF':
            print('SKIP: %s is not an ELF file' % args.lib)
            return 77

    errors = []
    declared = header_functions(args.header)
    if len(declared) < 10:
        errors.append('parsed only %d declarations from %s: is the regex stale?'
                      % (len(declared), args.header))
    exported = exported_symbols(nm, args.lib)

    bad_prefix = sorted(s for s in exported if not s.startswith(args.prefix))
    for s in bad_prefix:
        errors.append('exported symbol without the %r prefix: %s (%s)'
                      % (args.prefix, s, exported[s]))
    for s in sorted(declared - set(exported)):
        errors.append('declared in the header but not exported: %s' % s)
    for s in sorted(set(exported) - declared - set(bad_prefix)):
        errors.append('exported but not declared in the header: %s' % s)
    for s in sorted(declared & set(exported)):
        if exported[s] not in ('T', 'W', 'i'):
            errors.append('header function exported as non-code symbol: %s (%s)'
                          % (s, exported[s]))

    if args.pins:
        for e in unpinned_enumerators(args.header, args.pins):
            errors.append('enumerator without an ABI pin in %s: %s' % (args.pins, e))

    got = soname(readelf, args.lib)
    if got != args.soname:
        errors.append('SONAME is %r, expected %r' % (got, args.soname))

    print('%s: %d exported symbols, %d declared in %s, SONAME %s'
          % (args.lib, len(exported), len(declared), args.header, got))
    if errors:
        for e in errors:
            print('FAIL: ' + e)
        return 1
    print('OK')
    return 0


if __name__ == '__main__':
    sys.exit(main())
