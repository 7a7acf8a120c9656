"""pyftpdlib for the binding's tests, run as a subprocess.

Prints "PORT <n>" once listening on 127.0.0.1, then serves until killed.
Users: "user"/"12345" with every permission on --root; anonymous, read-only.

Test-only commands (so every reply class can be provoked on demand):
  XTMP   answers "451 Temporary failure (test)"                 (4xx)
  XPRE   answers "150 Unexpected preliminary reply (test)"      (1xx)
  XBAD   answers a line without a reply code                    (malformed)
  XBYE   closes the control connection without answering
"""

import argparse
import logging
import sys

from pyftpdlib.authorizers import DummyAuthorizer
from pyftpdlib.handlers import FTPHandler
from pyftpdlib.servers import FTPServer


class Handler(FTPHandler):
    banner = "ftpkit python test server (pyftpdlib) ready."
    auth_failed_timeout = 0.1
    proto_cmds = dict(FTPHandler.proto_cmds)
    for _name in ("XTMP", "XPRE", "XBAD", "XBYE"):
        proto_cmds[_name] = dict(perm=None, auth=False, arg=None, help=f"Syntax: {_name}")

    def ftp_XTMP(self, line):
        self.respond("451 Temporary failure (test)")

    def ftp_XPRE(self, line):
        self.respond("150 Unexpected preliminary reply (test)")

    def ftp_XBAD(self, line):
        self.push("this is not an FTP reply\r\n")

    def ftp_XBYE(self, line):
        self.close_when_done()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--root", required=True)
    ap.add_argument("--max-cons", type=int, default=0)
    args = ap.parse_args()
    logging.basicConfig(level=logging.WARNING)
    auth = DummyAuthorizer()
    auth.add_user("user", "12345", args.root, perm="elradfmwMT")
    auth.add_anonymous(args.root)
    Handler.authorizer = auth
    server = FTPServer(("127.0.0.1", 0), Handler)
    if args.max_cons:
        server.max_cons = args.max_cons
    sys.stdout.write(f"PORT {server.socket.getsockname()[1]}\n")
    sys.stdout.flush()
    server.serve_forever(handle_exit=True)


if __name__ == "__main__":
    main()
