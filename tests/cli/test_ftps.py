"""FTPS in the CLI: ftps:// (implicit TLS), --ssl-reqd (explicit TLS),
certificate verification (--cacert, --capath, -k), client certificates
(--cert/--key) and TLS versions (--tlsv1.3, --tls-max)."""
from __future__ import annotations

import os
import shutil
import socket

import pytest

import clisrv

TLS_TARGETS = ["vsftpd-implicit", "vsftpd-explicit", "pyftpdlib-explicit"]
INSECURE_WARNING = "certificate verification is disabled"


@pytest.mark.parametrize("target", TLS_TARGETS, indirect=True)
def test_ls_get_put(cli, target, workdir, unique):
    name = unique("small")
    data = os.urandom(100_000) + b"\r\n\x00end"
    target.srv.put_file(name, data)

    r = cli.run(*target.opts, "-v", "ls", target.url())
    assert r.rc == 0, r
    assert name in r.out.decode(), r
    # The trace shows TLS was used: AUTH TLS for explicit, PROT P for both.
    explicit = "--ssl-reqd" in target.opts
    assert ("*cmd* 'AUTH TLS'" in r.err) == explicit, r
    assert "*cmd* 'PROT P'" in r.err, r

    out = workdir / "got.bin"
    r = cli.run(*target.opts, "get", target.url(name), "-o", out)
    assert r.rc == 0, r
    assert r.err == "", r
    assert out.read_bytes() == data

    up = unique("up")
    r = cli.run(*target.opts, "put", out, target.upload_url(up))
    assert r.rc == 0, r
    assert r.err == "", r
    assert target.uploaded(up).read_bytes() == data


@pytest.mark.parametrize("target", ["vsftpd-implicit", "vsftpd-explicit"], indirect=True)
def test_get_several_urls_one_tls_session(cli, target, workdir, unique):
    names = [unique("multi") for _ in range(3)]
    for i, n in enumerate(names):
        target.srv.put_file(n, bytes([i]) * (1000 + i))
    r = cli.run(*target.opts, "-v", "get", "-O", workdir, *[target.url(n) for n in names])
    assert r.rc == 0, r
    for i, n in enumerate(names):
        assert (workdir / n).read_bytes() == bytes([i]) * (1000 + i)
    # One connection and one login for all three files.
    assert r.err.count("*cmd* 'PROT P'") == 1, r


@pytest.mark.parametrize("target", ["vsftpd-implicit", "pyftpdlib-explicit"], indirect=True)
def test_other_commands_over_tls(cli, target, workdir, unique):
    d = unique("dir").replace(".bin", "")
    src = workdir / "f.txt"
    src.write_bytes(b"in a directory\n")
    r = cli.run(*target.opts, "mkdir", target.upload_url(d + "/"))
    assert r.rc == 0, r
    assert target.uploaded(d).is_dir()
    r = cli.run(*target.opts, "put", src, target.upload_url(d + "/"))
    assert r.rc == 0, r
    assert target.uploaded(d + "/f.txt").read_bytes() == b"in a directory\n"
    r = cli.run(*target.opts, "cmd", target.upload_url(d + "/"), "PWD", "TYPE I", "SIZE f.txt")
    assert r.rc == 0, r
    assert b"213 15" in r.out, r
    r = cli.run(*target.opts, "rm", target.upload_url(d + "/f.txt"))
    assert r.rc == 0, r
    r = cli.run(*target.opts, "rmdir", target.upload_url(d + "/"))
    assert r.rc == 0, r
    assert not target.uploaded(d).exists()


def test_capath(cli, pki, vsftpd_implicit, workdir, unique):
    name = unique("capath")
    vsftpd_implicit.put_file(name, b"via capath\n")
    out = workdir / "out"
    r = cli.run("--capath", pki.capath, "get", vsftpd_implicit.url(name), "-o", out)
    assert r.rc == 0, r
    assert out.read_bytes() == b"via capath\n"


