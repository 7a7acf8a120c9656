"""pyftpdlib server for the Go binding's tests, run as a subprocess.

Prints "PORT <n>" on stdout once listening on 127.0.0.1, then serves until
killed.  --throttle BYTES limits each download to that many bytes per
second (pyftpdlib's ThrottledDTPHandler), for the cancellation tests.
"""
import argparse
import sys

from pyftpdlib.authorizers import DummyAuthorizer
from pyftpdlib.handlers import FTPHandler, ThrottledDTPHandler
from pyftpdlib.servers import FTPServer


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--root", required=True)
    ap.add_argument("--user", default="user")
    ap.add_argument("--password", default="12345")
    ap.add_argument("--throttle", type=int, default=0)
    args = ap.parse_args()

    auth = DummyAuthorizer()
    auth.add_user(args.user, args.password, args.root, perm="elradfmwMT")
    auth.add_anonymous(args.root)

    class Handler(FTPHandler):
        pass

    Handler.authorizer = auth
    Handler.banner = "ftpkit-go test server (pyftpdlib) ready."
    Handler.auth_failed_timeout = 0.1
    Handler.permit_foreign_addresses = False
    if args.throttle:
        class DTP(ThrottledDTPHandler):
            pass
        DTP.write_limit = args.throttle
        DTP.read_limit = args.throttle
        Handler.dtp_handler = DTP
    server = FTPServer(("127.0.0.1", 0), Handler)
    sys.stdout.write("PORT %d\n" % server.socket.getsockname()[1])
    sys.stdout.flush()
    server.serve_forever(handle_exit=True)


if __name__ == "__main__":
    main()
