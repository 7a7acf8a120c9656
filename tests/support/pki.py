"""Test certificates (a local CA, server and client certificates), made with
the `openssl` command, for the suites that speak FTPS.

`make_ca()` / `make_leaf()` make one CA or one certificate it signs;
`make_server_set(dir)` the minimum a server needs (ca.pem, server.pem,
server.key); one call to `make_all(dir)` writes, under `dir`:

  ca.pem / ca.key / ca.der     the local test CA (PEM, key, DER)
  ca-dir/<hash>.0              the CA in an OpenSSL hashed directory
  server.pem / server.key      CN=localhost, SAN DNS:localhost, IP:127.0.0.1
  wronghost.pem / .key         signed by the CA, but for wrong.example only
  selfsigned.pem / .key        CN=localhost with the right SANs, self-signed
  expired.pem / .key           signed by the CA, right SANs, expired in 2020
  untrusted.pem / .key         right SANs, signed by another CA nobody trusts
  client.pem / client.key      a TLS client certificate signed by the CA
  badclient.pem / .key         a client certificate signed by the other CA

All keys are RSA 2048 (vsftpd's default cipher list needs an RSA key).
"""
from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

OPENSSL = shutil.which("openssl") or "/usr/bin/openssl"

SERVER_EXT = """\
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = {san}
"""

CLIENT_EXT = """\
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = clientAuth
"""

# `openssl ca` is the only way in OpenSSL 3.0 to give explicit validity
# dates (for the expired certificate).
CA_CONF = """\
[ ca ]
default_ca = test_ca
[ test_ca ]
dir = {dir}
database = $dir/index.txt
new_certs_dir = $dir/newcerts
serial = $dir/serial
default_md = sha256
policy = policy_any
unique_subject = no
copy_extensions = none
email_in_dn = no
[ policy_any ]
commonName = supplied
[ server_ext ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost, IP:127.0.0.1
"""

GOOD_SAN = "DNS:localhost, IP:127.0.0.1"


def run(*args, cwd=None):
    r = subprocess.run([OPENSSL, *args], cwd=cwd, capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError(f"openssl {' '.join(args)} failed: {r.stderr.strip()}")
    return r.stdout


@dataclass
class Certs:
    dir: Path

    def p(self, name: str) -> str:
        return str(self.dir / name)

    # Trust anchors
    @property
    def ca(self) -> str: return self.p("ca.pem")
    @property
    def ca_der(self) -> bytes: return (self.dir / "ca.der").read_bytes()
    @property
    def ca_pem_bytes(self) -> bytes: return (self.dir / "ca.pem").read_bytes()
    @property
    def ca_dir(self) -> str: return self.p("ca-dir")

    def pair(self, kind: str) -> tuple[str, str]:
        """(certificate, key) paths for `kind` ('server', 'expired', ...)."""
        return self.p(f"{kind}.pem"), self.p(f"{kind}.key")


def make_ca(d: Path, name: str, cn: str):
    run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-sha256", "-days", "3650",
        "-keyout", str(d / f"{name}.key"), "-out", str(d / f"{name}.pem"),
        "-subj", f"/CN={cn}",
        "-addext", "basicConstraints=critical,CA:TRUE",
        "-addext", "keyUsage=critical,keyCertSign,cRLSign",
        "-addext", "subjectKeyIdentifier=hash")


def make_leaf(d: Path, name: str, cn: str, ca: str, ext: str, days=825):
    key, csr, pem = d / f"{name}.key", d / f"{name}.csr", d / f"{name}.pem"
    extfile = d / f"{name}.ext"
    extfile.write_text(ext)
    run("req", "-new", "-newkey", "rsa:2048", "-nodes", "-sha256",
        "-keyout", str(key), "-out", str(csr), "-subj", f"/CN={cn}")
    run("x509", "-req", "-in", str(csr), "-CA", str(d / f"{ca}.pem"),
        "-CAkey", str(d / f"{ca}.key"), "-CAcreateserial", "-sha256",
        "-days", str(days), "-out", str(pem), "-extfile", str(extfile))
    csr.unlink()
    extfile.unlink()