def test_ssl_reqd_with_ftps_url_is_implicit(cli, pki, vsftpd_implicit, workdir, unique):
    name = unique("both")
    vsftpd_implicit.put_file(name, b"x" * 10)
    r = cli.run("--ssl-reqd", "--cacert", pki.ca, "-v", "get",
                vsftpd_implicit.url(name, scheme="ftps"), "-o", workdir / "o")
    assert r.rc == 0, r
    assert "*cmd* 'AUTH TLS'" not in r.err, r
    assert (workdir / "o").read_bytes() == b"x" * 10


# -- verification failures -------------------------------------------------

@pytest.mark.parametrize("cacert", [False, True], ids=["system-store", "other-ca"])
def test_self_signed_refused(cli, pki, vsftpd_selfsigned, workdir, unique, cacert):
    name = unique("ss")
    vsftpd_selfsigned.put_file(name, b"secret")
    opts = ["--cacert", pki.ca] if cacert else []
    out = workdir / "out"
    r = cli.run("--ssl-reqd", *opts, "-v", "get", vsftpd_selfsigned.url(name), "-o", out)
    assert r.rc == 6, r
    assert "certificate" in r.err, r
    assert "self-signed" in r.err or "self signed" in r.err, r
    assert "connect to 127.0.0.1 port" in r.err, r
    assert "*cmd* 'USER" not in r.err and "PASS" not in r.err, r   # nothing sent after AUTH
    assert not out.exists()


def test_self_signed_refused_ls_and_put(cli, vsftpd_selfsigned, workdir):
    r = cli.run("--ssl-reqd", "ls", vsftpd_selfsigned.url())
    assert r.rc == 6 and "certificate" in r.err, r
    assert r.out == b"", r
    src = workdir / "src"
    src.write_bytes(b"data")
    r = cli.run("--ssl-reqd", "put", src, vsftpd_selfsigned.url("pub/never.bin"))
    assert r.rc == 6 and "certificate" in r.err, r
    assert not (vsftpd_selfsigned.upload_dir / "never.bin").exists()


def test_wrong_host_name_refused(cli, pki, vsftpd_wrongname, workdir, unique):
    name = unique("wn")
    vsftpd_wrongname.put_file(name, b"data")
    r = cli.run("--cacert", pki.ca, "get", vsftpd_wrongname.url(name), "-o", workdir / "o")
    assert r.rc == 6, r
    assert "certificate" in r.err, r
    assert not (workdir / "o").exists()


def test_insecure_works_and_warns_once(cli, vsftpd_selfsigned, workdir, unique):
    names = [unique("k"), unique("k")]
    for n in names:
        vsftpd_selfsigned.put_file(n, n.encode())
    r = cli.run("-k", "--ssl-reqd", "get", "-O", workdir,
                *[vsftpd_selfsigned.url(n) for n in names])
    assert r.rc == 0, r
    for n in names:
        assert (workdir / n).read_bytes() == n.encode()
    assert r.err.count(INSECURE_WARNING) == 1, r
    assert r.err.startswith("ftpkit: warning:"), r


def test_insecure_warns_even_when_quiet(cli, vsftpd_wrongname):
    r = cli.run("--insecure", "-q", "ls", vsftpd_wrongname.url())
    assert r.rc == 0, r
    assert r.err.count(INSECURE_WARNING) == 1, r


def test_insecure_without_tls_does_not_warn(cli, pyftpd_plain):
    r = cli.run("-k", "ls", pyftpd_plain.url())
    assert r.rc == 0, r
    assert INSECURE_WARNING not in r.err, r
    assert "no effect" in r.err, r           # the plain-connection note
    r = cli.run("-k", "-q", "ls", pyftpd_plain.url())
    assert r.rc == 0 and r.err == "", r


