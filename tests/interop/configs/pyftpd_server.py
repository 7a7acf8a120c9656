"""pyftpdlib for the interop matrix and the fault tests, in its own process.

    python3 pyftpd_server.py --root DIR [--user U --password P]
                             [--cert PEM --key KEY]

Binds 127.0.0.1 on an ephemeral port, prints "PORT <n>" and serves until
killed.  With --cert, the TLS handler offers explicit FTPS (not required),
so one instance serves plain and FTPS clients.
"""
import argparse
import sys

from pyftpdlib.authorizers import DummyAuthorizer
from pyftpdlib.handlers import FTPHandler
from pyftpdlib.servers import FTPServer


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--root", required=True)
    ap.add_argument("--user", default="tester")
    ap.add_argument("--password", default="secret")
    ap.add_argument("--cert")
    ap.add_argument("--key")
    a = ap.parse_args()

    auth = DummyAuthorizer()
    auth.add_user(a.user, a.password, a.root, perm="elradfmwMT")
    if a.cert:
        from pyftpdlib.handlers import TLS_FTPHandler

        class Handler(TLS_FTPHandler):
            certfile = a.cert
            keyfile = a.key
            tls_control_required = False
            tls_data_required = False
    else:
        class Handler(FTPHandler):
            pass
    Handler.authorizer = auth
    Handler.banner = "ftpkit interop (pyftpdlib) ready."
    Handler.auth_failed_timeout = 0.1
    server = FTPServer(("127.0.0.1", 0), Handler)
    server.max_cons = 0
    server.max_cons_per_ip = 0
    sys.stdout.write(f"PORT {server.socket.getsockname()[1]}\n")
    sys.stdout.flush()
    server.serve_forever(handle_exit=True)


if __name__ == "__main__":
    main()