def make_self_signed(d: Path, name: str, cn: str, san: str):
    run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-sha256", "-days", "825",
        "-keyout", str(d / f"{name}.key"), "-out", str(d / f"{name}.pem"),
        "-subj", f"/CN={cn}",
        "-addext", "basicConstraints=critical,CA:FALSE",
        "-addext", "keyUsage=critical,digitalSignature,keyEncipherment",
        "-addext", "extendedKeyUsage=serverAuth",
        "-addext", f"subjectAltName={san}")


def make_expired(d: Path, name: str):
    work = d / "ca-work"
    (work / "newcerts").mkdir(parents=True)
    (work / "index.txt").write_text("")
    (work / "serial").write_text("1000\n")
    conf = work / "ca.cnf"
    conf.write_text(CA_CONF.format(dir=work))
    key, csr = d / f"{name}.key", work / f"{name}.csr"
    run("req", "-new", "-newkey", "rsa:2048", "-nodes", "-sha256",
        "-keyout", str(key), "-out", str(csr), "-subj", "/CN=localhost")
    run("ca", "-batch", "-config", str(conf), "-cert", str(d / "ca.pem"),
        "-keyfile", str(d / "ca.key"), "-in", str(csr), "-out", str(d / f"{name}.pem"),
        "-startdate", "20200101000000Z", "-enddate", "20200201000000Z",
        "-extensions", "server_ext", "-notext")
    shutil.rmtree(work)


def make_server_set(d: Path, ca_cn: str = "ftpkit test CA") -> Certs:
    """ca.pem/ca.key (CN=ca_cn) and server.pem/server.key signed by it for
    CN=localhost with subjectAltName DNS:localhost, IP:127.0.0.1; all files
    world-readable, as some servers read them after dropping privileges."""
    d.mkdir(parents=True, exist_ok=True)
    make_ca(d, "ca", ca_cn)
    make_leaf(d, "server", "localhost", "ca", SERVER_EXT.format(san=GOOD_SAN))
    for p in ("ca.pem", "server.pem", "server.key"):
        (d / p).chmod(0o644)
    return Certs(d)


def make_all(d: Path) -> Certs:
    d.mkdir(parents=True, exist_ok=True)
    make_ca(d, "ca", "ftpkit test CA")
    make_ca(d, "otherca", "ftpkit untrusted CA")
    make_leaf(d, "server", "localhost", "ca", SERVER_EXT.format(san=GOOD_SAN))
    make_leaf(d, "wronghost", "wrong.example", "ca", SERVER_EXT.format(san="DNS:wrong.example"))
    make_leaf(d, "untrusted", "localhost", "otherca", SERVER_EXT.format(san=GOOD_SAN))
    make_self_signed(d, "selfsigned", "localhost", GOOD_SAN)
    make_expired(d, "expired")
    make_leaf(d, "client", "ftpkit-client", "ca", CLIENT_EXT)
    make_leaf(d, "badclient", "ftpkit-client", "otherca", CLIENT_EXT)
    run("x509", "-in", str(d / "ca.pem"), "-outform", "DER", "-out", str(d / "ca.der"))
    # A hashed CA directory (what `openssl rehash` makes) for ca_dir.
    cadir = d / "ca-dir"
    cadir.mkdir()
    h = run("x509", "-in", str(d / "ca.pem"), "-noout", "-hash").strip()
    shutil.copy(d / "ca.pem", cadir / f"{h}.0")
    for k in d.glob("*.key"):
        k.chmod(0o600)
    return Certs(d)


def describe(pem: str) -> str:
    """Subject, issuer and dates of a certificate (for failure messages)."""
    return run("x509", "-in", pem, "-noout", "-subject", "-issuer", "-dates")


if __name__ == "__main__":
    import sys
    import tempfile
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tempfile.mkdtemp())
    c = make_all(out)
    for kind in ("server", "wronghost", "selfsigned", "expired", "untrusted", "client"):
        print(kind, describe(c.pair(kind)[0]))
    print(out)