def test_ssl_reqd_refused_by_plain_server(cli, pyftpd_plain, workdir, unique):
    name = unique("plain")
    pyftpd_plain.put_file(name, b"data")
    r = cli.run("--ssl-reqd", "-v", "get", pyftpd_plain.url(name), "-o", workdir / "o")
    assert r.rc == 6, r
    assert "AUTH TLS" in r.err and "--ssl-reqd" in r.err, r
    assert "500" in r.err, r                 # the server's refusal is shown
    assert "*cmd* 'PASS" not in r.err and "*cmd* 'USER" not in r.err, r
    assert not (workdir / "o").exists()


def test_implicit_against_plain_server_is_tls_error(cli, pki, pyftpd_plain):
    r = cli.run("--cacert", pki.ca, "--timeout", "20", "ls",
                pyftpd_plain.url(scheme="ftps"))
    assert r.rc == 6, r


# -- client certificates -----------------------------------------------------

@pytest.fixture(scope="module")
def pyftpd_client_cert(tmp_path_factory, pki):
    # TLS 1.2: the server checks the client certificate inside the
    # handshake.  With TLS 1.3 it does so after the client's handshake has
    # completed, and the refusal reaches the client as an alert or as a
    # closed connection depending on timing (exit 6 or 4).
    d = tmp_path_factory.mktemp("pyftpd-clientcert")
    srv = clisrv.Pyftpd(d / "root", d / "log.txt", tls=(pki.cert("server"), pki.key("server")),
                        client_ca=pki.ca, tls_max="1.2")
    yield srv
    srv.stop()
    shutil.rmtree(srv.root, ignore_errors=True)   # keep the log


def test_client_certificate(cli, pki, pyftpd_client_cert, workdir):
    pyftpd_client_cert.put_file("c.txt", b"client cert ok\n")
    base = ["--ssl-reqd", "--cacert", pki.ca]
    r = cli.run(*base, "--timeout", "20", "get", pyftpd_client_cert.url("c.txt"),
                "-o", workdir / "none")
    assert r.rc == 6, r
    assert not (workdir / "none").exists()

    r = cli.run(*base, "--cert", pki.cert("client"), "--key", pki.key("client"),
                "get", pyftpd_client_cert.url("c.txt"), "-o", workdir / "a")
    assert r.rc == 0, r
    assert (workdir / "a").read_bytes() == b"client cert ok\n"

    both = workdir / "both.pem"             # certificate and key in one file
    both.write_bytes(pki.cert("client").read_bytes() + pki.key("client").read_bytes())
    r = cli.run(*base, "--cert", both, "get", pyftpd_client_cert.url("c.txt"),
                "-o", workdir / "b")
    assert r.rc == 0, r
    assert (workdir / "b").read_bytes() == b"client cert ok\n"


def test_unreadable_client_certificate(cli, pki, pyftpd_tls, workdir):
    r = cli.run("--ssl-reqd", "--cacert", pki.ca, "--cert", workdir / "missing.pem",
                "ls", pyftpd_tls.url())
    assert r.rc == 6, r


def test_unreadable_cacert(cli, pyftpd_tls, workdir):
    r = cli.run("--ssl-reqd", "--cacert", workdir / "missing.pem", "ls", pyftpd_tls.url())
    assert r.rc == 6, r


# -- TLS versions --------------------------------------------------------------

@pytest.fixture(scope="module")
def pyftpd_tls12_only(tmp_path_factory, pki):
    d = tmp_path_factory.mktemp("pyftpd-tls12")
    srv = clisrv.Pyftpd(d / "root", d / "log.txt", tls=(pki.cert("server"), pki.key("server")),
                        tls_max="1.2")
    srv.put_file("v.txt", b"v")
    yield srv
    srv.stop()
    shutil.rmtree(srv.root, ignore_errors=True)   # keep the log


