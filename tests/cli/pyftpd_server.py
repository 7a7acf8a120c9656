"""A pyftpdlib server for the CLI suite, run in its own process.

Prints "PORT <n>" on stdout once listening on 127.0.0.1, then serves until
terminated.  Options:

  --tls CERT KEY      explicit FTPS (AUTH TLS required for login and data)
  --tls-min / --tls-max 1.2|1.3
                      restrict the TLS versions the server accepts
  --client-ca FILE    require a client certificate issued by FILE's CA
  --fail-after BYTES  files whose name contains "broken": reading them
                      (RETR) or writing them (STOR) fails with an I/O error
                      after BYTES bytes, so pyftpdlib answers 426
  --throttle BPS      limit data connections to BPS bytes per second
"""
import argparse
import errno
import logging
import os
import sys

from pyftpdlib.authorizers import DummyAuthorizer
from pyftpdlib.filesystems import AbstractedFS
from pyftpdlib.handlers import FTPHandler
from pyftpdlib.servers import FTPServer


class FailingFile:
    """A file object (without fileno(), so pyftpdlib cannot use sendfile)
    whose reads or writes fail once `limit` bytes went through."""

    def __init__(self, f, limit):
        self._f = f
        self._left = limit
        self.name = f.name
        self.mode = f.mode

    @property
    def closed(self):
        return self._f.closed

    def read(self, n=-1):
        if self._left <= 0:
            raise OSError(errno.EIO, os.strerror(errno.EIO))
        data = self._f.read(min(n, self._left) if n and n > 0 else self._left)
        self._left -= len(data)
        return data

    def write(self, data):
        if self._left < len(data):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        self._left -= len(data)
        return self._f.write(data)

    def seek(self, *args):
        return self._f.seek(*args)

    def tell(self):
        return self._f.tell()

    def close(self):
        self._f.close()


def make_fs(fail_after):
    class FS(AbstractedFS):
        def open(self, filename, mode):
            f = super().open(filename, mode)
            if fail_after is not None and "broken" in os.path.basename(filename):
                return FailingFile(f, fail_after)
            return f

    return FS


def tls_context(args):
    from OpenSSL import SSL

    versions = {"1.2": SSL.TLS1_2_VERSION, "1.3": SSL.TLS1_3_VERSION}
    ctx = SSL.Context(SSL.TLS_SERVER_METHOD)
    ctx.set_options(SSL.OP_NO_SSLv2 | SSL.OP_NO_SSLv3 | SSL.OP_NO_COMPRESSION)
    ctx.use_certificate_chain_file(args.tls[0])
    ctx.use_privatekey_file(args.tls[1])
    if args.tls_min:
        ctx.set_min_proto_version(versions[args.tls_min])
    if args.tls_max:
        ctx.set_max_proto_version(versions[args.tls_max])
    if args.client_ca:
        # A session id context is needed to resume sessions (the data
        # connections resume the control connection's) once peers are
        # verified; without it OpenSSL fails the handshake.
        ctx.set_session_id(b"ftpkit-cli-test")
        ctx.load_verify_locations(args.client_ca)
        ctx.set_verify(SSL.VERIFY_PEER | SSL.VERIFY_FAIL_IF_NO_PEER_CERT,
                       lambda conn, cert, errnum, depth, ok: bool(ok))
    return ctx


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--root", required=True)
    ap.add_argument("--user", default="user")
    ap.add_argument("--password", default="12345")
    ap.add_argument("--tls", nargs=2, metavar=("CERT", "KEY"))
    ap.add_argument("--tls-min", choices=["1.2", "1.3"])
    ap.add_argument("--tls-max", choices=["1.2", "1.3"])
    ap.add_argument("--client-ca")
    ap.add_argument("--fail-after", type=int)
    ap.add_argument("--throttle", type=int)
    ap.add_argument("--log")
    args = ap.parse_args()

    logging.basicConfig(filename=args.log, level=logging.INFO,
                        format="%(asctime)s %(message)s")

    auth = DummyAuthorizer()
    auth.add_user(args.user, args.password, args.root, perm="elradfmwMT")

    if args.tls:
        from pyftpdlib.handlers import TLS_FTPHandler

        class Handler(TLS_FTPHandler):
            pass

        Handler.ssl_context = tls_context(args)
        Handler.tls_control_required = True
        Handler.tls_data_required = True
    else:
        class Handler(FTPHandler):
            pass

    if args.throttle:
        from pyftpdlib.handlers import ThrottledDTPHandler

        class Throttled(ThrottledDTPHandler):
            read_limit = args.throttle
            write_limit = args.throttle

        Handler.dtp_handler = Throttled
    Handler.authorizer = auth
    Handler.abstracted_fs = make_fs(args.fail_after)
    Handler.banner = "ftpkit CLI test server (pyftpdlib) ready."
    Handler.auth_failed_timeout = 0.2
    server = FTPServer(("127.0.0.1", 0), Handler)
    sys.stdout.write(f"PORT {server.socket.getsockname()[1]}\n")
    sys.stdout.flush()
    server.serve_forever(handle_exit=True)


if __name__ == "__main__":
    main()
