#!/usr/bin/env python3
"""Run the examples against a local pyftpdlib server (meson suite 'examples').

Usage: run_examples.py DOWNLOAD_EXE LIST_EXE
Starts pyftpdlib on 127.0.0.1 (a free port, user "demo"/"demo") serving a
temporary directory, downloads a file with `download` and compares it, and
lists the directory with `list`.  Exit 77 (skip) when pyftpdlib is missing.
"""
import os
import subprocess
import sys
import tempfile
import threading

try:
    from pyftpdlib.authorizers import DummyAuthorizer
    from pyftpdlib.handlers import FTPHandler
    from pyftpdlib.servers import FTPServer
except ImportError:
    print('SKIP: pyftpdlib is not installed (scripts/install-deps installs it)')
    sys.exit(77)


def main():
    download, lister = sys.argv[1], sys.argv[2]
    with tempfile.TemporaryDirectory(prefix='ftpkit-examples-') as tmp:
        root = os.path.join(tmp, 'root')
        os.mkdir(root)
        payload = os.urandom(300 * 1024) + b'end\r\n'
        with open(os.path.join(root, 'data.bin'), 'wb') as f:
            f.write(payload)
        os.mkdir(os.path.join(root, 'subdir'))

        auth = DummyAuthorizer()
        auth.add_user('demo', 'demo', root, perm='elr')
        handler = type('Handler', (FTPHandler,), {'authorizer': auth, 'banner': 'examples'})
        server = FTPServer(('127.0.0.1', 0), handler)
        port = str(server.socket.getsockname()[1])
        stop = threading.Event()

        def serve():
            while not stop.is_set():
                server.serve_forever(timeout=0.05, blocking=False, handle_exit=False)
            server.close_all()

        thread = threading.Thread(target=serve, daemon=True)
        thread.start()
        env = dict(os.environ, FTPKIT_PASSWORD='demo')
        try:
            out = os.path.join(tmp, 'out.bin')
            subprocess.run([download, '127.0.0.1', port, 'demo', 'data.bin', out],
                           env=env, check=True, timeout=60)
            with open(out, 'rb') as f:
                if f.read() != payload:
                    print('FAIL: downloaded bytes differ')
                    return 1
            listing = subprocess.run([lister, '127.0.0.1', port, 'demo'], env=env, check=True,
                                     timeout=60, stdout=subprocess.PIPE,
                                     universal_newlines=True).stdout
            print(listing)
            if 'data.bin' not in listing or 'subdir' not in listing:
                print('FAIL: listing lacks data.bin or subdir')
                return 1
        finally:
            stop.set()
            thread.join(10)
    print('OK')
    return 0


if __name__ == '__main__':
    try:
        sys.exit(main())
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as e:
        print('FAIL: %s' % e)
        sys.exit(1)
