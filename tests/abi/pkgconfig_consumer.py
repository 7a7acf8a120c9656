#!/usr/bin/env python3
"""pkg-config consumer test (meson test suite 'abi').

Builds consumer.c the way a user would, `cc consumer.c $(pkg-config --cflags
--libs ftpkit)`, and runs it.

  --mode uninstalled  uses Meson's meson-uninstalled/ftpkit-uninstalled.pc
                      straight from the build tree;
  --mode installed    runs `meson install --destdir` into a temporary
                      directory, checks that the header, the library (with
                      its SONAME link) and ftpkit.pc are there, and builds
                      against that ftpkit.pc.

The compiler comes from $CC (set by meson.build to Meson's C compiler).
Exit status: 0 pass, 1 fail, 77 skip (pkg-config missing).
"""
import argparse
import os
import shlex
import shutil
import subprocess
import sys
import tempfile


def run(cmd, env=None, capture=False):
    print('+ ' + ' '.join(shlex.quote(c) for c in cmd), flush=True)
    return subprocess.run(cmd, env=env, check=True, universal_newlines=True,
                          stdout=subprocess.PIPE if capture else None).stdout


def pkg_config(pkgconf, env, *args):
    return shlex.split(run([pkgconf] + list(args) + ['ftpkit'], env=env, capture=True))


def build_and_run(pkgconf, env, source, workdir, define_prefix=None):
    extra = ['--define-variable=prefix=' + define_prefix] if define_prefix else []
    cflags = pkg_config(pkgconf, env, *extra, '--cflags')
    libs = pkg_config(pkgconf, env, *extra, '--libs')
    rpath = ['-Wl,-rpath,' + f[2:] for f in libs if f.startswith('-L')]
    exe = os.path.join(workdir, 'consumer')
    cc = shlex.split(os.environ.get('CC') or 'cc')
    run(cc + [source, '-o', exe] + cflags + libs + rpath)
    # The program must find the library through the rpath alone.
    run_env = dict(os.environ)
    run_env.pop('LD_LIBRARY_PATH', None)
    run([exe], env=run_env)


def find(root, name):
    for dirpath, _dirs, files in os.walk(root):
        if name in files or name in _dirs:
            return os.path.join(dirpath, name)
    return None


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument('--mode', choices=['uninstalled', 'installed'], required=True)
    ap.add_argument('--build-root', required=True)
    ap.add_argument('--source', required=True, help='consumer.c')
    ap.add_argument('--soname', required=True, help='e.g. libftpkit.so.0')
    ap.add_argument('--meson', default='meson', help='the meson command (space-separated)')
    args = ap.parse_args()

    pkgconf = shutil.which('pkg-config') or shutil.which('pkgconf')
    if not pkgconf:
        print('SKIP: pkg-config not found')
        return 77

    with tempfile.TemporaryDirectory(prefix='ftpkit-pc-') as tmp:
        env = dict(os.environ)
        env.pop('PKG_CONFIG_LIBDIR', None)
        if args.mode == 'uninstalled':
            pcdir = os.path.join(args.build_root, 'meson-uninstalled')
            if not os.path.isfile(os.path.join(pcdir, 'ftpkit-uninstalled.pc')):
                print('FAIL: %s/ftpkit-uninstalled.pc is missing' % pcdir)
                return 1
            env['PKG_CONFIG_PATH'] = pcdir
            build_and_run(pkgconf, env, args.source, tmp)
        else:
            dest = os.path.join(tmp, 'destdir')
            run(shlex.split(args.meson) + ['install', '-C', args.build_root, '--no-rebuild',
                                           '--quiet', '--destdir', dest])
            missing = []
            header = find(dest, 'ftp.h')
            if not header or os.path.basename(os.path.dirname(header)) != 'ftpkit':
                missing.append('include/ftpkit/ftp.h')
            pc = find(dest, 'ftpkit.pc')
            if not pc:
                missing.append('pkgconfig/ftpkit.pc')
            for lib in ('libftpkit.so', args.soname):
                if not find(dest, lib):
                    missing.append(lib)
            if missing:
                print('FAIL: meson install did not install: ' + ', '.join(missing))
                return 1
            with open(pc, encoding='utf-8') as f:
                text = f.read()
            print(text)
            prefix = next((l.split('=', 1)[1].strip() for l in text.splitlines()
                           if l.startswith('prefix=')), None)
            if prefix is None:
                print('FAIL: ftpkit.pc has no prefix= line')
                return 1
            if 'openssl' not in next((l for l in text.splitlines()
                                      if l.startswith('Requires.private:')), ''):
                print('FAIL: ftpkit.pc lacks openssl in Requires.private')
                return 1
            env['PKG_CONFIG_PATH'] = os.path.dirname(pc)
            build_and_run(pkgconf, env, args.source, tmp,
                          define_prefix=dest + prefix)
    print('OK')
    return 0


if __name__ == '__main__':
    try:
        sys.exit(main())
    except subprocess.CalledProcessError as e:
        print('FAIL: command exited with status %s' % e.returncode)
        sys.exit(1)
