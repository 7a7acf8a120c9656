"""Run a pyftpdlib server in its own process (the C library blocks, so the
server must never share the test process's GIL).

Prints "PORT <n>" on stdout once listening, then serves until killed.
"""
import argparse
import logging
import sys

from pyftpdlib.authorizers import DummyAuthorizer
from pyftpdlib.handlers import FTPHandler
from pyftpdlib.servers import FTPServer


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--root", required=True)
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--user", default="user")
    ap.add_argument("--password", default="12345")
    ap.add_argument("--max-cons", type=int, default=0)
    ap.add_argument("--defaults", action="store_true",
                    help="pyftpdlib's default handler settings (only the authorizer is set)")
    ap.add_argument("--log", default=None)
    args = ap.parse_args()

    logging.basicConfig(filename=args.log, level=logging.INFO,
                        format="%(asctime)s %(message)s")

    auth = DummyAuthorizer()
    auth.add_user(args.user, args.password, args.root, perm="elradfmwMT")
    auth.add_anonymous(args.root)  # read-only: "elr"

    class Handler(FTPHandler):
        pass

    Handler.authorizer = auth
    if not args.defaults:
        Handler.banner = "ftpkit test server (pyftpdlib) ready."
        # A failed login is still answered 530, just without a 3 s pause.
        Handler.auth_failed_timeout = 0.2
    server = FTPServer((args.host, 0), Handler)
    if args.max_cons:
        server.max_cons = args.max_cons
    port = server.socket.getsockname()[1]
    sys.stdout.write(f"PORT {port}\n")
    sys.stdout.flush()
    server.serve_forever(handle_exit=True)


if __name__ == "__main__":
    main()
