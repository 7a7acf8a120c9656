"""pyftpdlib's TLS handler (TLS_FTPHandler, pyOpenSSL) in its own process.

Prints "PORT <n>" once listening on 127.0.0.1, then serves until killed.
The SSL context is built here (not from certfile/keyfile) so the tests can
restrict TLS versions and require client certificates.
"""
import argparse
import logging
import sys

from OpenSSL import SSL
from pyftpdlib.authorizers import DummyAuthorizer
from pyftpdlib.handlers import TLS_FTPHandler
from pyftpdlib.servers import FTPServer

VERSIONS = {"1.2": SSL.TLS1_2_VERSION, "1.3": SSL.TLS1_3_VERSION}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--root", required=True)
    ap.add_argument("--cert", required=True)
    ap.add_argument("--key", required=True)
    ap.add_argument("--client-ca", default=None,
                    help="require a client certificate issued by this CA")
    ap.add_argument("--min-tls", choices=sorted(VERSIONS), default=None)
    ap.add_argument("--max-tls", choices=sorted(VERSIONS), default=None)
    ap.add_argument("--user", default="user")
    ap.add_argument("--password", default="12345")
    ap.add_argument("--tls-data-required", action="store_true")
    ap.add_argument("--log", default=None)
    args = ap.parse_args()

    # DEBUG makes pyftpdlib log every command it receives ("<- USER x"),
    # which the tests read to prove what was (not) sent.
    logging.basicConfig(filename=args.log, level=logging.DEBUG,
                        format="%(asctime)s %(message)s")

    ctx = SSL.Context(SSL.TLS_SERVER_METHOD)
    ctx.set_options(SSL.OP_NO_SSLv2 | SSL.OP_NO_SSLv3 | SSL.OP_NO_COMPRESSION)
    ctx.use_certificate_chain_file(args.cert)
    ctx.use_privatekey_file(args.key)
    ctx.check_privatekey()
    # A session id context lets data connections resume the control
    # connection's session (required when client certificates are verified).
    ctx.set_session_id(b"ftpkit-tls-tests")
    if args.min_tls:
        ctx.set_min_proto_version(VERSIONS[args.min_tls])
    if args.max_tls:
        ctx.set_max_proto_version(VERSIONS[args.max_tls])
    if args.client_ca:
        ctx.load_verify_locations(args.client_ca)
        ctx.set_verify(SSL.VERIFY_PEER | SSL.VERIFY_FAIL_IF_NO_PEER_CERT,
                       lambda conn, cert, errno, depth, ok: bool(ok))

    auth = DummyAuthorizer()
    auth.add_user(args.user, args.password, args.root, perm="elradfmwMT")

    class Handler(TLS_FTPHandler):
        pass

    Handler.authorizer = auth
    Handler.ssl_context = ctx
    Handler.tls_control_required = True   # USER/PASS refused before AUTH
    Handler.tls_data_required = args.tls_data_required
    Handler.banner = "ftpkit TLS test server (pyftpdlib) ready."
    Handler.auth_failed_timeout = 0.2
    server = FTPServer(("127.0.0.1", 0), Handler)
    sys.stdout.write(f"PORT {server.socket.getsockname()[1]}\n")
    sys.stdout.flush()
    server.serve_forever(handle_exit=True)


if __name__ == "__main__":
    main()