@pytest.fixture(scope="module")
def pyftpd_tls13_only(tmp_path_factory, pki):
    d = tmp_path_factory.mktemp("pyftpd-tls13")
    srv = clisrv.Pyftpd(d / "root", d / "log.txt", tls=(pki.cert("server"), pki.key("server")),
                        tls_min="1.3")
    srv.put_file("v.txt", b"v")
    yield srv
    srv.stop()
    shutil.rmtree(srv.root, ignore_errors=True)   # keep the log


@pytest.mark.parametrize("opts,server,rc", [
    ([], "pyftpd_tls12_only", 0),
    (["--tlsv1.2"], "pyftpd_tls12_only", 0),
    (["--tls-max", "1.2"], "pyftpd_tls12_only", 0),
    (["--tlsv1.3"], "pyftpd_tls12_only", 6),
    ([], "pyftpd_tls13_only", 0),
    (["--tlsv1.3"], "pyftpd_tls13_only", 0),
    (["--tls-max", "1.3"], "pyftpd_tls13_only", 0),
    (["--tls-max", "1.2"], "pyftpd_tls13_only", 6),
])
def test_tls_versions(cli, pki, request, workdir, opts, server, rc):
    srv = request.getfixturevalue(server)
    out = workdir / "v"
    r = cli.run("--ssl-reqd", "--cacert", pki.ca, "--timeout", "20", *opts, "get",
                srv.url("v.txt"), "-o", out)
    assert r.rc == rc, r
    assert out.exists() == (rc == 0)


# -- usage ---------------------------------------------------------------------

@pytest.mark.parametrize("args,msg", [
    (["--key", "k.pem", "ls", "ftps://127.0.0.1:1/"], "--key needs --cert"),
    (["--tls-max", "1.1", "ls", "ftps://127.0.0.1:1/"], "invalid --tls-max"),
    (["--tls-max", "1.2", "--tlsv1.3", "ls", "ftps://127.0.0.1:1/"], "exclude"),
    (["ls", "sftp://127.0.0.1:1/"], "ftps://"),
    (["--cacert"], ""),
])
def test_usage_errors(cli, args, msg):
    r = cli.run(*args)
    assert r.rc == 1, r
    assert msg in r.err, r


def test_help_mentions_ftps_options(cli):
    r = cli.run("--help")
    assert r.rc == 0, r
    text = r.out.decode()
    for opt in ("ftps://", "--ssl-reqd", "--cacert", "--capath", "--insecure", "--cert",
                "--key", "--tls-max", "--tlsv1.3"):
        assert opt in text, opt


# -- default port ----------------------------------------------------------------

def _port_990_free():
    try:
        with socket.socket() as s:
            # As servers do: connections of an earlier run in TIME_WAIT
            # must not count as "in use".
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind((clisrv.HOST, 990))
        return True
    except OSError:
        return False


def test_ftps_default_port_990(cli, pki, workdir):
    if os.geteuid() != 0 or not os.path.exists(clisrv.VSFTPD):
        pytest.skip("needs root and vsftpd to listen on port 990")
    if not _port_990_free():
        pytest.skip("port 990 on 127.0.0.1 is in use")
    try:
        srv = clisrv.Vsftpd(pki.cert("server"), pki.key("server"), implicit=True, port=990)
    except RuntimeError as e:                # taken in the meantime
        pytest.skip(f"vsftpd could not listen on port 990: {e}")
    try:
        srv.put_file("p990.txt", b"port 990\n")
        r = cli.run("--cacert", pki.ca, "get", "ftps://127.0.0.1/p990.txt", "-o", workdir / "o")
        assert r.rc == 0, r
        assert (workdir / "o").read_bytes() == b"port 990\n"
    finally:
        srv.stop()
        srv.cleanup()
    # Nothing listens any more: the message names the default port.
    r = cli.run("--cacert", pki.ca, "--timeout", "10", "ls", "ftps://127.0.0.1/")
    assert r.rc == 4, r
    assert "port 990" in r.err, r
